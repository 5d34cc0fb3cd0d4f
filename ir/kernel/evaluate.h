// A scalar evaluator of kernel-IR expressions in double precision, for
// constant folding: the graph IR's folds evaluate an elementwise op's compute
// (codegen/compute/fold.h) with its operands bound to constants, rather than
// keeping a third copy of each op's formula.
//
// Every value is a double, whatever its type, and nothing is rounded to a
// narrower type: float arithmetic is exact double arithmetic, and casts to
// f32, f16 or bf16 leave the value as it is (the caller rounds the result to
// its dtype). The rest follows kernel_ir.h:
// - integer arithmetic does not wrap (the caller refuses what its dtype
//   does not hold), and integer division truncates; an integer division or remainder by zero
//   gives x / 0 in double (inf or NaN), which no integer holds, so a caller
//   that rounds to an integer type refuses it;
// - a cast to an integer type truncates toward zero and keeps NaN and
//   infinities (again for the caller to refuse); a cast to bool is v != 0;
// - comparisons give 1 or 0, and a select takes its true side where the
//   condition is not 0;
// - min and max (unspecified on NaN in the IR) give the other operand, as
//   LLVM's maxnum does;
// - bitwise ops and shifts work on the value as an i64 (integers are exact up
//   to 2^53 only, so this is not for hashing).
// Loads read through a callback; without one, or with an unbound variable,
// evaluation fails.
#ifndef DLC_IR_KERNEL_EVALUATE_H_
#define DLC_IR_KERNEL_EVALUATE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

class ScalarEvaluator {
 public:
  // Element `index` of `buffer`, as a double.
  using LoadFn = std::function<double(BufferId buffer, int64_t index)>;

  ScalarEvaluator() = default;
  explicit ScalarEvaluator(LoadFn load) : load_(std::move(load)) {}

  // Binds (or rebinds) a variable.
  void bind(const Var& v, double value);

  absl::StatusOr<double> evaluate(const ExprRef& e);

 private:
  double eval(const Expr& e);
  double evalUnary(const Expr& e, const UnaryExpr& u);
  double evalBinary(const BinaryExpr& b);
  double evalReduce(const Expr& e, const ReduceExpr& r);
  double combine(BinaryOp op, ScalarType type, double x, double y);
  double fail(std::string message);

  LoadFn load_;
  std::vector<std::pair<int, double>> vars_;  // (id, value); few at a time
  std::string error_;
};

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_EVALUATE_H_
