// interpret() itself: binding inputs to the signature, parameters, constants,
// multiple outputs, and its errors.
#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

absl::Status runStatus(Graph& g, Value* out, const std::vector<Tensor>& inputs, const ParamMap& params = {}) {
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
  EXPECT_EQ(s.message(), "input 'x' has dtype i32 (i32[2, 4]), but the model expects f32[batch, 4]");
}

TEST(Interpret, ASymbolHasOneSizeAcrossInputs) {
  Graph g;
  Value* a = g.input("a", type(DType::kF32, {sym("batch"), d(2)}));
  Value* b = g.input("b", type(DType::kF32, {sym("batch"), d(2)}));
  Value* sum = g.op(OpKind::kAdd, {a, b});
  absl::Status s = runStatus(g, sum, tensors(f32({1, 2}, {1, 2}), f32({3, 2}, std::vector<double>(6, 0))));
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
  EXPECT_EQ(s.message(), "parameter 'dense.kernel' has type f32[1, 2], but the model declares f32[2, 1]");

  ParamMap wrong_dtype;
  wrong_dtype.emplace("dense.kernel", tensor(DType::kF64, {2, 1}, {2, 3}));
  s = runStatus(g, y, tensors(f32({1, 2}, {1, 1})), wrong_dtype);
  EXPECT_EQ(s.message(), "parameter 'dense.kernel' has type f64[2, 1], but the model declares f32[2, 1]");
}

TEST(Interpret, ConstantsSplatOverSymbolicShapesOrListEveryElement) {
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(2)}));
  Value* half = g.constant(type(DType::kF32, {sym("batch"), d(2)}), {0.5});
  Value* row = g.constant(f32({2}), {10, 20});
  Value* y = g.op(OpKind::kAdd, {g.op(OpKind::kMul, {x, half}), row});
  expectTensor(g.run1(y, tensors(f32({3, 2}, {2, 4, 6, 8, 10, 12}))), {3, 2}, {11, 22, 13, 24, 15, 26});
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

// ---------------------------------------------------------------- assign

// Appends `assign(value) {name}`.
void assign(Graph& g, Value* value, std::string name) {
  auto op = g.function().append(OpKind::kAssign, {value}, attrs({{"name", Attribute::string(std::move(name))}}));
  EXPECT_TRUE(op.ok()) << op.status();
}

TEST(Assign, WritesTakeEffectAfterTheCall) {
  // w' = w + x; a read of w after the assign still sees the old w.
  Graph g;
  Value* x = g.input("x", f32({2}));
  Value* w = g.param("w", f32({2}));
  Value* sum = g.op(OpKind::kAdd, {w, x});
  assign(g, sum, "w");
  Value* later = g.op(OpKind::kParam, {}, attrs({{"name", Attribute::string("w")}}), {f32({2})});
  ParamMap params;
  params.emplace("w", f32({2}, {1, 2}));
  ParamMap assigned;
  assigned.emplace("stale", f32({1}, {0}));
  g.function().setOutputs({later});
  auto r = interpret(g.module(), g.function(), tensors(f32({2}, {10, 20})), params, {}, &assigned);
  ASSERT_TRUE(r.ok()) << r.status();
  expectTensor((*r)[0], {2}, {1, 2});
  ASSERT_EQ(assigned.size(), 1u);  // replaced, not merged
  expectTensor(assigned.at("w"), {2}, {11, 22});
  expectTensor(params.at("w"), {2}, {1, 2});  // the inputs are untouched
  // Without a map the writes are checked and dropped.
  r = interpret(g.module(), g.function(), tensors(f32({2}, {10, 20})), params);
  ASSERT_TRUE(r.ok()) << r.status();
}

TEST(Assign, ConvertsToTheDeclaredDType) {
  Graph g;
  Value* x = g.input("x", type(DType::kF64, {d(2)}));
  g.module().params().push_back({"step", type(DType::kF32, {d(2)}), {}, {}});
  g.module().params().push_back({"count", type(DType::kI32, {d(2)}), {}, {}});
  assign(g, x, "step");
  assign(g, x, "count");
  g.function().setOutputs({});
  ParamMap assigned;
  auto r = interpret(g.module(), g.function(), tensors(tensor(DType::kF64, {2}, {0.1, -2.7})), {}, {}, &assigned);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(assigned.at("step").dtype(), DType::kF32);
  EXPECT_EQ(assigned.at("step").get(0), static_cast<double>(0.1f));
  EXPECT_EQ(assigned.at("count").dtype(), DType::kI32);
  expectTensor(assigned.at("count"), {2}, {0, -2});
}

TEST(Assign, MalformedWritesAreInternal) {
  auto status = [](Graph& g, Value* x, std::vector<Tensor> inputs) {
    g.function().setOutputs({x});
    ParamMap assigned;
    return interpret(g.module(), g.function(), inputs, {}, {}, &assigned).status();
  };
  {
    Graph g;
    Value* x = g.input("x", f32({2}));
    assign(g, x, "nowhere");
    absl::Status s = status(g, x, tensors(f32({2}, {1, 2})));
    EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
    EXPECT_EQ(std::string(s.message()), "assign: 'nowhere' is not a declared parameter");
  }
  {
    Graph g;
    Value* x = g.input("x", type(DType::kF32, {sym("n")}));
    g.module().params().push_back({"w", f32({3}), {}, {}});
    assign(g, x, "w");
    absl::Status s = status(g, x, tensors(f32({2}, {1, 2})));
    EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
    EXPECT_EQ(std::string(s.message()), "assign: the value f32[2] does not have the shape of parameter 'w' f32[3]");
  }
  {
    Graph g;
    Value* x = g.input("x", f32({2}));
    g.module().params().push_back({"w", f32({2}), {}, {}});
    assign(g, x, "w");
    assign(g, x, "w");
    absl::Status s = status(g, x, tensors(f32({2}, {1, 2})));
    EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
    EXPECT_EQ(std::string(s.message()), "assign: parameter 'w' is assigned twice");
  }
}

TEST(Interpret, OpsWithSeveralResults) {
  // batchnorm_grad gives (dx, dgamma, dbeta); each result is a value of its own.
  Graph g;
  Value* x = g.input("x", f32({2, 1}));
  Value* gamma = g.input("gamma", f32({1}));
  Value* grad = g.input("g", f32({2, 1}));
  auto op = g.function().append(OpKind::kBatchnormGrad, {x, gamma, grad}, {});
  ASSERT_TRUE(op.ok()) << op.status();
  Value* dbeta = (*op)->result(2);
  Value* twice = g.op(OpKind::kAdd, {dbeta, dbeta});
  Tensor out = g.run1(twice, tensors(f32({2, 1}, {1, 3}), f32({1}, {1}), f32({2, 1}, {0.5, 2})));
  expectTensor(out, {1}, {5});
}

}  // namespace
}  // namespace dlc::reference::testing
