// Scopes, revocation and lock-out through the real service, RPC by RPC: every method of the
// service descriptor is called with an empty request under each scope and must be refused (with
// PERMISSION_DENIED naming token, scope and RPC) exactly when the scope table says so.
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "coordinator/auth/rpc_scopes.h"
#include "proto/rpc_util.h"
#include "tests/testing/in_process_coordinator.h"

namespace foldstack::coordinator {
namespace {

using auth::Scope;

// Calls `method` ("/foldstack.v1.Coordinator/X") with one empty message, whatever its streaming
// kind, and returns the call's final status.
grpc::Status CallWithEmptyMessage(std::shared_ptr<grpc::Channel> channel, const std::string& method, const std::string& token) {
  grpc::GenericStub stub(std::move(channel));
  std::unique_ptr<grpc::ClientContext> context = rpc::MakeContext(token);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue queue;
  void* tag = nullptr;
  bool ok = false;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(context.get(), method, &queue);
  call->StartCall(nullptr);
  queue.Next(&tag, &ok);
  grpc::Slice empty("");
  call->Write(grpc::ByteBuffer(&empty, 1), nullptr);
  queue.Next(&tag, &ok);
  call->WritesDone(nullptr);
  queue.Next(&tag, &ok);
  grpc::ByteBuffer response;
  do {
    call->Read(&response, nullptr);
    queue.Next(&tag, &ok);
  } while (ok);
  grpc::Status status;
  call->Finish(&status, nullptr);
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return status;
}

class ServiceAuthTest : public ::testing::Test {
 protected:
  ServiceAuthTest()
      : coordinator_(testing::FreshTestDir("service_auth"),
                     {.token_lines = {"# scopes", "ana lead tok-lead", "ci reader tok-reader", "gpu1 worker tok-worker",
                                      "bare-old-style-token"}}) {}

  testing::InProcessCoordinator coordinator_;
  std::shared_ptr<grpc::Channel> channel_ = rpc::MakeChannel(coordinator_.address());
};

TEST_F(ServiceAuthTest, EveryRpcIsAllowedOrDeniedAsTheTableSays) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(v1::Coordinator::service_full_name());
  ASSERT_NE(service, nullptr);
  struct Caller {
    std::string name, token;
    Scope scope;
  };
  const std::vector<Caller> callers = {{"ana", "tok-lead", Scope::kLead},
                                       {"ci", "tok-reader", Scope::kReader},
                                       {"gpu1", "tok-worker", Scope::kWorker},
                                       {"", "bare-old-style-token", Scope::kLead}};
  int denied = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string rpc = service->method(i)->name();
    for (const Caller& caller : callers) {
      const grpc::Status status =
          CallWithEmptyMessage(channel_, absl::StrCat("/", service->full_name(), "/", rpc), caller.token);
      if (auth::ScopeAllows(caller.scope, rpc)) {
        EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << rpc << " " << caller.name;
        EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << rpc << " " << caller.name;
      } else {
        ++denied;
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << rpc << " " << caller.name;
        EXPECT_EQ(status.error_message(), absl::StrCat("token '", caller.name, "' (", auth::ScopeName(caller.scope),
                                                       ") may not call ", rpc));
      }
    }
  }
  // The reader may call 14 RPCs, the worker 10.
  EXPECT_EQ(denied, (service->method_count() - 14) + (service->method_count() - 10));
}

TEST_F(ServiceAuthTest, WorkerCannotSubmitAndReaderCannotCancelOrReview) {
  const std::string prefix = "/foldstack.v1.Coordinator/";
  EXPECT_EQ(CallWithEmptyMessage(channel_, prefix + "SubmitSweep", "tok-worker").error_message(),
            "token 'gpu1' (worker) may not call SubmitSweep");
  EXPECT_EQ(CallWithEmptyMessage(channel_, prefix + "CancelSweep", "tok-reader").error_message(),
            "token 'ci' (reader) may not call CancelSweep");
  EXPECT_EQ(CallWithEmptyMessage(channel_, prefix + "ReviewLabels", "tok-reader").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CallWithEmptyMessage(channel_, prefix + "ListSweeps", "tok-nobody").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ServiceAuthTest, RewritingTheFileRevokesAToken) {
  const std::string list = "/foldstack.v1.Coordinator/ListSweeps";
  ASSERT_TRUE(CallWithEmptyMessage(channel_, list, "tok-reader").ok());
  std::ofstream(coordinator_.tokens_path()) << "ana lead tok-lead\n";
  absl::StatusOr<bool> reloaded = coordinator_.tokens().ReloadIfChanged();
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(CallWithEmptyMessage(channel_, list, "tok-reader").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(CallWithEmptyMessage(channel_, list, "tok-lead").ok());
}

TEST_F(ServiceAuthTest, TenFailuresLockThePeerOut) {
  const std::string list = "/foldstack.v1.Coordinator/ListSweeps";
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(CallWithEmptyMessage(channel_, list, "guess-" + std::to_string(i)).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(CallWithEmptyMessage(channel_, list, "tok-lead").error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace foldstack::coordinator
