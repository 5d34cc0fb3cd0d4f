// matmul, dense, conv2d and the pools, on inputs small enough to check by
// hand (and one case checked against NumPy).
#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

TEST(LinearAlgebra, MatmulBroadcastsBatchDims) {
  // lhs [2, 1, 2] holds [1 2] and [3 4]; rhs [2, 1] = [5; 6] is shared.
  Tensor out = runOp(OpKind::kMatmul, tensors(f32({2, 1, 2}, {1, 2, 3, 4}), f32({2, 1}, {5, 6})));
  expectTensor(out, {2, 1, 1}, {17, 39});
  // [1, 2, 2] @ [3, 2, 1]: the lhs batch of 1 stretches to 3.
  out = runOp(OpKind::kMatmul, tensors(f32({1, 2, 2}, {1, 0, 0, 2}), f32({3, 2, 1}, {1, 1, 2, 3, 4, 5})));
  expectTensor(out, {3, 2, 1}, {1, 2, 2, 6, 4, 10});
}

TEST(LinearAlgebra, MatmulPlainMatrices) {
  // [[1, 2, 3], [4, 5, 6]] @ [[1, 0], [0, 1], [1, 1]]
  Tensor out = runOp(OpKind::kMatmul, tensors(f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3, 2}, {1, 0, 0, 1, 1, 1})));
  expectTensor(out, {2, 2}, {4, 5, 10, 11});
}

TEST(LinearAlgebra, DenseOnTheLastAxisOfARankThreeInput) {
  // kernel [[1, 0, 1], [0, 1, 1]], bias [0.5, 0, -1]
  Tensor out = runOp(OpKind::kDense,
                     tensors(f32({1, 2, 2}, {1, 2, 3, 4}), f32({2, 3}, {1, 0, 1, 0, 1, 1}), f32({3}, {0.5, 0, -1})));
  expectTensor(out, {1, 2, 3}, {1.5, 2, 2, 3.5, 4, 6});
  // Without bias.
  out = runOp(OpKind::kDense, tensors(f32({2}, {1, 2}), f32({2, 1}, {3, 4})));
  expectTensor(out, {1}, {11});
}

Tensor conv(Tensor x, Tensor kernel, Attrs a, Tensor* bias = nullptr) {
  if (bias) return runOp(OpKind::kConv2d, tensors(std::move(x), std::move(kernel), std::move(*bias)), a);
  return runOp(OpKind::kConv2d, tensors(std::move(x), std::move(kernel)), a);
}

TEST(Conv2d, ValidMatchesNumPy) {
  // x = arange(18).reshape(1, 3, 3, 2); kernel = arange(16).reshape(2, 2, 2, 2) * 0.5 - 3;
  // expected from an explicit einsum over the windows in NumPy.
  std::vector<double> x(18), k(16);
  for (int i = 0; i < 18; ++i) x[i] = i;
  for (int i = 0; i < 16; ++i) k[i] = i * 0.5 - 3;
  Tensor out = conv(f32({1, 3, 3, 2}, x), f32({2, 2, 2, 2}, k), {});
  expectTensor(out, {1, 2, 2, 2}, {76, 94, 84, 110, 100, 142, 108, 158});
}

TEST(Conv2d, SamePaddingPutsTheSmallerHalfBefore) {
  // Width 5, kernel width 2, stride 2: 3 outputs, total padding
  // (3 - 1) * 2 + 2 - 5 = 1, all of it after. Windows: [x0 x1], [x2 x3], [x4 0].
  Tensor out = conv(f32({1, 1, 5, 1}, {1, 2, 3, 4, 5}), f32({1, 2, 1, 1}, {1, 10}),
                    attrs({{"strides", Attribute::intList({1, 2})}, {"padding", Attribute::string("same")}}));
  expectTensor(out, {1, 1, 3, 1}, {21, 43, 5});
  // Width 5, kernel width 4, stride 1: total padding 3, 1 before and 2 after.
  out = conv(f32({1, 1, 5, 1}, {1, 2, 3, 4, 5}), f32({1, 4, 1, 1}, {1, 2, 3, 4}),
             attrs({{"padding", Attribute::string("same")}}));
  // out[0] = 0*1 + 1*2 + 2*3 + 3*4, ..., out[4] = 4*1 + 5*2 + 0 + 0
  expectTensor(out, {1, 1, 5, 1}, {20, 30, 40, 26, 14});
}

TEST(Conv2d, SamePaddingInTwoDimensions) {
  // 2x2 input of ones, 3x3 kernel of ones, same: each output counts the input
  // cells under its window (padding 1 before, 1 after on each axis).
  Tensor out = conv(f32({1, 2, 2, 1}, {1, 2, 3, 4}), f32({3, 3, 1, 1}, std::vector<double>(9, 1)),
                    attrs({{"padding", Attribute::string("same")}}));
  expectTensor(out, {1, 2, 2, 1}, {10, 10, 10, 10});
  // Kernel 2x2 of [[1, 2], [3, 4]] on a 2x2 input, same with stride 1:
  // total padding 1 on each axis, all after.
  out = conv(f32({1, 2, 2, 1}, {1, 2, 3, 4}), f32({2, 2, 1, 1}, {1, 2, 3, 4}),
             attrs({{"padding", Attribute::string("same")}}));
  // out[0,0] = 1*1 + 2*2 + 3*3 + 4*4; out[0,1] = 2*1 + 4*3; out[1,0] = 3*1 + 4*2; out[1,1] = 4
  expectTensor(out, {1, 2, 2, 1}, {30, 14, 11, 4});
}

