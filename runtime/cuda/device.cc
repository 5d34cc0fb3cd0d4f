#include "runtime/cuda/device.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>

#include "support/env.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {

// --- CudaDevice --------------------------------------------------------------

std::string CudaDevice::arch() const { return strCat("sm_", major_, minor_); }

absl::StatusOr<int> CudaDevice::attribute(DeviceAttribute attribute) const {
  int value = 0;
  DLC_CU_RETURN_IF_ERROR(*api_, cuDeviceGetAttribute, &value, static_cast<int>(attribute), device_);
  return value;
}

absl::Status CudaDevice::makeCurrent() const { return api_->check(api_->cuCtxSetCurrent(context_), "cuCtxSetCurrent"); }

namespace {

absl::StatusOr<CudaDevice*> open(const DriverApi& api, CudaDevice* device, CuDevice* handle, CuContext* context,
                                 int ordinal) {
  CuResult init = api.cuInit(0);
  if (init == kCudaErrorNoDevice) {
    return absl::UnavailableError(strCat("no CUDA device: ", api.check(init, "cuInit").message()));
  }
  RETURN_IF_ERROR(api.check(init, "cuInit"));
  int count = 0;
  DLC_CU_RETURN_IF_ERROR(api, cuDeviceGetCount, &count);
  if (count == 0) return absl::UnavailableError("no CUDA device: the driver reports none");
  if (ordinal < 0 || ordinal >= count) {
    return absl::InvalidArgumentError(
        strCat("DLC_CUDA_DEVICE=", ordinal, " but the driver reports ", count, " device(s)"));
  }
  DLC_CU_RETURN_IF_ERROR(api, cuDeviceGet, handle, ordinal);
  DLC_CU_RETURN_IF_ERROR(api, cuDevicePrimaryCtxRetain, context, *handle);
  DLC_CU_RETURN_IF_ERROR(api, cuCtxSetCurrent, *context);
  return device;
}

}  // namespace

absl::StatusOr<CudaDevice*> openDefaultDevice() {
  static const absl::StatusOr<CudaDevice*> opened = []() -> absl::StatusOr<CudaDevice*> {
    ASSIGN_OR_RETURN(const DriverApi* api, loadDriver());
    int ordinal = 0;
    if (std::optional<int64_t> n = envInteger("DLC_CUDA_DEVICE", 0, 1 << 20)) ordinal = static_cast<int>(*n);
    // Never destroyed: buffers freed by static destructors at exit still
    // need the context.
    auto* device = new CudaDevice();
    device->api_ = api;
    device->ordinal_ = ordinal;
    ASSIGN_OR_RETURN(CudaDevice * d, open(*api, device, &device->device_, &device->context_, ordinal));
    DLC_CU_RETURN_IF_ERROR(*api, cuDriverGetVersion, &d->driver_version_);
    char name[256] = {};
    DLC_CU_RETURN_IF_ERROR(*api, cuDeviceGetName, name, sizeof(name) - 1, d->device_);
    d->name_ = name;
    DLC_CU_RETURN_IF_ERROR(*api, cuDeviceTotalMem, &d->total_memory_, d->device_);
    ASSIGN_OR_RETURN(d->major_, d->attribute(DeviceAttribute::kComputeCapabilityMajor));
    ASSIGN_OR_RETURN(d->minor_, d->attribute(DeviceAttribute::kComputeCapabilityMinor));
    ASSIGN_OR_RETURN(d->sms_, d->attribute(DeviceAttribute::kMultiprocessorCount));
    return d;
  }();
  if (opened.ok()) RETURN_IF_ERROR((*opened)->makeCurrent());
  return opened;
}

// --- DeviceBuffer and DeviceArena --------------------------------------------

absl::StatusOr<MemoryHeadroom> deviceMemoryHeadroom(const CudaDevice& device) {
  RETURN_IF_ERROR(device.makeCurrent());
  std::size_t free = 0, total = 0;
  RETURN_IF_ERROR(device.api().check(device.api().cuMemGetInfo(&free, &total), "cuMemGetInfo"));
  int64_t in_use = static_cast<int64_t>(total - free);
  ASSIGN_OR_RETURN(std::optional<MemoryLimitSetting> setting, memoryLimitFromEnvironment());
  if (setting) {
    if (setting->bytes == MemoryHeadroom::kUnlimited) return MemoryHeadroom{};
    return MemoryHeadroom{std::max<int64_t>(setting->bytes - in_use, 0),
                          strCat(setting->source, ", ", formatBytes(in_use), " in use on the GPU")};
  }
  return MemoryHeadroom{static_cast<int64_t>(free),
                        strCat(formatBytes(static_cast<int64_t>(free)), " free of ",
                               formatBytes(static_cast<int64_t>(total)), " on ", device.name())};
}

