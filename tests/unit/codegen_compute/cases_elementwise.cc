// Elementwise ops, comparisons and masks.
#include "tests/unit/codegen_compute/harness.h"

namespace dlc::codegen::testing {

std::vector<OpCase> elementwiseCases() {
  std::vector<int64_t> s = {3, 4};
  return {
      {"relu", "relu", {f32(s)}, {}},
      {"relu_f16", "relu", {{DType::kF16, s}}, {}, 1e-3},
      {"sigmoid", "sigmoid", {f32(s, Fill::kWide)}, {}},
      {"tanh", "tanh", {f32(s)}, {}},
      {"gelu", "gelu", {f32(s)}, {}},
      {"gelu_bf16", "gelu", {{DType::kBF16, s}}, {}, 1e-2},
      {"softplus", "softplus", {f32(s, Fill::kWide)}, {}},
      {"softplus_grad", "softplus_grad", {f32(s, Fill::kWide), f32(s)}, {}},
      {"softplus_grad_broadcast", "softplus_grad", {f32({3, 1}), f32(s)}, {}},
      {"exp", "exp", {f32(s)}, {}},
      {"log", "log", {f32(s, Fill::kPositive)}, {}},
      {"sqrt", "sqrt", {f32(s, Fill::kPositive)}, {}},
      {"abs", "abs", {f32(s)}, {}},
      {"neg", "neg", {f32(s)}, {}},
      {"leaky_relu", "leaky_relu", {f32(s)}, attrs({{"alpha", Attribute::real(0.2)}})},
      {"rescaling",
       "rescaling",
       {f32(s)},
       attrs({{"scale", Attribute::real(1.0 / 255)}, {"offset", Attribute::real(-0.5)}})},
      {"cast_f16", "cast", {f32(s, Fill::kWide)}, attrs({{"dtype", Attribute::dtype(DType::kF16)}}), 0},
      {"cast_i32", "cast", {f32(s, Fill::kWide)}, attrs({{"dtype", Attribute::dtype(DType::kI32)}}), 0},
      {"cast_bool", "cast", {f32(s, Fill::kTies)}, attrs({{"dtype", Attribute::dtype(DType::kBool)}}), 0},
      {"cast_i64_f32", "cast", {ids(DType::kI64, s, 100)}, attrs({{"dtype", Attribute::dtype(DType::kF32)}}), 0},

      {"add", "add", {f32({2, 3, 4}), f32({3, 1})}, {}},
      {"add_i32", "add", {ids(DType::kI32, {2, 3}, 9), ids(DType::kI32, {3}, 9)}, {}, 0},
      {"sub", "sub", {f32({4, 1}), f32({1, 5})}, {}},
      {"mul", "mul", {f32({1}), f32({2, 3})}, {}},
      {"div", "div", {f32({2, 3}), f32({2, 1}, Fill::kPositive)}, {}},
      {"div_i32", "div", {ids(DType::kI32, {2, 3}, 20, Fill::kIdsWide), {DType::kI32, {3}, Fill::kNonZero}}, {}, 0},
      {"maximum", "maximum", {f32({3, 4}, Fill::kNan), f32({4}, Fill::kNan)}, {}, 0},
      {"minimum", "minimum", {f32({3, 4}, Fill::kNan), f32({3, 1}, Fill::kNan)}, {}, 0},
      // cond of any dtype, nonzero (NaN too) true; the three broadcast.
      {"select", "select", {f32({3, 4}, Fill::kNan), f32({3, 4}), f32({3, 4}, Fill::kWide)}, {}, 0},
      {"select_broadcast", "select", {f32({3, 1}, Fill::kTies), f32({4}), f32({2, 1, 1})}, {}, 0},
      {"select_bool", "select", {ids(DType::kBool, {3, 4}, 2), f32({4}), f32({3, 4}, Fill::kNan)}, {}, 0},
      {"select_i32", "select", {ids(DType::kI32, {4}, 3), ids(DType::kI32, {3, 4}, 9), ids(DType::kI32, {}, 9)}, {}, 0},
      {"select_f16", "select", {{DType::kF16, {3, 4}, Fill::kTies}, {DType::kF16, {3, 4}}, {DType::kF16, {4}}}, {}, 0},

      {"step", "step", {f32({4, 5}, Fill::kNan)}, {}, 0},
      {"sign", "sign", {f32({4, 5}, Fill::kUniform)}, {}, 0},
      {"sign_nan", "sign", {f32({4, 5}, Fill::kNan)}, {}, 0},
      {"equal", "equal", {f32({3, 4}, Fill::kTies), f32({4}, Fill::kNan)}, {}, 0},
      {"greater", "greater", {f32({3, 4}, Fill::kNan), f32({3, 1}, Fill::kTies)}, {}, 0},
      {"argmax", "argmax", {f32({3, 5, 2}, Fill::kTies)}, attrs({{"axis", Attribute::integer(1)}}), 0},
      {"argmax_nan", "argmax", {f32({6, 5}, Fill::kNan)}, {}, 0},
      {"argmax_i32", "argmax", {ids(DType::kI32, {4, 6}, 3)}, attrs({{"axis", Attribute::integer(0)}}), 0},
      {"one_hot",
       "one_hot",
       {ids(DType::kI64, {2, 5}, 4, Fill::kIdsWide)},
       attrs({{"depth", Attribute::integer(4)}}),
       0},
      {"one_hot_f16",
       "one_hot",
       {ids(DType::kI32, {7}, 3)},
       attrs({{"depth", Attribute::integer(3)}, {"dtype", Attribute::dtype(DType::kF16)}}),
       0},
  };
}

}  // namespace dlc::codegen::testing
