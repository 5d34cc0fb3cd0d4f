// Constant folding of elementwise ops, derived from their computes: the
// op's compute (compute.h) is built once with each operand read bound to a
// variable, and evaluated in double (ir/kernel/evaluate.h) with the
// variables bound to the constants. So an op's scalar formula is written
// once, here beside this header, for every backend and for the folds; the
// reference interpreter keeps its own.
//
// The value is not rounded to the result dtype: the caller does that (and
// refuses values an integer dtype does not hold, such as an integer division
// by zero).
#ifndef DLC_CODEGEN_COMPUTE_FOLD_H_
#define DLC_CODEGEN_COMPUTE_FOLD_H_

#include <optional>
#include <span>
#include <vector>

#include "ir/ir.h"
#include "ir/kernel/evaluate.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

class ScalarFold {
 public:
  // The fold of `op`: an elementwise op with a compute whose operand and
  // result types are static; nullopt for any other.
  static std::optional<ScalarFold> of(const ir::Operation& op);

  // The op's result element for operand elements `args` (one per operand),
  // in double; nullopt when the expression cannot be evaluated.
  std::optional<double> operator()(std::span<const double> args);

 private:
  ScalarFold(kir::ExprRef expr, std::vector<kir::Var> operands)
      : expr_(std::move(expr)), operands_(std::move(operands)) {}

  kir::ExprRef expr_;
  std::vector<kir::Var> operands_;
  kir::ScalarEvaluator evaluator_;
};

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_COMPUTE_FOLD_H_
