#include "worker/agent/python_module.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "worker/agent/job_files.h"

namespace foldstack::worker {

absl::StatusOr<std::string> WritePythonModule(const std::string& work_dir) {
  const std::filesystem::path root = std::filesystem::absolute(std::filesystem::path(work_dir) / "python");
  std::error_code error;
  std::filesystem::create_directories(root / "foldstack", error);
  if (error) return absl::InternalError(absl::StrCat("cannot create ", (root / "foldstack").string(), ": ", error.message()));
  absl::StatusOr<std::string> written = WriteJobFile((root / "foldstack").string(), "__init__.py", FoldstackPythonModule());
  if (!written.ok()) return written.status();
  return root.lexically_normal().string();
}

}  // namespace foldstack::worker
