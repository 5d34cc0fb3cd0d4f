// Helpers the unit tests share to build IR by hand (types, dims, attributes)
// and to make tensors from lists of values. Header-only; a test brings the
// names in with `using namespace dlc::testing;` or uses them qualified.
#ifndef DLC_TESTS_UNIT_COMMON_IR_BUILDERS_H_
#define DLC_TESTS_UNIT_COMMON_IR_BUILDERS_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ir.h"
#include "runtime/tensor.h"

namespace dlc::testing {

using ir::Attribute;
using ir::Attrs;
using ir::Dim;
using ir::DType;
using ir::OpKind;
using ir::TensorType;
using ir::Value;
using runtime::Tensor;

// `f32({Dim::symbolic("batch"), n(8)})`: an f32 type from its dims.
inline TensorType f32(std::vector<Dim> dims) { return TensorType{DType::kF32, std::move(dims)}; }
inline Dim n(int64_t size) { return Dim::fixed(size); }

inline Attrs attrs(std::initializer_list<std::pair<std::string, Attribute>> entries) {
  Attrs a;
  for (const auto& [name, value] : entries) a.set(name, value);
  return a;
}

// A tensor of `dtype` and `shape` holding `values` in row-major order (a
// failure when their count does not match the shape).
inline Tensor tensor(DType dtype, std::vector<int64_t> shape, const std::vector<double>& values) {
  Tensor t = *Tensor::zeros(dtype, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), values.size());
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < t.numElements(); ++i)
    t.set(static_cast<int64_t>(i), values[i]);
  return t;
}

}  // namespace dlc::testing

#endif  // DLC_TESTS_UNIT_COMMON_IR_BUILDERS_H_
