#include "runtime/cuda/dynamic_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "support/env.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {
namespace {

// Toolkit folders that are often not on the loader's path (the toolkit's
// installer does not run ldconfig for them).
std::vector<std::string> toolkitDirs() {
  std::vector<std::string> dirs;
  for (const char* var : {"CUDA_HOME", "CUDA_PATH"}) {
    if (std::optional<std::string> v = envString(var)) dirs.push_back(strCat(*v, "/lib64"));
  }
  dirs.push_back("/usr/local/cuda/lib64");
  dirs.push_back("/usr/local/cuda/targets/x86_64-linux/lib");
  return dirs;
}

}  // namespace

absl::StatusOr<DynamicLibrary> DynamicLibrary::open(std::span<const std::string_view> names) {
  std::vector<std::string> candidates;
  for (std::string_view name : names) candidates.emplace_back(name);
  for (const std::string& dir : toolkitDirs()) {
    for (std::string_view name : names) {
      if (name.find('/') == std::string_view::npos) candidates.push_back(strCat(dir, "/", name));
    }
  }
  std::vector<std::string> errors;
  for (const std::string& path : candidates) {
    // RTLD_LOCAL: the CUDA libraries must not resolve each other's symbols
    // through us; RTLD_NOW: a broken install fails here, not mid-run.
    if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) return DynamicLibrary(handle, path);
    const char* err = dlerror();
    // Only the plain names' errors are shown: the folder retries repeat them.
    if (path.find('/') == std::string::npos ||
        std::string_view(err ? err : "").find("No such file") == std::string_view::npos) {
      errors.push_back(err ? err : path);
    }
  }
  return absl::NotFoundError(strJoin(errors, "; "));
}

DynamicLibrary::DynamicLibrary(DynamicLibrary&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), path_(std::move(other.path_)) {}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) dlclose(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

void* DynamicLibrary::symbol(const char* name) const { return handle_ ? dlsym(handle_, name) : nullptr; }

absl::Status SymbolBinder::check(std::string_view what, std::string_view hint) const {
  if (missing_.empty()) return absl::OkStatus();
  return absl::InternalError(strCat(what, " ", lib_.path(), " lacks ", missing_, hint));
}

absl::StatusOr<const DynamicLibrary*> openForProcess(std::string_view what, std::span<const std::string_view> names) {
  absl::StatusOr<DynamicLibrary> lib = DynamicLibrary::open(names);
  if (!lib.ok())
    return absl::UnavailableError(strCat(what, ": ", names[0], " could not be loaded (", lib.status().message(), ")"));
  return new DynamicLibrary(*std::move(lib));
}

}  // namespace dlc::runtime::cuda