TEST(Conv2d, Dilation) {
  // Kernel [1, 10] with dilation 2 on the width: out[i] = x[i] + 10 * x[i + 2].
  Tensor out = conv(f32({1, 1, 5, 1}, {1, 2, 3, 4, 5}), f32({1, 2, 1, 1}, {1, 10}),
                    attrs({{"dilation", Attribute::intList({1, 2})}}));
  expectTensor(out, {1, 1, 3, 1}, {31, 42, 53});
  // Same padding with dilation: extent 3, total padding 2, 1 before.
  out = conv(f32({1, 1, 5, 1}, {1, 2, 3, 4, 5}), f32({1, 2, 1, 1}, {1, 10}),
             attrs({{"dilation", Attribute::intList({1, 2})}, {"padding", Attribute::string("same")}}));
  // out[i] = x[i - 1] + 10 * x[i + 1]
  expectTensor(out, {1, 1, 5, 1}, {20, 31, 42, 53, 4});
}

TEST(Conv2d, GroupsSplitTheChannels) {
  // 4 channels in 2 groups; filter 0 sees channels 0-1, filter 1 channels 2-3.
  // kernel[0, 0, q, f]: q=0 -> [1, 10], q=1 -> [100, 1000].
  Tensor bias = f32({2}, {0.5, -0.5});
  Tensor out = conv(f32({1, 1, 1, 4}, {1, 2, 3, 4}), f32({1, 1, 2, 2}, {1, 10, 100, 1000}),
                    attrs({{"groups", Attribute::integer(2)}}), &bias);
  // f0 = 1*1 + 2*100 + 0.5; f1 = 3*10 + 4*1000 - 0.5
  expectTensor(out, {1, 1, 1, 2}, {201.5, 4029.5});
}

TEST(Conv2d, StridesAndBatch) {
  // 1x1 kernel of 2 with stride 2 picks every other cell, per image.
  Tensor out = conv(f32({2, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90}),
                    f32({1, 1, 1, 1}, {2}), attrs({{"strides", Attribute::intList({2, 2})}}));
  expectTensor(out, {2, 2, 2, 1}, {2, 6, 14, 18, 20, 60, 140, 180});
}

Tensor pool(OpKind kind, Tensor x, int64_t size, int64_t stride, const char* padding) {
  return runOp(kind, tensors(std::move(x)),
               attrs({{"pool", Attribute::intList({size, size})},
                      {"strides", Attribute::intList({stride, stride})},
                      {"padding", Attribute::string(padding)}}));
}

Tensor oneToN(std::vector<int64_t> shape) {
  std::vector<double> v;
  for (int64_t i = 1; i <= shape[0] * shape[1] * shape[2] * shape[3]; ++i) v.push_back(static_cast<double>(i));
  return f32(std::move(shape), v);
}

TEST(Pool, MaxpoolValid) {
  expectTensor(pool(OpKind::kMaxpool2d, oneToN({1, 4, 4, 1}), 2, 2, "valid"), {1, 2, 2, 1}, {6, 8, 14, 16});
}

TEST(Pool, AvgpoolSameAveragesOnlyTheValidCells) {
  // 3x3 of 1..9, pool 2, stride 2: 2 outputs a side, padding 1 after.
  // Windows: {1,2,4,5}, {3,6}, {7,8}, {9}.
  expectTensor(pool(OpKind::kAvgpool2d, oneToN({1, 3, 3, 1}), 2, 2, "same"), {1, 2, 2, 1}, {3, 4.5, 7.5, 9});
  expectTensor(pool(OpKind::kMaxpool2d, oneToN({1, 3, 3, 1}), 2, 2, "same"), {1, 2, 2, 1}, {5, 6, 8, 9});
  // Pool 3, stride 1: padding 1 on each side; the corner averages 4 cells,
  // the edge 6, the centre 9.
  expectTensor(pool(OpKind::kAvgpool2d, oneToN({1, 3, 3, 1}), 3, 1, "same"), {1, 3, 3, 1},
               {3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7});
}

TEST(Pool, MaxpoolIgnoresPaddingForNegativeInputs) {
  Tensor out = pool(OpKind::kMaxpool2d, f32({1, 1, 3, 1}, {-1, -2, -3}), 1, 1, "same");
  expectTensor(out, {1, 1, 3, 1}, {-1, -2, -3});
  out = runOp(OpKind::kMaxpool2d, tensors(f32({1, 1, 3, 1}, {-1, -2, -3})),
              attrs({{"pool", Attribute::intList({1, 2})},
                     {"strides", Attribute::intList({1, 2})},
                     {"padding", Attribute::string("same")}}));
  expectTensor(out, {1, 1, 2, 1}, {-1, -3});
}

TEST(Pool, ChannelsArePooledSeparately) {
  // 2x2 image with channels (1, 10), (2, 20), (3, 30), (4, 40).
  Tensor x = f32({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  expectTensor(pool(OpKind::kAvgpool2d, x.clone(), 2, 2, "valid"), {1, 1, 1, 2}, {2.5, 25});
  expectTensor(runOp(OpKind::kGlobalAvgpool2d, tensors(std::move(x))), {1, 2}, {2.5, 25});
}

}  // namespace
}  // namespace dlc::reference::testing
