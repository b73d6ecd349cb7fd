#include "worker/agent/machine_probe.h"

#include <stdio.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"

namespace foldstack::worker {

std::string Hostname() {
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

int CpuCores() {
  unsigned int cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

std::vector<foldstack::v1::Device> ParseNvidiaSmi(const std::string& csv) {
  std::vector<foldstack::v1::Device> devices;
  for (absl::string_view line : absl::StrSplit(csv, '\n', absl::SkipWhitespace())) {
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (fields.size() < 3) continue;
    int index = 0;
    double memory_mib = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(fields[0]), &index)) continue;
    absl::SimpleAtod(absl::StripAsciiWhitespace(fields[2]), &memory_mib);
    foldstack::v1::Device device;
    device.set_kind("cuda");
    device.set_index(index);
    device.set_name(std::string(absl::StripAsciiWhitespace(fields[1])));
    device.set_memory_bytes(static_cast<int64_t>(memory_mib * 1024 * 1024));
    devices.push_back(device);
  }
  return devices;
}

std::vector<foldstack::v1::Device> ProbeDevices() {
  std::vector<foldstack::v1::Device> devices;
  foldstack::v1::Device cpu;
  cpu.set_kind("cpu");
  cpu.set_name("cpu");
  long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) cpu.set_memory_bytes(static_cast<int64_t>(pages) * page_size);
  devices.push_back(cpu);

  FILE* pipe = popen("nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits 2>/dev/null", "r");
  if (pipe == nullptr) return devices;
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  if (pclose(pipe) == 0) {
    for (const auto& gpu : ParseNvidiaSmi(output)) devices.push_back(gpu);
  }
  return devices;
}

}  // namespace foldstack::worker
