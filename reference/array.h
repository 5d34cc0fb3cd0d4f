// The interpreter's working representation: a dense row-major array of
// doubles with a concrete shape and the dtype whose precision it models, and
// the small index helpers every evaluator uses.
#ifndef DLC_REFERENCE_ARRAY_H_
#define DLC_REFERENCE_ARRAY_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace dlc::reference {

struct Array {
  ir::DType dtype = ir::DType::kF32;
  std::vector<int64_t> shape;
  std::vector<double> data;  // row-major (C order)

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  double operator[](int64_t i) const { return data[static_cast<size_t>(i)]; }
  double& operator[](int64_t i) { return data[static_cast<size_t>(i)]; }
};

// Product of the dims (the shapes here have passed the shape rules, so it
// cannot overflow).
int64_t elementCount(std::span<const int64_t> shape);

// Row-major strides: strides[i] = product of shape[i+1:].
std::vector<int64_t> rowMajorStrides(std::span<const int64_t> shape);

// The multi-index of flat position `flat` in `shape`.
std::vector<int64_t> unravel(int64_t flat, std::span<const int64_t> shape);

// `[3, 5]`
std::string indexString(std::span<const int64_t> index);

// `value` as the nearest value of `dtype`: float rounding for f32, f16 and
// bf16 (round to nearest even), truncation toward zero for integers (NaN
// becomes 0, out-of-range values wrap for i32 as a two's-complement store
// would, saturate for i64), and != 0 for bool.
double roundToDType(double value, ir::DType dtype);
void roundInPlace(Array& array);

// For each axis of an output of shape `out`, the stride to step through an
// operand of shape `in` broadcast to it (NumPy rules: right-aligned, size-1
// and missing axes get stride 0).
std::vector<int64_t> broadcastStrides(std::span<const int64_t> in, std::span<const int64_t> out);

// Walks the positions of an array of shape `shape` in row-major order while
// keeping, for each of a few operands, the offset given by its strides.
class IndexWalker {
 public:
  IndexWalker(std::vector<int64_t> shape, std::vector<std::vector<int64_t>> strides);

  // Offset into operand k at the current position.
  int64_t offset(size_t k) const { return offsets_[k]; }
  const std::vector<int64_t>& index() const { return index_; }
  // Moves to the next position in row-major order.
  void next();

 private:
  std::vector<int64_t> shape_;
  std::vector<std::vector<int64_t>> strides_;
  std::vector<int64_t> index_;
  std::vector<int64_t> offsets_;
};

// A shape seen as [outer, len, inner] around one axis: element (o, a, i) is at
// (o * len + a) * inner + i.
struct AxisSplit {
  int64_t outer = 1, len = 1, inner = 1;

  AxisSplit(const std::vector<int64_t>& shape, int64_t axis) {
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
      int64_t size = shape[static_cast<size_t>(d)];
      if (d < axis)
        outer *= size;
      else if (d == axis)
        len = size;
      else
        inner *= size;
    }
  }
  int64_t at(int64_t o, int64_t a, int64_t i) const { return (o * len + a) * inner + i; }
};

// The mean and biased variance (two passes, in double) of some cells of x;
// NaN for both when there are no cells.
struct Moments {
  double mean, variance;
};
// Over the cells (o, a, i) of x for every o and i: channel a's batch
// statistics.
Moments momentsAcross(const Array& x, const AxisSplit& s, int64_t a);
// Over the cells (o, a, i) of x for every a: the statistics along the axis at
// position (o, i).
Moments momentsAlong(const Array& x, const AxisSplit& s, int64_t o, int64_t i);

// out[i] = f(a[i'], b[i'']) for every position i of `out`, where i' and i''
// are i broadcast back onto the shapes of a and b (NumPy rules).
template <typename F>
void mapBroadcast(Array& out, const Array& a, const Array& b, F f) {
  IndexWalker walk(out.shape, {broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)});
  for (int64_t i = 0; i < out.size(); ++i, walk.next()) out[i] = f(a[walk.offset(0)], b[walk.offset(1)]);
}

}  // namespace dlc::reference

#endif  // DLC_REFERENCE_ARRAY_H_
