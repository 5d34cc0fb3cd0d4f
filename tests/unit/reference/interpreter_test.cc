// interpret() itself: binding inputs to the signature, parameters, constants,
// multiple outputs, and its errors.
#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

absl::Status runStatus(Graph& g, Value* out, const std::vector<Tensor>& inputs,
                       const ParamMap& params = {}) {
  auto r = g.run({out}, inputs, params);
  return r.status();
}

TEST(Interpret, InputShapeMismatchNamesTheInputAndBothShapes) {
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(4)}));
  Value* y = g.op(OpKind::kRelu, {x});
  absl::Status s = runStatus(g, y, tensors(f32({2, 5}, std::vector<double>(10, 0))));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "input 'x' has shape f32[2, 5], but the model expects f32[batch, 4]");
  s = runStatus(g, y, tensors(f32({8}, std::vector<double>(8, 0))));
  EXPECT_EQ(s.message(), "input 'x' has shape f32[8], but the model expects f32[batch, 4]");
}

TEST(Interpret, InputDTypeMismatchNamesTheDType) {
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(4)}));
  Value* y = g.op(OpKind::kRelu, {x});
  absl::Status s = runStatus(g, y, tensors(tensor(DType::kI32, {2, 4}, std::vector<double>(8, 0))));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "input 'x' has dtype i32 (i32[2, 4]), but the model expects f32[batch, 4]");
}

TEST(Interpret, ASymbolHasOneSizeAcrossInputs) {
  Graph g;
  Value* a = g.input("a", type(DType::kF32, {sym("batch"), d(2)}));
  Value* b = g.input("b", type(DType::kF32, {sym("batch"), d(2)}));
  Value* sum = g.op(OpKind::kAdd, {a, b});
  absl::Status s =
      runStatus(g, sum, tensors(f32({1, 2}, {1, 2}), f32({3, 2}, std::vector<double>(6, 0))));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "input 'b' has shape f32[3, 2], but the model expects f32[batch, 2] with batch = 1 "
            "from input 'a'");
  // Within one input too.
  Graph h;
  Value* sq = h.input("sq", type(DType::kF32, {sym("n"), sym("n")}));
  s = runStatus(h, h.op(OpKind::kNeg, {sq}), tensors(f32({1, 2}, {1, 2})));
  EXPECT_EQ(s.message(),
            "input 'sq' has shape f32[1, 2], but the model expects f32[n, n] (n cannot be both 1 "
            "and 2)");
}

TEST(Interpret, WrongInputCount) {
  Graph g;
  Value* a = g.input("a", f32({1}));
  g.input("b", f32({1}));
  absl::Status s = runStatus(g, a, tensors(f32({1}, {1})));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "'main' expects 2 inputs ('a', 'b'), but got 1");
}

TEST(Interpret, ParametersAreReadByName) {
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(2)}));
  Value* kernel = g.param("dense.kernel", f32({2, 1}));
  Value* bias = g.param("dense.bias", f32({1}));
  Value* y = g.op(OpKind::kDense, {x, kernel, bias});
  ParamMap params;
  params.emplace("dense.kernel", f32({2, 1}, {2, 3}));
  params.emplace("dense.bias", f32({1}, {0.5}));
  expectTensor(g.run1(y, tensors(f32({2, 2}, {1, 1, 0, 1})), params), {2, 1}, {5.5, 3.5});
}

