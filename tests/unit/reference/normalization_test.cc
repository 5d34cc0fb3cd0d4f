// softmax, log_softmax, batchnorm and layernorm.
#include <cmath>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

TEST(Softmax, OnTheLastAxis) {
  // [0, log 3] -> [1/4, 3/4]; [1000, 1000] stays finite.
  Tensor out = runOp(OpKind::kSoftmax, tensors(f32({2, 2}, {0, std::log(3.0), 1000, 1000})));
  expectTensor(out, {2, 2}, {0.25, 0.75, 0.5, 0.5});
}

TEST(Softmax, OnAxisOneOfARankThreeTensor) {
  // x[0, :, 0] = [0, log 3] and x[0, :, 1] = [1, 1], normalised over axis 1.
  Tensor x = f32({1, 2, 2}, {0, 1, std::log(3.0), 1});
  Tensor out = runOp(OpKind::kSoftmax, tensors(x.clone()), attrs({{"axis", Attribute::integer(1)}}));
  expectTensor(out, {1, 2, 2}, {0.25, 0.5, 0.75, 0.5});
  out = runOp(OpKind::kLogSoftmax, tensors(std::move(x)), attrs({{"axis", Attribute::integer(-2)}}));
  expectTensor(out, {1, 2, 2}, {-1.3862943611198906, -0.6931471805599453, -0.2876820724517809, -0.6931471805599453});
}

TEST(Softmax, LogSoftmaxIsStableForLargeInputs) {
  Tensor out = runOp(OpKind::kLogSoftmax, tensors(f32({2}, {-1000, 1000})));
  expectTensor(out, {2}, {-2000, 0});
}

Attrs batchnormAttrs(bool training) { return attrs({{"training", Attribute::boolean(training)}}); }

TEST(Batchnorm, InferenceUsesTheMovingStatistics) {
  // gamma [2, 1], beta [0, 1], mean [1, 2], variance [0.999, 3.999]: with
  // epsilon 0.001 the deviations are [1, 2].
  Tensor out = runOp(OpKind::kBatchnorm,
                     tensors(f32({2, 2}, {1, 2, 3, 4}), f32({2}, {2, 1}), f32({2}, {0, 1}), f32({2}, {1, 2}),
                             f32({2}, {0.999, 3.999})),
                     batchnormAttrs(false));
  // channel 0: 2 * (x - 1); channel 1: (x - 2) / 2 + 1
  expectTensor(out, {2, 2}, {0, 1, 4, 2});
}

TEST(Batchnorm, TrainingUsesTheBatchStatistics) {
  // Channel 0 holds [1, 3] (mean 2, biased variance 1), channel 1 [2, 4]
  // (mean 3, variance 1); the moving statistics are ignored.
  Tensor out = runOp(
      OpKind::kBatchnorm,
      tensors(f32({2, 2}, {1, 2, 3, 4}), f32({2}, {2, 1}), f32({2}, {0, 1}), f32({2}, {100, 100}), f32({2}, {50, 50})),
      batchnormAttrs(true));
  // 2 * (-+1) / sqrt(1.001), (-+1) / sqrt(1.001) + 1
  expectTensor(out, {2, 2}, {-1.9990007493755464, 0.0004996253122268035, 1.9990007493755464, 1.999500374687773});
}

TEST(Batchnorm, TrainingReducesOverEveryAxisButTheChannel) {
  // x[2, 2, 1] with axis 1: channel 0 holds x[0,0], x[1,0] = [0, 4];
  // channel 1 holds [1, 1] (variance 0).
  Tensor out = runOp(
      OpKind::kBatchnorm,
      tensors(f32({2, 2, 1}, {0, 1, 4, 1}), f32({2}, {1, 1}), f32({2}, {0, 0}), f32({2}, {0, 0}), f32({2}, {1, 1})),
      attrs({{"axis", Attribute::integer(1)},
             {"training", Attribute::boolean(true)},
             {"epsilon", Attribute::real(1e-12)}}));
  expectTensor(out, {2, 2, 1}, {-1, 0, 1, 0}, 1e-5);
}

TEST(Layernorm, NormalisesTheLastAxis) {
  // Rows [1, 2, 3] and [2, 4, 6]; gamma [1, 1, 2], beta [0, 0, 1]. Expected
  // values from NumPy: (x - mean) / sqrt(var + 0.001) * gamma + beta.
  Tensor out =
      runOp(OpKind::kLayernorm, tensors(f32({2, 3}, {1, 2, 3, 2, 4, 6}), f32({3}, {1, 1, 2}), f32({3}, {0, 0, 1})));
  expectTensor(out, {2, 3}, {-1.2238273448265007, 0, 3.4476546896530014, -1.2245152962941819, 0, 3.4490305925883638});
}

TEST(Layernorm, OnAFirstAxis) {
  // axis 0 of [2, 2]: columns [1, 3] and [5, 5] are normalised.
  Tensor out = runOp(OpKind::kLayernorm, tensors(f32({2, 2}, {1, 5, 3, 5}), f32({2}, {1, 10}), f32({2}, {0, 100})),
                     attrs({{"axis", Attribute::integer(0)}, {"epsilon", Attribute::real(1e-12)}}));
  // column 0: [-1, 1] * gamma [1, 10] + beta [0, 100]; column 1: [0, 0] -> beta
  expectTensor(out, {2, 2}, {-1, 0, 110, 100}, 1e-5);
}

}  // namespace
}  // namespace dlc::reference::testing
