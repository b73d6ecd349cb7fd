#include "coordinator/http/assets.h"

#include "gtest/gtest.h"

namespace foldstack::http {
namespace {

TEST(AssetsTest, EmbedsThePagesAndTheVendoredLibraryWithTheirTypes) {
  const Asset* echarts = FindAsset("/static/echarts.min.js");
  ASSERT_NE(echarts, nullptr);
  EXPECT_EQ(echarts->content_type, "application/javascript; charset=utf-8");
  const absl::string_view script(echarts->data, echarts->size);
  EXPECT_NE(script.find("echarts"), absl::string_view::npos);
  const Asset* license = FindAsset("/static/ECHARTS-LICENSE.txt");
  ASSERT_NE(license, nullptr);
  EXPECT_NE(absl::string_view(license->data, license->size).find("Apache License"), absl::string_view::npos);
  const Asset* login = FindAsset("/login.html");
  ASSERT_NE(login, nullptr);
  EXPECT_EQ(login->content_type, "text/html; charset=utf-8");
  EXPECT_NE(absl::string_view(login->data, login->size).find("<!--error-->"), absl::string_view::npos);
  EXPECT_EQ(FindAsset("/static/../../etc/passwd"), nullptr);
  EXPECT_EQ(FindAsset("/static/missing.js"), nullptr);
}

}  // namespace
}  // namespace foldstack::http
