// softmax, log_softmax, batchnorm and layernorm. Sums, means and variances
// are accumulated in double; variances are biased (divided by the count) and
// computed in two passes.
#include <algorithm>
#include <cmath>
#include <limits>

#include "reference/evaluators.h"

namespace dlc::reference {
namespace {

AxisSplit splitAt(const OpContext& c) {
  const Array& x = c.operand(0);
  return AxisSplit(x.shape, normalizeAxis(c.attrs().getInt("axis"), x.rank()));
}

// softmax when `log` is false, log_softmax when true; the maximum is
// subtracted first so that exp never overflows.
Array softmax(const OpContext& c, bool log) {
  Array out = c.result();
  const Array& x = c.operand(0);
  AxisSplit s = splitAt(c);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t a = 0; a < s.len; ++a) max = std::max(max, x[s.at(o, a, i)]);
      double sum = 0;
      for (int64_t a = 0; a < s.len; ++a) sum += std::exp(x[s.at(o, a, i)] - max);
      for (int64_t a = 0; a < s.len; ++a) {
        double shifted = x[s.at(o, a, i)] - max;
        out[s.at(o, a, i)] = log ? shifted - std::log(sum) : std::exp(shifted) / sum;
      }
    }
  return out;
}

}  // namespace

absl::StatusOr<Results> evalSoftmax(const OpContext& c) { return softmax(c, false); }
absl::StatusOr<Results> evalLogSoftmax(const OpContext& c) { return softmax(c, true); }

// y = gamma * (x - mean) / sqrt(variance + epsilon) + beta per channel of
// `axis`. Inference uses the moving statistics; training uses the batch
// statistics over every other axis (the moving-statistics update is not a
// result of this op).
absl::StatusOr<Results> evalBatchnorm(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  const Array& gamma = c.operand(1);
  const Array& beta = c.operand(2);
  double epsilon = c.attrs().getFloat("epsilon");
  AxisSplit s = splitAt(c);
  std::vector<double> means(c.operand(3).data), variances(c.operand(4).data);
  if (c.attrs().getBool("training")) {
    for (int64_t a = 0; a < s.len; ++a) {
      Moments m = momentsAcross(x, s, a);
      means[static_cast<size_t>(a)] = m.mean;
      variances[static_cast<size_t>(a)] = m.variance;
    }
  }
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t a = 0; a < s.len; ++a) {
      double m = means[static_cast<size_t>(a)];
      double scale = gamma[a] / std::sqrt(variances[static_cast<size_t>(a)] + epsilon);
      for (int64_t i = 0; i < s.inner; ++i) out[s.at(o, a, i)] = (x[s.at(o, a, i)] - m) * scale + beta[a];
    }
  return out;
}

// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, with the
// statistics over `axis` for each position of the other axes.
absl::StatusOr<Results> evalLayernorm(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  const Array& gamma = c.operand(1);
  const Array& beta = c.operand(2);
  double epsilon = c.attrs().getFloat("epsilon");
  AxisSplit s = splitAt(c);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      auto [m, variance] = momentsAlong(x, s, o, i);
      double inv = 1.0 / std::sqrt(variance + epsilon);
      for (int64_t a = 0; a < s.len; ++a) out[s.at(o, a, i)] = (x[s.at(o, a, i)] - m) * inv * gamma[a] + beta[a];
    }
  return out;
}

}  // namespace dlc::reference
