// Helpers of the register-tiling tests: parsing a kernel, and running one
// with the test kernel-IR evaluator on inputs drawn from a fixed seed.
#ifndef DLC_TESTS_UNIT_REGISTER_TILING_TEST_UTIL_H_
#define DLC_TESTS_UNIT_REGISTER_TILING_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ir/kernel/parser.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/verifier.h"
#include "tests/unit/codegen_compute/kir_eval.h"

namespace dlc::codegen::testing {

inline kir::Kernel parseKernel(const char* text) {
  absl::StatusOr<kir::KernelModule> module = kir::parseKernelModuleText(text);
  EXPECT_TRUE(module.ok()) << module.status();
  if (!module.ok()) return kir::Kernel{};
  return std::move(module->kernels.at(0));
}

// The `out` buffers after running `k` on inputs drawn from a fixed seed (the
// same for a kernel and its rewritten copy, which keeps the buffers it had).
inline std::vector<std::vector<double>> evaluate(const kir::Kernel& k) {
  KirEval ev(k);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> uniform(-2, 2);
  for (size_t b = 0; b < k.buffers.size(); ++b)
    if (k.buffers[b].role == kir::BufferRole::kIn)
      for (Scalar& s : ev.buffer(static_cast<kir::BufferId>(b))) s.f = static_cast<float>(uniform(rng));
  ev.run(k.body);
  EXPECT_EQ(ev.error(), "");
  std::vector<std::vector<double>> outs;
  for (size_t b = 0; b < k.buffers.size(); ++b) {
    if (k.buffers[b].role != kir::BufferRole::kOut) continue;
    outs.emplace_back();
    for (const Scalar& s : ev.buffer(static_cast<kir::BufferId>(b))) outs.back().push_back(s.f);
  }
  return outs;
}

// `k` verifies, and prints to text that parses back to the same text.
inline void expectVerifiesAndPrintsBack(const kir::Kernel& k) {
  EXPECT_TRUE(kir::verifyKernel(k).ok()) << kir::verifyKernel(k) << "\n" << kir::printKernel(k);
  std::string text = kir::printKernel(k);
  absl::StatusOr<kir::KernelModule> reparsed = kir::parseKernelModuleText(text);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status();
  EXPECT_EQ(kir::printKernel(reparsed->kernels.at(0)), text);
}

}  // namespace dlc::codegen::testing

#endif  // DLC_TESTS_UNIT_REGISTER_TILING_TEST_UTIL_H_
