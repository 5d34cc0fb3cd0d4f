// A shared library opened with dlopen at run time. dlc links no CUDA library,
// so one binary runs on machines with and without a GPU; the CUDA wrappers
// (driver, cuBLASLt, cuDNN) open their libraries through this.
#ifndef DLC_RUNTIME_CUDA_DYNAMIC_LIBRARY_H_
#define DLC_RUNTIME_CUDA_DYNAMIC_LIBRARY_H_

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc::runtime::cuda {

class DynamicLibrary {
 public:
  // Tries each name in turn (a soname such as "libcublasLt.so.13" is looked
  // up on the loader's path, then in the CUDA toolkit's lib64 folders named
  // by $CUDA_HOME, $CUDA_PATH and /usr/local/cuda). The error lists every
  // dlerror() so a missing library is easy to tell from a broken one.
  static absl::StatusOr<DynamicLibrary> open(std::span<const std::string_view> names);

  DynamicLibrary(DynamicLibrary&& other) noexcept;
  DynamicLibrary& operator=(DynamicLibrary&& other) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;
  ~DynamicLibrary();

  // The address of `name`, or nullptr when the library does not export it.
  void* symbol(const char* name) const;
  // The path or soname that was opened.
  const std::string& path() const { return path_; }

 private:
  DynamicLibrary(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  void* handle_ = nullptr;
  std::string path_;
};

// Binds the function pointers of an API struct from one library, naming
// every symbol the library lacks in one error.
class SymbolBinder {
 public:
  explicit SymbolBinder(const DynamicLibrary& lib) : lib_(lib) {}

  // Points `slot` at the first of `names` (newest version first) that the
  // library exports; otherwise remembers the first name as missing.
  template <typename Fn>
  void operator()(Fn*& slot, std::initializer_list<const char*> names) {
    for (const char* name : names) {
      if (void* p = lib_.symbol(name)) {
        slot = reinterpret_cast<Fn*>(p);
        return;
      }
    }
    if (!missing_.empty()) missing_.append(", ");
    missing_.append(*names.begin());
  }

  // Internal "WHAT PATH lacks a, b" (then `hint`) when a symbol was missing.
  absl::Status check(std::string_view what, std::string_view hint = "") const;

 private:
  const DynamicLibrary& lib_;
  std::string missing_;
};

// Opens the first of `names` that loads and keeps it open for the process's
// lifetime (a library must outlive the static objects that free through it);
// Unavailable "WHAT: NAMES[0] could not be loaded (why)" otherwise.
absl::StatusOr<const DynamicLibrary*> openForProcess(std::string_view what, std::span<const std::string_view> names);

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_DYNAMIC_LIBRARY_H_
