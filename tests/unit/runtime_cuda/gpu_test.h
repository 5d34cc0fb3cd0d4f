// Test helpers for the GPU tests: they skip, saying why, when the machine has
// no CUDA driver or device, so CPU-only CI stays green; DLC_REQUIRE_GPU=1
// (scripts/gpu_check.sh sets it) turns that skip into a failure.
#ifndef DLC_TESTS_UNIT_RUNTIME_CUDA_GPU_TEST_H_
#define DLC_TESTS_UNIT_RUNTIME_CUDA_GPU_TEST_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "runtime/cuda/device.h"
#include "support/env.h"
#include "support/status_macros.h"

namespace dlc::runtime::cuda::testing {

inline bool gpuRequired() { return envFlag("DLC_REQUIRE_GPU"); }

}  // namespace dlc::runtime::cuda::testing

// Declares `CudaDevice* var`, or skips the test (fails it under
// DLC_REQUIRE_GPU=1) when there is no driver or device. Any other error fails.
#define DLC_OPEN_DEVICE_OR_SKIP(var)                                                               \
  auto var##_or = ::dlc::runtime::cuda::openDefaultDevice();                                       \
  if (!var##_or.ok()) {                                                                            \
    if (absl::IsUnavailable(var##_or.status()) && !::dlc::runtime::cuda::testing::gpuRequired()) { \
      GTEST_SKIP() << var##_or.status().message();                                                 \
    }                                                                                              \
    FAIL() << var##_or.status();                                                                   \
  }                                                                                                \
  ::dlc::runtime::cuda::CudaDevice* var = *var##_or

// Like ASSERT_TRUE(s.ok()) but prints the status.
#define DLC_ASSERT_OK(expr)               \
  do {                                    \
    const ::absl::Status dlc_s_ = (expr); \
    ASSERT_TRUE(dlc_s_.ok()) << dlc_s_;   \
  } while (0)

#define DLC_ASSERT_OK_AND_ASSIGN(lhs, expr) DLC_ASSERT_OK_AND_ASSIGN_IMPL(DLC_CONCAT(dlc_or_, __LINE__), lhs, expr)
#define DLC_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  ASSERT_TRUE(tmp.ok()) << tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // DLC_TESTS_UNIT_RUNTIME_CUDA_GPU_TEST_H_
