// cuDNN convolutions (forward, backward data, backward filter) and the
// executor's library calls, against the host implementation of the same
// calls (runtime/cpu/library_calls.h), on shapes with padding, stride and
// dilation.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <vector>

#include "runtime/cpu/library_calls.h"
#include "runtime/cuda/library_calls.h"
#include "runtime/tensor.h"
#include "tests/unit/runtime_cuda/gpu_test.h"

namespace dlc::runtime::cuda {
namespace {

using runtime::ConvCall;
using runtime::LibraryCall;

struct Case {
  const char* name;
  LibraryCall call;
  friend void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }
};

// x[batch, h, w, in_c] with a 3x3 kernel to out_c channels.
struct ConvShape {
  int64_t batch, h, w, in_c, out_c;
};
constexpr ConvShape kSmall{3, 9, 7, 5, 6};

LibraryCall conv(ConvCall::Direction direction, int64_t stride, int64_t pad, int64_t dilation,
                 ConvShape shape = kSmall) {
  ConvCall c;
  c.direction = direction;
  c.batch = shape.batch, c.in_h = shape.h, c.in_w = shape.w, c.in_c = shape.in_c, c.out_c = shape.out_c;
  c.kernel_h = 3, c.kernel_w = 3;
  c.stride = {stride, stride}, c.pad = {pad, pad}, c.dilation = {dilation, dilation};
  int64_t span = (c.kernel_h - 1) * dilation + 1;
  c.out_h = (c.in_h + 2 * pad - span) / stride + 1;
  c.out_w = (c.in_w + 2 * pad - span) / stride + 1;
  LibraryCall call;
  call.kind = LibraryCall::Kind::kConv2d;
  call.conv = c;
  return call;
}

// The call in another precision: f16/bf16 data (tensor cores, f32 sums), or
// f32 with TF32 allowed.
LibraryCall in(LibraryCall call, ir::DType dtype, bool allow_tf32 = false) {
  call.dtype = dtype;
  call.allow_tf32 = allow_tf32;
  return call;
}

LibraryCall gemm(bool bias, bool relu) {
  LibraryCall call;
  call.gemm = {37, 19, 23, bias, relu ? runtime::GemmCall::Activation::kRelu : runtime::GemmCall::Activation::kNone};
  return call;
}

class LibraryCallOnGpu : public ::testing::TestWithParam<Case> {};

TEST_P(LibraryCallOnGpu, MatchesHost) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  runtime::Executable exe;
  exe.library_calls.push_back(GetParam().call);
  absl::StatusOr<std::unique_ptr<LibraryCalls>> calls = LibraryCalls::create(*device, exe);
  if (absl::IsUnavailable(calls.status())) GTEST_SKIP() << calls.status().message();
  DLC_ASSERT_OK(calls.status());

