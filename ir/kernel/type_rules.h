// Which operand types each kernel IR operation accepts. The parser checks
// these before calling the builders (which only assert) and the verifier
// checks them on built kernels, so both give the same messages.
#ifndef DLC_IR_KERNEL_TYPE_RULES_H_
#define DLC_IR_KERNEL_TYPE_RULES_H_

#include <optional>
#include <string>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// Null when `op` accepts an operand of type `x`; otherwise why not.
std::optional<std::string> unaryTypeError(UnaryOp op, ScalarType x);
std::optional<std::string> binaryTypeError(BinaryOp op, ScalarType lhs, ScalarType rhs);
std::optional<std::string> selectTypeError(ScalarType cond, ScalarType if_true, ScalarType if_false);
std::optional<std::string> reduceTypeError(ReduceOp op, ScalarType init, ScalarType body);

// The type `binary(op, lhs, rhs)` has: bool for comparisons, else lhs's.
ScalarType binaryResultType(BinaryOp op, ScalarType lhs);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_TYPE_RULES_H_
