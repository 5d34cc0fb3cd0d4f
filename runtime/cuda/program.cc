#include "runtime/cuda/program.h"

#include <chrono>

#include "support/clock.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {
namespace {

// "sm_86" -> 86, "compute_90" -> 90; -1 when neither.
int archNumber(std::string_view arch) {
  for (std::string_view prefix : {"sm_", "compute_"}) {
    if (!arch.starts_with(prefix)) continue;
    std::string_view digits = arch.substr(prefix.size());
    if (digits.size() < 2 || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos)
      return -1;
    return std::stoi(std::string(digits));
  }
  return -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Program>> Program::load(const CudaDevice& device, const runtime::Executable& executable,
                                                       std::span<const KernelLaunches> launches, std::string_view image,
                                                       ExecutorOptions options) {
  std::unique_ptr<Program> p(new Program());
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(Module module, Module::load(device, image));
  p->module_ = std::make_unique<Module>(std::move(module));
  std::vector<BoundKernel> kernels;
  for (const std::string& name : executable.kernels) {
    const KernelLaunches* plan = nullptr;
    for (const KernelLaunches& k : launches)
      if (k.kernel == name) plan = &k;
    if (plan == nullptr) return absl::InvalidArgumentError(strCat("cuda: kernel '", name, "' has no launches"));
    BoundKernel bound{name, {}};
    for (const LaunchPlan& launch : plan->launches) {
      ASSIGN_OR_RETURN(Kernel kernel, p->module_->kernel(launch.name));
      if (launch.grid_x < 1 || launch.grid_x > 0x7fffffff || launch.grid_y < 1 || launch.grid_y > 65535 ||
          launch.block_x < 1 || launch.block_x > 1024 || launch.shared_bytes < 0)
        return absl::InvalidArgumentError(strCat("cuda: launch '", launch.name, "' has grid (", launch.grid_x, ", ",
                                                 launch.grid_y, ") and block ", launch.block_x,
                                                 ", beyond CUDA's limits"));
      LaunchConfig config;
      config.grid = {static_cast<unsigned>(launch.grid_x), static_cast<unsigned>(launch.grid_y), 1};
      config.block = {static_cast<unsigned>(launch.block_x), 1, 1};
      config.shared_bytes = static_cast<unsigned>(launch.shared_bytes);
      bound.launches.push_back(BoundLaunch{std::move(kernel), config});
    }
    kernels.push_back(std::move(bound));
  }
  p->load_ms_ = millisecondsSince(start);
  start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(p->executor_, Executor::create(device, executable, std::move(kernels), options));
  p->executor_ms_ = millisecondsSince(start);
  return p;
}

absl::StatusOr<std::string> selectCudaImage(int major, int minor, std::string_view gpu_name,
                                            const std::map<std::string, std::string>& cubins,
                                            std::string_view ptx_arch) {
  int gpu = major * 10 + minor;
  std::string best;
  int best_number = -1;
  for (const auto& [arch, image] : cubins) {
    int n = archNumber(arch);
    if (n < 0 || n / 10 != major || n > gpu) continue;
    if (n > best_number) best = arch, best_number = n;
  }
  if (best_number >= 0) return best;
  int ptx = archNumber(ptx_arch);
  if (ptx >= 0 && ptx <= gpu) return std::string(ptx_arch);
  std::vector<std::string> has;
  for (const auto& [arch, image] : cubins) has.push_back(arch);
  if (!ptx_arch.empty()) has.push_back(strCat("PTX for ", ptx_arch));
  return absl::UnavailableError(strCat("the artifact's CUDA code is for ", has.empty() ? "nothing" : strJoin(has, ", "),
                                       "; this GPU (", gpu_name, ") is sm_", gpu,
                                       ". Compile for it with --target cuda:sm_", gpu));
}

}  // namespace dlc::runtime::cuda
