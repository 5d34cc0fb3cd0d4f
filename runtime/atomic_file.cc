#include "runtime/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>

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
  static std::atomic<uint64_t> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = strCat(path, ".tmp.", ::getpid(), ".", counter.fetch_add(1));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100)) return errnoError(path, "cannot create");
  }
  absl::Status status;
  for (std::span<const std::byte> chunk : chunks) {
    status = writeAll(fd, chunk, path);
    if (!status.ok()) break;
  }
  if (status.ok() && ::fsync(fd) != 0) status = errnoError(path, "cannot write");
  if (::close(fd) != 0 && status.ok()) status = errnoError(path, "cannot write");
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) status = errnoError(path, "cannot replace");
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

}  // namespace dlc::runtime
