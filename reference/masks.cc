// Comparisons, masks and index ops: step, sign, equal, greater, argmax and
// one_hot. Comparisons give 1 or 0; a comparison with NaN is false. step and
// sign keep NaN.
#include <cmath>
#include <limits>

#include "reference/evaluators.h"

namespace dlc::reference {

absl::StatusOr<Results> evalStep(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  for (int64_t i = 0; i < x.size(); ++i) out[i] = std::isnan(x[i]) ? x[i] : (x[i] > 0 ? 1.0 : 0.0);
  return out;
}

absl::StatusOr<Results> evalSign(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  for (int64_t i = 0; i < x.size(); ++i) {
    double v = x[i];
    out[i] = std::isnan(v) ? v : (v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0));
  }
  return out;
}

absl::StatusOr<Results> evalEqual(const OpContext& c) {
  Array out = c.result();
  mapBroadcast(out, c.operand(0), c.operand(1), [](double a, double b) { return a == b ? 1.0 : 0.0; });
  return out;
}

absl::StatusOr<Results> evalGreater(const OpContext& c) {
  Array out = c.result();
  mapBroadcast(out, c.operand(0), c.operand(1), [](double a, double b) { return a > b ? 1.0 : 0.0; });
  return out;
}

// The index of the first maximum along `axis`; NaN counts as larger than any
// number (NumPy's np.argmax), so the first NaN wins.
absl::StatusOr<Results> evalArgmax(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  int64_t axis = normalizeAxis(c.attrs().getInt("axis"), x.rank());
  int64_t outer = 1, len = x.shape[static_cast<size_t>(axis)], inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.shape[static_cast<size_t>(d)];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      double best_value = -std::numeric_limits<double>::infinity();
      for (int64_t a = 0; a < len; ++a) {
        double v = x[(o * len + a) * inner + i];
        if (std::isnan(best_value)) break;
        if (a == 0 || std::isnan(v) || v > best_value) {
          best = a;
          best_value = v;
        }
      }
      out[o * inner + i] = static_cast<double>(best);
    }
  return out;
}

// out[..., k] = 1 where ids[...] == k. An id outside [0, depth) gives a row
// of zeros, as tf.one_hot (and so Keras) does.
absl::StatusOr<Results> evalOneHot(const OpContext& c) {
  Array out = c.result();
  const Array& ids = c.operand(0);
  int64_t depth = c.attrs().getInt("depth");
  for (int64_t p = 0; p < ids.size(); ++p) {
    double id = ids[p];
    if (id >= 0 && id < static_cast<double>(depth)) out[p * depth + static_cast<int64_t>(id)] = 1.0;
  }
  return out;
}

}  // namespace dlc::reference