absl::StatusOr<DeviceBuffer> DeviceBuffer::allocate(const CudaDevice& device, std::size_t bytes) {
  DeviceBuffer buffer;
  buffer.api_ = &device.api();
  buffer.size_ = bytes;
  if (bytes == 0) return buffer;
  CuResult r = device.api().cuMemAlloc(&buffer.ptr_, bytes);
  if (r != kCudaSuccess) {
    return absl::Status(device.api().check(r, "cuMemAlloc").code(),
                        strCat(device.api().check(r, "cuMemAlloc").message(), " allocating ", bytes, " bytes"));
  }
  return buffer;
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : api_(other.api_), ptr_(std::exchange(other.ptr_, 0)), size_(std::exchange(other.size_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (ptr_ != 0) api_->cuMemFree(ptr_);
    api_ = other.api_;
    ptr_ = std::exchange(other.ptr_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() {
  if (ptr_ != 0) api_->cuMemFree(ptr_);
}

absl::StatusOr<DeviceArena> DeviceArena::create(const CudaDevice& device, std::size_t bytes) {
  ASSIGN_OR_RETURN(DeviceBuffer buffer, DeviceBuffer::allocate(device, bytes));
  return DeviceArena(std::move(buffer));
}

absl::StatusOr<DeviceSpan> DeviceArena::at(std::size_t offset, std::size_t bytes) const {
  if (offset > buffer_.size() || bytes > buffer_.size() - offset) {
    return absl::OutOfRangeError(
        strCat("device arena of ", buffer_.size(), " bytes has no [", offset, ", ", offset + bytes, ")"));
  }
  return DeviceSpan{buffer_.ptr() + offset, bytes};
}

absl::StatusOr<DeviceSpan> DeviceArena::carve(std::size_t bytes) {
  std::size_t offset = (next_ + kAlignment - 1) / kAlignment * kAlignment;
  ASSIGN_OR_RETURN(DeviceSpan span, at(offset, bytes));
  next_ = offset + bytes;
  return span;
}

// --- Module ------------------------------------------------------------------

absl::StatusOr<Module> Module::load(const CudaDevice& device, std::string_view image) {
  // PTX must end with a NUL; a std::string copy guarantees it for both forms.
  std::string copy(image);
  CuModule module = nullptr;
  DLC_CU_RETURN_IF_ERROR(device.api(), cuModuleLoadData, &module, copy.data());
  return Module(&device.api(), module);
}

absl::StatusOr<Kernel> Module::kernel(std::string_view name) const {
  Kernel kernel{nullptr, std::string(name)};
  CuResult r = api_->cuModuleGetFunction(&kernel.function, module_, kernel.name.c_str());
  if (r != kCudaSuccess) {
    absl::Status s = api_->check(r, "cuModuleGetFunction");
    return absl::Status(s.code(), strCat("kernel '", name, "': ", s.message()));
  }
  return kernel;
}

// --- Stream ------------------------------------------------------------------

absl::StatusOr<Stream> Stream::create(const CudaDevice& device) {
  CuStream stream = nullptr;
  DLC_CU_RETURN_IF_ERROR(device.api(), cuStreamCreate, &stream, kStreamNonBlocking);
  return Stream(&device.api(), stream);
}

absl::Status Stream::copyToDevice(CuDevicePtr dst, const void* src, std::size_t bytes) {
  DLC_CU_RETURN_IF_ERROR(*api_, cuMemcpyHtoDAsync, dst, src, bytes, stream_);
  return absl::OkStatus();
}

absl::Status Stream::copyToHost(void* dst, CuDevicePtr src, std::size_t bytes) {
  DLC_CU_RETURN_IF_ERROR(*api_, cuMemcpyDtoHAsync, dst, src, bytes, stream_);
  return absl::OkStatus();
}

absl::Status Stream::copyOnDevice(CuDevicePtr dst, CuDevicePtr src, std::size_t bytes) {
  DLC_CU_RETURN_IF_ERROR(*api_, cuMemcpyDtoDAsync, dst, src, bytes, stream_);
  return absl::OkStatus();
}

absl::Status Stream::memset(CuDevicePtr dst, unsigned char value, std::size_t bytes) {
  DLC_CU_RETURN_IF_ERROR(*api_, cuMemsetD8Async, dst, value, bytes, stream_);
  return absl::OkStatus();
}

absl::Status Stream::launch(const Kernel& kernel, const LaunchConfig& c, void** args) {
  // Above 48 KiB a kernel must opt into its dynamic shared memory.
  if (c.shared_bytes > 48 * 1024) {
    RETURN_IF_ERROR(api_->check(api_->cuFuncSetAttribute(kernel.function, kFuncAttributeMaxDynamicSharedSizeBytes,
                                                         static_cast<int>(c.shared_bytes)),
                                "cuFuncSetAttribute"));
  }
  CuResult r = api_->cuLaunchKernel(kernel.function, c.grid.x, c.grid.y, c.grid.z, c.block.x, c.block.y, c.block.z,
                                    c.shared_bytes, stream_, args, nullptr);
  if (r != kCudaSuccess) {
    absl::Status s = api_->check(r, "cuLaunchKernel");
    return absl::Status(s.code(), strCat(s.message(), " launching '", kernel.name, "' with grid (", c.grid.x, ",",
                                         c.grid.y, ",", c.grid.z, ") block (", c.block.x, ",", c.block.y, ",",
                                         c.block.z, ") shared ", c.shared_bytes));
  }
  return absl::OkStatus();
}

absl::Status Stream::synchronize() {
  DLC_CU_RETURN_IF_ERROR(*api_, cuStreamSynchronize, stream_);
  return absl::OkStatus();
}

// --- Graph -------------------------------------------------------------------

absl::StatusOr<Graph> Graph::capture(Stream& stream, const std::function<absl::Status(Stream&)>& enqueue) {
  const DriverApi& api = stream.api();
  DLC_CU_RETURN_IF_ERROR(api, cuStreamBeginCapture, stream.handle(), kStreamCaptureModeThreadLocal);
  absl::Status body = enqueue(stream);
  CuGraph graph = nullptr;
  CuResult ended = api.cuStreamEndCapture(stream.handle(), &graph);
  if (!body.ok()) {
    if (graph != nullptr) api.cuGraphDestroy(graph);
    return body;
  }
  RETURN_IF_ERROR(api.check(ended, "cuStreamEndCapture"));
  CuGraphExec exec = nullptr;
  CuResult r = api.cuGraphInstantiateWithFlags(&exec, graph, 0);
  if (r != kCudaSuccess) {
    api.cuGraphDestroy(graph);
    return api.check(r, "cuGraphInstantiateWithFlags");
  }
  return Graph(&api, graph, exec);
}

absl::Status Graph::launch(Stream& stream) {
  DLC_CU_RETURN_IF_ERROR(*api_, cuGraphLaunch, exec_, stream.handle());
  return absl::OkStatus();
}

// --- Event -------------------------------------------------------------------

absl::StatusOr<Event> Event::create(const CudaDevice& device) {
  CuEvent event = nullptr;
  DLC_CU_RETURN_IF_ERROR(device.api(), cuEventCreate, &event, kEventDefault);
  return Event(&device.api(), event);
}

absl::Status Event::record(Stream& stream) {
  DLC_CU_RETURN_IF_ERROR(*api_, cuEventRecord, event_, stream.handle());
  return absl::OkStatus();
}

absl::Status Event::synchronize() {
  DLC_CU_RETURN_IF_ERROR(*api_, cuEventSynchronize, event_);
  return absl::OkStatus();
}

absl::StatusOr<float> Event::elapsedMs(Event& start, Event& end) {
  RETURN_IF_ERROR(end.synchronize());
  float ms = 0;
  DLC_CU_RETURN_IF_ERROR(*start.api_, cuEventElapsedTime, &ms, start.event_, end.event_);
  return ms;
}

}  // namespace dlc::runtime::cuda
