// Unit tests of appendGradients: accumulation over several uses, chains,
// values the loss does not depend on, the seed, and errors.
#include "passes/autodiff.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ir.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "reference/interpreter.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::passes {
namespace {

using namespace dlc::testing;  // NOLINT: the shared IR builders

class AutodiffTest : public ::testing::Test {
 protected:
  AutodiffTest() : f_(*module_.addFunction("f")) {}

  Value* arg(TensorType t, std::string name) { return f_.addArgument(std::move(t), std::move(name)); }

  Value* op(OpKind kind, std::vector<Value*> operands, Attrs a = {}, Location loc = {}) {
    absl::StatusOr<ir::Operation*> made = f_.append(kind, std::move(operands), std::move(a), loc);
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? (*made)->result(0) : nullptr;
  }

  Value* sumAll(Value* v) { return op(OpKind::kReduceSum, {v}, attrs({{"axes", Attribute::intList({})}})); }

  size_t count(OpKind kind) const {
    size_t k = 0;
    for (const auto& o : f_.ops()) k += o->kind() == kind;
    return k;
  }

  // Runs f with `outputs` on `inputs`; expects success.
  std::vector<Tensor> run(std::vector<Value*> outputs, const std::vector<Tensor>& inputs) {
    f_.setOutputs(std::move(outputs));
    absl::Status verified = ir::verifyModule(module_);
    EXPECT_TRUE(verified.ok()) << verified << "\n" << ir::printModule(module_);
    absl::StatusOr<std::vector<Tensor>> r = reference::interpret(module_, f_, inputs, {});
    EXPECT_TRUE(r.ok()) << r.status() << "\n" << ir::printModule(module_);
    return r.ok() ? std::move(*r) : std::vector<Tensor>{};
  }

  static Tensor tensor(std::vector<int64_t> shape, std::vector<double> values) {
    Tensor t = *Tensor::zeros(DType::kF32, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i) t.set(static_cast<int64_t>(i), values[i]);
    return t;
  }

  template <typename... Ts>
  static std::vector<Tensor> tensors(Ts&&... ts) {
    std::vector<Tensor> v;
    (v.push_back(std::move(ts)), ...);
    return v;
  }

  static void expectValues(const Tensor& t, const std::vector<double>& expected) {
    ASSERT_EQ(static_cast<size_t>(t.numElements()), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_NEAR(t.get(static_cast<int64_t>(i)), expected[i], 1e-5) << "at " << i;
  }

  ir::Module module_;
  ir::Function& f_;
};

// loss = sum(x * x + x): x has three uses, so its gradient 2x + 1 is the sum
// of three contributions.
TEST_F(AutodiffTest, AccumulatesSeveralUses) {
  Value* x = arg(f32({n(3)}), "x");
  Value* loss = sumAll(op(OpKind::kAdd, {op(OpKind::kMul, {x, x}), x}));
  size_t adds_before = count(OpKind::kAdd);
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, loss, std::vector<Value*>{x});
  ASSERT_TRUE(grads.ok()) << grads.status();
  EXPECT_EQ(count(OpKind::kAdd) - adds_before, 2u) << ir::printModule(module_);
  std::vector<Tensor> out = run({(*grads)[0]}, tensors(tensor({3}, {1, -2, 0.5})));
  ASSERT_EQ(out.size(), 1u);
  expectValues(out[0], {3, -3, 2});
}

// loss = sum(2 * tanh(exp(x))): the chain rule through three ops.
TEST_F(AutodiffTest, Chain) {
  Value* x = arg(f32({n(2), n(2)}), "x");
  Value* y = op(OpKind::kTanh, {op(OpKind::kExp, {x})});
  Value* loss = sumAll(op(OpKind::kRescaling, {y}, attrs({{"scale", Attribute::real(2.0)}})));
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, loss, std::vector<Value*>{x});
  ASSERT_TRUE(grads.ok()) << grads.status();
  std::vector<double> xs = {0.1, -0.5, 0.3, 1.0};
  std::vector<Tensor> out = run({(*grads)[0]}, tensors(tensor({2, 2}, xs)));
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> expected;
  for (double v : xs) {
    double t = std::tanh(std::exp(v));
    expected.push_back(2 * (1 - t * t) * std::exp(v));
  }
  expectValues(out[0], expected);
}

// A value the loss does not depend on gets zeros of its type, static or
// symbolic; the loss itself gets 1.
TEST_F(AutodiffTest, UnusedAndSelf) {
  Value* x = arg(f32({Dim::symbolic("batch"), n(2)}), "x");
  Value* unused = arg(f32({n(3)}), "unused");
  Value* unused_symbolic = arg(f32({Dim::symbolic("batch"), n(2)}), "unused_symbolic");
  Value* loss = sumAll(x);
  absl::StatusOr<std::vector<Value*>> grads =
      appendGradients(f_, loss, std::vector<Value*>{x, unused, unused_symbolic, loss});
  ASSERT_TRUE(grads.ok()) << grads.status();
  ASSERT_EQ(grads->size(), 4u);
  EXPECT_EQ((*grads)[1]->type(), unused->type());
  EXPECT_EQ((*grads)[2]->type(), unused_symbolic->type());
  std::vector<Tensor> out =
      run(*grads, tensors(tensor({2, 2}, {1, 2, 3, 4}), tensor({3}, {1, 2, 3}), tensor({2, 2}, {5, 6, 7, 8})));
  ASSERT_EQ(out.size(), 4u);
  expectValues(out[0], {1, 1, 1, 1});
  expectValues(out[1], {0, 0, 0});
  expectValues(out[2], {0, 0, 0, 0});
  expectValues(out[3], {1});
}

