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
  Tensor out = runRandom(OpKind::kDropout, f32({4}, {1, 2, 3, 4}), attrs({{"rate", Attribute::real(0.5)}}), 1);
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
  Tensor out =
      runRandom(OpKind::kRandomFlip, f32({64, 2, 2, 1}, x), attrs({{"training", Attribute::boolean(true)}}), 7);
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
  Tensor out = runRandom(OpKind::kRandomFlip, f32({32, 2, 2, 1}, x),
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
  expectTensor(runRandom(OpKind::kRandomCrop, f32({1, 4, 4, 1}, iota(16)), crop(2, 2), 0), {1, 2, 2, 1}, {5, 6, 9, 10});
  expectTensor(runRandom(OpKind::kRandomCrop, f32({1, 4, 4, 1}, iota(16)), crop(3, 3), 0), {1, 3, 3, 1},
               {0, 1, 2, 4, 5, 6, 8, 9, 10});
  expectTensor(runRandom(OpKind::kRandomCrop, f32({1, 4, 4, 1}, iota(16)), crop(1, 4), 0), {1, 1, 4, 1}, {4, 5, 6, 7});
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

// ----------------------------------------------------- keyed random streams

Attrs keyed(OpKind kind, int64_t key) {
  Attrs a = attrs({{"training", Attribute::boolean(true)}, {"key", Attribute::integer(key)}});
  if (kind == OpKind::kDropout) a.set("rate", Attribute::real(0.5));
  if (kind == OpKind::kRandomCrop) {
    a.set("height", Attribute::integer(2));
    a.set("width", Attribute::integer(3));
  }
  return a;
}

// Runs `kind` twice in one function on the same x, with keys `key1` and
// `key2`, after an unrelated op; returns both results.
std::pair<std::vector<double>, std::vector<double>> runTwice(OpKind kind, int64_t key1, int64_t key2,
                                                             InterpretOptions options) {
  Graph g;
  Value* x = g.input("x", f32({16, 4, 4, 2}));
  g.op(OpKind::kNeg, {x});
  Value* a = g.op(kind, {x}, keyed(kind, key1));
  Value* b = g.op(kind, {x}, keyed(kind, key2));
  std::vector<double> data;
  for (int i = 0; i < 16 * 4 * 4 * 2; ++i) data.push_back(i + 1);
  auto r = g.run({a, b}, tensors(f32({16, 4, 4, 2}, data)), {}, options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  return {values((*r)[0]), values((*r)[1])};
}

TEST(RandomStreams, DependOnTheKeyNotOnThePosition) {
  for (OpKind kind : {OpKind::kDropout, OpKind::kRandomFlip, OpKind::kRandomCrop}) {
    SCOPED_TRACE(ir::opDef(kind).name);
    InterpretOptions options{.seed = 3, .step = 0};
    auto [a, b] = runTwice(kind, 5, 5, options);
    EXPECT_EQ(a, b);  // same key, different places: the same draws
    auto [c, d] = runTwice(kind, 5, 6, options);
    EXPECT_EQ(c, a);  // the first op is unchanged
    EXPECT_NE(c, d);
    // A one-op function with that key draws the same too.
    Graph g;
    Value* x = g.input("x", f32({16, 4, 4, 2}));
    Value* y = g.op(kind, {x}, keyed(kind, 5));
    std::vector<double> data;
    for (int i = 0; i < 16 * 4 * 4 * 2; ++i) data.push_back(i + 1);
    EXPECT_EQ(values(g.run1(y, tensors(f32({16, 4, 4, 2}, data)), {}, options)), a);
  }
}

TEST(RandomStreams, EveryStepAndSeedDrawsAnew) {
  for (OpKind kind : {OpKind::kDropout, OpKind::kRandomFlip, OpKind::kRandomCrop}) {
    SCOPED_TRACE(ir::opDef(kind).name);
    auto step0 = runTwice(kind, 1, 2, {.seed = 3, .step = 0}).first;
    EXPECT_EQ(runTwice(kind, 1, 2, {.seed = 3, .step = 0}).first, step0);
    EXPECT_NE(runTwice(kind, 1, 2, {.seed = 3, .step = 1}).first, step0);
    EXPECT_NE(runTwice(kind, 1, 2, {.seed = 4, .step = 0}).first, step0);
  }
}

TEST(RandomStreams, ABackwardOpWithTheSameKeySeesTheSameMask) {
  // dropout of x and of g with the same key: zero at the same places, and
  // the ratio is the same everywhere else (the gradient of dropout).
  Graph g;
  Value* x = g.input("x", f32({64}));
  Value* grad = g.input("g", f32({64}));
  Value* y = g.op(OpKind::kDropout, {x}, keyed(OpKind::kDropout, 42));
  Value* dx = g.op(OpKind::kDropout, {grad}, keyed(OpKind::kDropout, 42));
  auto r = g.run({y, dx}, tensors(f32({64}, std::vector<double>(64, 1.0)), f32({64}, iota(64, 1))), {},
                 {.seed = 11, .step = 7});
  ASSERT_TRUE(r.ok()) << r.status();
  for (int i = 0; i < 64; ++i) EXPECT_FLOAT_EQ((*r)[1].get(i), (*r)[0].get(i) * (i + 1)) << i;
  // random_flip applied twice with one key flips each image back.
  Graph h;
  Value* img = h.input("x", f32({8, 2, 3, 1}));
  Attrs both = keyed(OpKind::kRandomFlip, 9);
  both.set("mode", Attribute::string("horizontal_and_vertical"));
  Value* once = h.op(OpKind::kRandomFlip, {img}, both);
  Value* twice = h.op(OpKind::kRandomFlip, {once}, both);
  auto f = h.run({once, twice}, tensors(f32({8, 2, 3, 1}, iota(48))), {}, {.seed = 2, .step = 5});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_NE(values((*f)[0]), iota(48));
  EXPECT_EQ(values((*f)[1]), iota(48));
}

}  // namespace
}  // namespace dlc::reference::testing
