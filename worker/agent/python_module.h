// The `foldstack` Python module for sweep programs (sdk/python/foldstack), built into the worker so
// that every node has the version that speaks its protocol, with nothing to install.
#ifndef FOLDSTACK_WORKER_AGENT_PYTHON_MODULE_H_
#define FOLDSTACK_WORKER_AGENT_PYTHON_MODULE_H_

#include <string>

#include "absl/status/statusor.h"

namespace foldstack::worker {

// The module's source.
const char* FoldstackPythonModule();

// Writes <work_dir>/python/foldstack/__init__.py; returns <work_dir>/python (for PYTHONPATH).
absl::StatusOr<std::string> WritePythonModule(const std::string& work_dir);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_PYTHON_MODULE_H_
