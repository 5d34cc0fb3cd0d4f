// Linear algebra, convolution and pooling, normalization and sequences.
#include "tests/unit/codegen_compute/harness.h"

namespace dlc::codegen::testing {
namespace {

Attribute ints(std::vector<int64_t> v) { return Attribute::intList(std::move(v)); }
Attribute str(const char* s) { return Attribute::string(s); }

}  // namespace

std::vector<OpCase> layerCases() {
  return {
      {"matmul", "matmul", {f32({3, 4}), f32({4, 5})}, {}},
      {"matmul_batched", "matmul", {f32({2, 1, 3, 4}), f32({3, 4, 2})}, {}},
      {"dense", "dense", {f32({2, 3, 4}), f32({4, 5}), f32({5})}, {}},
      {"dense_no_bias", "dense", {f32({5, 4}), f32({4, 3})}, {}},

      {"conv2d_valid", "conv2d", {f32({2, 7, 6, 3}), f32({3, 3, 3, 4})}, {}},
      {"conv2d_same_strided",
       "conv2d",
       {f32({1, 8, 7, 2}), f32({3, 3, 2, 3}), f32({3})},
       attrs({{"strides", ints({2, 2})}, {"padding", str("same")}})},
      {"conv2d_dilated",
       "conv2d",
       {f32({1, 9, 8, 2}), f32({3, 2, 2, 2})},
       attrs({{"dilation", ints({2, 3})}, {"padding", str("same")}})},
      {"conv2d_groups",
       "conv2d",
       {f32({2, 6, 6, 4}), f32({3, 3, 2, 6}), f32({6})},
       attrs({{"groups", Attribute::integer(2)}, {"padding", str("same")}, {"strides", ints({1, 2})}})},
      {"maxpool2d_valid",
       "maxpool2d",
       {f32({2, 6, 5, 3}, Fill::kTies)},
       attrs({{"pool", ints({2, 2})}, {"strides", ints({2, 2})}}),
       0},
      {"maxpool2d_same",
       "maxpool2d",
       {f32({1, 5, 7, 2})},
       attrs({{"pool", ints({3, 3})}, {"strides", ints({2, 1})}, {"padding", str("same")}}),
       0},
      {"maxpool2d_nan",
       "maxpool2d",
       {f32({1, 6, 6, 2}, Fill::kNan)},
       attrs({{"pool", ints({2, 3})}, {"strides", ints({1, 1})}}),
       0},
      {"avgpool2d_valid", "avgpool2d", {f32({2, 6, 5, 3})}, attrs({{"pool", ints({2, 2})}, {"strides", ints({2, 2})}})},
      {"avgpool2d_same",
       "avgpool2d",
       {f32({1, 5, 7, 2})},
       attrs({{"pool", ints({3, 4})}, {"strides", ints({2, 3})}, {"padding", str("same")}})},
      {"global_avgpool2d", "global_avgpool2d", {f32({2, 4, 3, 5})}, {}},
      {"global_avgpool2d_empty", "global_avgpool2d", {f32({2, 0, 3, 5})}, {}},

      {"softmax", "softmax", {f32({3, 7}, Fill::kWide)}, {}},
      {"softmax_f16", "softmax", {{DType::kF16, {3, 7}}}, {}, 2e-3},
      {"dense_bf16", "dense", {{DType::kBF16, {2, 4}}, {DType::kBF16, {4, 3}}, {DType::kBF16, {3}}}, {}, 2e-2},
      {"conv2d_f16",
       "conv2d",
       {{DType::kF16, {1, 5, 5, 2}}, {DType::kF16, {3, 3, 2, 2}}},
       attrs({{"padding", str("same")}}),
       2e-3},
      {"softmax_axis1", "softmax", {f32({2, 5, 3})}, attrs({{"axis", Attribute::integer(1)}})},
      {"log_softmax", "log_softmax", {f32({3, 7}, Fill::kWide)}, {}},
      {"log_softmax_axis0", "log_softmax", {f32({4, 3})}, attrs({{"axis", Attribute::integer(0)}})},
      {"batchnorm", "batchnorm", {f32({2, 3, 4}), f32({4}), f32({4}), f32({4}), f32({4}, Fill::kPositive)}, {}},
      {"batchnorm_training",
       "batchnorm",
       {f32({3, 4, 2, 2}), f32({4}), f32({4}), f32({4}), f32({4}, Fill::kPositive)},
       attrs({{"axis", Attribute::integer(1)}, {"training", Attribute::boolean(true)}}),
       1e-4},
      {"layernorm", "layernorm", {f32({3, 6}), f32({6}), f32({6})}, {}, 1e-4},
      {"layernorm_axis1",
       "layernorm",
       {f32({2, 5, 3}), f32({5}), f32({5})},
       attrs({{"axis", Attribute::integer(1)}}),
       1e-4},

      {"embedding", "embedding", {ids(DType::kI32, {2, 3}, 7), f32({7, 4})}, {}, 0},
      {"embedding_i64", "embedding", {ids(DType::kI64, {5}, 3), f32({3, 2})}, {}, 0},
      {"lstm",
       "lstm",
       {f32({2, 4, 3}), f32({3, 20}), f32({5, 20}), f32({20})},
       attrs({{"units", Attribute::integer(5)}}),
       1e-4},
      {"lstm_f16",
       "lstm",
       {{DType::kF16, {2, 3, 2}}, {DType::kF16, {2, 8}}, {DType::kF16, {2, 8}}, {DType::kF16, {8}}},
       attrs({{"units", Attribute::integer(2)}, {"return_sequences", Attribute::boolean(true)}}),
       1e-2},
      {"lstm_sequences",
       "lstm",
       {f32({3, 5, 2}), f32({2, 12}), f32({3, 12}), f32({12})},
       attrs({{"units", Attribute::integer(3)}, {"return_sequences", Attribute::boolean(true)}}),
       1e-4},
      // 32 units: gate columns interleaved by blocks of 16 (lstm_gates.h).
      {"lstm_blocked",
       "lstm",
       {f32({2, 3, 4}), f32({4, 128}), f32({32, 128}), f32({128})},
       attrs({{"units", Attribute::integer(32)}, {"return_sequences", Attribute::boolean(true)}}),
       1e-4},
  };
}

}  // namespace dlc::codegen::testing
