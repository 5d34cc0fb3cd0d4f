// Queries and rewrites on kernel-IR expressions used by the scheduler:
// free variables, substitution and a structural key for deduplication.
#ifndef DLC_IR_KERNEL_ANALYSIS_H_
#define DLC_IR_KERNEL_ANALYSIS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// Ids of the variables `expr` reads that it does not bind itself (a
// reduction binds its index within its body).
std::set<int> freeVars(const ExprRef& expr);

// `expr` with each node for which `replace` returns non-null replaced by that
// result (children first are not visited for replaced nodes). Unchanged
// subtrees are shared, not copied.
ExprRef rewrite(const ExprRef& expr, const std::function<ExprRef(const ExprRef&)>& replace);

// How far an i64 index moves when variable `var` grows by one: nullopt
// unless the index is affine in `var` (clamps and divisions of other
// variables are fine, they do not move).
std::optional<int64_t> indexStride(const ExprRef& index, int var);

// Whether every load in `expr` reads the same element or the next one as
// `var` grows (so that lanes or threads along `var` read contiguously), and
// at least one reads the next one when `require_contiguous`.
bool loadsContiguousIn(const ExprRef& expr, int var, bool require_contiguous = false);

// A string equal for two expressions exactly when they are structurally the
// same (same ops, types, constants, buffers and variable ids).
std::string structuralKey(const ExprRef& expr);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_ANALYSIS_H_