  const LibraryCall& call = GetParam().call;
  std::vector<int64_t> sizes = runtime::slotElements(call);
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1, 1);
  // Host and device get the same bytes: f32, or f16/bf16 bits.
  const std::size_t element = call.dtype == ir::DType::kF32 ? 4 : 2;
  std::vector<std::vector<std::uint8_t>> host(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    host[i].resize(static_cast<size_t>(sizes[i]) * element);
    if (i + 1 == sizes.size()) continue;
    for (int64_t j = 0; j < sizes[i]; ++j) {
      float v = dist(rng);
      if (element == 4) {
        std::memcpy(&host[i][j * 4], &v, 4);
      } else {
        std::uint16_t bits = call.dtype == ir::DType::kBF16 ? floatToBFloat16(v) : floatToHalf(v);
        std::memcpy(&host[i][j * 2], &bits, 2);
      }
    }
  }
  auto valueAt = [&](const std::vector<std::uint8_t>& bytes, size_t j) {
    if (element == 4) {
      float v;
      std::memcpy(&v, &bytes[j * 4], 4);
      return v;
    }
    std::uint16_t bits;
    std::memcpy(&bits, &bytes[j * 2], 2);
    return call.dtype == ir::DType::kBF16 ? bfloat16ToFloat(bits) : halfToFloat(bits);
  };
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  std::size_t bytes = 0;
  for (const std::vector<std::uint8_t>& h : host) bytes += (h.size() + 255) / 256 * 256;
  DLC_ASSERT_OK_AND_ASSIGN(DeviceArena arena, DeviceArena::create(*device, bytes));
  std::vector<CuDevicePtr> device_operands;
  for (const std::vector<std::uint8_t>& h : host) {
    DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan span, arena.carve(h.size()));
    DLC_ASSERT_OK(stream.copyToDevice(span.ptr, h.data(), h.size()));
    device_operands.push_back(span.ptr);
  }
  DLC_ASSERT_OK((*calls)->enqueue(stream, 0, device_operands));
  std::string plan = (*calls)->describe(0);
  std::vector<std::uint8_t> result(host.back().size());
  DLC_ASSERT_OK(stream.copyToHost(result.data(), device_operands.back(), result.size()));
  DLC_ASSERT_OK(stream.synchronize());

  std::vector<void*> host_operands;
  for (std::vector<std::uint8_t>& h : host) host_operands.push_back(h.data());
  DLC_ASSERT_OK(cpu::runLibraryCallOnHost(call, host_operands));
  // f32: an f32 sum's rounding. f16 and bf16 results are rounded to 11 and 8
  // bits; TF32 rounds each operand to 11, and the errors of a few hundred
  // products add up.
  float tolerance = call.dtype == ir::DType::kF16                       ? 4e-3f
                    : call.dtype == ir::DType::kBF16 || call.allow_tf32 ? 2e-2f
                                                                        : 1e-4f;
  int bad = 0;
  for (size_t i = 0; i < static_cast<size_t>(sizes.back()) && bad < 5; ++i) {
    float expected = valueAt(host.back(), i), actual = valueAt(result, i);
    if (std::abs(actual - expected) > tolerance * (1 + std::abs(expected))) {
      ADD_FAILURE() << "element " << i << ": host " << expected << ", device " << actual << " (" << plan << ")";
      ++bad;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Calls, LibraryCallOnGpu,
    ::testing::Values(
        Case{"conv_forward", conv(ConvCall::Direction::kForward, 1, 0, 1)},
        Case{"conv_forward_pad_stride", conv(ConvCall::Direction::kForward, 2, 1, 1)},
        Case{"conv_forward_dilated", conv(ConvCall::Direction::kForward, 1, 2, 2)},
        Case{"conv_backward_data", conv(ConvCall::Direction::kBackwardData, 1, 1, 1)},
        Case{"conv_backward_data_stride", conv(ConvCall::Direction::kBackwardData, 2, 1, 1)},
        Case{"conv_backward_filter", conv(ConvCall::Direction::kBackwardFilter, 1, 1, 1)},
        Case{"conv_backward_filter_stride", conv(ConvCall::Direction::kBackwardFilter, 2, 0, 1)},
        Case{"gemm", gemm(false, false)}, Case{"gemm_bias_relu", gemm(true, true)},
        // The CNN's convolutions (examples/mnist_cnn.dl) at batch 64 (and 2).
        Case{"cnn_conv1_forward", conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 28, 28, 1, 32})},
        Case{"cnn_conv1_forward_b2", conv(ConvCall::Direction::kForward, 1, 0, 1, {2, 28, 28, 1, 32})},
        Case{"cnn_conv2_forward_b2", conv(ConvCall::Direction::kForward, 1, 0, 1, {2, 13, 13, 32, 64})},
        Case{"cnn_conv3_forward_b2", conv(ConvCall::Direction::kForward, 1, 0, 1, {2, 5, 5, 64, 64})},
        Case{"cnn_conv2_forward", conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 13, 13, 32, 64})},
        Case{"cnn_conv3_forward", conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 5, 5, 64, 64})},
        Case{"cnn_conv2_backward_data", conv(ConvCall::Direction::kBackwardData, 1, 0, 1, {64, 13, 13, 32, 64})},
        Case{"cnn_conv3_backward_data", conv(ConvCall::Direction::kBackwardData, 1, 0, 1, {64, 5, 5, 64, 64})},
        Case{"cnn_conv1_backward_filter", conv(ConvCall::Direction::kBackwardFilter, 1, 0, 1, {64, 28, 28, 1, 32})},
        Case{"cnn_conv2_backward_filter", conv(ConvCall::Direction::kBackwardFilter, 1, 0, 1, {64, 13, 13, 32, 64})},
        // Tensor cores: bf16 and f16 with f32 sums (channels that are a
        // multiple of 8, and the CNN's first layer's one channel, which
        // the planner pads but cuDNN must also take as it stands), and
        // f32 with TF32 allowed.
        Case{"bf16_cnn_conv2_forward",
             in(conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 13, 13, 32, 64}), ir::DType::kBF16)},
        Case{"bf16_cnn_conv2_backward_data",
             in(conv(ConvCall::Direction::kBackwardData, 1, 0, 1, {64, 13, 13, 32, 64}), ir::DType::kBF16)},
        Case{"bf16_cnn_conv2_backward_filter",
             in(conv(ConvCall::Direction::kBackwardFilter, 1, 0, 1, {64, 13, 13, 32, 64}), ir::DType::kBF16)},
        Case{"bf16_cnn_conv1_forward_one_channel",
             in(conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 28, 28, 1, 32}), ir::DType::kBF16)},
        Case{"bf16_cnn_conv1_forward_padded",
             in(conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 28, 28, 8, 32}), ir::DType::kBF16)},
        Case{"f16_conv_forward_pad_stride", in(conv(ConvCall::Direction::kForward, 2, 1, 1), ir::DType::kF16)},
        Case{"bf16_gemm_bias_relu", in(gemm(true, true), ir::DType::kBF16)},
        Case{"tf32_cnn_conv2_forward",
             in(conv(ConvCall::Direction::kForward, 1, 0, 1, {64, 13, 13, 32, 64}), ir::DType::kF32, true)},
        Case{"tf32_gemm_bias_relu", in(gemm(true, true), ir::DType::kF32, true)}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace dlc::runtime::cuda
