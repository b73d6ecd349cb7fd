#include "cli/worker_tool.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "absl/strings/str_split.h"

namespace foldstack::cli {
namespace {

bool IsExecutable(const std::filesystem::path& path) {
  return std::filesystem::is_regular_file(path) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<std::string> FindWorkerBinary() {
  if (const char* env = std::getenv("FOLDSTACK_WORKER"); env != nullptr && *env != '\0') return std::string(env);
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (const auto& candidate : {self.parent_path() / "foldstack-worker",
                                  self.parent_path().parent_path() / "worker" / "foldstack-worker"}) {
      if (IsExecutable(candidate)) return candidate.string();
    }
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path == nullptr ? "" : path, ':', absl::SkipEmpty())) {
    const std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / "foldstack-worker";
    if (IsExecutable(candidate)) return candidate.string();
  }
  return std::nullopt;
}

int ExecWorkerModelTool(int argc, char** argv) {
  const std::optional<std::string> worker = FindWorkerBinary();
  if (!worker.has_value()) {
    std::cerr << "foldstack: models: runs foldstack-worker's model tool, which is neither beside foldstack, "
                 "in ../worker/ from it nor on PATH (set FOLDSTACK_WORKER to it)"
              << std::endl;
    return 2;
  }
  std::vector<char*> args = {const_cast<char*>(worker->c_str())};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);  // "models" and what follows
  args.push_back(nullptr);
  execv(worker->c_str(), args.data());
  std::cerr << "foldstack: models: cannot run " << *worker << ": " << std::strerror(errno) << std::endl;
  return 2;
}

}  // namespace foldstack::cli
