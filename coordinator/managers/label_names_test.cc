#include "coordinator/managers/label_names.h"

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(LabelNamesTest, ClassIndexOrNameCaseInsensitive) {
  const std::vector<std::string> mask = ClassNamesFor("mask", 18);
  EXPECT_EQ(mask[16], "normal/female/30-59");
  EXPECT_EQ(*ParseClassLabel("14", mask), 14);
  EXPECT_EQ(*ParseClassLabel("wear/male/<30", mask), 0);
  EXPECT_EQ(*ParseClassLabel(" Incorrect/Female/>=60 ", mask), 11);
  EXPECT_EQ(ParseClassLabel("18", mask).status().message(),
            "\"18\": expected a class index 0..17 or a class name like wear/male/<30");
  EXPECT_FALSE(ParseClassLabel("wear/male/<31", mask).ok());
  EXPECT_EQ(*ParseClassLabel("sneaker", ClassNamesFor("fashion_mnist", 10)), 7);
  EXPECT_EQ(ClassNamesFor("other", 3), (std::vector<std::string>{"0", "1", "2"}));
}

TEST(LabelNamesTest, PersonLabelsKeepOnlyGenderAndAge) {
  EXPECT_EQ(*ParsePersonLabel("male/30-59"), 1);
  EXPECT_EQ(*ParsePersonLabel("FEMALE/>=60"), 5);
  EXPECT_EQ(*ParsePersonLabel("normal/female/<30"), 3);  // mask part ignored
  EXPECT_EQ(*ParsePersonLabel("16"), 4);                  // normal/female/30-59
  EXPECT_EQ(PersonLabelName(16), "female/30-59");
  EXPECT_EQ(ParsePersonLabel("male/31").status().message(),
            "\"male/31\": expected a person's gender/age like male/30-59 (or a class name like "
            "wear/male/<30 or index 0..17)");
}

}  // namespace
}  // namespace foldstack::coordinator
