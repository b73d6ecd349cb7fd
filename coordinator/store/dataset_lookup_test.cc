#include "coordinator/store/dataset_lookup.h"

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeDataset;
using testing::OpenFreshDb;

TEST(DatasetLookupTest, FindsByIdRootKeyAndPerson) {
  auto db = OpenFreshDb("lookup");
  DatasetRecord mask{"mask", "/data/mask", 18, {{"train/images/p1/mask1.jpg", 0, "p1"},
                                               {"train/images/p1/normal.jpg", 12, "p1"}}};
  auto mask_id = EnsureDataset(*db, mask, 1);
  auto toy_id = EnsureDataset(*db, MakeDataset(4, 2, "/data/toy"), 2);
  ASSERT_TRUE(mask_id.ok() && toy_id.ok());

  auto info = GetDataset(*db, *mask_id);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->kind, "mask");
  EXPECT_EQ(info->root, "/data/mask");
  EXPECT_EQ(info->num_classes, 18);
  EXPECT_EQ(info->base_dataset_id, 0);
  EXPECT_EQ(GetDataset(*db, 999).status().code(), absl::StatusCode::kNotFound);

  EXPECT_EQ(BaseDatasetsWithRoot(*db, "/data/toy")->at(0).id, *toy_id);
  EXPECT_TRUE(BaseDatasetsWithRoot(*db, "/data/none")->empty());
  // A key with or without the "train/" prefix of the mask layout, or a person.
  EXPECT_EQ(BaseDatasetsNaming(*db, "train/images/p1/normal.jpg")->at(0).id, *mask_id);
  EXPECT_EQ(BaseDatasetsNaming(*db, "images/p1/normal.jpg")->at(0).id, *mask_id);
  EXPECT_EQ(BaseDatasetsNaming(*db, "p1/normal.jpg")->at(0).id, *mask_id);
  EXPECT_EQ(BaseDatasetsNaming(*db, "p1")->size(), 2u);  // the toy set has a person p1 too
  EXPECT_EQ(BaseDatasetsNaming(*db, "img/3.jpg")->at(0).id, *toy_id);
  EXPECT_TRUE(BaseDatasetsNaming(*db, "nobody")->empty());
}

}  // namespace
}  // namespace foldstack::coordinator
