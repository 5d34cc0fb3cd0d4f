#include "frontend/ast.h"

namespace dlc::ast {

std::string_view binaryOpSpelling(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMatMul: return "@";
  }
  return "?";
}

}  // namespace dlc::ast
