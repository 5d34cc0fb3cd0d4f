// The GPU benchmark harness: time work enqueued on a stream with CUDA events
// (median of per-iteration times after warm-up) and print one JSON line per
// measurement. A kernel benchmark is data: CUDA source, kernel name, NVRTC
// options, launch configuration, arguments, and the bytes it must move.
#ifndef DLC_BENCH_GPU_HARNESS_H_
#define DLC_BENCH_GPU_HARNESS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/kernel_args.h"

namespace dlc::bench {

struct Timing {
  double median_ms = 0, min_ms = 0;
  int iterations = 0;
};

// Runs `enqueue` `warmup` times, then `iterations` times between events.
absl::StatusOr<Timing> timeOnStream(const runtime::cuda::CudaDevice& device, runtime::cuda::Stream& stream,
                                    const std::function<absl::Status()>& enqueue, int warmup = 3, int iterations = 20);

struct KernelBench {
  std::string name;                  // the measurement's "bench" field
  std::string source;                // CUDA C++
  std::string kernel;                // extern "C" function in `source`
  std::vector<std::string> options;  // NVRTC options beyond -arch
  runtime::cuda::LaunchConfig config;
  runtime::cuda::KernelArgs args;
  double bytes_moved = 0;  // bytes read + written by one launch, at least
};

// Compiles (NVRTC), loads, times and prints `bench`.
absl::Status runKernelBench(const runtime::cuda::CudaDevice& device, runtime::cuda::Stream& stream, KernelBench bench);

// Compiles `source` for `device` and loads it.
absl::StatusOr<runtime::cuda::Module> compileModule(const runtime::cuda::CudaDevice& device, const std::string& source,
                                                    const std::vector<std::string>& options);

// One JSON object per line on stdout: {"bench": ..., fields...}. Values are
// pre-formatted JSON (numbers, or quoted strings from jsonString()).
void printJson(const std::vector<std::pair<std::string, std::string>>& fields);
std::string jsonString(const std::string& s);
std::string jsonNumber(double v);

// A measurement that failed still prints a line, with its error.
void printError(const std::string& bench, const std::string& impl, const absl::Status& status);

}  // namespace dlc::bench

#endif  // DLC_BENCH_GPU_HARNESS_H_
