// Writes the kernel IR as text (the form described in kernel_ir.h). The text
// parses back (ir/kernel/parser.h) to a kernel that prints identically.
#ifndef DLC_IR_KERNEL_PRINTER_H_
#define DLC_IR_KERNEL_PRINTER_H_

#include <string>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

std::string printKernel(const Kernel& kernel);
// The kernels in order, separated by blank lines.
std::string printKernelModule(const KernelModule& module);

// One expression or statement on its own, for messages; vars print under
// their own names (made printable) without the kernel-wide renaming.
std::string printExpr(const Expr& expr, const Kernel& kernel);
std::string printStmtHead(const Stmt& stmt, const Kernel& kernel);  // first line, no body

// A var or buffer name as the text writes it (without '%'): a dotted
// identifier or digits; other characters become '_' and "" becomes "v".
std::string printableName(std::string_view name);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_PRINTER_H_
