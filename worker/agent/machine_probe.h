// What this node offers: hostname, CPU cores and CUDA devices. CUDA devices are read from nvidia-smi
// so the agent needs no CUDA library of its own; a node without it is a CPU-only worker.
#ifndef FOLDSTACK_WORKER_AGENT_MACHINE_PROBE_H_
#define FOLDSTACK_WORKER_AGENT_MACHINE_PROBE_H_

#include <string>
#include <vector>

#include "proto/foldstack.pb.h"

namespace foldstack::worker {

std::string Hostname();
int CpuCores();

// Parses `nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits` output.
std::vector<foldstack::v1::Device> ParseNvidiaSmi(const std::string& csv);

// One "cpu" device plus every CUDA device nvidia-smi lists (none when it is absent).
std::vector<foldstack::v1::Device> ProbeDevices();

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_MACHINE_PROBE_H_
