// Runs everywhere, with or without a GPU: opening the device never crashes,
// and where there is none the error says so plainly.
#include <gtest/gtest.h>

#include <string_view>

#include "runtime/cuda/cublaslt.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/driver.h"

namespace dlc::runtime::cuda {
namespace {

TEST(CudaNoGpu, OpenDefaultDeviceIsOkOrAClearError) {
  auto device = openDefaultDevice();
  if (device.ok()) {
    EXPECT_NE(*device, nullptr);
    return;
  }
  // No driver or no device is Unavailable, with a message saying which.
  const absl::Status& s = device.status();
  if (absl::IsUnavailable(s)) {
    std::string m(s.message());
    EXPECT_TRUE(m.starts_with("no CUDA driver: libcuda.so.1 could not be loaded (") ||
                m.starts_with("no CUDA device: "))
        << s;
  }
  // A second call gives the same answer without retrying the dlopen.
  EXPECT_EQ(openDefaultDevice().status(), s);
}

TEST(CudaNoGpu, DriverErrorsAreStatuses) {
  auto api = loadDriver();
  if (!api.ok()) {
    EXPECT_TRUE(absl::IsUnavailable(api.status())) << api.status();
    EXPECT_NE(api.status().message().find("libcuda.so.1"), std::string_view::npos);
    return;
  }
  EXPECT_TRUE((*api)->check(kCudaSuccess, "cuInit").ok());
  absl::Status oom = (*api)->check(kCudaErrorOutOfMemory, "cuMemAlloc");
  EXPECT_TRUE(absl::IsResourceExhausted(oom));
  EXPECT_EQ(oom.message(), "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
}

TEST(CudaNoGpu, GemmNames) {
  EXPECT_EQ(gemmTypeName(GemmType::kBF16), "bf16");
  EXPECT_EQ(epilogueName(Epilogue::kBiasRelu), "bias_relu");
  EXPECT_TRUE(epilogueHasBias(Epilogue::kBiasGelu));
  EXPECT_FALSE(epilogueHasBias(Epilogue::kGelu));
}

}  // namespace
}  // namespace dlc::runtime::cuda
