// A small pattern-rewrite driver for the graph IR, in the style of tinygrad's
// PatternMatcher and MLIR's greedy rewriter: a pattern looks at one op and
// returns the value that replaces its result, or null when it does not apply.
#ifndef DLC_PASSES_REWRITE_H_
#define DLC_PASSES_REWRITE_H_

#include <optional>
#include <span>
#include <vector>

#include "ir/ir.h"

namespace dlc::passes {

// Handed to a pattern: creates ops in front of the op being rewritten.
class Rewriter {
 public:
  Rewriter(ir::Function& function, size_t index, Location loc) : function_(function), index_(index), loc_(loc) {}

  // Inserts an op before the op being rewritten, at its location, with its
  // result types inferred by the op table (kGivenType ops take `given`).
  // Returns the op's first result, or null if the op table rejects it.
  ir::Value* create(ir::OpKind kind, std::vector<ir::Value*> operands, ir::Attrs attrs,
                    std::vector<ir::TensorType> given = {});

  const std::vector<ir::Operation*>& created() const { return created_; }

 private:
  ir::Function& function_;
  size_t index_;  // where the op being rewritten is now
  Location loc_;
  std::vector<ir::Operation*> created_;
};

using RewriteFn = ir::Value* (*)(Rewriter&, const ir::Operation&);

struct Pattern {
  std::optional<ir::OpKind> root;  // the kind of op it looks at; nullopt: any op
  RewriteFn rewrite;
};

// The producer of `v` if it is an op of kind `kind`, else null.
const ir::Operation* producerOf(const ir::Value* v, ir::OpKind kind);

// Whether `v` is used by an op or returned by `f`.
bool isUsed(const ir::Function& f, const ir::Value* v);

// Applies the patterns to each used single-result op of `f`, in program
// order and first match first, round after round until none applies or
// `max_rounds` have run. A replacement must have the type of the result it
// replaces (otherwise the rewrite is dropped). The rewritten op is erased,
// and so are the pure ops that this leaves without uses; ops that were dead
// before are left to DCE. Returns whether anything changed.
bool applyPatterns(ir::Function& f, std::span<const Pattern> patterns, int max_rounds = 16);

}  // namespace dlc::passes

#endif  // DLC_PASSES_REWRITE_H_
