#include "reference/array.h"

#include <cmath>
#include <limits>

#include "runtime/tensor.h"
#include "support/strings.h"

namespace dlc::reference {

namespace {

double mean(double sum, int64_t count) {
  return count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(count);
}

// The two-pass statistics of the cells that forEach(cell) visits (cell being
// called with each flat index), visiting them twice in the same order.
template <typename ForEach>
Moments moments(const Array& x, int64_t count, ForEach forEach) {
  double sum = 0;
  forEach([&](int64_t p) { sum += x[p]; });
  double m = mean(sum, count);
  double squares = 0;
  forEach([&](int64_t p) {
    double d = x[p] - m;
    squares += d * d;
  });
  return {m, mean(squares, count)};
}

}  // namespace

Moments momentsAcross(const Array& x, const AxisSplit& s, int64_t a) {
  return moments(x, s.outer * s.inner, [&](auto cell) {
    for (int64_t o = 0; o < s.outer; ++o)
      for (int64_t i = 0; i < s.inner; ++i) cell(s.at(o, a, i));
  });
}

Moments momentsAlong(const Array& x, const AxisSplit& s, int64_t o, int64_t i) {
  return moments(x, s.len, [&](auto cell) {
    for (int64_t a = 0; a < s.len; ++a) cell(s.at(o, a, i));
  });
}

int64_t elementCount(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<int64_t> rowMajorStrides(std::span<const int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::vector<int64_t> unravel(int64_t flat, std::span<const int64_t> shape) {
  std::vector<int64_t> index(shape.size(), 0);
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 0) continue;
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

std::string indexString(std::span<const int64_t> index) { return strCat("[", strJoin(index, ", "), "]"); }

double roundToDType(double value, ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF64: return value;
    case ir::DType::kF32: return static_cast<double>(static_cast<float>(value));
    case ir::DType::kF16: return runtime::halfToFloat(runtime::floatToHalf(static_cast<float>(value)));
    case ir::DType::kBF16: return runtime::bfloat16ToFloat(runtime::floatToBFloat16(static_cast<float>(value)));
    case ir::DType::kI32: {
      if (std::isnan(value)) return 0;
      double t = std::trunc(value);
      constexpr double kLimit = 9223372036854775808.0;  // 2^63
      if (t >= kLimit || t < -kLimit)
        return t > 0 ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::min();
      return static_cast<int32_t>(static_cast<int64_t>(t));  // modular since C++20
    }
    case ir::DType::kI64: {
      if (std::isnan(value)) return 0;
      double t = std::trunc(value);
      constexpr double kLimit = 9223372036854775808.0;
      if (t >= kLimit) return static_cast<double>(std::numeric_limits<int64_t>::max());
      if (t < -kLimit) return static_cast<double>(std::numeric_limits<int64_t>::min());
      return t;
    }
    case ir::DType::kBool: return value != 0.0 ? 1.0 : 0.0;
  }
  return value;
}

void roundInPlace(Array& array) {
  if (array.dtype == ir::DType::kF64) return;
  for (double& v : array.data) v = roundToDType(v, array.dtype);
}

std::vector<int64_t> broadcastStrides(std::span<const int64_t> in, std::span<const int64_t> out) {
  std::vector<int64_t> in_strides = rowMajorStrides(in);
  std::vector<int64_t> strides(out.size(), 0);
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) strides[lead + i] = in[i] == 1 ? 0 : in_strides[i];
  return strides;
}

IndexWalker::IndexWalker(std::vector<int64_t> shape, std::vector<std::vector<int64_t>> strides)
    : shape_(std::move(shape)), strides_(std::move(strides)), index_(shape_.size(), 0), offsets_(strides_.size(), 0) {}

void IndexWalker::next() {
  for (size_t axis = shape_.size(); axis-- > 0;) {
    if (++index_[axis] < shape_[axis]) {
      for (size_t k = 0; k < strides_.size(); ++k) offsets_[k] += strides_[k][axis];
      return;
    }
    for (size_t k = 0; k < strides_.size(); ++k) offsets_[k] -= strides_[k][axis] * (shape_[axis] - 1);
    index_[axis] = 0;
  }
}

}  // namespace dlc::reference
