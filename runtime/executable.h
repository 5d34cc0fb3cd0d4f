// A compiled function as the runtime sees it: kernels to call in order, the
// buffers ("slots") each call reads and writes, and the memory plan that
// places intermediate buffers in one arena. It names kernels but holds no
// code: a device (runtime/cpu, runtime/cuda) binds each name to the code the
// backend produced. The runtime never links the compiler.
#ifndef DLC_RUNTIME_EXECUTABLE_H_
#define DLC_RUNTIME_EXECUTABLE_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/dtype.h"
#include "runtime/library_call.h"
#include "runtime/memory_budget.h"
#include "runtime/tensor.h"

namespace dlc::runtime {

// Named tensors: parameters and optimizer state.
using TensorMap = std::map<std::string, Tensor, std::less<>>;

struct Slot {
  enum class Kind : uint8_t {
    kInput,     // the function's argument `index`
    kParam,     // Executable::params[index], read before any write
    kArena,     // bytes at `offset` of the arena (intermediates, workspace)
    kConstant,  // Executable::constants[index]
    kRunState,  // i64[2]: the run's seed and step, for random ops
  };
  Kind kind = Kind::kArena;
  int index = -1;
  int64_t offset = 0;
  int64_t bytes = 0;
  ir::DType dtype = ir::DType::kF32;
  std::vector<int64_t> shape;
};

// A kernel launch, or (library >= 0) a library call.
struct Step {
  int kernel = 0;          // index into Executable::kernels
  int library = -1;        // index into Executable::library_calls; then `kernel` is unused
  std::vector<int> slots;  // one per kernel buffer, in the kernel's order (-1 for `local`
                           // buffers), or the library call's operands (runtime/library_call.h)

  bool isLibraryCall() const { return library >= 0; }
};

struct ParamWrite {
  std::string name;
  int slot = 0;
};

// Ids a kernel uses as indices (embedding rows), checked on the host before
// any kernel runs so that a bad id is the caller's error, not a stray read.
struct IndexCheck {
  int slot = 0;       // an input slot
  int64_t limit = 0;  // ids must lie in [0, limit)
  std::string what;   // the op, for the message
};

struct Executable {
  std::vector<std::string> kernels;
  std::vector<LibraryCall> library_calls;
  std::vector<Slot> slots;
  std::vector<Step> steps;
  std::vector<std::string> params;
  std::vector<Tensor> constants;
  std::vector<int> outputs;        // the slot of each function output
  std::vector<ParamWrite> writes;  // `assign`s, applied after the last step
  std::vector<IndexCheck> index_checks;
  int64_t arena_bytes = 0;     // the memory plan's peak
  int64_t unshared_bytes = 0;  // what the intermediates would take without reuse
};

// A readable summary: steps with their slots, and the plan's sizes.
std::string describeExecutable(const Executable& executable);

// The step's kernel name, or its library call's description.
std::string stepName(const Executable& executable, const Step& step);

// Checks the caller's inputs and parameters against the slots (dtype and
// size) before anything runs. Returns each slot's host address (inputs,
// parameters, constants; null for the others). InvalidArgument for a wrong
// input or parameter, FailedPrecondition for a missing parameter.
absl::StatusOr<std::vector<const void*>> hostAddresses(const Executable& executable, std::span<const Tensor> inputs,
                                                       const TensorMap& params);

// What one call of `executable` allocates on the host: its workspace (the
// arena, unless `workspace_held`), and the outputs and parameter writes it
// copies out of the arena.
MemoryNeed hostCallNeed(const Executable& executable, bool workspace_held);

// InvalidArgument naming the first id outside its range, reading each
// checked slot at `data[slot]` (host memory).
absl::Status checkIndices(const Executable& executable, const std::vector<const void*>& data);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_EXECUTABLE_H_
