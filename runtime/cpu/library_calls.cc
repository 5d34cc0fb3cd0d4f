#include "runtime/cpu/library_calls.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/tensor.h"
#include "support/strings.h"

namespace dlc::runtime::cpu {
namespace {

using runtime::ConvCall;

void gemm(const runtime::GemmCall& g, std::span<void* const> operands) {
  const float* a = static_cast<const float*>(operands[0]);
  const float* b = static_cast<const float*>(operands[1]);
  const float* bias = g.bias ? static_cast<const float*>(operands[2]) : nullptr;
  float* d = static_cast<float*>(operands.back());
  std::vector<double> row(static_cast<size_t>(g.n));
  for (int64_t i = 0; i < g.m; ++i) {
    std::fill(row.begin(), row.end(), 0.0);
    for (int64_t p = 0; p < g.k; ++p) {
      double av = a[i * g.k + p];
      for (int64_t j = 0; j < g.n; ++j) row[j] += av * b[p * g.n + j];
    }
    for (int64_t j = 0; j < g.n; ++j) {
      float v = static_cast<float>(row[j] + (bias ? bias[j] : 0.0));
      if (g.activation == runtime::GemmCall::Activation::kRelu) v = v < 0 ? 0 : v;
      d[i * g.n + j] = v;
    }
  }
}

// Visits every (output position, tap) pair whose input cell lies inside x:
// f(x offset without channel, y offset without channel, w offset without
// channels).
template <typename F>
void forEachTap(const ConvCall& c, F f) {
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t oh = 0; oh < c.out_h; ++oh)
      for (int64_t ow = 0; ow < c.out_w; ++ow)
        for (int64_t r = 0; r < c.kernel_h; ++r) {
          int64_t ih = oh * c.stride[0] - c.pad[0] + r * c.dilation[0];
          if (ih < 0 || ih >= c.in_h) continue;
          for (int64_t s = 0; s < c.kernel_w; ++s) {
            int64_t iw = ow * c.stride[1] - c.pad[1] + s * c.dilation[1];
            if (iw < 0 || iw >= c.in_w) continue;
            f(((n * c.in_h + ih) * c.in_w + iw) * c.in_c, ((n * c.out_h + oh) * c.out_w + ow) * c.out_c,
              (r * c.kernel_w + s) * c.in_c);
          }
        }
}

// Sums in double, then rounds once: the reference the GPU libraries are
// tested against.
void convolution(const ConvCall& c, std::span<void* const> operands) {
  const int64_t filter_stride = c.kernel_h * c.kernel_w * c.in_c;  // KRSC: one output channel
  auto f = [&](int i) { return static_cast<float*>(operands[static_cast<size_t>(i)]); };
  const int64_t x_size = c.batch * c.in_h * c.in_w * c.in_c, y_size = c.batch * c.out_h * c.out_w * c.out_c;
  std::vector<double> sum;
  auto store = [&](float* out) { std::transform(sum.begin(), sum.end(), out, [](double v) { return float(v); }); };
  switch (c.direction) {
    case ConvCall::Direction::kForward: {  // x, w, y
      const float *x = f(0), *w = f(1);
      sum.assign(static_cast<size_t>(y_size), 0.0);
      forEachTap(c, [&](int64_t xo, int64_t yo, int64_t wo) {
        for (int64_t k = 0; k < c.out_c; ++k)
          for (int64_t ch = 0; ch < c.in_c; ++ch) sum[yo + k] += double(x[xo + ch]) * w[k * filter_stride + wo + ch];
      });
      store(f(2));
      return;
    }
    case ConvCall::Direction::kBackwardData: {  // dy, w, dx
      const float *dy = f(0), *w = f(1);
      sum.assign(static_cast<size_t>(x_size), 0.0);
      forEachTap(c, [&](int64_t xo, int64_t yo, int64_t wo) {
        for (int64_t k = 0; k < c.out_c; ++k)
          for (int64_t ch = 0; ch < c.in_c; ++ch) sum[xo + ch] += double(dy[yo + k]) * w[k * filter_stride + wo + ch];
      });
      store(f(2));
      return;
    }
    case ConvCall::Direction::kBackwardFilter: {  // x, dy, dw
      const float *x = f(0), *dy = f(1);
      sum.assign(static_cast<size_t>(c.out_c * filter_stride), 0.0);
      forEachTap(c, [&](int64_t xo, int64_t yo, int64_t wo) {
        for (int64_t k = 0; k < c.out_c; ++k)
          for (int64_t ch = 0; ch < c.in_c; ++ch) sum[k * filter_stride + wo + ch] += double(x[xo + ch]) * dy[yo + k];
      });
      store(f(2));
      return;
    }
  }
}

void runF32(const runtime::LibraryCall& call, std::span<void* const> operands) {
  switch (call.kind) {
    case runtime::LibraryCall::Kind::kGemm: gemm(call.gemm, operands); return;
    case runtime::LibraryCall::Kind::kConv2d: convolution(call.conv, operands); return;
  }
}

// f16/bf16: widened to f32 copies, run as f32, the result rounded back.
void runHalf(const runtime::LibraryCall& call, std::span<void* const> operands) {
  const bool bf16 = call.dtype == ir::DType::kBF16;
  std::vector<int64_t> sizes = runtime::slotElements(call);
  std::vector<std::vector<float>> wide(sizes.size());
  std::vector<void*> pointers;
  for (size_t i = 0; i < sizes.size(); ++i) {
    wide[i].resize(static_cast<size_t>(sizes[i]));
    const auto* in = static_cast<const uint16_t*>(operands[i]);
    if (i + 1 < sizes.size())
      for (size_t j = 0; j < wide[i].size(); ++j) wide[i][j] = bf16 ? bfloat16ToFloat(in[j]) : halfToFloat(in[j]);
    pointers.push_back(wide[i].data());
  }
  runF32(call, pointers);
  auto* out = static_cast<uint16_t*>(operands.back());
  for (size_t j = 0; j < wide.back().size(); ++j)
    out[j] = bf16 ? floatToBFloat16(wide.back()[j]) : floatToHalf(wide.back()[j]);
}

}  // namespace

absl::Status runLibraryCallOnHost(const runtime::LibraryCall& call, std::span<void* const> operands) {
  if (static_cast<int>(operands.size()) != call.slotCount())
    return absl::InternalError(
        strCat(describeLibraryCall(call), " takes ", call.slotCount(), " operands, got ", operands.size()));
  switch (call.dtype) {
    case ir::DType::kF32: runF32(call, operands); return absl::OkStatus();
    case ir::DType::kF16:
    case ir::DType::kBF16: runHalf(call, operands); return absl::OkStatus();
    case ir::DType::kF64:
    case ir::DType::kI32:
    case ir::DType::kI64:
    case ir::DType::kBool: break;
  }
  // codegen/lower/library.cc plans calls on f32, f16 and bf16 only.
  return absl::InternalError(strCat("a library call on ", ir::dtypeName(call.dtype),
                                    ", which the planner never makes: ", describeLibraryCall(call)));
}

}  // namespace dlc::runtime::cpu
