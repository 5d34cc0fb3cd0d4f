// Runs a function of a model's module on the model's target: the reference
// interpreter for `reference`, or code compiled for the CPU, compiled once per
// function and input shapes and kept in the model (so a new batch size
// compiles once, and every later call with it reuses the code).
#ifndef DLC_API_EXECUTE_H_
#define DLC_API_EXECUTE_H_

#include <vector>

#include "api/model_impl.h"

namespace dlc {

absl::StatusOr<std::vector<Tensor>> execute(Model::Impl& impl, const ir::Module& module,
                                            const ir::Function& function, const std::vector<Tensor>& args,
                                            const reference::InterpretOptions& options,
                                            reference::ParamMap* assigned = nullptr);

}  // namespace dlc

#endif  // DLC_API_EXECUTE_H_