TEST(Interpret, MissingOrMistypedParameters) {
  Graph g;
  Value* x = g.input("x", f32({1, 2}));
  Value* kernel = g.param("dense.kernel", f32({2, 1}));
  Value* y = g.op(OpKind::kDense, {x, kernel});
  absl::Status s = runStatus(g, y, tensors(f32({1, 2}, {1, 1})));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "missing value for parameter 'dense.kernel'");

  ParamMap params;
  params.emplace("dense.kernel", f32({1, 2}, {2, 3}));
  s = runStatus(g, y, tensors(f32({1, 2}, {1, 1})), params);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "parameter 'dense.kernel' has type f32[1, 2], but the model declares f32[2, 1]");

  ParamMap wrong_dtype;
  wrong_dtype.emplace("dense.kernel", tensor(DType::kF64, {2, 1}, {2, 3}));
  s = runStatus(g, y, tensors(f32({1, 2}, {1, 1})), wrong_dtype);
  EXPECT_EQ(s.message(),
            "parameter 'dense.kernel' has type f64[2, 1], but the model declares f32[2, 1]");
}

TEST(Interpret, ConstantsSplatOverSymbolicShapesOrListEveryElement) {
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(2)}));
  Value* half = g.constant(type(DType::kF32, {sym("batch"), d(2)}), {0.5});
  Value* row = g.constant(f32({2}), {10, 20});
  Value* y = g.op(OpKind::kAdd, {g.op(OpKind::kMul, {x, half}), row});
  expectTensor(g.run1(y, tensors(f32({3, 2}, {2, 4, 6, 8, 10, 12}))), {3, 2},
               {11, 22, 13, 24, 15, 26});
}

TEST(Interpret, ConstantsAreRoundedToTheirDType) {
  Graph g;
  Value* c = g.constant(type(DType::kI32, {d(2)}), {2.7, -2.7});
  g.input("unused", f32({1}));
  auto r = g.run({c}, tensors(f32({1}, {0})));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{2, -2}));
}

TEST(Interpret, SeveralOutputsAndReturnedInputs) {
  Graph g;
  Value* x = g.input("x", f32({2}));
  Value* y = g.op(OpKind::kNeg, {x});
  Value* z = g.op(OpKind::kAbs, {y});
  auto r = g.run({z, x, y, z}, tensors(f32({2}, {1, -2})));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ(values((*r)[0]), (std::vector<double>{1, 2}));
  EXPECT_EQ(values((*r)[1]), (std::vector<double>{1, -2}));
  EXPECT_EQ(values((*r)[2]), (std::vector<double>{-1, 2}));
  EXPECT_EQ(values((*r)[3]), (std::vector<double>{1, 2}));
}

TEST(Interpret, AChainOfLayers) {
  // x -> dense -> relu -> softmax over a batch of 2.
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(2)}));
  Value* h = g.op(OpKind::kDense, {x, g.param("d.kernel", f32({2, 2}))});
  Value* y = g.op(OpKind::kSoftmax, {g.op(OpKind::kRelu, {h})});
  ParamMap params;
  params.emplace("d.kernel", f32({2, 2}, {1, -1, 0, 1}));
  // rows: [1, 0] -> h [1, -1] -> relu [1, 0]; [0, 0] -> [0, 0]
  Tensor out = g.run1(y, tensors(f32({2, 2}, {1, 0, 0, 0})), params);
  double e = std::exp(1.0);
  expectTensor(out, {2, 2}, {e / (e + 1), 1 / (e + 1), 0.5, 0.5});
}

TEST(Interpret, HugeResultsAreResourceExhausted) {
  Graph g;
  g.input("x", f32({1}));
  Value* big = g.constant(f32({int64_t{1} << 20, int64_t{1} << 20}), {1});
  absl::Status s = runStatus(g, big, tensors(f32({1}, {0})));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
}

TEST(Interpret, MalformedIRIsInternal) {
  // An op whose stated result type disagrees with its operands, added
  // without inference.
  Graph g;
  Value* x = g.input("x", f32({2}));
  ir::Operation* op = g.function().appendUnchecked(OpKind::kNeg, {x}, {}, {f32({3})}, {});
  absl::Status s = runStatus(g, op->result(), tensors(f32({2}, {1, 2})));
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "op 0 (neg) computes f32[2], but the IR declares f32[3]");
}

}  // namespace
}  // namespace dlc::reference::testing
