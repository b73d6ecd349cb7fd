// Changes made through the service land in the audit trail under the caller's token name.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "coordinator/store/test_util.h"
#include "data/synth.h"
#include "proto/rpc_util.h"
#include "tests/testing/in_process_coordinator.h"

namespace foldstack::coordinator {
namespace {

std::string DataRoot(const std::string& dir) {
  data::SynthOptions options;
  options.out_dir = dir + "/faces";
  options.people = 6;
  options.width = 32;
  options.height = 32;
  options.eval_people = 0;
  EXPECT_TRUE(data::WriteSynthDataset(options).ok());
  return options.out_dir;
}

TEST(ServiceAudit, SubmitAndCancelAreRecordedWithTheTokensNames) {
  const std::string dir = foldstack::testing::FreshTestDir("service_audit");
  foldstack::testing::InProcessCoordinator coordinator(
      dir + "/coordinator", {.token_lines = {"ana lead tok-ana", "bo lead tok-bo", "ci reader tok-ci"}});
  v1::SubmitSweepRequest submit;
  submit.set_file_name("sweep.yaml");
  submit.set_yaml(absl::StrCat("dataset: {kind: mask, root: ", DataRoot(dir), "}\n",
                               "method: grid\nfolds: {k: 2}\nparameters:\n  lr: {values: [0.1]}\n"));
  v1::SubmitSweepResponse submitted;
  grpc::Status status = coordinator.stub().SubmitSweep(rpc::MakeContext("tok-ana").get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::CancelSweepRequest cancel;
  cancel.set_sweep_id(submitted.sweep_id());
  v1::CancelSweepResponse cancelled;
  status = coordinator.stub().CancelSweep(rpc::MakeContext("tok-bo").get(), cancel, &cancelled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // A refused change leaves no row.
  status = coordinator.stub().CancelSweep(rpc::MakeContext("tok-ci").get(), cancel, &cancelled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListAuditResponse audit;
  status = coordinator.stub().ListAudit(rpc::MakeContext("tok-ci").get(), v1::ListAuditRequest(), &audit);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(audit.entries_size(), 2);
  const std::string sweep_id = absl::StrCat(submitted.sweep_id());
  EXPECT_EQ(audit.entries(0).who(), "bo");
  EXPECT_EQ(audit.entries(0).action(), "cancel_sweep");
  EXPECT_EQ(audit.entries(0).object_id(), sweep_id);
  EXPECT_EQ(audit.entries(1).who(), "ana");
  EXPECT_EQ(audit.entries(1).action(), "submit_sweep");
  EXPECT_EQ(audit.entries(1).object_id(), sweep_id);
  EXPECT_GT(audit.entries(1).at_unix_ms(), 0);
  EXPECT_EQ(testing::QueryInt(coordinator.db(), "SELECT COUNT(*) FROM audit WHERE who LIKE '%tok-%'"), 0);
}

}  // namespace
}  // namespace foldstack::coordinator
