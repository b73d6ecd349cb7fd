#include "cli/worker_tool.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>


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
  return std::nullopt;
}

int ExecWorkerModelTool(int argc, char** argv) {
  const std::string worker = FindWorkerBinary().value_or("foldstack-worker");
  std::vector<char*> args = {const_cast<char*>(worker.c_str())};
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);  // "models" and what follows
  args.push_back(nullptr);
  execvp(worker.c_str(), args.data());  // searches PATH when `worker` has no slash
  if (errno == ENOENT && worker.find('/') == std::string::npos) {
    std::cerr << "foldstack: models: runs foldstack-worker's model tool, which is neither beside foldstack, "
                 "in ../worker/ from it nor on PATH (set FOLDSTACK_WORKER to it)"
              << std::endl;
  } else {
    std::cerr << "foldstack: models: cannot run " << worker << ": " << std::strerror(errno) << std::endl;
  }
  return 2;
}

}  // namespace foldstack::cli
