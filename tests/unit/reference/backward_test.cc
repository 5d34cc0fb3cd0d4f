// The backward ops and shape plumbing that gradients introduce: small cases
// computed by hand, and for each op a finite-difference check against its
// forward op run by the interpreter, in f64:
//   d/dx_i <g, f(x)>  ~  (<g, f(x + eps e_i)> - <g, f(x - eps e_i)>) / (2 eps)
// must equal element i of the backward op's result.
#include <functional>
#include <random>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

// ----------------------------------------------------------------- helpers

Tensor f64(std::vector<int64_t> shape, const std::vector<double>& values) {
  return tensor(DType::kF64, std::move(shape), values);
}

// Uniform values in [lo, hi), reproducible from `seed`.
Tensor random64(std::vector<int64_t> shape, uint64_t seed, double lo = -1, double hi = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(lo, hi);
  Tensor t = *Tensor::zeros(DType::kF64, std::move(shape));
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, uniform(rng));
  return t;
}

Tensor ids(DType dtype, std::vector<int64_t> shape, const std::vector<double>& values) {
  return tensor(dtype, std::move(shape), values);
}

std::vector<Tensor> clones(const std::vector<Tensor>& ts) {
  std::vector<Tensor> out;
  for (const Tensor& t : ts) out.push_back(t.clone());
  return out;
}

TensorType typeOf(const Tensor& t) {
  TensorType type{t.dtype(), {}};
  for (int64_t s : t.shape()) type.dims.push_back(Dim::fixed(s));
  return type;
}

// Runs one op on the given operands (all passed as inputs) and returns every
// result, or the error.
absl::StatusOr<std::vector<Tensor>> tryRun(OpKind kind, const std::vector<Tensor>& operands, Attrs a = {},
                                           InterpretOptions options = {}) {
  Graph g;
  std::vector<Value*> args;
  for (size_t i = 0; i < operands.size(); ++i) {
    std::string name = "x";
    name += std::to_string(i);
    args.push_back(g.input(name, typeOf(operands[i])));
  }
  auto op = g.function().append(kind, args, std::move(a));
  if (!op.ok()) return op.status();
  std::vector<Value*> results;
  for (size_t i = 0; i < (*op)->numResults(); ++i) results.push_back((*op)->result(i));
  return g.run(results, operands, {}, options);
}

std::vector<Tensor> runAll(OpKind kind, const std::vector<Tensor>& operands, Attrs a = {},
                           InterpretOptions options = {}) {
  auto r = tryRun(kind, operands, std::move(a), options);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  return std::move(*r);
}

Tensor run(OpKind kind, const std::vector<Tensor>& operands, Attrs a = {}, InterpretOptions options = {}) {
  std::vector<Tensor> r = runAll(kind, operands, std::move(a), options);
  if (r.empty()) return Tensor();
  return std::move(r[0]);
}

double dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double sum = 0;
  for (int64_t i = 0; i < a.numElements() && i < b.numElements(); ++i) sum += a.get(i) * b.get(i);
  return sum;
}

using Forward = std::function<Tensor(const std::vector<Tensor>&)>;

// Checks `grad` against central differences of <g, forward(operands)> in
// every element of operands[which].
void expectGradient(const Forward& forward, const std::vector<Tensor>& operands, size_t which, const Tensor& g,
                    const Tensor& grad, double tolerance = 1e-7) {
  SCOPED_TRACE(::testing::Message() << "gradient of operand " << which);
  std::vector<Tensor> x = clones(operands);
  ASSERT_EQ(grad.shape(), x[which].shape());
  const double eps = 1e-6;
  for (int64_t i = 0; i < x[which].numElements(); ++i) {
    double v = x[which].get(i);
    x[which].set(i, v + eps);
    double plus = dot(g, forward(x));
    x[which].set(i, v - eps);
    double minus = dot(g, forward(x));
    x[which].set(i, v);
    double numeric = (plus - minus) / (2 * eps);
    EXPECT_NEAR(grad.get(i), numeric, tolerance * (1 + std::fabs(numeric))) << "element " << i;
  }
}