// Only the ops between wrt and the loss are differentiated: the branch that
// leads elsewhere and the branch that does not depend on x get no backward ops.
TEST_F(AutodiffTest, OnlyThePath) {
  Value* x = arg(f32({n(2)}), "x");
  Value* other = arg(f32({n(2)}), "other");
  Value* side = op(OpKind::kSqrt, {other});
  op(OpKind::kSigmoid, {x});  // not used by the loss
  Value* loss = sumAll(op(OpKind::kMul, {op(OpKind::kRelu, {x}), side}));
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, loss, std::vector<Value*>{x});
  ASSERT_TRUE(grads.ok()) << grads.status();
  EXPECT_EQ(count(OpKind::kSigmoid), 1u);
  EXPECT_EQ(count(OpKind::kSqrt), 1u);
  EXPECT_EQ(count(OpKind::kStep), 1u);
  std::vector<Tensor> out = run({(*grads)[0]}, tensors(tensor({2}, {1, -1}), tensor({2}, {4, 9})));
  ASSERT_EQ(out.size(), 1u);
  expectValues(out[0], {2, 0});
}

TEST_F(AutodiffTest, NotDifferentiableOpOnThePath) {
  Value* x = arg(f32({n(2), n(3)}), "x");
  Value* ids = op(OpKind::kArgmax, {x}, {}, Location{0, 7, 3});
  Value* hot = op(OpKind::kOneHot, {ids}, attrs({{"depth", Attribute::integer(3)}}));
  Value* loss = sumAll(op(OpKind::kMul, {hot, x}));
  size_t ops_before = f_.ops().size();
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, loss, std::vector<Value*>{x});
  ASSERT_FALSE(grads.ok());
  EXPECT_EQ(grads.status().message(), "cannot differentiate through 'argmax' at line 7");
  EXPECT_EQ(f_.ops().size(), ops_before);  // nothing appended
}

// Integer values carry no gradient: cast(x, i32) is a constant for the
// gradient, and one_hot (not differentiable) of it is no error.
TEST_F(AutodiffTest, IntegerValuesCarryNoGradient) {
  Value* x = arg(f32({n(3)}), "x");
  Value* ids = op(OpKind::kCast, {x}, attrs({{"dtype", Attribute::dtype(DType::kI32)}}));
  Value* truncated = op(OpKind::kCast, {ids}, attrs({{"dtype", Attribute::dtype(DType::kF32)}}));
  Value* hot = op(OpKind::kOneHot, {ids}, attrs({{"depth", Attribute::integer(4)}}));
  Value* loss = op(OpKind::kAdd, {sumAll(op(OpKind::kMul, {x, truncated})), sumAll(hot)});
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, loss, std::vector<Value*>{x});
  ASSERT_TRUE(grads.ok()) << grads.status();
  std::vector<Tensor> out = run({(*grads)[0]}, tensors(tensor({3}, {1.5, 2.25, 3.75})));
  ASSERT_EQ(out.size(), 1u);
  expectValues(out[0], {1, 2, 3});
}

TEST_F(AutodiffTest, LossMustBeAFloatScalar) {
  Value* x = arg(f32({n(2)}), "x");
  Value* y = op(OpKind::kExp, {x});
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, y, std::vector<Value*>{x});
  ASSERT_FALSE(grads.ok());
  EXPECT_EQ(grads.status().message(), "the loss must be a float scalar, but is f32[2]");
}

// A dense layer on a symbolic batch: the kernel gradient needs no reshape of
// the symbolic dim; the result verifies and matches the closed form.
TEST_F(AutodiffTest, DenseSymbolicBatch) {
  Value* x = arg(f32({Dim::symbolic("batch"), n(2), n(2)}), "x");
  Value* k = arg(f32({n(2), n(1)}), "k");
  Value* loss = sumAll(op(OpKind::kDense, {x, k}));
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f_, loss, std::vector<Value*>{x, k});
  ASSERT_TRUE(grads.ok()) << grads.status();
  std::vector<Tensor> out = run(*grads, tensors(tensor({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}), tensor({2, 1}, {10, 20})));
  ASSERT_EQ(out.size(), 2u);
  expectValues(out[0], {10, 20, 10, 20, 10, 20, 10, 20});
  expectValues(out[1], {1 + 3 + 5 + 7, 2 + 4 + 6 + 8});
}

}  // namespace
}  // namespace dlc::passes
