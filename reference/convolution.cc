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

namespace dlc::reference {
namespace {

// The padding before the first window on one axis.
int64_t padBefore(const OpContext& c, int64_t in, int64_t out, int64_t stride, int64_t window,
                  int64_t dilation) {
  if (c.attrs().getString("padding") != "same") return 0;
  int64_t total = std::max<int64_t>((out - 1) * stride + (window - 1) * dilation + 1 - in, 0);
  return total / 2;
}

struct Pool {
  int64_t ph, pw;  // window
  int64_t sh, sw;  // strides
  int64_t top, left;
};

Pool poolGeometry(const OpContext& c) {
  const Array& x = c.operand(0);
  const std::vector<int64_t>& pool = c.attrs().getIntList("pool");
  const std::vector<int64_t>& strides = c.attrs().getIntList("strides");
  Pool p{pool[0], pool[1], strides[0], strides[1], 0, 0};
  p.top = padBefore(c, x.shape[1], c.shape[1], p.sh, p.ph, 1);
  p.left = padBefore(c, x.shape[2], c.shape[2], p.sw, p.pw, 1);
  return p;
}

// Calls f(value) for each input cell of x inside the window of output
// position (n, oh, ow, ch); returns the number of cells visited.
template <typename F>
int64_t forWindow(const Array& x, const Pool& p, int64_t n, int64_t oh, int64_t ow, int64_t ch,
                  F f) {
  int64_t h = x.shape[1], w = x.shape[2], channels = x.shape[3];
  int64_t count = 0;
  for (int64_t i = 0; i < p.ph; ++i) {
    int64_t ih = oh * p.sh - p.top + i;
    if (ih < 0 || ih >= h) continue;
    for (int64_t j = 0; j < p.pw; ++j) {
      int64_t iw = ow * p.sw - p.left + j;
      if (iw < 0 || iw >= w) continue;
      f(x[((n * h + ih) * w + iw) * channels + ch]);
      ++count;
    }
  }
  return count;
}

template <typename F>
Array pool(const OpContext& c, F reduce) {
  Array out = c.result();
  const Array& x = c.operand(0);
  Pool p = poolGeometry(c);
  int64_t batch = out.shape[0], oh = out.shape[1], ow = out.shape[2], ch = out.shape[3];
  int64_t o = 0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t k = 0; k < ch; ++k) out[o++] = reduce(x, p, n, i, j, k);
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
  const std::vector<int64_t>& strides = c.attrs().getIntList("strides");
  const std::vector<int64_t>& dilation = c.attrs().getIntList("dilation");
  int64_t groups = c.attrs().getInt("groups");
  int64_t batch = x.shape[0], h = x.shape[1], w = x.shape[2], channels = x.shape[3];
  int64_t kh = kernel.shape[0], kw = kernel.shape[1], cpg = kernel.shape[2];
  int64_t filters = kernel.shape[3];
  int64_t oh = out.shape[1], ow = out.shape[2];
  int64_t fpg = filters / groups;
  int64_t top = padBefore(c, h, oh, strides[0], kh, dilation[0]);
  int64_t left = padBefore(c, w, ow, strides[1], kw, dilation[1]);
  int64_t o = 0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t z = 0; z < ow; ++z)
        for (int64_t f = 0; f < filters; ++f) {
          int64_t first_channel = (f / fpg) * cpg;
          double sum = 0;
          for (int64_t i = 0; i < kh; ++i) {
            int64_t ih = y * strides[0] - top + i * dilation[0];
            if (ih < 0 || ih >= h) continue;
            for (int64_t j = 0; j < kw; ++j) {
              int64_t iw = z * strides[1] - left + j * dilation[1];
              if (iw < 0 || iw >= w) continue;
              const double* px = x.data.data() + ((n * h + ih) * w + iw) * channels + first_channel;
              const double* pk = kernel.data.data() + ((i * kw + j) * cpg) * filters + f;
              for (int64_t q = 0; q < cpg; ++q) sum += px[q] * pk[q * filters];
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
    forWindow(x, p, n, i, j, k, [&](double v) {
      if (std::isnan(v)) nan = true;
      best = std::max(best, v);
    });
    return nan ? std::numeric_limits<double>::quiet_NaN() : best;
  });
}

// The mean over the window's valid cells (padding is not counted).
absl::StatusOr<Results> evalAvgpool2d(const OpContext& c) {
  return pool(c, [](const Array& x, const Pool& p, int64_t n, int64_t i, int64_t j, int64_t k) {
    double sum = 0;
    int64_t count = forWindow(x, p, n, i, j, k, [&](double v) { sum += v; });
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
      out[n * channels + k] =
          cells == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(cells);
    }
  return out;
}

}  // namespace dlc::reference