Forward forwardOf(OpKind kind, Attrs a, InterpretOptions options = {}) {
  return [kind, a, options](const std::vector<Tensor>& operands) { return run(kind, operands, a, options); };
}

// ------------------------------------------------------------ shape plumbing

TEST(SumTo, SumsTheBroadcastAxes) {
  // [[1, 2, 3], [4, 5, 6]] summed to [3] and to [2, 1].
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expectTensor(run(OpKind::kSumTo, tensors(x.clone(), f32({3}, {0, 0, 0}))), {3}, {5, 7, 9});
  expectTensor(run(OpKind::kSumTo, tensors(x.clone(), f32({2, 1}, {0, 0}))), {2, 1}, {6, 15});
  expectTensor(run(OpKind::kSumTo, tensors(x.clone(), f32({}, {0}))), {}, {21});
  expectTensor(run(OpKind::kSumTo, tensors(x.clone(), f32({2, 3}, {0, 0, 0, 0, 0, 0}))), {2, 3}, {1, 2, 3, 4, 5, 6});
}

TEST(BroadcastTo, RepeatsX) {
  expectTensor(run(OpKind::kBroadcastTo, tensors(f32({3}, {1, 2, 3}), f32({2, 3}, {0, 0, 0, 0, 0, 0}))), {2, 3},
               {1, 2, 3, 1, 2, 3});
  expectTensor(run(OpKind::kBroadcastTo, tensors(f32({2, 1}, {1, 2}), f32({2, 2}, {0, 0, 0, 0}))), {2, 2},
               {1, 1, 2, 2});
}

TEST(SumToAndBroadcastTo, AreAdjoint) {
  // d/dx <g, broadcast_to(x, like)> = sum_to(g, x), and the reverse.
  for (auto [small, large] : {std::pair<std::vector<int64_t>, std::vector<int64_t>>{{3}, {2, 4, 3}},
                              {{4, 1}, {2, 4, 3}},
                              {{}, {2, 3}},
                              {{1, 3}, {5, 3}}}) {
    Tensor x = random64(small, 1), like = random64(large, 2), g = random64(large, 3);
    Tensor grad = run(OpKind::kSumTo, tensors(g.clone(), x.clone()));
    expectGradient(forwardOf(OpKind::kBroadcastTo, {}), tensors(x.clone(), like.clone()), 0, g, grad);
    Tensor y = random64(large, 4), g_small = random64(small, 5);
    Tensor grad2 = run(OpKind::kBroadcastTo, tensors(g_small.clone(), y.clone()));
    expectGradient(forwardOf(OpKind::kSumTo, {}), tensors(y.clone(), x.clone()), 0, g_small, grad2);
  }
}

Attrs sliceAttrs(int64_t axis, int64_t start, int64_t size) {
  return attrs(
      {{"axis", Attribute::integer(axis)}, {"start", Attribute::integer(start)}, {"size", Attribute::integer(size)}});
}

Attrs padAttrs(int64_t axis, int64_t before, int64_t after) {
  return attrs({{"axis", Attribute::integer(axis)},
                {"before", Attribute::integer(before)},
                {"after", Attribute::integer(after)}});
}

