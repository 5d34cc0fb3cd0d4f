// Runs an Executable on a CUDA device: the device counterpart of
// runtime/cpu/executor.h.
//
// Memory, allocated once when the executor is created and kept until it is
// destroyed, so every address is the same on every call:
//  - one DeviceArena of executable.arena_bytes for the memory plan's slots;
//  - one device buffer per function input (filled from the caller's tensors);
//  - one device copy per parameter, uploaded on every call (the host map is
//    the truth: the API may change a tensor in place, e.g. the learning
//    rate) and updated on the device with the executable's writes;
//  - the constants, uploaded once;
//  - the run-state slot: i64[2] = {seed, step}, written on every call.
//
// A call: inputs, parameters and the run state go host -> device on one
// stream; then every step's launches (or library call: cuBLASLt, cuDNN;
// runtime/cuda/library_calls.h) in order, with the step's slot
// addresses as arguments (slots -1 are `local` buffers, which the CUDA
// emitter keeps out of the parameter list); then outputs and writes
// device -> host, and one synchronize. With RunOptions::keep_writes_on_device,
// a write of more than 64 bytes to a parameter the executor holds stays on
// the device (the parameter becomes resident: not uploaded again until
// dropResident) — a training loop then moves only its batch and metrics;
// small writes (step counters) still come back every call. The first call launches eagerly; the
// second captures the launches of the whole step sequence as a CUDA graph,
// and it and every later call replay that graph (DLC_CUDA_GRAPHS=0, or
// ExecutorOptions::graphs = false, keeps launching eagerly).
//
// With DLC_PROFILE=1 (ExecutorOptions::profile) every call launches eagerly
// with an event pair around each step's launches, synchronizes, and prints to
// stderr one line per step:
//   dlc profile: <ms> ms <kernel name> <bytes> bytes <GB/s> GB/s
// where bytes is the sum of the sizes of the step's non-local slots (a lower
// bound on its memory traffic), then `dlc profile-total: <ms> ms <N> steps`.
// The first profiled call of a function without parameter writes runs the
// steps once untimed before the timed pass (a warm-up).
//
// A kernel that faults is reported at the synchronize; with
// DLC_CUDA_SYNC_LAUNCHES=1 (ExecutorOptions::sync_each_launch) the executor
// synchronizes after each launch and names the failing kernel.
//
// Not thread-safe: one call at a time per executor.
#ifndef DLC_RUNTIME_CUDA_EXECUTOR_H_
#define DLC_RUNTIME_CUDA_EXECUTOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/library_calls.h"
#include "runtime/executable.h"

namespace dlc::runtime::cuda {

// One launch of a compiled kernel: the function and its configuration.
struct BoundLaunch {
  Kernel kernel;
  LaunchConfig config;
};

// What runs for Executable::kernels[i]: its launches, in order.
struct BoundKernel {
  std::string name;  // the executable's kernel name, for error messages
  std::vector<BoundLaunch> launches;
};

struct ExecutorOptions {
  bool graphs = true;             // capture and replay CUDA graphs from the second call
  bool sync_each_launch = false;  // synchronize after every launch (debugging); disables graphs
  bool profile = false;           // time each step with events, print to stderr; disables graphs
  // The defaults changed by the environment: DLC_CUDA_GRAPHS=0,
  // DLC_CUDA_SYNC_LAUNCHES=1 and DLC_PROFILE=1.
  static ExecutorOptions fromEnvironment();
};

struct RunOptions {
  uint64_t seed = 0;
  uint64_t step = 0;
  // Leave the executable's parameter writes on the device (see Executor):
  // they are applied to the device copies but not copied to `assigned`.
  bool keep_writes_on_device = false;
};

struct ExecutorStats {
  int runs = 0;           // successful calls
  int eager_runs = 0;     // calls that launched kernel by kernel
  int graph_replays = 0;  // calls that launched the captured graph
  bool graph_captured = false;
};

class Executor {
 public:
  // `kernels[i]` runs executable.kernels[i]; `executable` must outlive the
  // executor, as must the modules the kernels come from. Allocates all device
  // memory and uploads the constants.
  static absl::StatusOr<std::unique_ptr<Executor>> create(const CudaDevice& device,
                                                          const runtime::Executable& executable,
                                                          std::vector<BoundKernel> kernels,
                                                          ExecutorOptions options = ExecutorOptions::fromEnvironment());
  ~Executor();

  // Outputs in order. When `assigned` is given it receives the parameter
  // writes. Errors: InvalidArgument for inputs or parameters of the wrong
  // type or size, FailedPrecondition for a missing parameter, the driver's
  // error (naming the kernel and step) for a failed launch.
  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params, const RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr);

  // Parameters whose device copy is newer than the caller's (written by a
  // run with keep_writes_on_device): later runs do not upload them from the
  // host map, and downloadResident() hands them back.
  bool hasResident() const;
  // The resident parameters' values, device -> host; none is resident after.
  absl::StatusOr<runtime::TensorMap> downloadResident();
  // The caller replaced the values: every parameter is uploaded again.
  void dropResident();

  const runtime::Executable& executable() const { return executable_; }
  const ExecutorStats& stats() const { return stats_; }
  const ExecutorOptions& options() const { return options_; }
  // The device bytes the executor holds (arena, inputs, parameters, constants).
  std::size_t deviceBytes() const { return device_bytes_; }

 private:
  Executor(const CudaDevice& device, const runtime::Executable& executable, std::vector<BoundKernel> kernels,
           ExecutorOptions options, Stream stream);
  absl::Status allocate();
  // Every step's launches on `stream`, in order; with `profile`, step i
  // between profile_events_[2i] and [2i+1].
  absl::Status enqueueSteps(Stream& stream, bool sync_each, bool profile = false);
  // After the synchronize of a profiled call: the lines on stderr.
  absl::Status printProfile();

  const CudaDevice& device_;
  const runtime::Executable& executable_;
  std::vector<BoundKernel> kernels_;
  std::unique_ptr<LibraryCalls> library_;  // when the executable has library calls
  ExecutorOptions options_;
  Stream stream_;
  std::optional<DeviceArena> arena_;
  std::vector<DeviceBuffer> buffers_;  // inputs, parameters, constants, run state
  std::vector<CuDevicePtr> address_;   // per slot
  std::vector<int> param_buffer_;      // per Executable::params entry: index into buffers_
  std::vector<int> param_slot_;        // per Executable::params entry: a slot that holds it (its type)
  std::vector<bool> resident_;         // per Executable::params entry: the device copy is newer
  std::vector<int> input_buffer_;      // per function argument: index into buffers_ (-1 if unused)
  // Per step, the launch arguments (one CuDevicePtr per non-local buffer).
  std::vector<std::vector<CuDevicePtr>> step_args_;
  std::vector<int64_t> step_bytes_;    // per step, the bytes of its non-local slots
  std::vector<Event> profile_events_;  // two per step, created on the first profiled call
  int64_t run_state_[2] = {0, 0};
  std::optional<Graph> graph_;
  ExecutorStats stats_;
  std::size_t device_bytes_ = 0;
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_EXECUTOR_H_
