// Window geometry of conv2d and the 2-D pools, shared by their forward
// evaluators (convolution.cc) and backward ones (backward.cc): one set of
// loops, so that each backward op is exactly the adjoint of its forward op.
#ifndef DLC_REFERENCE_WINDOWS_H_
#define DLC_REFERENCE_WINDOWS_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "reference/evaluators.h"

namespace dlc::reference {

// The padding before the first window on one axis: TensorFlow's split of
// max((out - 1) * stride + (window - 1) * dilation + 1 - in, 0), the smaller
// half before, for padding "same"; none for "valid".
inline int64_t padBefore(const OpContext& c, int64_t in, int64_t out, int64_t stride, int64_t window,
                         int64_t dilation) {
  if (c.attrs().getString("padding") != "same") return 0;
  int64_t total = std::max<int64_t>((out - 1) * stride + (window - 1) * dilation + 1 - in, 0);
  return total / 2;
}

// ------------------------------------------------------------- convolution

// The sizes of a conv2d x[N, H, W, C] * kernel[kh, kw, C / groups, F] ->
// y[N, oh, ow, F] and its attributes.
struct Conv {
  int64_t batch, h, w, channels;
  int64_t kh, kw, cpg, filters;
  int64_t oh, ow;
  int64_t sh, sw, dh, dw, groups;
  int64_t top, left;
};

inline Conv convGeometry(const OpContext& c, const std::vector<int64_t>& x, const std::vector<int64_t>& kernel,
                         const std::vector<int64_t>& y) {
  const std::vector<int64_t>& strides = c.attrs().getIntList("strides");
  const std::vector<int64_t>& dilation = c.attrs().getIntList("dilation");
  Conv k{.batch = x[0],
         .h = x[1],
         .w = x[2],
         .channels = x[3],
         .kh = kernel[0],
         .kw = kernel[1],
         .cpg = kernel[2],
         .filters = kernel[3],
         .oh = y[1],
         .ow = y[2],
         .sh = strides[0],
         .sw = strides[1],
         .dh = dilation[0],
         .dw = dilation[1],
         .groups = c.attrs().getInt("groups"),
         .top = 0,
         .left = 0};
  k.top = padBefore(c, k.h, k.oh, k.sh, k.kh, k.dh);
  k.left = padBefore(c, k.w, k.ow, k.sw, k.kw, k.dw);
  return k;
}

// Calls tap(x_index, kernel_index, y_index) for every product
// x[x_index] * kernel[kernel_index] that the reference conv2d adds into
// y[y_index]: the same loops as evalConv2d, so that each gradient below is
// exactly its adjoint.
template <typename F>
void forEachTap(const Conv& k, F tap) {
  int64_t fpg = k.filters / k.groups;
  for (int64_t n = 0; n < k.batch; ++n)
    for (int64_t y = 0; y < k.oh; ++y)
      for (int64_t z = 0; z < k.ow; ++z)
        for (int64_t f = 0; f < k.filters; ++f) {
          int64_t out = ((n * k.oh + y) * k.ow + z) * k.filters + f;
          int64_t first_channel = (f / fpg) * k.cpg;
          for (int64_t i = 0; i < k.kh; ++i) {
            int64_t ih = y * k.sh - k.top + i * k.dh;
            if (ih < 0 || ih >= k.h) continue;
            for (int64_t j = 0; j < k.kw; ++j) {
              int64_t iw = z * k.sw - k.left + j * k.dw;
              if (iw < 0 || iw >= k.w) continue;
              int64_t x_base = ((n * k.h + ih) * k.w + iw) * k.channels + first_channel;
              int64_t kernel_base = (i * k.kw + j) * k.cpg * k.filters + f;
              for (int64_t q = 0; q < k.cpg; ++q) tap(x_base + q, kernel_base + q * k.filters, out);
            }
          }
        }
}

// ----------------------------------------------------------------- pooling

// The windows of a pool over x[N, H, W, C] giving [N, oh, ow, C].
struct Pool {
  int64_t batch, h, w, channels;
  int64_t oh, ow;
  int64_t ph, pw, sh, sw;
  int64_t top, left;
};

inline Pool poolGeometry(const OpContext& c, const std::vector<int64_t>& x, const std::vector<int64_t>& y) {
  const std::vector<int64_t>& pool = c.attrs().getIntList("pool");
  const std::vector<int64_t>& strides = c.attrs().getIntList("strides");
  Pool p{.batch = x[0],
         .h = x[1],
         .w = x[2],
         .channels = x[3],
         .oh = y[1],
         .ow = y[2],
         .ph = pool[0],
         .pw = pool[1],
         .sh = strides[0],
         .sw = strides[1],
         .top = 0,
         .left = 0};
  p.top = padBefore(c, p.h, p.oh, p.sh, p.ph, 1);
  p.left = padBefore(c, p.w, p.ow, p.sw, p.pw, 1);
  return p;
}

// Calls cell(x_index) for the valid cells of output (n, y, z, k)'s window in
// row-major order; padded cells are skipped.
template <typename F>
void forWindow(const Pool& p, int64_t n, int64_t y, int64_t z, int64_t k, F cell) {
  for (int64_t i = 0; i < p.ph; ++i) {
    int64_t ih = y * p.sh - p.top + i;
    if (ih < 0 || ih >= p.h) continue;
    for (int64_t j = 0; j < p.pw; ++j) {
      int64_t iw = z * p.sw - p.left + j;
      if (iw < 0 || iw >= p.w) continue;
      cell(((n * p.h + ih) * p.w + iw) * p.channels + k);
    }
  }
}

// Calls window(n, y, z, k, y_index) for every output position.
template <typename F>
void forEachOutput(const Pool& p, F window) {
  int64_t o = 0;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t y = 0; y < p.oh; ++y)
      for (int64_t z = 0; z < p.ow; ++z)
        for (int64_t k = 0; k < p.channels; ++k) window(n, y, z, k, o++);
}

}  // namespace dlc::reference

#endif  // DLC_REFERENCE_WINDOWS_H_
