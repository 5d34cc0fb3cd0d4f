// Backward ops: each checked against the reference's own backward
// evaluator, with ties and NaN where the tie rules matter.
#include "tests/unit/codegen_compute/harness.h"

namespace dlc::codegen::testing {
namespace {

Attribute ints(std::vector<int64_t> v) { return Attribute::intList(std::move(v)); }
Attribute str(const char* s) { return Attribute::string(s); }
Attribute integer(int64_t v) { return Attribute::integer(v); }

ir::Attrs sameStrided() { return attrs({{"strides", ints({2, 2})}, {"padding", str("same")}}); }
ir::Attrs groupedDilated() {
  return attrs(
      {{"groups", integer(2)}, {"dilation", ints({2, 1})}, {"padding", str("same")}, {"strides", ints({1, 2})}});
}
ir::Attrs gaps() { return attrs({{"strides", ints({3, 3})}}); }
ir::Attrs pool(std::vector<int64_t> window, std::vector<int64_t> strides, const char* padding) {
  return attrs({{"pool", ints(std::move(window))}, {"strides", ints(std::move(strides))}, {"padding", str(padding)}});
}

}  // namespace

std::vector<OpCase> backwardCases() {
  return {
      {"gelu_grad", "gelu_grad", {f32({3, 4}, Fill::kWide), f32({3, 4})}, {}},
      {"leaky_relu_grad",
       "leaky_relu_grad",
       {f32({3, 4}, Fill::kNan), f32({4})},
       attrs({{"alpha", Attribute::real(0.1)}}),
       0},

      {"conv2d_grad_input", "conv2d_grad_input", {f32({2, 4, 3, 4}), f32({3, 3, 3, 4}), f32({2, 6, 5, 3})}, {}},
      {"conv2d_grad_input_same",
       "conv2d_grad_input",
       {f32({1, 4, 4, 4}), f32({3, 3, 2, 4}), f32({1, 7, 7, 2})},
       sameStrided()},
      {"conv2d_grad_input_groups",
       "conv2d_grad_input",
       {f32({1, 8, 4, 6}), f32({3, 2, 2, 6}), f32({1, 8, 7, 4})},
       groupedDilated()},
      {"conv2d_grad_input_gaps",
       "conv2d_grad_input",
       {f32({1, 3, 3, 2}), f32({2, 2, 1, 2}), f32({1, 8, 8, 1})},
       gaps()},
      {"conv2d_grad_kernel", "conv2d_grad_kernel", {f32({2, 6, 5, 3}), f32({2, 4, 3, 4}), f32({3, 3, 3, 4})}, {}},
      {"conv2d_grad_kernel_same",
       "conv2d_grad_kernel",
       {f32({1, 7, 7, 2}), f32({1, 4, 4, 4}), f32({3, 3, 2, 4})},
       sameStrided()},
      {"conv2d_grad_kernel_groups",
       "conv2d_grad_kernel",
       {f32({1, 8, 7, 4}), f32({1, 8, 4, 6}), f32({3, 2, 2, 6})},
       groupedDilated()},
      {"conv2d_grad_kernel_gaps",
       "conv2d_grad_kernel",
       {f32({1, 8, 8, 1}), f32({1, 3, 3, 2}), f32({2, 2, 1, 2})},
       gaps()},

      {"maxpool2d_grad_same",
       "maxpool2d_grad",
       {f32({1, 5, 5, 2}, Fill::kTies), f32({1, 5, 5, 2})},
       pool({3, 3}, {1, 1}, "same")},
      {"maxpool2d_grad_valid",
       "maxpool2d_grad",
       {f32({2, 6, 5, 3}, Fill::kTies), f32({2, 3, 2, 3})},
       pool({2, 2}, {2, 2}, "valid")},
      {"maxpool2d_grad_nan",
       "maxpool2d_grad",
       {f32({1, 6, 6, 2}, Fill::kNan), f32({1, 5, 4, 2})},
       pool({2, 3}, {1, 1}, "valid")},
      // Windows of -inf only (the first cell is their maximum) and +inf ties.
      {"maxpool2d_grad_infinite",
       "maxpool2d_grad",
       {f32({2, 6, 6, 3}, Fill::kInfinite), f32({2, 3, 3, 3})},
       pool({2, 2}, {2, 2}, "valid")},
      // 20 cells a window: more than the tournament of firstMaximum takes.
      {"maxpool2d_grad_large_window",
       "maxpool2d_grad",
       {f32({1, 9, 8, 2}, Fill::kNan), f32({1, 2, 2, 2})},
       pool({5, 4}, {4, 4}, "valid")},
      {"maxpool2d_grad_strided",
       "maxpool2d_grad",
       {f32({1, 7, 6, 1}, Fill::kTies), f32({1, 4, 3, 1})},
       pool({3, 3}, {2, 2}, "same")},
      {"avgpool2d_grad_same", "avgpool2d_grad", {f32({1, 5, 7, 2}), f32({1, 3, 3, 2})}, pool({3, 4}, {2, 3}, "same")},
      {"avgpool2d_grad_valid", "avgpool2d_grad", {f32({2, 6, 5, 3}), f32({2, 3, 2, 3})}, pool({2, 2}, {2, 2}, "valid")},
      {"reduce_max_grad",
       "reduce_max_grad",
       {f32({3, 4, 5}, Fill::kTies), f32({1, 4, 1})},
       attrs({{"axes", ints({0, 2})}, {"keepdims", Attribute::boolean(true)}})},
      {"reduce_max_grad_nan", "reduce_max_grad", {f32({4, 5}, Fill::kNan), f32({4})}, attrs({{"axes", ints({1})}})},

      {"batchnorm_grad",
       "batchnorm_grad",
       {f32({3, 4, 2, 2}), f32({4}), f32({3, 4, 2, 2})},
       attrs({{"axis", integer(1)}}),
       1e-4},
      {"batchnorm_grad_last", "batchnorm_grad", {f32({5, 3}), f32({3}), f32({5, 3})}, {}, 1e-4},
      {"layernorm_grad", "layernorm_grad", {f32({3, 6}), f32({6}), f32({3, 6})}, {}, 1e-4},
      {"layernorm_grad_axis1",
       "layernorm_grad",
       {f32({2, 5, 3}), f32({5}), f32({2, 5, 3})},
       attrs({{"axis", integer(1)}}),
       1e-4},
      {"embedding_grad", "embedding_grad", {ids(DType::kI32, {2, 3}, 4), f32({2, 3, 5}), f32({4, 5})}, {}},
      {"lstm_grad",
       "lstm_grad",
       {f32({2, 4, 3}), f32({3, 20}), f32({5, 20}), f32({20}), f32({2, 5})},
       attrs({{"units", integer(5)}}),
       1e-4},
      {"lstm_grad_sequences",
       "lstm_grad",
       {f32({3, 5, 2}), f32({2, 12}), f32({3, 12}), f32({12}), f32({3, 5, 3})},
       attrs({{"units", integer(3)}, {"return_sequences", Attribute::boolean(true)}}),
       1e-4},
      // 64 units: gates interleaved by blocks of 16, dh in blocks of 64; one step.
      {"lstm_grad_blocked",
       "lstm_grad",
       {f32({2, 3, 4}), f32({4, 256}), f32({64, 256}), f32({256}), f32({2, 64})},
       attrs({{"units", integer(64)}}),
       1e-4},
      {"lstm_grad_one_step",
       "lstm_grad",
       {f32({2, 1, 3}), f32({3, 8}), f32({2, 8}), f32({8}), f32({2, 2})},
       attrs({{"units", integer(2)}}),
       1e-4},
  };
}

}  // namespace dlc::codegen::testing
