#include "coordinator/auth/rpc_scopes.h"

#include <set>
#include <string>

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "proto/foldstack.grpc.pb.h"

namespace foldstack::auth {
namespace {

const google::protobuf::ServiceDescriptor& CoordinatorDescriptor() {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::Coordinator::service_full_name());
  EXPECT_NE(service, nullptr);
  return *service;
}

TEST(RpcScopes, EveryRpcOfTheServiceHasExactlyOneRule) {
  const google::protobuf::ServiceDescriptor& service = CoordinatorDescriptor();
  std::set<std::string> in_table;
  for (const RpcRule& rule : RpcRules()) {
    EXPECT_TRUE(in_table.insert(rule.rpc).second) << "listed twice: " << rule.rpc;
  }
  std::set<std::string> in_service;
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string& name = service.method(i)->name();
    in_service.insert(name);
    EXPECT_EQ(in_table.count(name), 1u) << "RPC without a scope rule in rpc_scopes.cc: " << name;
  }
  for (const std::string& name : in_table) {
    EXPECT_EQ(in_service.count(name), 1u) << "rule for an RPC the service does not have: " << name;
  }
}

TEST(RpcScopes, WorkerRulesAreExactlyTheAgentsCalls) {
  std::set<std::string> worker;
  for (const RpcRule& rule : RpcRules()) {
    if (rule.worker) worker.insert(rule.rpc);
  }
  EXPECT_EQ(worker, (std::set<std::string>{"RegisterWorker", "Heartbeat", "LeaseJob", "GetSplit", "ReportMetrics",
                                           "ReportPredictions", "CompleteJob", "FailJob", "UploadArtifact",
                                           "GetArtifact"}));
}

TEST(RpcScopes, NoReaderRuleChangesAnything) {
  const std::set<std::string> writes = {"SubmitSweep",  "CancelSweep",    "UpdateSweep",      "StopTrial",
                                        "DrainWorker",  "ReviewLabels",   "SubmitPrediction", "SelectEnsemble",
                                        "PruneArtifacts", "FindRelabelCandidates", "RegisterWorker", "UploadArtifact"};
  for (const std::string& rpc : writes) EXPECT_FALSE(ScopeAllows(Scope::kReader, rpc)) << rpc;
  EXPECT_TRUE(ScopeAllows(Scope::kReader, "Leaderboard"));
  EXPECT_TRUE(ScopeAllows(Scope::kReader, "WatchSweep"));
}

TEST(RpcScopes, LeadMayCallEverythingAndUnknownRpcsAreLeadOnly) {
  const google::protobuf::ServiceDescriptor& service = CoordinatorDescriptor();
  for (int i = 0; i < service.method_count(); ++i) {
    EXPECT_TRUE(ScopeAllows(Scope::kLead, service.method(i)->name()));
  }
  EXPECT_FALSE(ScopeAllows(Scope::kWorker, "NotAnRpc"));
  EXPECT_FALSE(ScopeAllows(Scope::kReader, "NotAnRpc"));
}

TEST(Authorize, DeniesWithNameScopeAndRpc) {
  absl::Status status = Authorize({"ci", Scope::kReader}, "SubmitSweep");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(), "token 'ci' (reader) may not call SubmitSweep");
  EXPECT_EQ(Authorize({"gpu1", Scope::kWorker}, "CancelSweep").message(),
            "token 'gpu1' (worker) may not call CancelSweep");
  EXPECT_TRUE(Authorize({"gpu1", Scope::kWorker}, "LeaseJob").ok());
}

}  // namespace
}  // namespace foldstack::auth
