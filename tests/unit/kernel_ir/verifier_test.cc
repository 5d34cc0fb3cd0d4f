// One failing kernel per verifier rule, and the message it gets.
#include "ir/kernel/verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/kernel_ir/test_kernels.h"

namespace dlc::kir {
namespace {

using namespace kir_test;

// A kernel with an input %x and an output %y of 8 f32 each, and a loop var
// %i for the test to use in `body`.
struct Fixture {
  Kernel k;
  BufferId x, y;
  Var i;
  Fixture() {
    k.name = "k";
    x = k.addBuffer({"x", kF32, 8, BufferRole::kIn});
    y = k.addBuffer({"y", kF32, 8, BufferRole::kOut});
    i = k.newVar(kI64, "i");
  }
  // `body` inside `for %i = 0 to 8`.
  std::string verify(StmtList body, LoopKind kind = LoopKind::kSerial) {
    k.body.push_back(forStmt(i, 0, 8, kind, std::move(body)));
    absl::Status s = verifyKernel(k);
    return s.ok() ? "ok" : std::string(s.message());
  }
};

TEST(KernelVerifier, AcceptsBuiltKernels) {
  EXPECT_TRUE(verifyKernel(addRelu()).ok()) << verifyKernel(addRelu()).message();
  Fixture f;
  EXPECT_EQ(f.verify({store(f.y, var(f.i), load(f.x, kF32, var(f.i)))}), "ok");
}

TEST(KernelVerifier, MessageNamesKernelAndStatement) {
  Fixture f;
  EXPECT_EQ(f.verify({store(f.x, var(f.i), constant(kF32, 1.0))}),
            "kernel @k: in `store %x[%i] = 1.0:f32`: stores to input buffer %x");
}

TEST(KernelVerifier, VarUsedOutOfScope) {
  Fixture f;
  f.k.body.push_back(forStmt(f.i, 0, 8, LoopKind::kSerial, {}));
  f.k.body.push_back(store(f.y, var(f.i), constant(kF32, 0.0)));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "var %i (id 0) is used out of scope",
                      std::string(verifyKernel(f.k).message()));
}

TEST(KernelVerifier, VarUsedBeforeDefinition) {
  Fixture f;
  Var t = f.k.newVar(kF32, "t");
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "var %t (id 1) is used out of scope",
                      f.verify({store(f.y, var(f.i), var(t)), let(t, constant(kF32, 1.0))}));
}

TEST(KernelVerifier, VarIdsAreUnique) {
  Fixture f;
  Var j{f.i.id, kI64, "j"};
  f.k.body.push_back(forStmt(j, 0, 8, LoopKind::kSerial, {}));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "var %i reuses id 0 of another var", f.verify({}));
}

TEST(KernelVerifier, VarIdsAreBelowNextVarId) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "var %t has id 7, outside [0, next_var_id = 1)",
                      f.verify({let(Var{7, kF32, "t"}, constant(kF32, 1.0))}));
}

TEST(KernelVerifier, VarTypeMatchesDefinition) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "var %i is used as f32 but defined as i64",
                      f.verify({store(f.y, raw(kI64, VarExpr{Var{0, kF32, "i"}}), constant(kF32, 1.0))}));
}

TEST(KernelVerifier, LoadBufferIdValid) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "buffer id 5 is out of range (the kernel has 2 buffers)",
                      f.verify({store(f.y, var(f.i), raw(kF32, LoadExpr{5, var(f.i)}))}));
}

TEST(KernelVerifier, StoreBufferIdValid) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "buffer id -1 is out of range",
                      f.verify({store(-1, var(f.i), constant(kF32, 1.0))}));
}

TEST(KernelVerifier, LoadIndexIsI64) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "an index is f32, not i64",
                      f.verify({store(f.y, var(f.i), raw(kF32, LoadExpr{f.x, constant(kF32, 1.0)}))}));
}

TEST(KernelVerifier, StoreIndexIsI64) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "an index is i32, not i64",
                      f.verify({store(f.y, constant(ScalarType::kI32, 1), constant(kF32, 1.0))}));
}

TEST(KernelVerifier, LoadTypeIsBufferType) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "'%x[%i]' has type i64 but should be f32",
                      f.verify({store(f.y, var(f.i), cast(kF32, raw(kI64, LoadExpr{f.x, var(f.i)})))}));
}

TEST(KernelVerifier, StoredValueTypeIsBufferType) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "stores i64 into %y of f32", f.verify({store(f.y, var(f.i), var(f.i))}));
}

TEST(KernelVerifier, BinaryOperandsHaveOneType) {
  Fixture f;
  ExprRef bad = raw(kF32, BinaryExpr{BinaryOp::kAdd, load(f.x, kF32, var(f.i)), var(f.i)});
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "operands of 'add' have different types (f32 and i64)",
                      f.verify({store(f.y, var(f.i), bad)}));
}

