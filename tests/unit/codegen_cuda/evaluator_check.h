// Random inputs for a kernel's buffers, the kernel-IR evaluator's answer for
// them, and a comparison with what a backend wrote: the oracle of the CUDA
// numerics tests (on a GPU, and emulated on the host).
#ifndef DLC_TESTS_UNIT_CODEGEN_CUDA_EVALUATOR_CHECK_H_
#define DLC_TESTS_UNIT_CODEGEN_CUDA_EVALUATOR_CHECK_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ir/kernel/kernel_ir.h"
#include "tests/unit/codegen_compute/kir_eval.h"

namespace dlc::codegen::cuda {

// The bytes of each non-local buffer of a kernel, in kernel order (the
// parameters of its launches), before and after the evaluator ran.
struct EvaluatorCase {
  std::vector<kir::BufferId> ids;
  std::vector<std::string> inputs;    // what the backend starts from
  std::vector<std::string> expected;  // what the evaluator left
};

// f32 buffers get values in [-3, 3), or small integers with `integers` (so
// that sums are exact in any order); i64 buffers ids in [0, 8). Fails (a
// fatal gtest failure) on other types or when the evaluator reports an error.
inline void makeEvaluatorCase(const kir::Kernel& kernel, bool integers, EvaluatorCase* out) {
  testing::KirEval ref(kernel);
  std::mt19937 gen(static_cast<unsigned>(kernel.name.size()) * 7919u);
  std::uniform_real_distribution<float> real(-3.0f, 3.0f);
  for (size_t b = 0; b < kernel.buffers.size(); ++b) {
    const kir::Buffer& buffer = kernel.buffers[b];
    if (buffer.role == kir::BufferRole::kLocal) continue;
    std::vector<testing::Scalar>& values = ref.buffer(static_cast<kir::BufferId>(b));
    std::string bytes;
    if (buffer.dtype == kir::ScalarType::kF32) {
      std::vector<float> v(buffer.size);
      for (int64_t i = 0; i < buffer.size; ++i)
        values[i].f = v[i] = integers ? static_cast<float>(static_cast<int>(gen() % 9) - 4) : real(gen);
      bytes.assign(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
    } else {
      ASSERT_EQ(buffer.dtype, kir::ScalarType::kI64) << buffer.name;
      std::vector<int64_t> v(buffer.size);
      for (int64_t i = 0; i < buffer.size; ++i) values[i].i = v[i] = static_cast<int64_t>(gen() % 8);
      bytes.assign(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int64_t));
    }
    out->ids.push_back(static_cast<kir::BufferId>(b));
    out->inputs.push_back(std::move(bytes));
  }
  ref.run(kernel.body);
  ASSERT_EQ(ref.error(), "");
  for (kir::BufferId id : out->ids) {
    const kir::Buffer& buffer = kernel.buffers[id];
    const std::vector<testing::Scalar>& values = ref.buffer(id);
    std::string bytes(static_cast<size_t>(buffer.size) * ir::dtypeSize(buffer.dtype), '\0');
    for (int64_t i = 0; i < buffer.size; ++i) {
      if (buffer.dtype == kir::ScalarType::kF32) {
        float v = static_cast<float>(values[i].f);
        std::memcpy(&bytes[i * sizeof v], &v, sizeof v);
      } else {
        int64_t v = values[i].i;
        std::memcpy(&bytes[i * sizeof v], &v, sizeof v);
      }
    }
    out->expected.push_back(std::move(bytes));
  }
}

// Every element the kernel may write (buffers that are not `in`) within
// `rtol` (relative, at least absolute 1) of the evaluator's; ids exactly.
inline void expectMatchesEvaluator(const kir::Kernel& kernel, const EvaluatorCase& c,
                                   const std::vector<std::string>& got, double rtol) {
  ASSERT_EQ(got.size(), c.expected.size());
  for (size_t k = 0; k < c.ids.size(); ++k) {
    const kir::Buffer& buffer = kernel.buffers[c.ids[k]];
    if (buffer.role == kir::BufferRole::kIn) continue;
    ASSERT_EQ(got[k].size(), c.expected[k].size()) << buffer.name;
    for (int64_t i = 0; i < buffer.size; ++i) {
      if (buffer.dtype == kir::ScalarType::kF32) {
        float g, w;
        std::memcpy(&g, &got[k][i * sizeof g], sizeof g);
        std::memcpy(&w, &c.expected[k][i * sizeof w], sizeof w);
        ASSERT_NEAR(g, w, rtol * std::max(1.0f, std::fabs(w))) << buffer.name << "[" << i << "]";
      } else {
        int64_t g, w;
        std::memcpy(&g, &got[k][i * sizeof g], sizeof g);
        std::memcpy(&w, &c.expected[k][i * sizeof w], sizeof w);
        ASSERT_EQ(g, w) << buffer.name << "[" << i << "]";
      }
    }
  }
}

}  // namespace dlc::codegen::cuda

#endif  // DLC_TESTS_UNIT_CODEGEN_CUDA_EVALUATOR_CHECK_H_
