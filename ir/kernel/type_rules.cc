#include "ir/kernel/type_rules.h"

#include "support/strings.h"

namespace dlc::kir {
namespace {

bool isNumeric(ScalarType t) { return t != ScalarType::kBool; }
bool isIntegerOrBool(ScalarType t) { return ir::isInteger(t) || t == ScalarType::kBool; }

std::string operandError(std::string_view op, std::string_view wanted, ScalarType got) {
  return strCat("'", op, "' takes ", wanted, " operands, not ", ir::dtypeName(got));
}

}  // namespace

std::optional<std::string> unaryTypeError(UnaryOp op, ScalarType x) {
  std::string_view name = unaryOpName(op);
  switch (op) {
    case UnaryOp::kNeg:
    case UnaryOp::kAbs:
      if (!isNumeric(x)) return operandError(name, "numeric", x);
      return std::nullopt;
    case UnaryOp::kExp:
    case UnaryOp::kLog:
    case UnaryOp::kSqrt:
    case UnaryOp::kRsqrt:
    case UnaryOp::kTanh:
    case UnaryOp::kErf:
    case UnaryOp::kFloor:
      if (!ir::isFloat(x)) return operandError(name, "float", x);
      return std::nullopt;
    case UnaryOp::kNot:
      if (!isIntegerOrBool(x)) return operandError(name, "integer or bool", x);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> binaryTypeError(BinaryOp op, ScalarType lhs, ScalarType rhs) {
  std::string_view name = binaryOpName(op);
  if (lhs != rhs)
    return strCat("operands of '", name, "' have different types (", ir::dtypeName(lhs), " and ", ir::dtypeName(rhs),
                  ")");
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kRem:
    case BinaryOp::kMin:
    case BinaryOp::kMax:
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
      if (!isNumeric(lhs)) return operandError(name, "numeric", lhs);
      return std::nullopt;
    case BinaryOp::kPow:
      if (!ir::isFloat(lhs)) return operandError(name, "float", lhs);
      return std::nullopt;
    case BinaryOp::kEq:
    case BinaryOp::kNe: return std::nullopt;
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
    case BinaryOp::kXor:
      if (!isIntegerOrBool(lhs)) return operandError(name, "integer or bool", lhs);
      return std::nullopt;
    case BinaryOp::kShl:
    case BinaryOp::kShr:
      if (!ir::isInteger(lhs)) return operandError(name, "integer", lhs);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> selectTypeError(ScalarType cond, ScalarType if_true, ScalarType if_false) {
  if (cond != ScalarType::kBool) return strCat("the condition of 'select' is ", ir::dtypeName(cond), ", not bool");
  if (if_true != if_false)
    return strCat("the branches of 'select' have different types (", ir::dtypeName(if_true), " and ",
                  ir::dtypeName(if_false), ")");
  return std::nullopt;
}

std::optional<std::string> reduceTypeError(ReduceOp op, ScalarType init, ScalarType body) {
  if (init != body)
    return strCat("the init of 'reduce ", reduceOpName(op), "' is ", ir::dtypeName(init), " but its body is ",
                  ir::dtypeName(body));
  if (!isNumeric(body))
    return strCat("'reduce ", reduceOpName(op), "' takes numeric operands, not ", ir::dtypeName(body));
  return std::nullopt;
}

ScalarType binaryResultType(BinaryOp op, ScalarType lhs) { return isComparison(op) ? ScalarType::kBool : lhs; }

}  // namespace dlc::kir
