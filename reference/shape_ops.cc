// flatten, reshape, transpose, concat and the reductions. The result shapes
// come from the shape rules (OpContext::shape); only the data moves here.
#include <algorithm>
#include <cmath>
#include <limits>

#include "reference/evaluators.h"

namespace dlc::reference {
namespace {

// Row-major data is unchanged by a reshape.
Array relabel(const OpContext& c) {
  Array out = c.result();
  out.data = c.operand(0).data;
  return out;
}

enum class Reduction { kSum, kMean, kMax };

// Reduces x over the `axes` attribute (every axis when empty).
Array reduce(const OpContext& c, Reduction kind) {
  const Array& x = c.operand(0);
  std::vector<bool> reduced(x.shape.size(), c.attrs().getIntList("axes").empty());
  for (int64_t a : c.attrs().getIntList("axes")) reduced[static_cast<size_t>(normalizeAxis(a, x.rank()))] = true;
  // Strides into the result for each axis of x: 0 on reduced axes.
  std::vector<int64_t> kept_shape;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (!reduced[d]) kept_shape.push_back(x.shape[d]);
  std::vector<int64_t> kept_strides = rowMajorStrides(kept_shape);
  std::vector<int64_t> strides(x.shape.size(), 0);
  for (size_t d = 0, k = 0; d < x.shape.size(); ++d)
    if (!reduced[d]) strides[d] = kept_strides[k++];
  int64_t count = 1;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (reduced[d]) count *= x.shape[d];

  Array out = c.result();
  if (kind == Reduction::kMax) std::fill(out.data.begin(), out.data.end(), -std::numeric_limits<double>::infinity());
  IndexWalker walk(x.shape, {strides});
  for (int64_t i = 0; i < x.size(); ++i, walk.next()) {
    double& acc = out[walk.offset(0)];
    double v = x[i];
    if (kind != Reduction::kMax)
      acc += v;
    else if (std::isnan(v) || v > acc)
      acc = std::isnan(acc) ? acc : v;  // NaN sticks
  }
  if (kind == Reduction::kMean)
    for (double& v : out.data)
      v = count == 0 ? std::numeric_limits<double>::quiet_NaN() : v / static_cast<double>(count);
  return out;
}

}  // namespace

absl::StatusOr<Results> evalFlatten(const OpContext& c) { return relabel(c); }
absl::StatusOr<Results> evalReshape(const OpContext& c) { return relabel(c); }

// out[i0, ..., ik] = x[j] with j[perm[a]] = i_a.
absl::StatusOr<Results> evalTranspose(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  const std::vector<int64_t>& perm = c.attrs().getIntList("perm");
  std::vector<int64_t> x_strides = rowMajorStrides(x.shape);
  std::vector<int64_t> strides;
  for (int64_t p : perm) strides.push_back(x_strides[static_cast<size_t>(p)]);
  IndexWalker walk(out.shape, {strides});
  for (int64_t i = 0; i < out.size(); ++i, walk.next()) out[i] = x[walk.offset(0)];
  return out;
}

// The inputs side by side on `axis`, in order.
absl::StatusOr<Results> evalConcat(const OpContext& c) {
  Array out = c.result();
  int64_t axis = normalizeAxis(c.attrs().getInt("axis"), out.rank());
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= out.shape[static_cast<size_t>(d)];
  // Elements of one outer position in the result, and where each input's
  // block starts inside it.
  int64_t out_block = outer == 0 ? 0 : out.size() / outer;
  int64_t start = 0;
  for (const Array* x : c.operands) {
    int64_t block = outer == 0 ? 0 : x->size() / outer;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < block; ++k) out[o * out_block + start + k] = (*x)[o * block + k];
    start += block;
  }
  return out;
}

absl::StatusOr<Results> evalReduceSum(const OpContext& c) { return reduce(c, Reduction::kSum); }
absl::StatusOr<Results> evalReduceMean(const OpContext& c) { return reduce(c, Reduction::kMean); }
absl::StatusOr<Results> evalReduceMax(const OpContext& c) { return reduce(c, Reduction::kMax); }

}  // namespace dlc::reference
