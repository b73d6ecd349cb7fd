#include "worker/agent/child_process.h"

#include <signal.h>

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace foldstack::worker {
namespace {

std::vector<std::string> Lines(int fd) {
  std::vector<std::string> lines;
  ForEachLine(fd, [&](const std::string& line) { lines.push_back(line); });
  return lines;
}

TEST(ChildProcess, CapturesStdoutStderrAndExitCode) {
  absl::StatusOr<ChildProcess> child =
      ChildProcess::Spawn({"/bin/sh", "-c", "echo one; echo two; echo oops >&2; printf last; exit 3"});
  ASSERT_TRUE(child.ok()) << child.status();
  std::vector<std::string> err;
  std::thread err_reader([&] { err = Lines(child->stderr_fd()); });
  std::vector<std::string> out = Lines(child->stdout_fd());
  err_reader.join();
  ExitStatus status = child->Wait();
  EXPECT_EQ(out, (std::vector<std::string>{"one", "two", "last"}));
  EXPECT_EQ(err, (std::vector<std::string>{"oops"}));
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(status.signaled);
  EXPECT_EQ(status.value, 3);
  EXPECT_EQ(status.Describe(), "exited with code 3");
}

TEST(ChildProcess, KillReportsSignalAndReachesGrandchildren) {
  // The shell starts a grandchild; signalling the process group must end both, or reading stdout
  // would block until the grandchild's sleep ends.
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn({"/bin/sh", "-c", "sleep 30 & sleep 30"});
  ASSERT_TRUE(child.ok()) << child.status();
  child->Signal(SIGKILL);
  ExitStatus status = child->Wait();
  EXPECT_TRUE(status.signaled);
  EXPECT_EQ(status.value, SIGKILL);
  EXPECT_NE(status.Describe().find("signal 9"), std::string::npos);
  EXPECT_TRUE(Lines(child->stdout_fd()).empty());
}

TEST(ChildProcess, MissingProgramIsAnError) {
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn({"/nonexistent/trainer"});
  EXPECT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("/nonexistent/trainer"), std::string::npos);
}

TEST(ChildProcess, OptionsGiveEnvironmentFolderAndEventsPipe) {
  SpawnOptions options;
  options.argv = {"sh", "-c", "echo \"$FS_A $FS_HOME_KEPT\"; pwd; echo event >&3"};
  options.search_path = true;
  options.cwd = "/tmp";
  options.env = {"FS_A=one", "HOME=/replaced"};
  options.events_pipe = true;
  setenv("FS_HOME_KEPT", "kept", 1);
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
  ASSERT_TRUE(child.ok()) << child.status();
  std::vector<std::string> events;
  std::thread events_reader([&] { events = Lines(child->events_fd()); });
  std::vector<std::string> out = Lines(child->stdout_fd());
  events_reader.join();
  EXPECT_TRUE(child->Wait().ok());
  EXPECT_EQ(out, (std::vector<std::string>{"one kept", "/tmp"}));
  EXPECT_EQ(events, (std::vector<std::string>{"event"}));
}

TEST(ChildProcess, WithoutEventsPipeDescriptorThreeIsClosed) {
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn({"/bin/sh", "-c", "echo x >&3 || echo closed"});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->events_fd(), -1);
  EXPECT_EQ(Lines(child->stdout_fd()), (std::vector<std::string>{"closed"}));
  child->Wait();
}

}  // namespace
}  // namespace foldstack::worker
