#include "codegen/cuda_function.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "codegen/cache/kernel_cache.h"
#include "codegen/cuda/nvrtc.h"
#include "runtime/cuda/cublaslt.h"
#include "runtime/cuda/cudnn.h"
#include "support/clock.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

// 90 for "sm_90" / "compute_90", -1 when it is neither.
int archNumber(std::string_view arch) {
  std::string_view digits;
  if (arch.starts_with("sm_"))
    digits = arch.substr(3);
  else if (arch.starts_with("compute_"))
    digits = arch.substr(8);
  if (digits.empty()) return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

absl::StatusOr<CudaCompiled> compileCudaModuleOnly(const ir::Function& function,
                                                   std::span<const std::vector<int64_t>> input_shapes,
                                                   std::string_view arch, const CudaCompileOptions& options,
                                                   std::string_view driver_version) {
  CudaCompiled out;
  out.arch = std::string(arch);
  auto start = std::chrono::steady_clock::now();
  LowerOptions lower = options.lower;
  lower.schedule.cpu = false;  // the GPU schedule; gpu-mapping then marks the launches
  lower.library = options.libraries;
  ASSIGN_OR_RETURN(out.lowered, lowerFunction(function, input_shapes, lower));
  out.times.lower_ms = millisecondsSince(start);

  start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(out.module, cuda::emitCuda(out.lowered.kernels));
  out.times.emit_ms = millisecondsSince(start);
  if (out.module.kernels.size() != out.lowered.kernels.kernels.size())
    return absl::InternalError(strCat("cuda: the emitter planned ", out.module.kernels.size(), " kernels of ",
                                      out.lowered.kernels.kernels.size()));
  for (const cuda::CudaKernelPlan& plan : out.module.kernels) out.launches += static_cast<int>(plan.launches.size());
  // Each step passes one address per non-local buffer, as the emitter's
  // parameter lists expect.
  for (const runtime::Step& step : out.lowered.executable.steps) {
    if (step.isLibraryCall()) continue;
    const kir::Kernel& kernel = out.lowered.kernels.kernels[step.kernel];
    size_t params = 0, slots = 0;
    for (const kir::Buffer& b : kernel.buffers) params += b.role != kir::BufferRole::kLocal;
    for (int s : step.slots) slots += s >= 0;
    if (params != slots || step.slots.size() != kernel.buffers.size())
      return absl::InternalError(strCat("cuda: kernel '", kernel.name, "' has ", params,
                                        " buffer parameters but its step binds ", slots, " slots"));
  }

  start = std::chrono::steady_clock::now();
  auto compile = [&]() -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(cuda::CompiledCuda compiled, cuda::compileCuda(out.module.source, arch, options.nvrtc_options));
    return arch.starts_with("sm_") ? std::move(compiled.cubin) : std::move(compiled.ptx);
  };
  CacheKey key;
  if (options.use_cache) {
    ASSIGN_OR_RETURN(cuda::NvrtcVersion version, cuda::nvrtcVersion());
    key.source = out.module.source;
    key.compiler_version = strCat(version.major, ".", version.minor);
    key.driver_version = std::string(driver_version);
    key.arch = std::string(arch);
    key.options = options.nvrtc_options;
  }
  ASSIGN_OR_RETURN(CachedCompile cached, compileCached(options.use_cache, options.cache_dir, key, compile));
  out.image = std::move(cached.payload);
  out.times.cache_hit = cached.cache_hit;
  out.times.nvrtc_ms = millisecondsSince(start);
  return out;
}

CudaFunction::~CudaFunction() = default;

absl::StatusOr<std::unique_ptr<CudaFunction>> CudaFunction::compile(const ir::Function& function,
                                                                    std::span<const std::vector<int64_t>> input_shapes,
                                                                    const CudaCompileOptions& options) {
  ASSIGN_OR_RETURN(runtime::cuda::CudaDevice * device, runtime::cuda::openDefaultDevice());
  std::string device_arch = device->arch();
  std::string arch = options.arch.empty() ? device_arch : options.arch;
  int wanted = archNumber(arch), have = device->computeMajor() * 10 + device->computeMinor();
  if (wanted < 0) return absl::InvalidArgumentError(strCat("cuda arch '", arch, "' is neither sm_XX nor compute_XX"));
  if (wanted > have)
    return absl::FailedPreconditionError(
        strCat("cuda arch ", arch, " is newer than the device's (", device->name(), ", ", device_arch, ")"));
  // A cubin runs on its own arch only; anything older goes as PTX.
  if (arch.starts_with("sm_") && arch != device_arch) arch = strCat("compute_", wanted);

  // A library this machine lacks leaves its ops to generated kernels.
  CudaCompileOptions local = options;
  if (local.libraries.gemm && !runtime::cuda::CublasLt::available()) local.libraries.gemm = false;
  if (local.libraries.convolution && !runtime::cuda::Cudnn::available()) local.libraries.convolution = false;
  absl::StatusOr<std::unique_ptr<CudaFunction>> f = build(*device, function, input_shapes, arch, local);
  if (f.ok() || !local.libraries.any()) return f;
  // A library that refuses a call (no algorithm for a shape, a broken
  // install) must not stop the function from running: generated kernels
  // compute every op.
  local.libraries = LibraryOptions{};
  absl::StatusOr<std::unique_ptr<CudaFunction>> fallback = build(*device, function, input_shapes, arch, local);
  if (!fallback.ok()) return f.status();
  std::fprintf(stderr, "dlc: warning: %s; running generated kernels instead of library calls\n",
               std::string(f.status().message()).c_str());
  return fallback;
}

absl::StatusOr<std::unique_ptr<CudaFunction>> CudaFunction::build(runtime::cuda::CudaDevice& device,
                                                                  const ir::Function& function,
                                                                  std::span<const std::vector<int64_t>> input_shapes,
                                                                  const std::string& arch,
                                                                  const CudaCompileOptions& options) {
  std::unique_ptr<CudaFunction> f(new CudaFunction());
  ASSIGN_OR_RETURN(f->compiled_, compileCudaModuleOnly(function, input_shapes, arch, options,
                                                       std::to_string(device.driverVersion())));
  const runtime::Executable& exe = f->compiled_.lowered.executable;
  std::vector<runtime::cuda::KernelLaunches> launches;
  for (const cuda::CudaKernelPlan& plan : f->compiled_.module.kernels) launches.push_back({plan.kernel, plan.launches});
  ASSIGN_OR_RETURN(f->program_,
                   runtime::cuda::Program::load(device, exe, launches, f->compiled_.image, options.executor));
  f->compiled_.times.load_ms = f->program_->loadMilliseconds();
  f->compiled_.times.executor_ms = f->program_->executorMilliseconds();
  return f;
}

absl::StatusOr<std::vector<runtime::Tensor>> CudaFunction::run(std::span<const runtime::Tensor> inputs,
                                                               const runtime::TensorMap& params,
                                                               const runtime::cuda::RunOptions& options,
                                                               runtime::TensorMap* assigned) {
  return program_->run(inputs, params, options, assigned);
}

}  // namespace dlc::codegen
