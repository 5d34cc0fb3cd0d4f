// Whole files in and out: a file read into memory in one piece, and a file
// replaced atomically (written to a temporary file in the same folder,
// fsynced, then renamed over the target, so readers see the old file or the
// whole new one). Shared by tensor files and artifacts.
#ifndef DLC_RUNTIME_ATOMIC_FILE_H_
#define DLC_RUNTIME_ATOMIC_FILE_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>
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

// Where a write to `path` goes, as a careful Unix tool decides it:
//   - a new path, or a regular file: replaced atomically (`file` = path);
//   - a symbolic link to a regular file: the link is followed and its
//     target replaced (`file` = the target; the link stays a link);
//   - a character device or a FIFO (/dev/null, /dev/stdout, a named pipe):
//     written in place (`in_place`), as `cp` and `>` do;
//   - a folder, a block device, a socket, or a link to nothing: refused
//     (InvalidArgument naming the path).
struct OutputTarget {
  std::string file;
  bool in_place = false;
  std::optional<mode_t> mode;  // an existing file's permissions, kept
};
absl::StatusOr<OutputTarget> resolveOutput(const std::string& path);

// resolveOutput, and for a file its folder exists and is writable: what a
// command checks before long work whose result goes to `path`.
absl::Status checkWritable(const std::string& path);

// Writes the concatenation of `chunks` where resolveOutput says: for a file,
// to a new file beside it, fsynced, then renamed over it (readers see the old
// file or the whole new one). A new file gets 0666 less the umask, as with
// fopen, a replaced one keeps its permissions; on failure the temporary file
// is removed and the old one is left as it was.
absl::Status writeFileAtomically(const std::string& path, std::span<const std::span<const std::byte>> chunks);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_ATOMIC_FILE_H_
