// What the differential tests share (the compiled CPU code in
// tests/unit/codegen/, the CUDA code in tests/unit/codegen_cuda_function/):
// random values that keep every op in its domain, and an element-wise
// comparison with the reference interpreter's results.
#ifndef DLC_TESTS_UNIT_COMMON_DIFFERENTIAL_H_
#define DLC_TESTS_UNIT_COMMON_DIFFERENTIAL_H_

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/tensor.h"

namespace dlc::testing {

// Uniform in [-1, 1); integers 0, 1 or 2 (small ids); variances positive;
// optimizer state as training leaves it: a small step size, moments that
// keep Adam's square root real, a step counter from zero.
inline runtime::Tensor randomTensor(ir::DType dtype, const std::vector<int64_t>& shape, std::mt19937& rng,
                                    const std::string& name) {
  runtime::Tensor t = *runtime::Tensor::zeros(dtype, shape);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  bool optimizer = name.starts_with("optimizer.");
  bool positive = name.find("variance") != std::string::npos || optimizer;
  for (int64_t i = 0; i < t.numElements(); ++i) {
    double v = uniform(rng);
    if (ir::isInteger(dtype)) v = std::floor((v + 1.0) * 1.5);
    if (dtype == ir::DType::kBool) v = v > 0;
    if (positive) v = std::abs(v) + 0.5;
    if (optimizer && ir::isInteger(dtype)) v = 0;
    if (optimizer && name.ends_with("learning_rate")) v = 0.001;
    t.set(i, v);
  }
  return t;
}

// Fails (at most five elements reported) where |expected - actual| >
// atol + rtol * |expected|; NaN matches NaN.
inline void expectClose(const runtime::Tensor& expected, const runtime::Tensor& actual, const std::string& what,
                        const std::string& backend, double rtol = 2e-4, double atol = 2e-4) {
  ASSERT_EQ(expected.shape(), actual.shape()) << what;
  ASSERT_EQ(expected.dtype(), actual.dtype()) << what;
  int bad = 0;
  for (int64_t i = 0; i < expected.numElements() && bad < 5; ++i) {
    double e = expected.get(i), a = actual.get(i);
    if (std::isnan(e) && std::isnan(a)) continue;
    if (!(std::abs(e - a) <= atol + rtol * std::abs(e))) {
      ADD_FAILURE() << what << " element " << i << ": reference " << e << ", " << backend << " " << a;
      ++bad;
    }
  }
}

}  // namespace dlc::testing

#endif  // DLC_TESTS_UNIT_COMMON_DIFFERENTIAL_H_
