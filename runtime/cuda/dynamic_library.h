// A shared library opened with dlopen at run time. dlc links no CUDA library,
// so one binary runs on machines with and without a GPU; the CUDA wrappers
// (driver, cuBLASLt, cuBLAS) open their libraries through this.
#ifndef DLC_RUNTIME_CUDA_DYNAMIC_LIBRARY_H_
#define DLC_RUNTIME_CUDA_DYNAMIC_LIBRARY_H_

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

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

// Points `slot` at the first of `names` (newest version first) that the
// library exports; otherwise appends the first name to `missing`.
template <typename Fn>
bool bindSymbol(const DynamicLibrary& lib, Fn*& slot, std::initializer_list<const char*> names,
                std::string* missing) {
  for (const char* name : names) {
    if (void* p = lib.symbol(name)) {
      slot = reinterpret_cast<Fn*>(p);
      return true;
    }
  }
  if (!missing->empty()) missing->append(", ");
  missing->append(*names.begin());
  return false;
}

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_DYNAMIC_LIBRARY_H_
