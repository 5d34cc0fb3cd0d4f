// Structural traversal of kernel IR statements, for passes and checks that
// look at every statement or every expression root.
#ifndef DLC_IR_KERNEL_WALK_H_
#define DLC_IR_KERNEL_WALK_H_

#include <functional>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// Calls `fn` on every statement of `body` and of the bodies nested in it, in
// text order (a loop before the statements of its body).
void forEachStmt(const StmtList& body, const std::function<void(const Stmt&)>& fn);

// Calls `fn` on the expressions `stmt` holds directly, in text order: not on
// their subexpressions, nor on the statements nested in it.
void forEachExpr(const Stmt& stmt, const std::function<void(const ExprRef&)>& fn);

// Calls `fn` on the direct subexpressions of `e`, in text order (a
// reduction's init, then its body).
void forEachChild(const Expr& e, const std::function<void(const ExprRef&)>& fn);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_WALK_H_
