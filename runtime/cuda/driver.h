// The CUDA driver API, opened with dlopen("libcuda.so.1") at run time.
//
// dlc links no CUDA library: one binary runs on machines with and without a
// GPU, and asks for the driver only when a CUDA target is used. The few types
// and constants it needs are declared here (with the values of CUDA 13's
// cuda.h; tests/unit/runtime_cuda/abi_test.cc checks them against the real
// header where the toolkit is installed), so building needs no toolkit either.
#ifndef DLC_RUNTIME_CUDA_DRIVER_H_
#define DLC_RUNTIME_CUDA_DRIVER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "support/status_macros.h"

namespace dlc::runtime::cuda {

using CuResult = int;               // CUresult; 0 is CUDA_SUCCESS
using CuDevice = int;               // CUdevice
using CuDevicePtr = std::uint64_t;  // CUdeviceptr (64-bit on every platform dlc supports)
using CuContext = struct CuContextOpaque*;
using CuModule = struct CuModuleOpaque*;
using CuFunction = struct CuFunctionOpaque*;
using CuStream = struct CuStreamOpaque*;
using CuEvent = struct CuEventOpaque*;
using CuGraph = struct CuGraphOpaque*;
using CuGraphExec = struct CuGraphExecOpaque*;

inline constexpr CuResult kCudaSuccess = 0;
inline constexpr CuResult kCudaErrorNoDevice = 100;      // CUDA_ERROR_NO_DEVICE
inline constexpr CuResult kCudaErrorNotFound = 500;      // CUDA_ERROR_NOT_FOUND
inline constexpr CuResult kCudaErrorOutOfMemory = 2;     // CUDA_ERROR_OUT_OF_MEMORY
inline constexpr CuResult kCudaErrorInvalidImage = 200;  // CUDA_ERROR_INVALID_IMAGE

// CUdevice_attribute values dlc reads.
enum class DeviceAttribute : int {
  kMaxThreadsPerBlock = 1,
  kMaxSharedMemoryPerBlock = 8,
  kMultiprocessorCount = 16,
  kMemoryClockRateKHz = 36,
  kGlobalMemoryBusWidth = 37,
  kL2CacheSize = 38,
  kComputeCapabilityMajor = 75,
  kComputeCapabilityMinor = 76,
  kMaxSharedMemoryPerBlockOptin = 97,
};

inline constexpr int kFuncAttributeMaxDynamicSharedSizeBytes = 8;  // CU_FUNC_ATTRIBUTE_...
inline constexpr int kStreamNonBlocking = 1;                       // CU_STREAM_NON_BLOCKING
inline constexpr int kStreamCaptureModeThreadLocal = 1;            // CU_STREAM_CAPTURE_MODE_THREAD_LOCAL
inline constexpr int kEventDefault = 0;                            // CU_EVENT_DEFAULT

// The driver's entry points, resolved by their versioned export names
// (cuMemAlloc is cuMemAlloc_v2 in cuda.h: the unversioned export is the
// 32-bit-size API kept for old binaries).
struct DriverApi {
  CuResult (*cuInit)(unsigned flags);
  CuResult (*cuDriverGetVersion)(int* version);
  CuResult (*cuGetErrorName)(CuResult error, const char** name);
  CuResult (*cuGetErrorString)(CuResult error, const char** text);
  CuResult (*cuDeviceGet)(CuDevice* device, int ordinal);
  CuResult (*cuDeviceGetCount)(int* count);
  CuResult (*cuDeviceGetAttribute)(int* value, int attribute, CuDevice device);
  CuResult (*cuDeviceGetName)(char* name, int length, CuDevice device);
  CuResult (*cuDeviceTotalMem)(std::size_t* bytes, CuDevice device);  // _v2
  CuResult (*cuDevicePrimaryCtxRetain)(CuContext* context, CuDevice device);
  CuResult (*cuDevicePrimaryCtxRelease)(CuDevice device);  // _v2
  CuResult (*cuCtxSetCurrent)(CuContext context);
  CuResult (*cuMemAlloc)(CuDevicePtr* ptr, std::size_t bytes);                                          // _v2
  CuResult (*cuMemFree)(CuDevicePtr ptr);                                                               // _v2
  CuResult (*cuMemGetInfo)(std::size_t* free, std::size_t* total);                                      // _v2
  CuResult (*cuMemcpyHtoDAsync)(CuDevicePtr dst, const void* src, std::size_t bytes, CuStream stream);  // _v2
  CuResult (*cuMemcpyDtoHAsync)(void* dst, CuDevicePtr src, std::size_t bytes, CuStream stream);        // _v2
  CuResult (*cuMemcpyDtoDAsync)(CuDevicePtr dst, CuDevicePtr src, std::size_t bytes, CuStream stream);  // _v2
  CuResult (*cuMemsetD8Async)(CuDevicePtr dst, unsigned char value, std::size_t count, CuStream stream);
  CuResult (*cuStreamCreate)(CuStream* stream, unsigned flags);
  CuResult (*cuStreamSynchronize)(CuStream stream);
  CuResult (*cuStreamDestroy)(CuStream stream);  // _v2
  CuResult (*cuModuleLoadData)(CuModule* module, const void* image);
  CuResult (*cuModuleGetFunction)(CuFunction* function, CuModule module, const char* name);
  CuResult (*cuModuleUnload)(CuModule module);
  CuResult (*cuFuncSetAttribute)(CuFunction function, int attribute, int value);
  CuResult (*cuLaunchKernel)(CuFunction function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX,
                             unsigned blockY, unsigned blockZ, unsigned sharedBytes, CuStream stream, void** params,
                             void** extra);
  CuResult (*cuStreamBeginCapture)(CuStream stream, int mode);  // _v2
  CuResult (*cuStreamEndCapture)(CuStream stream, CuGraph* graph);
  CuResult (*cuGraphInstantiateWithFlags)(CuGraphExec* exec, CuGraph graph, unsigned long long flags);
  CuResult (*cuGraphLaunch)(CuGraphExec exec, CuStream stream);
  CuResult (*cuGraphExecDestroy)(CuGraphExec exec);
  CuResult (*cuGraphDestroy)(CuGraph graph);
  CuResult (*cuEventCreate)(CuEvent* event, unsigned flags);
  CuResult (*cuEventRecord)(CuEvent event, CuStream stream);
  CuResult (*cuEventSynchronize)(CuEvent event);
  CuResult (*cuEventElapsedTime)(float* ms, CuEvent start, CuEvent end);  // _v2 where the driver has it
  CuResult (*cuEventDestroy)(CuEvent event);                              // _v2

