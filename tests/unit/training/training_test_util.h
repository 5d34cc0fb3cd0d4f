// Small models through the public API, and tensors to feed them.
#ifndef DLC_TESTS_UNIT_TRAINING_TRAINING_TEST_UTIL_H_
#define DLC_TESTS_UNIT_TRAINING_TRAINING_TEST_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "dlc/dlc.h"
#include "gtest/gtest.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::testing {

inline Tensor f32(std::vector<int64_t> shape, const std::vector<double>& values) {
  return tensor(DType::kF32, std::move(shape), values);
}
inline Tensor i32(std::vector<int64_t> shape, const std::vector<double>& values) {
  return tensor(DType::kI32, std::move(shape), values);
}

// A model from source with every weight initialised (seed 0).
inline Model load(const std::string& source) {
  auto model = Model::fromString(source, "test.dl");
  EXPECT_TRUE(model.ok()) << model.status();
  if (!model.ok()) std::abort();
  EXPECT_TRUE(model->initializeWeights(0).ok());
  return std::move(*model);
}

inline std::vector<std::pair<std::string, Tensor>> in(Tensor x) {
  std::vector<std::pair<std::string, Tensor>> v;
  v.emplace_back("x", std::move(x));
  return v;
}

inline std::vector<double> values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i) v.push_back(t.get(i));
  return v;
}

inline const Tensor& find(const NamedTensors& named, const std::string& name) {
  for (const auto& [n, t] : named)
    if (n == name) return t;
  ADD_FAILURE() << "no tensor '" << name << "'";
  static Tensor none;
  return none;
}

// Each element within rtol (relative) or 1e-6 (absolute) of `want`.
inline void expectNear(const std::vector<double>& got, const std::vector<double>& want, double rtol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6 + rtol * std::abs(want[i])) << "at " << i;
}

}  // namespace dlc::testing

#endif  // DLC_TESTS_UNIT_TRAINING_TRAINING_TEST_UTIL_H_
