#include "worker/agent/machine_probe.h"

#include <gtest/gtest.h>

namespace foldstack::worker {
namespace {

TEST(MachineProbe, ParsesNvidiaSmiCsv) {
  auto devices = ParseNvidiaSmi("0, NVIDIA H100 80GB HBM3, 81559\n1, NVIDIA A10, 23028\n\n");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].kind(), "cuda");
  EXPECT_EQ(devices[0].name(), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(devices[0].memory_bytes(), 81559LL * 1024 * 1024);
  EXPECT_EQ(devices[1].index(), 1);
}

TEST(MachineProbe, ThisMachineHasACpuDevice) {
  auto devices = ProbeDevices();
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(devices[0].kind(), "cpu");
  EXPECT_GT(devices[0].memory_bytes(), 0);
  EXPECT_GE(CpuCores(), 1);
  EXPECT_FALSE(Hostname().empty());
}

}  // namespace
}  // namespace foldstack::worker
