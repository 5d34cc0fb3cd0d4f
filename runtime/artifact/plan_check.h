// Checks that a runtime::Executable is safe to run: every index it holds
// (slot, kernel, library call, parameter, constant, input, output) is in
// range, every slot's bytes are its dtype times its shape, arena slots lie in
// the arena, library calls are well-formed and their steps bind slots of
// the sizes they read and write, and parameters match the signature. The
// artifact's writer and reader both run it.
#ifndef DLC_RUNTIME_ARTIFACT_PLAN_CHECK_H_
#define DLC_RUNTIME_ARTIFACT_PLAN_CHECK_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runtime/artifact/artifact.h"
#include "runtime/executable.h"

namespace dlc::runtime::artifact {

// Parameters and optimizer state by name.
using StateSignatures = std::map<std::string, const TensorSignature*, std::less<>>;

struct PlanContext {
  std::span<const std::vector<int64_t>> input_shapes;  // the function's arguments
  const StateSignatures* state = nullptr;              // what param slots and writes may name
};

// InvalidArgument saying what is wrong ("step 4: slot 99 is out of range (the plan has 12 slots)").
absl::Status checkPlan(const runtime::Executable& executable, const PlanContext& context);

// Sizes positive and int-sized, a float dtype, and a convolution's output
// size following from its input, window, stride, padding and dilation.
absl::Status checkLibraryCall(const runtime::LibraryCall& call);

// Whether a tensor of `dtype` and `shape` fits the signature (a -1 dim of the
// signature takes any size).
bool matchesSignature(const TensorSignature& signature, ir::DType dtype, std::span<const int64_t> shape);

// `f32[2, 3]`, with -1 dims printed as their symbol when there is one.
std::string typeString(ir::DType dtype, std::span<const int64_t> shape);
std::string typeString(const TensorSignature& signature);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_PLAN_CHECK_H_
