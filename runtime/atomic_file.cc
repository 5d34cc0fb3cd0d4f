#include "runtime/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "runtime/memory_budget.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime {
namespace {

absl::Status errnoError(std::string_view path, std::string_view what) {
  int e = errno;
  return absl::Status(absl::ErrnoToStatusCode(e), strCat(path, ": ", what, ": ", std::strerror(e)));
}

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

absl::Status writeAll(int fd, std::span<const std::byte> bytes, std::string_view path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError(path, "cannot write");
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status writeChunks(int fd, std::span<const std::span<const std::byte>> chunks, std::string_view path) {
  for (std::span<const std::byte> chunk : chunks) RETURN_IF_ERROR(writeAll(fd, chunk, path));
  return absl::OkStatus();
}

// Devices and FIFOs are written where they are, as `cp` and the shell's `>`
// do: /dev/null, /dev/stdout, a pipe to another process. A FIFO's open waits
// for a reader, as theirs does.
absl::Status writeInPlace(const std::string& path, std::span<const std::span<const std::byte>> chunks) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errnoError(path, "cannot open");
  absl::Status status = writeChunks(fd, chunks, path);
  if (::close(fd) != 0 && status.ok()) status = errnoError(path, "cannot write");
  return status;
}

}  // namespace

absl::StatusOr<FileBytes> readWholeFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused
  // below like every other file that is not regular.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return errnoError(path, "cannot open");
  FdCloser closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return errnoError(path, "cannot read");
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(strCat(path, ": not a regular file"));
  MemoryNeed need;
  need.add("its contents", st.st_size);
  RETURN_IF_ERROR(checkHostMemory(strCat(path, ": reading"), need));
  FileBytes out;
  out.size = static_cast<size_t>(st.st_size);
  out.data.reset(new (std::nothrow) std::byte[std::max<size_t>(out.size, 1)]);
  if (!out.data) return absl::ResourceExhaustedError(strCat(path, ": cannot allocate ", out.size, " bytes"));
  for (size_t done = 0; done < out.size;) {
    ssize_t n = ::read(fd, out.data.get() + done, out.size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError(path, "cannot read");
    if (n == 0) return absl::DataLossError(strCat(path, ": the file shrank while it was read"));
    done += static_cast<size_t>(n);
  }
  return out;
}

absl::Status writeFileAtomically(const std::string& path, std::span<const std::span<const std::byte>> chunks) {
  ASSIGN_OR_RETURN(OutputTarget target, resolveOutput(path));
  if (target.in_place) return writeInPlace(path, chunks);
  static std::atomic<uint64_t> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = strCat(target.file, ".tmp.", ::getpid(), ".", counter.fetch_add(1));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100)) return errnoError(path, "cannot create");
  }
  absl::Status status;
  // A replaced file keeps its permissions, as it would if written in place.
  if (target.mode && ::fchmod(fd, *target.mode) != 0) status = errnoError(path, "cannot keep the file's permissions");
  if (status.ok()) status = writeChunks(fd, chunks, path);
  if (status.ok() && ::fsync(fd) != 0) status = errnoError(path, "cannot write");
  if (::close(fd) != 0 && status.ok()) status = errnoError(path, "cannot write");
  if (status.ok() && ::rename(tmp.c_str(), target.file.c_str()) != 0) status = errnoError(path, "cannot replace");
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

absl::StatusOr<OutputTarget> resolveOutput(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return errnoError(path, "cannot write");
    if (::lstat(path.c_str(), &st) == 0)
      return absl::InvalidArgumentError(
          strCat(path, ": a symbolic link to a file that does not exist; dlc does not write through it"));
    return OutputTarget{path, false, std::nullopt};
  }
  if (S_ISDIR(st.st_mode)) return absl::InvalidArgumentError(strCat(path, ": is a folder, not a file"));
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return OutputTarget{path, true, std::nullopt};
  if (!S_ISREG(st.st_mode))
    return absl::InvalidArgumentError(
        strCat(path, ": not a regular file, a character device or a FIFO; dlc does not write there"));
  mode_t mode = st.st_mode & 07777;
  if (::lstat(path.c_str(), &st) != 0) return errnoError(path, "cannot write");
  if (!S_ISLNK(st.st_mode)) return OutputTarget{path, false, mode};
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return errnoError(path, "cannot follow the symbolic link");
  return OutputTarget{resolved.get(), false, mode};
}

absl::Status checkWritable(const std::string& path) {
  ASSIGN_OR_RETURN(OutputTarget target, resolveOutput(path));
  if (target.in_place) return absl::OkStatus();
  size_t slash = target.file.rfind('/');
  std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : target.file.substr(0, slash);
  struct stat st;
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(strCat(path, ": no folder ", folder, " to write it in"));
  if (::access(folder.c_str(), W_OK) != 0) return errnoError(path, strCat("cannot write in ", folder));
  return absl::OkStatus();
}

}  // namespace dlc::runtime
