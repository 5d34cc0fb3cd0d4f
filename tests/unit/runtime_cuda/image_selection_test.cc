// Which code of a CUDA artifact a GPU runs: its own cubin, a cubin of the
// same major version and no newer minor, else PTX not newer than the GPU.
#include "gtest/gtest.h"
#include "runtime/cuda/program.h"

namespace dlc::runtime::cuda {
namespace {

const std::map<std::string, std::string> kCubins = {{"sm_80", "a"}, {"sm_87", "b"}, {"sm_90", "c"}};

std::string pick(int major, int minor, std::string_view ptx = "compute_90") {
  absl::StatusOr<std::string> key = selectCudaImage(major, minor, "test GPU", kCubins, ptx);
  return key.ok() ? *key : std::string(key.status().message());
}

TEST(SelectCudaImage, OwnCubinFirst) {
  EXPECT_EQ(pick(8, 0), "sm_80");
  EXPECT_EQ(pick(8, 7), "sm_87");  // Jetson Orin
  EXPECT_EQ(pick(9, 0), "sm_90");  // H100, H200
}

TEST(SelectCudaImage, SameMajorOlderMinor) {
  EXPECT_EQ(pick(8, 6), "sm_80");  // A10, RTX 30xx: not sm_87, which is newer
  EXPECT_EQ(pick(8, 9), "sm_87");  // L4, RTX 40xx
}

TEST(SelectCudaImage, PtxForNewerGpus) {
  EXPECT_EQ(pick(10, 0), "compute_90");  // B200
  EXPECT_EQ(pick(12, 0), "compute_90");
}

TEST(SelectCudaImage, NothingFitsIsUnavailable) {
  absl::StatusOr<std::string> key = selectCudaImage(7, 5, "Tesla T4", kCubins, "compute_90");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(key.status().message().find("sm_80, sm_87, sm_90, PTX for compute_90"), std::string_view::npos)
      << key.status();
  EXPECT_NE(key.status().message().find("this GPU (Tesla T4) is sm_75"), std::string_view::npos) << key.status();
  EXPECT_FALSE(selectCudaImage(10, 0, "B200", kCubins, "").ok());
}

}  // namespace
}  // namespace dlc::runtime::cuda
