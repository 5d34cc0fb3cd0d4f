// The argument array of a kernel launch: cuLaunchKernel takes one pointer
// per parameter, each pointing at the parameter's value. KernelArgs keeps the
// values and hands out that array.
#ifndef DLC_RUNTIME_CUDA_KERNEL_ARGS_H_
#define DLC_RUNTIME_CUDA_KERNEL_ARGS_H_

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace dlc::runtime::cuda {

class KernelArgs {
 public:
  // Any trivially copyable value of at most 8 bytes: a device pointer
  // (CuDevicePtr), int, int64_t, float, double.
  template <typename T>
  KernelArgs& add(T value) {
    static_assert(sizeof(T) <= sizeof(Slot) && std::is_trivially_copyable_v<T>);
    Slot slot{};
    std::memcpy(&slot, &value, sizeof(T));
    slots_.push_back(slot);
    return *this;
  }

  // Valid until the next add(); the driver copies the values at launch.
  void** data() {
    pointers_.clear();
    for (Slot& slot : slots_) pointers_.push_back(&slot);
    return pointers_.data();
  }

 private:
  using Slot = std::uint64_t;
  std::vector<Slot> slots_;
  std::vector<void*> pointers_;
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_KERNEL_ARGS_H_
