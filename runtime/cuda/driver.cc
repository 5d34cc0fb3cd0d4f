#include "runtime/cuda/driver.h"

#include <array>

#include "runtime/cuda/dynamic_library.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {
namespace {

absl::StatusCode codeFor(CuResult result) {
  switch (result) {
    case kCudaErrorOutOfMemory: return absl::StatusCode::kResourceExhausted;
    case kCudaErrorNotFound: return absl::StatusCode::kNotFound;
    case kCudaErrorNoDevice: return absl::StatusCode::kUnavailable;
    case kCudaErrorInvalidImage: return absl::StatusCode::kInvalidArgument;
    default: return absl::StatusCode::kInternal;
  }
}

absl::StatusOr<const DriverApi*> load() {
  static constexpr std::array<std::string_view, 1> kNames = {"libcuda.so.1"};
  // Never closed: the driver must outlive every static object that frees
  // device memory at exit.
  ASSIGN_OR_RETURN(const DynamicLibrary* lib, openForProcess("no CUDA driver", kNames));
  auto* api = new DriverApi{};
  SymbolBinder bind(*lib);
  bind(api->cuInit, {"cuInit"});
  bind(api->cuDriverGetVersion, {"cuDriverGetVersion"});
  bind(api->cuGetErrorName, {"cuGetErrorName"});
  bind(api->cuGetErrorString, {"cuGetErrorString"});
  bind(api->cuDeviceGet, {"cuDeviceGet"});
  bind(api->cuDeviceGetCount, {"cuDeviceGetCount"});
  bind(api->cuDeviceGetAttribute, {"cuDeviceGetAttribute"});
  bind(api->cuDeviceGetName, {"cuDeviceGetName"});
  bind(api->cuDeviceTotalMem, {"cuDeviceTotalMem_v2"});
  bind(api->cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"});
  bind(api->cuDevicePrimaryCtxRelease, {"cuDevicePrimaryCtxRelease_v2"});
  bind(api->cuCtxSetCurrent, {"cuCtxSetCurrent"});
  bind(api->cuMemAlloc, {"cuMemAlloc_v2"});
  bind(api->cuMemFree, {"cuMemFree_v2"});
  bind(api->cuMemGetInfo, {"cuMemGetInfo_v2"});
  bind(api->cuMemcpyHtoDAsync, {"cuMemcpyHtoDAsync_v2"});
  bind(api->cuMemcpyDtoHAsync, {"cuMemcpyDtoHAsync_v2"});
  bind(api->cuMemcpyDtoDAsync, {"cuMemcpyDtoDAsync_v2"});
  bind(api->cuMemsetD8Async, {"cuMemsetD8Async"});
  bind(api->cuStreamCreate, {"cuStreamCreate"});
  bind(api->cuStreamSynchronize, {"cuStreamSynchronize"});
  bind(api->cuStreamDestroy, {"cuStreamDestroy_v2"});
  bind(api->cuModuleLoadData, {"cuModuleLoadData"});
  bind(api->cuModuleGetFunction, {"cuModuleGetFunction"});
  bind(api->cuModuleUnload, {"cuModuleUnload"});
  bind(api->cuFuncSetAttribute, {"cuFuncSetAttribute"});
  bind(api->cuLaunchKernel, {"cuLaunchKernel"});
  bind(api->cuStreamBeginCapture, {"cuStreamBeginCapture_v2"});
  bind(api->cuStreamEndCapture, {"cuStreamEndCapture"});
  bind(api->cuGraphInstantiateWithFlags, {"cuGraphInstantiateWithFlags"});
  bind(api->cuGraphLaunch, {"cuGraphLaunch"});
  bind(api->cuGraphExecDestroy, {"cuGraphExecDestroy"});
  bind(api->cuGraphDestroy, {"cuGraphDestroy"});
  bind(api->cuEventCreate, {"cuEventCreate"});
  bind(api->cuEventRecord, {"cuEventRecord"});
  bind(api->cuEventSynchronize, {"cuEventSynchronize"});
  // _v2 appeared in CUDA 12.8 drivers; the older export has the same signature.
  bind(api->cuEventElapsedTime, {"cuEventElapsedTime_v2", "cuEventElapsedTime"});
  bind(api->cuEventDestroy, {"cuEventDestroy_v2"});
  RETURN_IF_ERROR(bind.check("CUDA driver", " (dlc needs a CUDA 12 or newer driver)"));
  return api;
}

}  // namespace

absl::Status DriverApi::check(CuResult result, std::string_view call) const {
  if (result == kCudaSuccess) return absl::OkStatus();
  const char* name = nullptr;
  const char* text = nullptr;
  if (cuGetErrorName == nullptr || cuGetErrorName(result, &name) != kCudaSuccess) name = nullptr;
  if (cuGetErrorString == nullptr || cuGetErrorString(result, &text) != kCudaSuccess) text = nullptr;
  std::string message = strCat(call, ": ", name ? name : strCat("CUDA error ", result));
  if (text != nullptr) strAppend(&message, " (", text, ")");
  return absl::Status(codeFor(result), message);
}

absl::StatusOr<const DriverApi*> loadDriver() {
  // Loaded once; a failure is remembered too, so a machine without a driver
  // pays for the dlopen attempt once.
  static const absl::StatusOr<const DriverApi*> api = load();
  return api;
}

}  // namespace dlc::runtime::cuda
