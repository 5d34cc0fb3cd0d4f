#include "runtime/data/idx.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>

#include "absl/status/status.h"
#include "support/strings.h"

namespace dlc::runtime {
namespace {

// Reads up to `size` bytes into `out`; returns how many (0 at the end) or an
// error. A short count is only returned at the end of the data.
using ReadFn = std::function<absl::StatusOr<size_t>(std::byte* out, size_t size)>;

std::string_view idxDTypeName(uint8_t code) {
  switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "";
  }
}

std::string hexByte(uint8_t b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  return {'0', 'x', kDigits[b >> 4], kDigits[b & 15]};
}

absl::Status readExactly(const ReadFn& read, std::byte* out, size_t size, std::string_view name,
                         std::string_view what) {
  size_t done = 0;
  while (done < size) {
    absl::StatusOr<size_t> n = read(out + done, size - done);
    if (!n.ok()) return n.status();
    if (*n == 0)
      return absl::DataLossError(
          strCat(name, ": truncated: the file ends after ", done, " of the ", size, " bytes of its ", what));
    done += *n;
  }
  return absl::OkStatus();
}

// The header: magic and dimensions. Returns the element count.
absl::StatusOr<int64_t> readHeader(const ReadFn& read, std::string_view name, std::vector<int64_t>& dims) {
  std::byte magic[4];
  absl::Status s = readExactly(read, magic, 4, name, "magic number");
  if (!s.ok()) return s;
  auto m = [&](int i) { return static_cast<uint8_t>(magic[i]); };
  if (m(0) != 0 || m(1) != 0 || idxDTypeName(m(2)).empty())
    return absl::InvalidArgumentError(strCat(name, ": not an IDX file (bad magic number ", hexByte(m(0)), " ",
                                             hexByte(m(1)), " ", hexByte(m(2)), " ", hexByte(m(3)), ")"));
  if (m(2) != 0x08)
    return absl::InvalidArgumentError(strCat(name, ": IDX dtype ", hexByte(m(2)), " (", idxDTypeName(m(2)),
                                             ") is not supported; dlc reads unsigned-byte IDX files (0x08)"));
  int rank = m(3);
  if (rank < 1 || rank > kMaxIdxRank)
    return absl::InvalidArgumentError(
        strCat(name, ": IDX file has ", rank, " dimensions; dlc reads 1 to ", kMaxIdxRank));
  std::byte raw[4 * kMaxIdxRank];
  s = readExactly(read, raw, 4 * static_cast<size_t>(rank), name, "dimensions");
  if (!s.ok()) return s;
  int64_t count = 1;
  dims.clear();
  for (int i = 0; i < rank; ++i) {
    uint32_t d = 0;
    for (int k = 0; k < 4; ++k) d = (d << 8) | static_cast<uint8_t>(raw[4 * i + k]);
    dims.push_back(d);
    // Each dim is below 2^32, so the check before multiplying cannot overflow.
    if (d != 0 && count > kMaxIdxElements / static_cast<int64_t>(d))
      return absl::InvalidArgumentError(strCat(name, ": IDX dimensions [", strJoin(dims, ", "),
                                               "...] exceed the largest size dlc reads (", kMaxIdxElements,
                                               " elements)"));
    count *= d;
  }
  return count;
}

absl::StatusOr<IdxArray> readIdxFrom(const ReadFn& read, std::string_view name) {
  IdxArray out;
  absl::StatusOr<int64_t> count = readHeader(read, name, out.dims);
  if (!count.ok()) return count.status();
  // Grow with the data actually read, so that a small file declaring a huge
  // size fails on its missing bytes rather than on allocation.
  constexpr size_t kChunk = size_t{1} << 24;
  size_t total = static_cast<size_t>(*count);
  out.data.reserve(std::min(total, kChunk));
  while (out.data.size() < total) {
    size_t done = out.data.size();
    size_t n = std::min(total - done, kChunk);
    out.data.resize(done + n);
    absl::Status s = readExactly(read, reinterpret_cast<std::byte*>(out.data.data()) + done, n, name, "data");
    if (!s.ok()) {
      if (s.code() != absl::StatusCode::kDataLoss) return s;
      return absl::DataLossError(strCat(name, ": truncated: dimensions [", strJoin(out.dims, ", "), "] need ", total,
                                        " bytes of data, the file has fewer"));
    }
  }
  std::byte extra;
  absl::StatusOr<size_t> more = read(&extra, 1);
  if (!more.ok()) return more.status();
  if (*more != 0)
    return absl::DataLossError(strCat(name, ": oversized: the file has more data than its dimensions [",
                                      strJoin(out.dims, ", "), "] declare (", total, " bytes)"));
  return out;
}

}  // namespace

absl::StatusOr<IdxArray> parseIdx(std::span<const std::byte> bytes, std::string_view name) {
  size_t pos = 0;
  ReadFn read = [&](std::byte* out, size_t size) -> absl::StatusOr<size_t> {
    size_t n = std::min(size, bytes.size() - pos);
    if (n) std::memcpy(out, bytes.data() + pos, n);
    pos += n;
    return n;
  };
  return readIdxFrom(read, name);
}

absl::StatusOr<IdxArray> readIdx(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(strCat(path, ": no such file"));
    return absl::InvalidArgumentError(strCat(path, ": cannot read: ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(strCat(path, ": not a regular file"));
  // gzopen reads files without a gzip header as they are ("transparent").
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) return absl::InvalidArgumentError(strCat(path, ": cannot open: ", std::strerror(errno)));
  gzbuffer(file, 1 << 18);
  ReadFn read = [&](std::byte* out, size_t size) -> absl::StatusOr<size_t> {
    int n = gzread(file, out, static_cast<unsigned>(std::min<size_t>(size, INT_MAX / 2)));
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      return absl::DataLossError(strCat(path, ": cannot decompress: ", message ? message : "gzip error"));
    }
    if (n == 0) {
      // A gzip stream cut short reads as its end plus an error.
      int code = 0;
      const char* message = gzerror(file, &code);
      if (code != Z_OK && code != Z_STREAM_END)
        return absl::DataLossError(strCat(path, ": truncated: ", message ? message : "gzip error"));
    }
    return static_cast<size_t>(n);
  };
  absl::StatusOr<IdxArray> result = readIdxFrom(read, path);
  gzclose(file);
  return result;
}

}  // namespace dlc::runtime
