// Window geometry of conv2d and the 2-D pools for the forward computes
// (convolution.cc) and the backward ones (backward.cc): the same definitions
// as reference/windows.h (TensorFlow's `same` split, taps, pool windows),
// written as index expressions.
#ifndef DLC_CODEGEN_COMPUTE_WINDOWS_H_
#define DLC_CODEGEN_COMPUTE_WINDOWS_H_

#include <cstdint>
#include <vector>

#include "codegen/compute/expr.h"
#include "ir/attribute.h"

namespace dlc::codegen::cx {

// One spatial axis of a window: position `at` of the result reads input
// `at * stride - before + tap * dilation`, for tap in [0, window).
struct WindowAxis {
  int64_t in, out, window, stride, dilation, before;

  ExprRef input(ExprRef at, ExprRef tap) const;
  // Whether every tap of every output position lands inside the input, so
  // that no test or clamp is needed.
  bool alwaysInside() const;
  // in-range test and clamped index of input(at, tap).
  ExprRef inside(const ExprRef& input_index) const;
  ExprRef clamp(const ExprRef& input_index) const;
  // The adjoint: the output position whose tap `tap` reads input `input`,
  // when there is one (`valid`); `at` is clamped into [0, out).
  struct Output {
    ExprRef valid, at;
    ExprRef raw;  // stride 1: `at` unclamped (outside [0, out) when not valid); else null
  };
  Output outputOf(ExprRef input, ExprRef tap) const;
};

// x[N, H, W, C] * kernel[kh, kw, C / groups, F] -> y[N, oh, ow, F].
struct ConvGeometry {
  int64_t batch, channels, cpg, filters, groups;
  WindowAxis rows, cols;

  int64_t filtersPerGroup() const { return filters / groups; }
};
ConvGeometry convGeometry(const ir::Attrs& attrs, const std::vector<int64_t>& x, const std::vector<int64_t>& kernel,
                          const std::vector<int64_t>& y);

// A pool over x[N, H, W, C] giving [N, oh, ow, C].
struct PoolGeometry {
  int64_t batch, channels;
  WindowAxis rows, cols;
};
PoolGeometry poolGeometry(const ir::Attrs& attrs, const std::vector<int64_t>& x, const std::vector<int64_t>& y);

// The number of valid cells of the pool window at output (y, z): padding is
// not counted, as in the reference's avgpool.
ExprRef validCells(const PoolGeometry& p, ExprRef y, ExprRef z);

// A tap's input position (ih, iw), clamped into the input, and whether it
// lies inside (null: every tap does, no test).
struct Tap {
  ExprRef h, w, inside;
};
Tap tapAt(const WindowAxis& rows, const WindowAxis& cols, ExprRef ih, ExprRef iw);

// `value(ih, iw)` where the tap lands inside the input (indices clamped),
// `outside` elsewhere; no test when every tap is inside.
template <typename F>
ExprRef insideOr(const WindowAxis& rows, const WindowAxis& cols, ExprRef ih, ExprRef iw, ExprRef outside, F value) {
  Tap tap = tapAt(rows, cols, std::move(ih), std::move(iw));
  ExprRef v = value(tap.h, tap.w);
  return tap.inside ? select(tap.inside, v, outside) : v;
}

}  // namespace dlc::codegen::cx

#endif  // DLC_CODEGEN_COMPUTE_WINDOWS_H_
