// A content-addressed disk cache of compiled kernels (cubins, PTX): an entry
// is found by a SHA-256 of everything that decides the compiler's output.
//
// Entry file `<dir>/<hex digest>.dlck`:
//   magic "DLCKCACH", u32 format version, 32-byte key digest, u64 payload
//   size, 32-byte SHA-256 of the payload, then the payload (little-endian).
// Entries are written to a unique temporary file in the same folder and
// renamed, so readers see a whole entry or none, and processes compiling the
// same key at once each leave a valid one. An entry that does not verify
// (truncated, corrupted, another key's) is a miss: it is never used, and the
// next store replaces it. A cache that cannot be written is not an error to
// the caller: it compiles. `compileCached` is the one entry point the
// compilers use; load and store are the parts it is made of (tests damage
// entries between them).
#ifndef DLC_CODEGEN_CACHE_KERNEL_CACHE_H_
#define DLC_CODEGEN_CACHE_KERNEL_CACHE_H_

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc::codegen {

// What decides a compiled kernel. Every field is hashed, length-prefixed.
struct CacheKey {
  std::string source;
  std::string compiler_version;  // NVRTC's "13.0"
  std::string driver_version;    // the CUDA driver's, "" if none
  std::string arch;              // "sm_90"
  std::vector<std::string> options;
  std::string dlc_version;  // defaults to this build's PROJECT_VERSION

  CacheKey();
  // Lower-case hex SHA-256 of the fields (64 characters).
  std::string digest() const;
};

// What compileCached returns: the compiler's output and whether it came from
// the cache.
struct CachedCompile {
  std::string payload;
  bool cache_hit = false;
};
using CompileFn = std::function<absl::StatusOr<std::string>()>;

class KernelCache {
 public:
  explicit KernelCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // $DLC_CACHE_DIR, else $XDG_CACHE_HOME/dlc, else $HOME/.cache/dlc.
  static std::filesystem::path defaultDirectory();

  const std::filesystem::path& directory() const { return dir_; }
  std::filesystem::path entryPath(const CacheKey& key) const;

  // The payload stored for `key`, if a valid entry holds it.
  std::optional<std::string> load(const CacheKey& key) const;
  // Writes the entry atomically (creating the folder).
  absl::Status store(const CacheKey& key, std::string_view payload) const;
  // load, else compile and store; a failed store is ignored (the result is
  // still returned), a failed compile is returned.
  absl::StatusOr<CachedCompile> getOrCompile(const CacheKey& key, const CompileFn& compile) const;

 private:
  std::filesystem::path dir_;
};

// Compiles `key` through the cache in `dir` (nullopt: defaultDirectory()),
// or directly when `use_cache` is false.
absl::StatusOr<CachedCompile> compileCached(bool use_cache, const std::optional<std::filesystem::path>& dir,
                                            const CacheKey& key, const CompileFn& compile);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_CACHE_KERNEL_CACHE_H_
