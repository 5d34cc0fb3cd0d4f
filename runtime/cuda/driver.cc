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
  auto lib = DynamicLibrary::open(kNames);
  if (!lib.ok()) {
    return absl::UnavailableError(
        strCat("no CUDA driver: libcuda.so.1 could not be loaded (", lib.status().message(), ")"));
  }
  // Never closed: the driver must outlive every static object that frees
  // device memory at exit.
  auto* keep = new DynamicLibrary(*std::move(lib));
  auto* api = new DriverApi{};
  std::string missing;
  bindSymbol(*keep, api->cuInit, {"cuInit"}, &missing);
  bindSymbol(*keep, api->cuDriverGetVersion, {"cuDriverGetVersion"}, &missing);
  bindSymbol(*keep, api->cuGetErrorName, {"cuGetErrorName"}, &missing);
  bindSymbol(*keep, api->cuGetErrorString, {"cuGetErrorString"}, &missing);
  bindSymbol(*keep, api->cuDeviceGet, {"cuDeviceGet"}, &missing);
  bindSymbol(*keep, api->cuDeviceGetCount, {"cuDeviceGetCount"}, &missing);
  bindSymbol(*keep, api->cuDeviceGetAttribute, {"cuDeviceGetAttribute"}, &missing);
  bindSymbol(*keep, api->cuDeviceGetName, {"cuDeviceGetName"}, &missing);
  bindSymbol(*keep, api->cuDeviceTotalMem, {"cuDeviceTotalMem_v2"}, &missing);
  bindSymbol(*keep, api->cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"}, &missing);
  bindSymbol(*keep, api->cuDevicePrimaryCtxRelease, {"cuDevicePrimaryCtxRelease_v2"}, &missing);
  bindSymbol(*keep, api->cuCtxSetCurrent, {"cuCtxSetCurrent"}, &missing);
  bindSymbol(*keep, api->cuMemAlloc, {"cuMemAlloc_v2"}, &missing);
  bindSymbol(*keep, api->cuMemFree, {"cuMemFree_v2"}, &missing);
  bindSymbol(*keep, api->cuMemGetInfo, {"cuMemGetInfo_v2"}, &missing);
  bindSymbol(*keep, api->cuMemcpyHtoDAsync, {"cuMemcpyHtoDAsync_v2"}, &missing);
  bindSymbol(*keep, api->cuMemcpyDtoHAsync, {"cuMemcpyDtoHAsync_v2"}, &missing);
  bindSymbol(*keep, api->cuMemcpyDtoDAsync, {"cuMemcpyDtoDAsync_v2"}, &missing);
  bindSymbol(*keep, api->cuMemsetD8Async, {"cuMemsetD8Async"}, &missing);
  bindSymbol(*keep, api->cuStreamCreate, {"cuStreamCreate"}, &missing);
  bindSymbol(*keep, api->cuStreamSynchronize, {"cuStreamSynchronize"}, &missing);
  bindSymbol(*keep, api->cuStreamDestroy, {"cuStreamDestroy_v2"}, &missing);
  bindSymbol(*keep, api->cuModuleLoadData, {"cuModuleLoadData"}, &missing);
  bindSymbol(*keep, api->cuModuleGetFunction, {"cuModuleGetFunction"}, &missing);
  bindSymbol(*keep, api->cuModuleUnload, {"cuModuleUnload"}, &missing);
  bindSymbol(*keep, api->cuFuncSetAttribute, {"cuFuncSetAttribute"}, &missing);
  bindSymbol(*keep, api->cuLaunchKernel, {"cuLaunchKernel"}, &missing);
  bindSymbol(*keep, api->cuStreamBeginCapture, {"cuStreamBeginCapture_v2"}, &missing);
  bindSymbol(*keep, api->cuStreamEndCapture, {"cuStreamEndCapture"}, &missing);
  bindSymbol(*keep, api->cuGraphInstantiateWithFlags, {"cuGraphInstantiateWithFlags"}, &missing);
  bindSymbol(*keep, api->cuGraphLaunch, {"cuGraphLaunch"}, &missing);
  bindSymbol(*keep, api->cuGraphExecDestroy, {"cuGraphExecDestroy"}, &missing);
  bindSymbol(*keep, api->cuGraphDestroy, {"cuGraphDestroy"}, &missing);
  bindSymbol(*keep, api->cuEventCreate, {"cuEventCreate"}, &missing);
  bindSymbol(*keep, api->cuEventRecord, {"cuEventRecord"}, &missing);
  bindSymbol(*keep, api->cuEventSynchronize, {"cuEventSynchronize"}, &missing);
  // _v2 appeared in CUDA 12.8 drivers; the older export has the same signature.
  bindSymbol(*keep, api->cuEventElapsedTime, {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, &missing);
  bindSymbol(*keep, api->cuEventDestroy, {"cuEventDestroy_v2"}, &missing);
  if (!missing.empty()) {
    return absl::InternalError(strCat("CUDA driver ", keep->path(), " lacks ", missing,
                                      " (dlc needs a CUDA 12 or newer driver)"));
  }
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
