// Reverse-mode automatic differentiation over the graph IR. Each op's rule
// lives in the op table (ir/gradients/); this pass walks a function backwards
// from a scalar and only looks rules up.
#ifndef DLC_PASSES_AUTODIFF_H_
#define DLC_PASSES_AUTODIFF_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ir.h"

namespace dlc::passes {

// Appends to `function` the ops computing d(loss)/d(v) for each v in `wrt`
// (values of `function`: arguments or op results, e.g. param reads). `loss`
// must be a scalar (rank 0, float). A value the loss does not depend on gets
// a zero tensor of its type. Gradients are accumulated by `add` where a value
// has several uses. Fails, naming the op, when an op on the path from `wrt`
// to `loss` has no gradient rule.
absl::StatusOr<std::vector<ir::Value*>> appendGradients(ir::Function& function, ir::Value* loss,
                                                        std::span<ir::Value* const> wrt);

}  // namespace dlc::passes

#endif  // DLC_PASSES_AUTODIFF_H_
