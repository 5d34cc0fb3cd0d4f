// matmul and dense, with dot products accumulated in double.
#include "reference/evaluators.h"

namespace dlc::reference {

// [..., m, k] @ [..., k, n] -> [..., m, n]; the leading dims broadcast.
absl::StatusOr<Results> evalMatmul(const OpContext& c) {
  Array out = c.result();
  const Array& lhs = c.operand(0);
  const Array& rhs = c.operand(1);
  size_t rank = out.shape.size();
  int64_t m = out.shape[rank - 2], n = out.shape[rank - 1];
  int64_t k = lhs.shape.back();
  std::vector<int64_t> batch(out.shape.begin(), out.shape.end() - 2);
  std::vector<int64_t> lhs_batch(lhs.shape.begin(), lhs.shape.end() - 2);
  std::vector<int64_t> rhs_batch(rhs.shape.begin(), rhs.shape.end() - 2);
  // Batch strides in units of whole matrices.
  IndexWalker walk(batch, {broadcastStrides(lhs_batch, batch), broadcastStrides(rhs_batch, batch)});
  int64_t batches = elementCount(batch);
  for (int64_t b = 0; b < batches; ++b, walk.next()) {
    const double* a = lhs.data.data() + walk.offset(0) * m * k;
    const double* w = rhs.data.data() + walk.offset(1) * k * n;
    double* y = out.data.data() + b * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p) sum += a[i * k + p] * w[p * n + j];
        y[i * n + j] = sum;
      }
  }
  return out;
}

// x[..., in] @ kernel[in, units] + bias[units], on the last axis.
absl::StatusOr<Results> evalDense(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  const Array& kernel = c.operand(1);
  int64_t in = kernel.shape[0], units = kernel.shape[1];
  int64_t rows = elementCount(std::span(x.shape).first(x.shape.size() - 1));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t u = 0; u < units; ++u) {
      double sum = c.hasOperand(2) ? c.operand(2)[u] : 0.0;
      for (int64_t i = 0; i < in; ++i) sum += x[r * in + i] * kernel[i * units + u];
      out[r * units + u] = sum;
    }
  return out;
}

}  // namespace dlc::reference