  // OK, or an error naming `call` and the driver's name and text for `result`:
  // "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)".
  absl::Status check(CuResult result, std::string_view call) const;
};

// One driver object owned by a C++ object: moved, never copied, and freed
// with `kDestroy`, a DriverApi member such as &DriverApi::cuStreamDestroy.
template <typename Handle, auto kDestroy>
class DriverOwned {
 public:
  DriverOwned() = default;
  DriverOwned(const DriverApi* api, Handle handle) : api_(api), handle_(handle) {}
  DriverOwned(DriverOwned&& other) noexcept : api_(other.api_), handle_(std::exchange(other.handle_, Handle{})) {}
  DriverOwned& operator=(DriverOwned&& other) noexcept {
    if (this != &other) {
      reset();
      api_ = other.api_;
      handle_ = std::exchange(other.handle_, Handle{});
    }
    return *this;
  }
  ~DriverOwned() { reset(); }

  // The handle, where the driver wants one.
  operator Handle() const { return handle_; }  // NOLINT(google-explicit-constructor)

 private:
  void reset() {
    if (handle_ != Handle{}) (api_->*kDestroy)(std::exchange(handle_, Handle{}));
  }
  const DriverApi* api_ = nullptr;
  Handle handle_{};
};

// Opens libcuda.so.1 once per process and resolves every entry point; the
// table lives until the process exits. Unavailable when the library cannot
// be loaded ("no CUDA driver: libcuda.so.1 could not be loaded (...)"),
// Internal when it lacks an entry point (a driver older than CUDA 12).
absl::StatusOr<const DriverApi*> loadDriver();

// DLC_CU_RETURN_IF_ERROR(api, cuMemFree, p) calls api.cuMemFree(p) and returns
// its error, named after the call, from the enclosing function.
#define DLC_CU_RETURN_IF_ERROR(api, call, ...) RETURN_IF_ERROR((api).check((api).call(__VA_ARGS__), #call))

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_DRIVER_H_
