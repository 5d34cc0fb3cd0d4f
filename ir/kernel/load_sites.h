// The loads of a body, keyed by what they read, for the mappings that load
// once and reuse (pack lanes, row caches): two loads with the same key read
// the same element, whatever variables their indices are written in.
#ifndef DLC_IR_KERNEL_LOAD_SITES_H_
#define DLC_IR_KERNEL_LOAD_SITES_H_

#include <set>
#include <span>
#include <string>
#include <vector>

#include "ir/kernel/index_analysis.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

struct LoadSite {
  const Expr* node;
  BufferId buffer;
  ExprRef index;       // simplified (index_analysis.h)
  std::string key;     // buffer and simplified index; empty when the index reads memory
  bool unconditional;  // evaluated whenever its statement runs (not in a select's branch or an if)
};

// Every load of `stmts` (nested ifs included) or of `expr`, in text order.
// Reductions' bodies are skipped: their loads run in loops of their own.
void collectLoads(std::span<const Stmt> stmts, const Bindings& bindings, std::vector<LoadSite>& out);
void collectLoads(const ExprRef& expr, bool unconditional, const Bindings& bindings, std::vector<LoadSite>& out);

// The expression of every `let` in `stmts` (nested ifs included), by var id.
void bindLets(std::span<const Stmt> stmts, Bindings& bindings);

// The buffers that `stmts` store to, and those they load from.
std::set<BufferId> storedBuffers(std::span<const Stmt> stmts);
std::set<BufferId> loadedBuffers(std::span<const Stmt> stmts);

// Whether `stmts` are lets, stores and ifs only, with no reduction in them.
bool isStraightLine(std::span<const Stmt> stmts);
// Whether `expr` holds a ReduceExpr.
bool holdsReduce(const ExprRef& expr);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_LOAD_SITES_H_
