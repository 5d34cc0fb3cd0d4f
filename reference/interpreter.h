// The reference interpreter: plain, obviously correct evaluation of the graph
// IR, accumulating in double. The oracle every backend is tested against; it
// shares no code with code generation.
#ifndef DLC_REFERENCE_INTERPRETER_H_
#define DLC_REFERENCE_INTERPRETER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ir.h"
#include "runtime/tensor.h"

namespace dlc::reference {

// Parameter values by name (`conv2d.kernel`).
using ParamMap = std::map<std::string, runtime::Tensor, std::less<>>;

struct InterpretOptions {
  uint64_t seed = 0;  // randomness of training-mode dropout and augmentation
  // The training step: mixed into the random draws so that every step gets
  // new dropout masks, flips and crops (see reference/random.cc).
  uint64_t step = 0;
};

// Runs `function` of `module` on `inputs` (one per argument, in order).
// Symbolic dims of the signature bind to the inputs' sizes. Errors:
// InvalidArgument for the caller's mistakes (an input of the wrong shape or
// dtype, naming the input and both shapes; a missing parameter; an embedding
// id out of range, naming the layer); Internal for malformed IR.
//
// State: every `param` op reads `params`, as passed in, even after an
// `assign` to the same name; the writes take effect after the call. When
// `assigned` is given, it is replaced by the values the function's `assign`
// ops wrote (each in its parameter's declared dtype and shape). Assigning a
// name that is not a declared parameter, with a value of another shape, or
// twice in one call is malformed IR.
absl::StatusOr<std::vector<runtime::Tensor>> interpret(const ir::Module& module, const ir::Function& function,
                                                       std::span<const runtime::Tensor> inputs, const ParamMap& params,
                                                       const InterpretOptions& options = {},
                                                       ParamMap* assigned = nullptr);

// The interpreter's peak of live working arrays, in bytes (8 an element), on
// a run of `function` in which value v has elements(v) elements: what a
// caller checks against the memory budget before the run.
int64_t peakLiveBytes(const ir::Function& function, const std::function<int64_t(const ir::Value*)>& elements);

}  // namespace dlc::reference

#endif  // DLC_REFERENCE_INTERPRETER_H_
