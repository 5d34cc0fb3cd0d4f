// Whole files in and out: a file read into memory in one piece, and a file
// replaced atomically (written to a temporary file in the same folder,
// fsynced, then renamed over the target, so readers see the old file or the
// whole new one). Shared by tensor files and artifacts.
#ifndef DLC_RUNTIME_ATOMIC_FILE_H_
#define DLC_RUNTIME_ATOMIC_FILE_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc::runtime {

struct FileBytes {
  std::unique_ptr<std::byte[]> data;
  size_t size = 0;
  std::span<const std::byte> bytes() const { return {data.get(), size}; }
  std::string_view text() const { return {reinterpret_cast<const char*>(data.get()), size}; }
};

// The bytes of the regular file at `path`; errors start with the path.
absl::StatusOr<FileBytes> readWholeFile(const std::string& path);

// Writes the concatenation of `chunks` to a new file beside `path` and renames
// it over `path`. The file gets 0666 less the umask, as with fopen; on failure
// the temporary file is removed and `path` is left as it was.
absl::Status writeFileAtomically(const std::string& path, std::span<const std::span<const std::byte>> chunks);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_ATOMIC_FILE_H_
