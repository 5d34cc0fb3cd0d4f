// How an element index moves across the lanes of a vector access: the
// question behind every 16-byte load and store the CUDA backend emits.
//
// A loop variable steps through aligned groups of `width` consecutive values
// (its value at a group's first lane is a non-negative multiple of `width`).
// Within one group an index expression stays the same (a broadcast), moves by
// a constant stride (stride 1 from an aligned first lane: one vector access),
// or moves some other way (a gather: one access per lane).
#ifndef DLC_IR_KERNEL_INDEX_ANALYSIS_H_
#define DLC_IR_KERNEL_INDEX_ANALYSIS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

struct LaneStep {
  enum class Kind : uint8_t { kInvariant, kAffine, kUnknown };
  Kind kind = Kind::kUnknown;
  int64_t stride = 0;        // per lane, for kAffine
  int64_t divisor = 1;       // the first lane's value is a multiple of it (0: the value is 0)
  bool nonnegative = false;  // the first lane's value is >= 0
};

// The step of `index` across a group of `var`. Variables other than `var` are
// taken as fixed for the group: substitute the ones that are not first.
LaneStep laneStep(const ExprRef& index, int var, int64_t width);

// Whether `width` lanes of `step` read one aligned run of consecutive elements.
bool isAlignedRun(const LaneStep& step, int64_t width);

// Inclusive bounds of an integer expression, given bounds of its variables
// (nullopt when it reads anything else, or when the bounds could overflow).
using Range = std::pair<int64_t, int64_t>;
std::optional<Range> indexRange(const ExprRef& index, const std::map<int, Range>& vars);

// Variables and the expressions they stand for (loop indices recovered from
// a flat counter, `let`s).
using Bindings = std::map<int, ExprRef>;

// `index` with `bindings` substituted and mixed-radix sums folded back, so
// that a flat counter split into loop indices and linearized again is the
// flat counter: (x / a % b) * a + x % a is x % (a * b), and (x / a) * a +
// x % a is x (both hold for C's truncating division).
ExprRef simplifyIndex(const ExprRef& index, const Bindings& bindings);

// `lo + flat / stride % extent` (no `% extent` when `outermost`): a loop
// index recovered from a flat counter, as the emitter binds it.
ExprRef digitOf(const Var& flat, int64_t lo, int64_t stride, int64_t extent, bool outermost);

// Whether `expr` reads a buffer.
bool readsMemory(const ExprRef& expr);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_INDEX_ANALYSIS_H_
