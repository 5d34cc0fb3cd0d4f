// Compiling one kernel to native code and running it on host vectors.
#ifndef DLC_TESTS_UNIT_CODEGEN_LLVM_TEST_UTIL_H_
#define DLC_TESTS_UNIT_CODEGEN_LLVM_TEST_UTIL_H_

#include <cstring>
#include <memory>
#include <vector>

#include "codegen/llvm/native_code.h"
#include "gtest/gtest.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen::testing {

using kir::BinaryOp;
using kir::BufferRole;
using kir::ExprRef;
using kir::LoopKind;
using kir::ScalarType;

// The compiled kernel and the module that owns its code.
struct Compiled {
  std::unique_ptr<runtime::cpu::NativeModule> jit;
  runtime::cpu::KernelFn fn = nullptr;

  void operator()(std::vector<void*> buffers) const { fn(buffers.data()); }
};

inline Compiled compile(kir::Kernel kernel) {
  kir::KernelModule module;
  std::string name = kernel.name;
  module.kernels.push_back(std::move(kernel));
  auto jit = compileAndLoad(module);
  EXPECT_TRUE(jit.ok()) << jit.status();
  if (!jit.ok()) return {};
  Compiled c;
  c.jit = std::move(*jit);
  c.fn = c.jit->find(name);
  EXPECT_NE(c.fn, nullptr);
  return c;
}

inline kir::Stmt forLoop(const kir::Var& v, int64_t lo, int64_t hi, LoopKind kind, kir::StmtList body) {
  return kir::Stmt{kir::ForStmt{v, lo, hi, kind, std::move(body)}};
}
inline kir::Stmt store(kir::BufferId b, ExprRef index, ExprRef value, bool accumulate = false) {
  return kir::Stmt{kir::StoreStmt{b, std::move(index), std::move(value), accumulate}};
}
inline kir::Stmt let(const kir::Var& v, ExprRef value) { return kir::Stmt{kir::LetStmt{v, std::move(value)}}; }

inline ExprRef add(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kAdd, std::move(a), std::move(b)); }
inline ExprRef mul(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kMul, std::move(a), std::move(b)); }
inline ExprRef f32(double v) { return kir::constant(ScalarType::kF32, v); }
// An i64 constant of any value (kir::index goes through a double).
inline ExprRef i64(int64_t v) {
  return std::make_shared<const kir::Expr>(kir::Expr{ScalarType::kI64, kir::ConstExpr{static_cast<double>(v), v}});
}

}  // namespace dlc::codegen::testing

#endif  // DLC_TESTS_UNIT_CODEGEN_LLVM_TEST_UTIL_H_
