// The reference interpreter: plain, obviously correct evaluation of the graph
// IR, accumulating in double. The oracle every backend is tested against; it
// shares no code with code generation.
#ifndef DLC_REFERENCE_INTERPRETER_H_
#define DLC_REFERENCE_INTERPRETER_H_

#include <cstdint>
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
};

// Runs `function` of `module` on `inputs` (one per argument, in order).
// Symbolic dims of the signature bind to the inputs' sizes. Errors:
// InvalidArgument for the caller's mistakes (an input of the wrong shape or
// dtype, naming the input and both shapes; a missing parameter; an embedding
// id out of range, naming the layer); Internal for malformed IR.
absl::StatusOr<std::vector<runtime::Tensor>> interpret(const ir::Module& module,
                                                       const ir::Function& function,
                                                       std::span<const runtime::Tensor> inputs,
                                                       const ParamMap& params,
                                                       const InterpretOptions& options = {});

}  // namespace dlc::reference

#endif  // DLC_REFERENCE_INTERPRETER_H_