TEST(Slice, TakesARange) {
  Tensor x = f32({2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  expectTensor(run(OpKind::kSlice, tensors(x.clone()), sliceAttrs(1, 1, 2)), {2, 2}, {1, 2, 5, 6});
  expectTensor(run(OpKind::kSlice, tensors(x.clone()), sliceAttrs(0, 1, 1)), {1, 4}, {4, 5, 6, 7});
  expectTensor(run(OpKind::kSlice, tensors(x.clone()), sliceAttrs(-1, 4, 0)), {2, 0}, {});
}

TEST(Pad, AddsZeros) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  expectTensor(run(OpKind::kPad, tensors(x.clone()), padAttrs(1, 1, 2)), {2, 5}, {0, 1, 2, 0, 0, 0, 3, 4, 0, 0});
  expectTensor(run(OpKind::kPad, tensors(x.clone()), padAttrs(0, 0, 1)), {3, 2}, {1, 2, 3, 4, 0, 0});
}

TEST(SliceAndPad, AreAdjoint) {
  // The gradient of slice(x, start, size) is pad(g, start, dim - start - size);
  // the gradient of pad(x, before, after) is slice(g, before, dim).
  Tensor x = random64({2, 5, 3}, 7);
  for (int64_t axis : {0, 1, 2}) {
    int64_t dim = x.shape()[static_cast<size_t>(axis)];
    int64_t start = dim > 1 ? 1 : 0, size = dim - start - (dim > 2 ? 1 : 0);
    Attrs s = sliceAttrs(axis, start, size);
    Tensor y = run(OpKind::kSlice, tensors(x.clone()), s);
    Tensor g = random64(y.shape(), 8 + static_cast<uint64_t>(axis));
    Tensor grad = run(OpKind::kPad, tensors(g.clone()), padAttrs(axis, start, dim - start - size));
    expectGradient(forwardOf(OpKind::kSlice, s), tensors(x.clone()), 0, g, grad);

    Attrs p = padAttrs(axis, 2, 1);
    Tensor z = run(OpKind::kPad, tensors(x.clone()), p);
    Tensor gz = random64(z.shape(), 20 + static_cast<uint64_t>(axis));
    Tensor gradz = run(OpKind::kSlice, tensors(gz.clone()), sliceAttrs(axis, 2, dim));
    expectGradient(forwardOf(OpKind::kPad, p), tensors(x.clone()), 0, gz, gradz);
  }
}

// -------------------------------------------------------------- elementwise

TEST(ElementwiseGrads, GeluAndLeakyRelu) {
  Tensor x = f64({7}, {-3, -1.5, -0.2, 0.1, 0.7, 2, 4});
  Tensor g = random64({7}, 11);
  Tensor grad = run(OpKind::kGeluGrad, tensors(x.clone(), g.clone()));
  expectGradient(forwardOf(OpKind::kGelu, {}), tensors(x.clone()), 0, g, grad);
  // gelu'(0) = 1/2.
  expectTensor(run(OpKind::kGeluGrad, tensors(f64({1}, {0}), f64({1}, {4}))), {1}, {2});

  Attrs alpha = attrs({{"alpha", Attribute::real(0.2)}});
  grad = run(OpKind::kLeakyReluGrad, tensors(x.clone(), g.clone()), alpha);
  expectGradient(forwardOf(OpKind::kLeakyRelu, alpha), tensors(x.clone()), 0, g, grad);
  expectTensor(run(OpKind::kLeakyReluGrad, tensors(f32({3}, {-1, 0, 2}), f32({3}, {10, 10, 10}))), {3}, {3, 3, 10});
}

// -------------------------------------------------------------- convolution

TEST(Conv2dGrads, ByHand) {
  // y = [x0 + 10 x1, x1 + 10 x2] (kernel width 2, valid); g = [1, 2]:
  // dx = [1, 10 + 2, 20], dkernel = [x0 + 2 x1, x1 + 2 x2].
  Tensor x = f32({1, 1, 3, 1}, {1, 2, 3});
  Tensor kernel = f32({1, 2, 1, 1}, {1, 10});
  Tensor g = f32({1, 1, 2, 1}, {1, 2});
  expectTensor(run(OpKind::kConv2dGradInput, tensors(g.clone(), kernel.clone(), x.clone())), {1, 1, 3, 1}, {1, 12, 20});
  expectTensor(run(OpKind::kConv2dGradKernel, tensors(x.clone(), g.clone(), kernel.clone())), {1, 2, 1, 1}, {5, 8});
}

struct ConvCase {
  std::string name;
  std::vector<int64_t> x, kernel;
  Attrs attrs;
};

TEST(Conv2dGrads, MatchFiniteDifferences) {
  auto list = [](std::vector<int64_t> v) { return Attribute::intList(std::move(v)); };
  Attribute same = Attribute::string("same");
  std::vector<ConvCase> cases = {
      {"valid", {2, 5, 4, 3}, {3, 2, 3, 2}, {}},
      {"strides 2, same", {1, 6, 5, 2}, {3, 2, 2, 3}, attrs({{"strides", list({2, 2})}, {"padding", same}})},
      {"even kernel, same, strides 2",
       {1, 5, 5, 1},
       {2, 2, 1, 2},
       attrs({{"strides", list({2, 2})}, {"padding", same}})},
      {"dilation 2", {1, 7, 6, 2}, {2, 3, 2, 2}, attrs({{"dilation", list({2, 2})}})},
      {"dilation 2, same", {1, 5, 4, 1}, {3, 2, 1, 2}, attrs({{"dilation", list({2, 2})}, {"padding", same}})},
      {"groups 2",
       {2, 4, 4, 4},
       {3, 3, 2, 4},
       attrs({{"groups", Attribute::integer(2)}, {"padding", same}, {"strides", list({1, 2})}})},
      {"groups 2, dilation",
       {1, 6, 6, 4},
       {2, 2, 2, 6},
       attrs({{"groups", Attribute::integer(2)}, {"dilation", list({2, 1})}})},
  };
  uint64_t seed = 100;
  for (const ConvCase& k : cases) {
    SCOPED_TRACE(k.name);
    Tensor x = random64(k.x, seed++), kernel = random64(k.kernel, seed++);
    Tensor y = run(OpKind::kConv2d, tensors(x.clone(), kernel.clone()), k.attrs);
    Tensor g = random64(y.shape(), seed++);
    Tensor dx = run(OpKind::kConv2dGradInput, tensors(g.clone(), kernel.clone(), x.clone()), k.attrs);
    Tensor dk = run(OpKind::kConv2dGradKernel, tensors(x.clone(), g.clone(), kernel.clone()), k.attrs);
    Forward conv = forwardOf(OpKind::kConv2d, k.attrs);
    expectGradient(conv, tensors(x.clone(), kernel.clone()), 0, g, dx);
    expectGradient(conv, tensors(x.clone(), kernel.clone()), 1, g, dk);
  }
}

// ------------------------------------------------------------------ pooling

Attrs poolAttrs(int64_t pool, int64_t stride, std::string padding = "valid") {
  return attrs({{"pool", Attribute::intList({pool, pool})},
                {"strides", Attribute::intList({stride, stride})},
                {"padding", Attribute::string(std::move(padding))}});
}

TEST(Maxpool2dGrad, GoesToTheFirstMaximum) {
  // One 2x2 window [[5, 5], [1, 5]]: all of g goes to the first 5.
  Tensor out =
      run(OpKind::kMaxpool2dGrad, tensors(f32({1, 2, 2, 1}, {5, 5, 1, 5}), f32({1, 1, 1, 1}, {3})), poolAttrs(2, 2));
  expectTensor(out, {1, 2, 2, 1}, {3, 0, 0, 0});
  // Overlapping windows (stride 1) on [1, 4, 2]: both windows pick the 4.
  out = run(OpKind::kMaxpool2dGrad, tensors(f32({1, 1, 3, 1}, {1, 4, 2}), f32({1, 1, 2, 1}, {1, 2})),
            attrs({{"pool", Attribute::intList({1, 2})}, {"strides", Attribute::intList({1, 1})}}));
  expectTensor(out, {1, 1, 3, 1}, {0, 3, 0});
}

TEST(Avgpool2dGrad, SpreadsOverTheValidCells) {
  // Width 3, pool 2, stride 2, same: windows [x0 x1] and [x2 pad]; the second
  // averages one cell.
  Tensor out = run(OpKind::kAvgpool2dGrad, tensors(f32({1, 1, 3, 1}, {0, 0, 0}), f32({1, 1, 2, 1}, {4, 6})),
                   attrs({{"pool", Attribute::intList({1, 2})},
                          {"strides", Attribute::intList({1, 2})},
                          {"padding", Attribute::string("same")}}));
  expectTensor(out, {1, 1, 3, 1}, {2, 2, 6});
}

TEST(PoolGrads, MatchFiniteDifferences) {
  struct Case {
    std::vector<int64_t> x;
    Attrs attrs;
  };
  std::vector<Case> cases = {{{2, 4, 4, 2}, poolAttrs(2, 2)},
                             {{1, 5, 5, 2}, poolAttrs(2, 1)},
                             {{1, 5, 6, 1}, poolAttrs(3, 2, "same")},
                             {{1, 4, 5, 2}, poolAttrs(2, 2, "same")}};
  uint64_t seed = 200;
  for (const Case& k : cases) {
    // Random values: no two within eps of each other, so no ties.
    Tensor x = random64(k.x, seed++);
    for (OpKind forward : {OpKind::kMaxpool2d, OpKind::kAvgpool2d}) {
      OpKind backward = forward == OpKind::kMaxpool2d ? OpKind::kMaxpool2dGrad : OpKind::kAvgpool2dGrad;
      SCOPED_TRACE(ir::opDef(backward).name);
      Tensor y = run(forward, tensors(x.clone()), k.attrs);
      Tensor g = random64(y.shape(), seed++);
      Tensor dx = run(backward, tensors(x.clone(), g.clone()), k.attrs);
      expectGradient(forwardOf(forward, k.attrs), tensors(x.clone()), 0, g, dx);
    }
  }
}

// --------------------------------------------------------------- reductions

Attrs reduceAttrs(std::vector<int64_t> axes, bool keepdims = false) {
  return attrs({{"axes", Attribute::intList(std::move(axes))}, {"keepdims", Attribute::boolean(keepdims)}});
}

TEST(ReduceMaxGrad, SplitsAmongTies) {
  // Rows [1, 3, 3] and [2, 0, -1]: g = [6, 5].
  Tensor out =
      run(OpKind::kReduceMaxGrad, tensors(f32({2, 3}, {1, 3, 3, 2, 0, -1}), f32({2}, {6, 5})), reduceAttrs({1}));
  expectTensor(out, {2, 3}, {0, 3, 3, 5, 0, 0});
  // Over every axis, keeping dims.
  out = run(OpKind::kReduceMaxGrad, tensors(f32({2, 2}, {4, 1, 4, 4}), f32({1, 1}, {3})), reduceAttrs({}, true));
  expectTensor(out, {2, 2}, {1, 0, 1, 1});
}

TEST(ReduceMaxGrad, MatchesFiniteDifferences) {
  Tensor x = random64({2, 3, 4}, 300);
  uint64_t seed = 301;
  for (auto [axes, keepdims] :
       {std::pair<std::vector<int64_t>, bool>{{1}, false}, {{1}, true}, {{0, 2}, false}, {{-1}, true}, {{}, false}}) {
    Attrs a = reduceAttrs(axes, keepdims);
    Tensor y = run(OpKind::kReduceMax, tensors(x.clone()), a);
    Tensor g = random64(y.shape(), seed++);
    Tensor dx = run(OpKind::kReduceMaxGrad, tensors(x.clone(), g.clone()), a);
    expectGradient(forwardOf(OpKind::kReduceMax, a), tensors(x.clone()), 0, g, dx);
  }
}

// ------------------------------------------------------------ normalization

TEST(NormGrads, ConstantGradientGivesNoDx) {
  // The output is centred per channel, so a constant g moves only beta.
  Tensor x = random64({4, 3}, 400);
  Tensor gamma = f64({3}, {1, 2, 3});
  Tensor g = f64({4, 3}, std::vector<double>(12, 0.5));
  std::vector<Tensor> out = runAll(OpKind::kBatchnormGrad, tensors(x.clone(), gamma.clone(), g.clone()));
  ASSERT_EQ(out.size(), 3u);
  expectTensor(out[0], {4, 3}, std::vector<double>(12, 0.0), 1e-12);
  expectTensor(out[2], {3}, {2, 2, 2});
  // Each channel's xhat sums to zero, so dgamma = 0.5 * sum(xhat) = 0.
  expectTensor(out[1], {3}, {0, 0, 0}, 1e-12);
}

TEST(NormGrads, MatchFiniteDifferences) {
  struct Case {
    OpKind forward, backward;
    std::vector<int64_t> x;
    int64_t axis;
  };
  std::vector<Case> cases = {
      {OpKind::kBatchnorm, OpKind::kBatchnormGrad, {5, 3}, -1},
      {OpKind::kBatchnorm, OpKind::kBatchnormGrad, {2, 3, 2, 2}, -1},
      {OpKind::kBatchnorm, OpKind::kBatchnormGrad, {2, 3, 4}, 1},
      {OpKind::kLayernorm, OpKind::kLayernormGrad, {3, 4}, -1},
      {OpKind::kLayernorm, OpKind::kLayernormGrad, {2, 3, 4}, 1},
      {OpKind::kLayernorm, OpKind::kLayernormGrad, {2, 2, 3}, 0},
  };
  uint64_t seed = 500;
  for (const Case& k : cases) {
    SCOPED_TRACE(::testing::Message() << ir::opDef(k.backward).name << " axis " << k.axis);
    int64_t rank = static_cast<int64_t>(k.x.size());
    int64_t channels = k.x[static_cast<size_t>(k.axis < 0 ? k.axis + rank : k.axis)];
    Tensor x = random64(k.x, seed++, -2, 2);
    Tensor gamma = random64({channels}, seed++, 0.5, 1.5);
    Tensor beta = random64({channels}, seed++);
    Attrs norm = attrs({{"axis", Attribute::integer(k.axis)}, {"epsilon", Attribute::real(0.01)}});
    Attrs forward_attrs = norm;
    std::vector<Tensor> operands = tensors(x.clone(), gamma.clone(), beta.clone());
    if (k.forward == OpKind::kBatchnorm) {
      // Training mode: batch statistics; the moving ones are ignored.
      forward_attrs.set("training", Attribute::boolean(true));
      operands.push_back(random64({channels}, seed++));
      operands.push_back(random64({channels}, seed++, 0.5, 2));
    }
    Tensor y = run(k.forward, operands, forward_attrs);
    Tensor g = random64(y.shape(), seed++);
    std::vector<Tensor> d = runAll(k.backward, tensors(x.clone(), gamma.clone(), g.clone()), norm);
    ASSERT_EQ(d.size(), 3u);
    Forward f = forwardOf(k.forward, forward_attrs);
    expectGradient(f, operands, 0, g, d[0]);
    expectGradient(f, operands, 1, g, d[1]);
    expectGradient(f, operands, 2, g, d[2]);
  }
}

// ---------------------------------------------------------------- sequences

TEST(EmbeddingGrad, ScatterAddsRows) {
  // ids [0, 2, 0] into a [3, 2] table.
  Tensor out = run(OpKind::kEmbeddingGrad, tensors(ids(DType::kI32, {3}, {0, 2, 0}), f32({3, 2}, {1, 2, 3, 4, 5, 6}),
                                                   f32({3, 2}, {9, 9, 9, 9, 9, 9})));
  expectTensor(out, {3, 2}, {6, 8, 0, 0, 3, 4});
}

TEST(EmbeddingGrad, IdsOutOfRangeAreErrors) {
  auto r = tryRun(OpKind::kEmbeddingGrad,
                  tensors(ids(DType::kI64, {2}, {1, 3}), f32({2, 2}, {1, 2, 3, 4}), f32({3, 2}, {0, 0, 0, 0, 0, 0})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "embedding_grad: id 3 at index [1] is outside [0, 3)");
}

TEST(EmbeddingGrad, MatchesFiniteDifferences) {
  Tensor id = ids(DType::kI32, {2, 3}, {1, 0, 3, 3, 1, 1});
  Tensor table = random64({4, 3}, 600);
  Tensor y = run(OpKind::kEmbedding, tensors(id.clone(), table.clone()));
  Tensor g = random64(y.shape(), 601);
  Tensor grad = run(OpKind::kEmbeddingGrad, tensors(id.clone(), g.clone(), table.clone()));
  expectGradient(forwardOf(OpKind::kEmbedding, {}), tensors(id.clone(), table.clone()), 1, g, grad);
}

TEST(LstmGrad, MatchesFiniteDifferences) {
  const int64_t batch = 2, steps = 3, features = 2, units = 2;
  uint64_t seed = 700;
  for (bool sequences : {false, true}) {
    SCOPED_TRACE(sequences ? "return_sequences" : "last step");
    Attrs a = attrs({{"units", Attribute::integer(units)}, {"return_sequences", Attribute::boolean(sequences)}});
    std::vector<Tensor> operands;
    operands.push_back(random64({batch, steps, features}, seed++));
    operands.push_back(random64({features, 4 * units}, seed++));
    operands.push_back(random64({units, 4 * units}, seed++));
    operands.push_back(random64({4 * units}, seed++));
    Tensor y = run(OpKind::kLstm, operands, a);
    Tensor g = random64(y.shape(), seed++);
    std::vector<Tensor> with_g = clones(operands);
    with_g.push_back(g.clone());
    std::vector<Tensor> d = runAll(OpKind::kLstmGrad, with_g, a);
    ASSERT_EQ(d.size(), 4u);
    Forward f = forwardOf(OpKind::kLstm, a);
    for (size_t i = 0; i < 4; ++i) expectGradient(f, operands, i, g, d[i]);
  }
}

TEST(LstmGrad, OneStepByHand) {
  // One unit, one step, one feature, all weights 0 except the candidate's
  // kernel w: z = [0, 0, w x, 0], i = f = o = 1/2, c = tanh(w x) / 2,
  // h = tanh(c) / 2. dh/dx = 1/2 (1 - tanh(c)^2) * 1/2 * (1 - tanh(w x)^2) * w.
  double w = 0.8, x = 0.6;
  std::vector<Tensor> d = runAll(OpKind::kLstmGrad,
                                 tensors(f64({1, 1, 1}, {x}), f64({1, 4}, {0, 0, w, 0}), f64({1, 4}, {0, 0, 0, 0}),
                                         f64({4}, {0, 0, 0, 0}), f64({1, 1}, {1})),
                                 attrs({{"units", Attribute::integer(1)}}));
  ASSERT_EQ(d.size(), 4u);
  double cand = std::tanh(w * x), c = cand / 2;
  double dx = 0.5 * (1 - std::tanh(c) * std::tanh(c)) * 0.5 * (1 - cand * cand) * w;
  expectTensor(d[0], {1, 1, 1}, {dx}, 1e-12);
  // The recurrent kernel sees h_{-1} = 0: no gradient.
  expectTensor(d[2], {1, 4}, {0, 0, 0, 0}, 1e-12);
}

// ------------------------------------------------------------- random_crop

TEST(RandomCropGrad, CentreAtInference) {
  // 4x4 cropped to 2x2 at (1, 1).
  Tensor out = run(OpKind::kRandomCropGrad,
                   tensors(f32({1, 2, 2, 1}, {1, 2, 3, 4}), f32({1, 4, 4, 1}, std::vector<double>(16, 7))),
                   attrs({{"height", Attribute::integer(2)}, {"width", Attribute::integer(2)}}));
  expectTensor(out, {1, 4, 4, 1}, {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0});
}

TEST(RandomCropGrad, IsTheAdjointOfTheSameKeyedCrop) {
  Tensor x = random64({6, 5, 4, 2}, 800);
  for (bool training : {false, true})
    for (uint64_t step : {0, 3}) {
      Attrs a = attrs({{"height", Attribute::integer(3)},
                       {"width", Attribute::integer(2)},
                       {"training", Attribute::boolean(training)},
                       {"key", Attribute::integer(17)}});
      InterpretOptions options{.seed = 9, .step = step};
      Tensor y = run(OpKind::kRandomCrop, tensors(x.clone()), a, options);
      Tensor g = random64(y.shape(), 801);
      Tensor grad = run(OpKind::kRandomCropGrad, tensors(g.clone(), x.clone()), a, options);
      expectGradient(forwardOf(OpKind::kRandomCrop, a, options), tensors(x.clone()), 0, g, grad);
    }
}

}  // namespace
}  // namespace dlc::reference::testing
