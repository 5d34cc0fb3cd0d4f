// A test-only evaluator of the kernel IR: expressions (reductions included)
// and statements, over buffers of scalars, following kernel_ir.h's
// semantics. Floating-point results are rounded to their type after every
// operation (f32 as float, f16/bf16 through their conversions), integers
// wrap. There is no code generator to test the lowerings through yet; this
// is the oracle's counterpart. Mistakes a backend would not forgive (a load
// or store out of bounds, a type mismatch, a division by zero) are recorded
// as errors, the first one kept.
#ifndef DLC_TESTS_UNIT_CODEGEN_COMPUTE_KIR_EVAL_H_
#define DLC_TESTS_UNIT_CODEGEN_COMPUTE_KIR_EVAL_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen::testing {

// One value: floats in `f`, integers and bools in `i`.
struct Scalar {
  double f = 0;
  int64_t i = 0;
};

// The value as a double (for comparing with the reference).
double toDouble(const Scalar& s, kir::ScalarType type);
// `value` as a scalar of `type` (rounded, truncated or wrapped).
Scalar fromDouble(double value, kir::ScalarType type);

class KirEval {
 public:
  // Buffers are allocated (zeroed) for every buffer the kernel has now.
  explicit KirEval(const kir::Kernel& kernel);

  std::vector<Scalar>& buffer(kir::BufferId id) { return buffers_[static_cast<size_t>(id)]; }
  void bind(const kir::Var& v, Scalar value) { env_[v.id] = value; }

  Scalar eval(const kir::ExprRef& e);
  void run(const kir::StmtList& body);

  // Float min/max (and their reductions) with a NaN operand: the other
  // operand, as LLVM's maxnum and CUDA's fmaxf give (the default), or NaN.
  void setNanWins(bool nan_wins) { nan_wins_ = nan_wins; }

  // The first error, or "".
  const std::string& error() const { return error_; }

 private:
  Scalar evalUnary(const kir::Expr& e, const kir::UnaryExpr& u);
  Scalar evalBinary(const kir::Expr& e, const kir::BinaryExpr& b);
  Scalar evalReduce(const kir::Expr& e, const kir::ReduceExpr& r);
  Scalar combine(kir::BinaryOp op, kir::ScalarType type, Scalar a, Scalar b);
  bool checkIndex(kir::BufferId buffer, int64_t index, const char* what);
  void fail(std::string message);

  const kir::Kernel& kernel_;
  std::vector<std::vector<Scalar>> buffers_;
  std::unordered_map<int, Scalar> env_;
  std::string error_;
  bool nan_wins_ = false;
};

}  // namespace dlc::codegen::testing

#endif  // DLC_TESTS_UNIT_CODEGEN_COMPUTE_KIR_EVAL_H_
