// Compiled CPU kernels loaded from a shared object's bytes (what
// codegen/llvm/native_code.h produces and a `.dlx` artifact carries), with
// the system's dynamic loader: the bytes go to an anonymous memory file that
// is dlopen'ed, so nothing is written to disk and the runtime needs no
// compiler. Before loading, the code's architecture and instruction-set
// extensions are checked against this machine.
#ifndef DLC_RUNTIME_CPU_NATIVE_MODULE_H_
#define DLC_RUNTIME_CPU_NATIVE_MODULE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cpu/executor.h"

namespace dlc::runtime::cpu {

// The global of every compiled module through which its parallel loops call
// the thread pool's dlc_cpu_parallel_for (thread_pool.h); load() sets it.
inline constexpr const char* kParallelForPointer = "dlc_cpu_parallel_for_ptr";

class NativeModule {
 public:
  // Unavailable when this machine cannot run the code (another
  // architecture, a missing extension), naming what the code needs and what
  // the machine has (dlc exits with 3: the file is fine, the machine is
  // not); InvalidArgument when the bytes are not a loadable shared object.
  static absl::StatusOr<std::unique_ptr<NativeModule>> load(std::string_view triple,
                                                            const std::vector<std::string>& isa,
                                                            std::string_view shared_object);
  ~NativeModule();
  NativeModule(const NativeModule&) = delete;
  NativeModule& operator=(const NativeModule&) = delete;

  // nullptr when the module exports no function of that name.
  KernelFn find(const std::string& name) const;

 private:
  NativeModule(void* handle, int fd) : handle_(handle), fd_(fd) {}
  void* handle_ = nullptr;
  // The memory file stays open while the code is loaded: the loader knows a
  // library by its path, /proc/self/fd/N, and a reused N would make a later
  // dlopen hand back this library instead of loading the new one.
  int fd_ = -1;
};

// Whether code for `triple` needing `isa` can run here: OK, or
// Unavailable saying why not.
absl::Status checkRunnable(std::string_view triple, const std::vector<std::string>& isa);

}  // namespace dlc::runtime::cpu

#endif  // DLC_RUNTIME_CPU_NATIVE_MODULE_H_
