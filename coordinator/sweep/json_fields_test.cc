#include "coordinator/sweep/json_fields.h"

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

TEST(JsonFieldsTest, ErrorsStartWithThePath) {
  EXPECT_EQ(ErrorAt("folds.k", "bad").message(), "folds.k: bad");
  EXPECT_EQ(ErrorAt("", "bad").message(), "bad");
  EXPECT_EQ(JoinPath("", "metric"), "metric");
  EXPECT_EQ(JoinPath("metric", "goal"), "metric.goal");
}

TEST(JsonFieldsTest, FieldIsNullWhenAbsent) {
  const json object = {{"a", 1}};
  EXPECT_EQ(Field(object, "a"), 1);
  EXPECT_TRUE(Field(object, "b").is_null());
  EXPECT_TRUE(Field(json(3), "a").is_null());
}

TEST(JsonFieldsTest, CheckKeysSuggestsTheClosestKey) {
  const json object = {{"nme", "x"}};
  EXPECT_EQ(CheckKeys(object, "metric", {"name", "goal"}).message(),
            "metric: unknown key \"nme\" (did you mean \"name\"?)");
  EXPECT_TRUE(CheckKeys(json{{"goal", 1}}, "metric", {"name", "goal"}).ok());
  EXPECT_EQ(RequireObject(json(3), "folds").message(), "folds: expected a mapping, got 3");
}

TEST(JsonFieldsTest, TypedReads) {
  EXPECT_EQ(*ReadInt(json(3.0), "k", 2), 3);
  EXPECT_EQ(ReadInt(json("five"), "folds.k", 2).status().message(),
            "folds.k: expected an integer >= 2, got \"five\"");
  EXPECT_EQ(ReadInt(json(1), "folds.k", 2).status().message(),
            "folds.k: expected an integer >= 2, got 1");
  EXPECT_EQ(ReadNumber(json("abc"), "parameters.lr.min").status().message(),
            "parameters.lr.min: expected a number, got \"abc\"");
  EXPECT_EQ(*ReadBool(json(true), "folds.stratify"), true);
  EXPECT_FALSE(ReadBool(json("yes"), "folds.stratify").ok());
  EXPECT_EQ(*ReadString(json("grid"), "method", {"grid", "random"}), "grid");
  EXPECT_EQ(ReadString(json("bayes"), "method", {"grid", "random"}).status().message(),
            "method: expected one of grid, random; got \"bayes\"");
  EXPECT_FALSE(ReadString(json(""), "dataset.root").ok());
}

}  // namespace
}  // namespace foldstack::sweep
