// NHWC convolution and pooling.
//
// Padding "same" is TensorFlow's: for an input of size n, output size o,
// stride s, window k and dilation d, the total padding
// max((o - 1) * s + (k - 1) * d + 1 - n, 0) is split with the smaller half
// before. Padded cells contribute nothing: zeros to a convolution, and they
// are skipped by both pools (avgpool divides by the number of valid cells).
#include <algorithm>
#include <cmath>
#include <limits>

#include "reference/evaluators.h"
#include "reference/windows.h"

namespace dlc::reference {
namespace {

// Applies reduce(x, pool, n, y, z, k) to each output position of a 2-D pool.
template <typename F>
Array pool(const OpContext& c, F reduce) {
  Array out = c.result();
  const Array& x = c.operand(0);
  Pool p = poolGeometry(c, x.shape, out.shape);
  forEachOutput(p, [&](int64_t n, int64_t y, int64_t z, int64_t k, int64_t o) { out[o] = reduce(x, p, n, y, z, k); });
  return out;
}

}  // namespace

// y[n, oh, ow, f] = bias[f] + sum over (i, j, q) of
//   x[n, oh*sh - top + i*dh, ow*sw - left + j*dw, g*cpg + q] * kernel[i, j, q, f]
// where g = f / (filters / groups) is f's group and cpg = channels / groups.
absl::StatusOr<Results> evalConv2d(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  const Array& kernel = c.operand(1);
  Conv k = convGeometry(c, x.shape, kernel.shape, out.shape);
  // The taps of forEachTap (windows.h), summed per output in a local so the
  // oracle's main cost stays a tight loop.
  int64_t fpg = k.filters / k.groups;
  int64_t o = 0;
  for (int64_t n = 0; n < k.batch; ++n)
    for (int64_t y = 0; y < k.oh; ++y)
      for (int64_t z = 0; z < k.ow; ++z)
        for (int64_t f = 0; f < k.filters; ++f) {
          int64_t first_channel = (f / fpg) * k.cpg;
          double sum = 0;
          for (int64_t i = 0; i < k.kh; ++i) {
            int64_t ih = y * k.sh - k.top + i * k.dh;
            if (ih < 0 || ih >= k.h) continue;
            for (int64_t j = 0; j < k.kw; ++j) {
              int64_t iw = z * k.sw - k.left + j * k.dw;
              if (iw < 0 || iw >= k.w) continue;
              const double* px = x.data.data() + ((n * k.h + ih) * k.w + iw) * k.channels + first_channel;
              const double* pk = kernel.data.data() + (i * k.kw + j) * k.cpg * k.filters + f;
              for (int64_t q = 0; q < k.cpg; ++q) sum += px[q] * pk[q * k.filters];
            }
          }
          if (c.hasOperand(2)) sum += c.operand(2)[f];
          out[o++] = sum;
        }
  return out;
}

// The maximum over the window's valid cells; NaN if any of them is NaN.
absl::StatusOr<Results> evalMaxpool2d(const OpContext& c) {
  return pool(c, [](const Array& x, const Pool& p, int64_t n, int64_t i, int64_t j, int64_t k) {
    double best = -std::numeric_limits<double>::infinity();
    bool nan = false;
    forWindow(p, n, i, j, k, [&](int64_t a) {
      if (std::isnan(x[a])) nan = true;
      best = std::max(best, x[a]);
    });
    return nan ? std::numeric_limits<double>::quiet_NaN() : best;
  });
}

// The mean over the window's valid cells (padding is not counted).
absl::StatusOr<Results> evalAvgpool2d(const OpContext& c) {
  return pool(c, [](const Array& x, const Pool& p, int64_t n, int64_t i, int64_t j, int64_t k) {
    double sum = 0;
    int64_t count = 0;
    forWindow(p, n, i, j, k, [&](int64_t a) {
      sum += x[a];
      ++count;
    });
    return count == 0 ? 0.0 : sum / static_cast<double>(count);
  });
}

// [N, H, W, C] -> [N, C], the mean over H and W.
absl::StatusOr<Results> evalGlobalAvgpool2d(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  int64_t batch = x.shape[0], cells = x.shape[1] * x.shape[2], channels = x.shape[3];
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t k = 0; k < channels; ++k) {
      double sum = 0;
      for (int64_t p = 0; p < cells; ++p) sum += x[(n * cells + p) * channels + k];
      // An empty image has no mean: NaN, as in NumPy.
      out[n * channels + k] = cells == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(cells);
    }
  return out;
}

}  // namespace dlc::reference