TEST(KernelVerifier, ComparisonsProduceBool) {
  Fixture f;
  ExprRef bad = raw(kI64, BinaryExpr{BinaryOp::kLt, var(f.i), index(3)});
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "'lt(%i, 3)' has type i64 but should be bool",
                      f.verify({store(f.y, bad, constant(kF32, 1.0))}));
}

TEST(KernelVerifier, SelectConditionIsBool) {
  Fixture f;
  ExprRef bad = raw(kF32, SelectExpr{var(f.i), constant(kF32, 1.0), constant(kF32, 2.0)});
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "the condition of 'select' is i64, not bool",
                      f.verify({store(f.y, var(f.i), bad)}));
}

TEST(KernelVerifier, IntegerOnlyOps) {
  Fixture f;
  ExprRef x = load(f.x, kF32, var(f.i));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "'shl' takes integer operands, not f32",
                      f.verify({store(f.y, var(f.i), raw(kF32, BinaryExpr{BinaryOp::kShl, x, x}))}));
}

TEST(KernelVerifier, FloatOnlyUnaryOps) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "'exp' takes float operands, not i64",
                      f.verify({store(f.y, var(f.i), cast(kF32, raw(kI64, UnaryExpr{UnaryOp::kExp, var(f.i)})))}));
}

TEST(KernelVerifier, IfConditionIsBool) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "in `if %i {`: the condition is i64, not bool",
                      f.verify({Stmt{IfStmt{var(f.i), {}}}}));
}

TEST(KernelVerifier, LetTypeIsValueType) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "%t is declared f32 but its value is i64",
                      f.verify({let(f.k.newVar(kF32, "t"), var(f.i))}));
}

TEST(KernelVerifier, LoopBoundsInOrder) {
  Fixture f;
  f.k.body.push_back(forStmt(f.i, 5, 4, LoopKind::kSerial, {}));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "in `for %i = 5 to 4 {`: loop bounds are reversed (5 > 4)",
                      std::string(verifyKernel(f.k).message()));
}

TEST(KernelVerifier, ReductionBoundsInOrder) {
  Fixture f;
  Var r = f.k.newVar(kI64, "r");
  ExprRef sum = reduce(ReduceOp::kAdd, r, 3, 0, constant(kF32, 0.0), load(f.x, kF32, var(r)));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "reduction bounds are reversed (3 > 0)",
                      f.verify({store(f.y, var(f.i), sum)}));
}

TEST(KernelVerifier, ReductionVarOnlyInBody) {
  Fixture f;
  Var r = f.k.newVar(kI64, "r");
  ExprRef sum = reduce(ReduceOp::kAdd, r, 0, 8, constant(kF32, 0.0), load(f.x, kF32, var(r)));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "var %r (id 1) is used out of scope",
                      f.verify({store(f.y, var(r), sum)}));
}

TEST(KernelVerifier, VectorLoopsHaveNoNestedLoops) {
  Fixture f;
  Var j = f.k.newVar(kI64, "j");
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "in `for %j = 0 to 2 {`: a vector loop contains a nested loop",
                      f.verify({forStmt(j, 0, 2, LoopKind::kSerial, {})}, LoopKind::kVector));
}

TEST(KernelVerifier, NoStoresToInputs) {
  Fixture f;
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "stores to input buffer %x",
                      f.verify({store(f.x, var(f.i), constant(kF32, 1.0), true)}));
}

TEST(KernelVerifier, LocalBuffersAreSmall) {
  Fixture f;
  f.k.addBuffer({"big", kF32, 4097, BufferRole::kLocal});
  f.k.addBuffer({"fine", kF32, 4096, BufferRole::kLocal});
  EXPECT_EQ(f.verify({}), "kernel @k: local buffer %big has 4097 elements (the limit is 4096)");
}

TEST(KernelVerifier, KernelNamesUniqueInModule) {
  KernelModule module;
  module.kernels.push_back(addRelu());
  module.kernels.push_back(addRelu());
  EXPECT_EQ(verifyKernelModule(module).message(), "kernel @fused_add_relu is defined more than once");
  module.kernels.pop_back();
  EXPECT_TRUE(verifyKernelModule(module).ok());
}

TEST(KernelVerifier, ReportsSeveralProblemsInOrder) {
  Fixture f;
  f.k.body.push_back(forStmt(f.i, 0, 8, LoopKind::kSerial,
                             {store(f.x, var(f.i), constant(kF32, 1.0)), store(f.y, var(f.i), var(f.i))}));
  std::vector<KernelProblem> problems = checkKernel(f.k);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].stmt, &f.k.body[0].as<ForStmt>()->body[0]);
  EXPECT_EQ(problems[1].message, "stores i64 into %y of f32");
}

}  // namespace
}  // namespace dlc::kir
