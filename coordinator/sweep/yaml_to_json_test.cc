#include "coordinator/sweep/yaml_to_json.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

json Parse(const std::string& text) {
  absl::StatusOr<json> parsed = YamlToJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : json();
}

TEST(YamlToJsonTest, TypesPlainScalarsByTheCoreSchema) {
  const json j = Parse(
      "a: 3\nb: -3\nc: 3.0\nd: 1e-3\ne: .5\nf: true\ng: False\nh: ~\ni:\nj: hello\n"
      "k: yes\nl: 0x1F\nm: .inf\nn: 18446744073709551615\n");
  EXPECT_TRUE(j["a"].is_number_integer());
  EXPECT_EQ(j["a"], 3);
  EXPECT_EQ(j["b"], -3);
  EXPECT_TRUE(j["c"].is_number_float());
  EXPECT_DOUBLE_EQ(j["d"].get<double>(), 0.001);
  EXPECT_DOUBLE_EQ(j["e"].get<double>(), 0.5);
  EXPECT_EQ(j["f"], true);
  EXPECT_EQ(j["g"], false);
  EXPECT_TRUE(j["h"].is_null());
  EXPECT_TRUE(j["i"].is_null());
  EXPECT_EQ(j["j"], "hello");
  EXPECT_EQ(j["k"], "yes");  // YAML 1.2: not a boolean
  EXPECT_EQ(j["l"], 31);
  EXPECT_TRUE(std::isinf(j["m"].get<double>()));
  EXPECT_EQ(j["n"].get<uint64_t>(), 18446744073709551615ull);
}

TEST(YamlToJsonTest, QuotedScalarsStayStrings) {
  const json j = Parse("a: \"3\"\nb: 'true'\nc: !!str 4\n");
  EXPECT_EQ(j["a"], "3");
  EXPECT_EQ(j["b"], "true");
  EXPECT_EQ(j["c"], "4");
}

TEST(YamlToJsonTest, NestedFlowAndBlockCollections) {
  const json j = Parse("p:\n  opt: {values: [adam, sgd]}\n  lr:\n    - 1\n    - 2.5\n");
  EXPECT_EQ(j["p"]["opt"]["values"], json({"adam", "sgd"}));
  EXPECT_EQ(j["p"]["lr"], json({1, 2.5}));
}

TEST(YamlToJsonTest, SyntaxErrorsCarryLineAndColumn) {
  absl::StatusOr<json> parsed = YamlToJson("name: x\nparameters:\n  lr: {value: [1, 2}\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("3:"), std::string::npos) << parsed.status();
  EXPECT_NE(parsed.status().message().find("YAML syntax error"), std::string::npos);
}

TEST(YamlToJsonTest, SyntaxErrorPointsAtTheOffendingToken) {
  absl::StatusOr<json> parsed = YamlToJson("name: x\nmethod: grid\nfolds: k: 3\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "3:9: YAML syntax error: illegal map value");
}

TEST(YamlToJsonTest, DuplicateKeysAreRefused) {
  absl::StatusOr<json> parsed = YamlToJson("a: 1\nb:\n  c: 1\n  c: 2\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), "4:3: duplicate key \"c\"");
}

TEST(YamlToJsonTest, EmptyDocumentIsNull) {
  EXPECT_TRUE(Parse("").is_null());
  EXPECT_TRUE(Parse("# only a comment\n").is_null());
}

// Found by fuzzing (tests/fuzz:sweep_yaml): bytes that are not UTF-8 reached the messages and the
// JSON; deep nesting and aliases had no bound.
TEST(YamlToJsonTest, RefusesBadBytesSizeDepthAndAliasBombs) {
  EXPECT_EQ(YamlToJson("a: 1\nbb: x\xff\n").status().message(), "2:6: not valid UTF-8");
  EXPECT_EQ(YamlToJson(std::string(kMaxYamlBytes + 1, '#')).status().message(),
            "1:1: 1048577 bytes, more than the 1048576 a sweep file may have");
  EXPECT_EQ(YamlToJson(std::string(100, '[') + std::string(100, ']')).status().message(),
            "1:66: nested deeper than 64 levels");
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'g'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
            ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  }
  const std::string message(YamlToJson(bomb).status().message());
  EXPECT_NE(message.find("more than 100000 values (aliases expanding?)"), std::string::npos) << message;
  EXPECT_EQ(YamlToJson("{\"a\\nb\": 1, \"a\\nb\": 2}").status().message(), "1:13: duplicate key \"a\\x0ab\"");
  // yaml-cpp took this for UTF-32 and made bytes that are not UTF-8 (nlohmann then threw on dump).
  EXPECT_EQ(YamlToJson(std::string("\x01\0\0\0# a sweep\n", 14)).status().message(), "1:1: control character \\x01");
  // Escapes that would make such bytes are refused by yaml-cpp itself.
  EXPECT_NE(YamlToJson("a: \"\\U00110000\"").status().message().find("invalid unicode"), absl::string_view::npos);
}

}  // namespace
}  // namespace foldstack::sweep
