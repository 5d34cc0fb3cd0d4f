// A compiled model as a file (`.dlx`): what `dlc compile MODEL.dl` writes and
// what the runtime alone loads and runs (no LLVM, no NVRTC, no front end).
//
// The file is self-describing and versioned: a fixed header (magic, format
// version, the dlc version that wrote it, the content hash), a section table,
// and the sections. One JSON section (`meta`) describes the signature and the
// compiled functions; the binary sections hold native code, cubins, PTX,
// constants and weights. Everything is validated before it is used: section
// bounds against the file size, the SHA-256 of the content against the
// header, every slot and index of each plan against the plan's own tables.
#ifndef DLC_RUNTIME_ARTIFACT_ARTIFACT_H_
#define DLC_RUNTIME_ARTIFACT_ARTIFACT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cuda/launch_plan.h"
#include "runtime/executable.h"
#include "runtime/tensor.h"
#include "runtime/tensor_file.h"

namespace dlc::runtime::artifact {

// The container's format version. A reader accepts exactly this version.
inline constexpr uint32_t kFormatVersion = 1;

// A model input, output or parameter. Symbolic dims are -1, named in `symbols`.
struct TensorSignature {
  std::string name;
  ir::DType dtype = ir::DType::kF32;
  std::vector<int64_t> shape;
  std::vector<std::string> symbols;  // per dim: the symbol, or "" when static
  bool trainable = true;             // parameters only
  // Parameters and optimizer state: the initialiser (runtime/initializers.h's
  // `init` attribute) and its numeric arguments (minval, maxval, value).
  std::string init = "zeros";
  std::map<std::string, double> init_args;
};

struct Signature {
  std::string model;  // the model's name
  std::vector<TensorSignature> inputs, outputs, parameters;
  // Optimizer state (`optimizer.m.dense.kernel`, ...) of an artifact with a
  // training step.
  std::vector<TensorSignature> optimizer_state;
};

// Native code for one CPU target: a shared object (ELF) the runtime maps
// with the system's loader. Its kernels are exported by name; it imports
// only libc/libm symbols and reads the thread pool's entry point from the
// global `dlc_cpu_parallel_for_ptr`, which the loader sets.
struct CpuCode {
  std::string triple;                 // "x86_64-unknown-linux-gnu"
  std::string cpu;                    // "znver4", "x86-64-v3", "generic"
  std::vector<std::string> features;  // what the code needs: "avx2", "avx512f", ... (no '+')
  std::string shared_object;          // the ELF file's bytes
};

using CudaLaunch = runtime::cuda::LaunchPlan;
using CudaKernelLaunches = runtime::cuda::KernelLaunches;

// CUDA code: a cubin per architecture and PTX for later GPUs.
struct CudaCode {
  std::vector<CudaKernelLaunches> kernels;    // one per Executable::kernels entry
  std::map<std::string, std::string> cubins;  // "sm_90" -> cubin bytes
  std::string ptx_arch;                       // "compute_90", "" when no PTX
  std::string ptx;
};

enum class FunctionRole : uint8_t {
  kInference,  // the model: inputs -> outputs
  kGrad,       // inputs, labels -> loss, gradients
  kTrainStep,  // inputs, labels -> loss, accuracy; writes parameters and optimizer state
};

// One function compiled for one set of concrete input shapes and one target.
struct CompiledFunction {
  std::string name;  // "mnist_cnn", "mnist_cnn.train_step"
  FunctionRole role = FunctionRole::kInference;
  std::string target;  // "cpu" or "cuda"
  std::vector<std::vector<int64_t>> input_shapes;
  runtime::Executable executable;
  // The code of the executable's kernels: `cpu` for target "cpu", `cuda` for "cuda".
  CpuCode cpu;
  CudaCode cuda;
};

struct Artifact {
  uint32_t format_version = kFormatVersion;
  std::string dlc_version;   // filled by the writer
  std::string content_hash;  // hex SHA-256 of the content, filled by the writer and checked by the reader
  std::string source_hash;   // hex SHA-256 of the model's source text ("" when unknown)
  Signature signature;
  std::vector<CompiledFunction> functions;
  // Embedded weights (`dlc compile --weights`): parameters (and optimizer
  // state) by name. Empty when they are given at run time.
  runtime::NamedTensors weights;
};

// The version of dlc this library belongs to: what writers put in `dlc_version`.
std::string_view dlcVersion();

// The file's bytes, with this dlc's version and the content hash (the
// artifact's own `format_version`, `dlc_version` and `content_hash` are
// ignored). Fails (InvalidArgument) on an artifact that its own reader would
// reject (a plan that does not validate, duplicate names).
absl::StatusOr<std::string> serializeArtifact(Artifact artifact);

struct ParseOptions {
  // Off: the content hash is not compared (the header's is reported as is),
  // so that fuzzers reach the checks behind it. Everything else is checked.
  bool verify_hash = true;
};
// Parses and validates everything (see the top of this file); the errors are
// InvalidArgument messages that say what is wrong and where
// ("section 'cpu.0' ends at byte 91234, past the end of the file (80000 bytes)").
// `name` is the file's name for messages.
absl::StatusOr<Artifact> parseArtifact(std::string_view bytes, std::string_view name, const ParseOptions& options = {});

// File forms: written atomically (temporary file, fsync, rename).
absl::Status writeArtifactFile(const std::string& path, const Artifact& artifact);
absl::StatusOr<Artifact> readArtifactFile(const std::string& path);

// The sections and sizes, for `dlc inspect` (human-readable, several lines).
std::string describeArtifact(const Artifact& artifact);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_ARTIFACT_H_
