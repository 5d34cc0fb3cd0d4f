// Kernels built with the kir builders, shared by the kernel IR tests.
#ifndef DLC_TESTS_UNIT_KERNEL_IR_TEST_KERNELS_H_
#define DLC_TESTS_UNIT_KERNEL_IR_TEST_KERNELS_H_

#include <memory>
#include <utility>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir::kir_test {

inline constexpr ScalarType kF32 = ScalarType::kF32;
inline constexpr ScalarType kI64 = ScalarType::kI64;

// An expression node as given, without the builders' type checks: how the
// tests make ill-typed kernels for the verifier.
inline ExprRef raw(ScalarType type, decltype(Expr::node) node) {
  return std::make_shared<const Expr>(Expr{type, std::move(node)});
}

inline Stmt forStmt(Var v, int64_t lo, int64_t hi, LoopKind kind, StmtList body) {
  return Stmt{ForStmt{std::move(v), lo, hi, kind, std::move(body)}};
}
inline Stmt let(Var v, ExprRef value) { return Stmt{LetStmt{std::move(v), std::move(value)}}; }
inline Stmt store(BufferId b, ExprRef index, ExprRef value, bool accumulate = false) {
  return Stmt{StoreStmt{b, std::move(index), std::move(value), accumulate}};
}

// kernel_ir.h's example: y = relu(x + b) over a 64x10 array.
inline Kernel addRelu() {
  Kernel k;
  k.name = "fused_add_relu";
  k.origin = "add, relu at mnist_cnn.dl:7";
  BufferId x = k.addBuffer({"x", kF32, 640, BufferRole::kIn});
  BufferId b = k.addBuffer({"b", kF32, 10, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", kF32, 640, BufferRole::kOut});
  Var i = k.newVar(kI64, "i");
  Var j = k.newVar(kI64, "j");
  Var t = k.newVar(kF32, "t");
  ExprRef flat = binary(BinaryOp::kAdd, binary(BinaryOp::kMul, var(i), index(10)), var(j));
  StmtList inner = {
      let(t, binary(BinaryOp::kAdd, load(x, kF32, flat), load(b, kF32, var(j)))),
      store(y, flat, binary(BinaryOp::kMax, var(t), constant(kF32, 0.0))),
  };
  k.body.push_back(forStmt(i, 0, 64, LoopKind::kParallel, {forStmt(j, 0, 10, LoopKind::kVector, std::move(inner))}));
  return k;
}

}  // namespace dlc::kir::kir_test

#endif  // DLC_TESTS_UNIT_KERNEL_IR_TEST_KERNELS_H_
