// dropout, random_flip and random_crop at inference and in training.
#include <set>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

std::vector<double> iota(int n, double start = 0) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(start + i);
  return v;
}

Tensor runRandom(OpKind kind, Tensor x, Attrs a, uint64_t seed) {
  Graph g;
  TensorType t{x.dtype(), {}};
  for (int64_t s : x.shape()) t.dims.push_back(Dim::fixed(s));
  Value* in = g.input("x", t);
  Value* out = g.op(kind, {in}, std::move(a));
  return g.run1(out, tensors(std::move(x)), {}, InterpretOptions{seed});
}

TEST(Dropout, IsTheIdentityAtInference) {
  Tensor out = runRandom(OpKind::kDropout, f32({4}, {1, 2, 3, 4}),
                         attrs({{"rate", Attribute::real(0.5)}}), 1);
  expectTensor(out, {4}, {1, 2, 3, 4});
}

TEST(Dropout, InvertedDropoutInTraining) {
  const int n = 10000;
  Attrs a = attrs({{"rate", Attribute::real(0.25)}, {"training", Attribute::boolean(true)}});
  Tensor out = runRandom(OpKind::kDropout, f32({n}, iota(n, 1)), a, 42);
  int kept = 0;
  for (int i = 0; i < n; ++i) {
    double v = out.get(i);
    if (v == 0) continue;
    ++kept;
    EXPECT_FLOAT_EQ(v, (i + 1) / 0.75) << i;  // scaled by 1 / (1 - rate)
  }
  EXPECT_NEAR(kept / static_cast<double>(n), 0.75, 0.02);
  // The same seed gives the same mask; another seed another one.
  EXPECT_EQ(values(runRandom(OpKind::kDropout, f32({n}, iota(n, 1)), a, 42)), values(out));
  EXPECT_NE(values(runRandom(OpKind::kDropout, f32({n}, iota(n, 1)), a, 43)), values(out));
}

TEST(RandomFlip, IsTheIdentityAtInference) {
  Tensor out = runRandom(OpKind::kRandomFlip, f32({1, 2, 2, 1}, iota(4)), {}, 1);
  expectTensor(out, {1, 2, 2, 1}, iota(4));
}

TEST(RandomFlip, FlipsWholeImagesInTraining) {
  // 64 images of [[0, 1], [2, 3]]: each comes out unchanged or mirrored
  // left-right, and both happen.
  std::vector<double> x;
  for (int n = 0; n < 64; ++n)
    for (double v : {0, 1, 2, 3}) x.push_back(v);
  Tensor out = runRandom(OpKind::kRandomFlip, f32({64, 2, 2, 1}, x),
                         attrs({{"training", Attribute::boolean(true)}}), 7);
  int flipped = 0;
  std::vector<double> all = values(out);
  for (int n = 0; n < 64; ++n) {
    std::vector<double> image(all.begin() + 4 * n, all.begin() + 4 * n + 4);
    if (image == std::vector<double>{1, 0, 3, 2})
      ++flipped;
    else
      EXPECT_EQ(image, (std::vector<double>{0, 1, 2, 3})) << n;
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 64);
}

TEST(RandomFlip, VerticalFlipsRows) {
  std::vector<double> x;
  for (int n = 0; n < 32; ++n)
    for (double v : {0, 1, 2, 3}) x.push_back(v);
  Tensor out = runRandom(
      OpKind::kRandomFlip, f32({32, 2, 2, 1}, x),
      attrs({{"mode", Attribute::string("vertical")}, {"training", Attribute::boolean(true)}}), 3);
  int flipped = 0;
  std::vector<double> all = values(out);
  for (int n = 0; n < 32; ++n) {
    std::vector<double> image(all.begin() + 4 * n, all.begin() + 4 * n + 4);
    if (image == std::vector<double>{2, 3, 0, 1})
      ++flipped;
    else
      EXPECT_EQ(image, (std::vector<double>{0, 1, 2, 3})) << n;
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 32);
}

Attrs crop(int64_t h, int64_t w, bool training = false) {
  return attrs({{"height", Attribute::integer(h)},
                {"width", Attribute::integer(w)},
                {"training", Attribute::boolean(training)}});
}

TEST(RandomCrop, CentreCropAtInference) {
  // 4x4 of 0..15: a 2x2 crop starts at (1, 1); a 3x3 crop at (0, 0).
  expectTensor(runRandom(OpKind::kRandomCrop, f32({1, 4, 4, 1}, iota(16)), crop(2, 2), 0),
               {1, 2, 2, 1}, {5, 6, 9, 10});
  expectTensor(runRandom(OpKind::kRandomCrop, f32({1, 4, 4, 1}, iota(16)), crop(3, 3), 0),
               {1, 3, 3, 1}, {0, 1, 2, 4, 5, 6, 8, 9, 10});
  expectTensor(runRandom(OpKind::kRandomCrop, f32({1, 4, 4, 1}, iota(16)), crop(1, 4), 0),
               {1, 1, 4, 1}, {4, 5, 6, 7});
}

TEST(RandomCrop, TrainingCropsAWindowInsideEachImage) {
  // 16 images of 4x4 with values 100 n + 4 row + col; every crop must be a
  // contiguous 2x2 window of its own image.
  std::vector<double> x;
  for (int n = 0; n < 16; ++n)
    for (int i = 0; i < 16; ++i) x.push_back(100 * n + i);
  Tensor out = runRandom(OpKind::kRandomCrop, f32({16, 4, 4, 1}, x), crop(2, 2, true), 5);
  ASSERT_EQ(out.shape(), (std::vector<int64_t>{16, 2, 2, 1}));
  std::set<double> corners;
  for (int n = 0; n < 16; ++n) {
    double top_left = out.get(4 * n);
    double rel = top_left - 100 * n;
    int row = static_cast<int>(rel) / 4, col = static_cast<int>(rel) % 4;
    EXPECT_TRUE(row >= 0 && row <= 2 && col >= 0 && col <= 2) << n;
    EXPECT_EQ(out.get(4 * n + 1), top_left + 1);
    EXPECT_EQ(out.get(4 * n + 2), top_left + 4);
    EXPECT_EQ(out.get(4 * n + 3), top_left + 5);
    corners.insert(rel);
  }
  EXPECT_GT(corners.size(), 1u);
}

}  // namespace
}  // namespace dlc::reference::testing
