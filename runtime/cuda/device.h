// A CUDA device and what runs on it: memory (one arena carved by offsets,
// RAII buffers), a stream, modules loaded from cubin or PTX, kernel launches,
// CUDA graphs captured from a sequence of launches, and event timing.
//
// Everything goes through the driver API opened with dlopen (driver.h). The
// primary context of the device is made current on the thread that calls
// openDefaultDevice(); a thread that did not open the device calls
// makeCurrent() before using it.
#ifndef DLC_RUNTIME_CUDA_DEVICE_H_
#define DLC_RUNTIME_CUDA_DEVICE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/cuda/driver.h"
#include "runtime/memory_budget.h"

namespace dlc::runtime::cuda {

class CudaDevice {
 public:
  const DriverApi& api() const { return *api_; }
  int ordinal() const { return ordinal_; }
  const std::string& name() const { return name_; }
  int computeMajor() const { return major_; }
  int computeMinor() const { return minor_; }
  // "sm_90" for NVRTC's -arch and the cubin it makes.
  std::string arch() const;
  int multiprocessors() const { return sms_; }
  std::size_t totalMemory() const { return total_memory_; }
  // 13000 for CUDA 13.0, as cuDriverGetVersion reports it.
  int driverVersion() const { return driver_version_; }
  absl::StatusOr<int> attribute(DeviceAttribute attribute) const;

  // Makes the device's primary context current on the calling thread.
  absl::Status makeCurrent() const;

 private:
  friend absl::StatusOr<CudaDevice*> openDefaultDevice();
  const DriverApi* api_ = nullptr;
  CuDevice device_ = 0;
  CuContext context_ = nullptr;
  int ordinal_ = 0, major_ = 0, minor_ = 0, sms_ = 0, driver_version_ = 0;
  std::size_t total_memory_ = 0;
  std::string name_;
};

// Device 0 (or $DLC_CUDA_DEVICE) with its primary context current on this
// thread; opened once per process, never closed. Unavailable, with a message
// that says which, when there is no driver ("no CUDA driver: libcuda.so.1
// could not be loaded (...)") or no device ("no CUDA device: ..."); other
// driver failures keep the driver's error.
absl::StatusOr<CudaDevice*> openDefaultDevice();

// What may still be allocated on `device`: its free memory (cuMemGetInfo);
// with DLC_MEMORY_LIMIT set, that limit less what is in use on the device
// (runtime/memory_budget.h).
absl::StatusOr<MemoryHeadroom> deviceMemoryHeadroom(const CudaDevice& device);

// Owns one cuMemAlloc allocation; freed when destroyed.
class DeviceBuffer {
 public:
  static absl::StatusOr<DeviceBuffer> allocate(const CudaDevice& device, std::size_t bytes);
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer();

  CuDevicePtr ptr() const { return ptr_; }
  std::size_t size() const { return size_; }

 private:
  const DriverApi* api_ = nullptr;
  CuDevicePtr ptr_ = 0;
  std::size_t size_ = 0;
};

// A range of device memory that something else owns.
struct DeviceSpan {
  CuDevicePtr ptr = 0;
  std::size_t bytes = 0;
};

// One allocation for a whole program's buffers: the memory planner gives each
// buffer an offset, so a step allocates nothing. carve() is a bump allocator
// for callers without a plan (tests, benchmarks).
class DeviceArena {
 public:
  static constexpr std::size_t kAlignment = 256;  // cuMemAlloc's own alignment
  static absl::StatusOr<DeviceArena> create(const CudaDevice& device, std::size_t bytes);

  // [offset, offset + bytes), or OutOfRange when it does not fit.
  absl::StatusOr<DeviceSpan> at(std::size_t offset, std::size_t bytes) const;
  // The next `bytes`, aligned to kAlignment.
  absl::StatusOr<DeviceSpan> carve(std::size_t bytes);
  void reset() { next_ = 0; }
  std::size_t size() const { return buffer_.size(); }
  std::size_t used() const { return next_; }

 private:
  explicit DeviceArena(DeviceBuffer buffer) : buffer_(std::move(buffer)) {}
  DeviceBuffer buffer_;
  std::size_t next_ = 0;
};

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

struct LaunchConfig {
  Dim3 grid;
  Dim3 block;
  unsigned shared_bytes = 0;  // dynamic shared memory
};

// A kernel in a loaded module; valid while the module lives.
struct Kernel {
  CuFunction function = nullptr;
  std::string name;
};

// A module loaded from a cubin or from PTX text (the driver tells them apart).
class Module {
 public:
  static absl::StatusOr<Module> load(const CudaDevice& device, std::string_view image);

  // NotFound naming the kernel when the module has no such function.
  absl::StatusOr<Kernel> kernel(std::string_view name) const;

 private:
  Module(const DriverApi* api, CuModule module) : api_(api), module_(api, module) {}
  const DriverApi* api_ = nullptr;
  DriverOwned<CuModule, &DriverApi::cuModuleUnload> module_;
};

// A non-blocking stream; every operation on it is asynchronous until
// synchronize().
class Stream {
 public:
  static absl::StatusOr<Stream> create(const CudaDevice& device);

  absl::Status copyToDevice(CuDevicePtr dst, const void* src, std::size_t bytes);
  absl::Status copyToHost(void* dst, CuDevicePtr src, std::size_t bytes);
  absl::Status copyOnDevice(CuDevicePtr dst, CuDevicePtr src, std::size_t bytes);
  absl::Status memset(CuDevicePtr dst, unsigned char value, std::size_t bytes);
  // `args` points at one pointer per kernel parameter, each pointing at the
  // parameter's value (cuLaunchKernel's convention; see kernel_args.h).
  // Dynamic shared memory over 48 KiB is opted into for the kernel first.
  absl::Status launch(const Kernel& kernel, const LaunchConfig& config, void** args);
  absl::Status synchronize();

  const DriverApi& api() const { return *api_; }
  CuStream handle() const { return stream_; }

 private:
  Stream(const DriverApi* api, CuStream stream) : api_(api), stream_(api, stream) {}
  const DriverApi* api_ = nullptr;
  DriverOwned<CuStream, &DriverApi::cuStreamDestroy> stream_;
};

// A CUDA graph captured from the work a function enqueues on a stream, then
// replayed with one launch: a training step's kernels cost one launch.
class Graph {
 public:
  // Runs `enqueue` with `stream` in capture mode; nothing executes until
  // launch(). The capture is ended even when `enqueue` fails.
  static absl::StatusOr<Graph> capture(Stream& stream, const std::function<absl::Status(Stream&)>& enqueue);

  absl::Status launch(Stream& stream);

 private:
  Graph(const DriverApi* api, CuGraph graph, CuGraphExec exec) : api_(api), graph_(api, graph), exec_(api, exec) {}
  const DriverApi* api_ = nullptr;
  // Declared in this order so that the executable graph is destroyed first.
  DriverOwned<CuGraph, &DriverApi::cuGraphDestroy> graph_;
  DriverOwned<CuGraphExec, &DriverApi::cuGraphExecDestroy> exec_;
};

class Event {
 public:
  static absl::StatusOr<Event> create(const CudaDevice& device);

  absl::Status record(Stream& stream);
  absl::Status synchronize();
  // Milliseconds between two recorded events (waits for `end`).
  static absl::StatusOr<float> elapsedMs(Event& start, Event& end);

 private:
  Event(const DriverApi* api, CuEvent event) : api_(api), event_(api, event) {}
  const DriverApi* api_ = nullptr;
  DriverOwned<CuEvent, &DriverApi::cuEventDestroy> event_;
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_DEVICE_H_
