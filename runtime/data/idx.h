// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic (two zero
// bytes, a dtype byte, the number of dimensions), each dimension as a
// big-endian uint32, then the elements in C order.
//
// dlc reads unsigned-byte IDX (dtype 0x08) only, which is what the MNIST-style
// data sets use; the other dtypes of the format are rejected by name. Files
// may be gzip-compressed (detected from the content, not the name). Sizes are
// checked before anything the file declares is allocated, and a file whose
// data is shorter or longer than its dimensions say is an error. Messages
// start with the path: "train-images-idx3-ubyte.gz: truncated: ...".
#ifndef DLC_RUNTIME_DATA_IDX_H_
#define DLC_RUNTIME_DATA_IDX_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace dlc::runtime {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // product(dims) elements, C order
};

// Largest element count accepted (16 GiB of bytes): bigger files are refused
// before reading their data.
inline constexpr int64_t kMaxIdxElements = int64_t{1} << 34;
// Most dimensions accepted (the format allows 255).
inline constexpr int kMaxIdxRank = 8;

// Reads a plain or gzip-compressed IDX file.
absl::StatusOr<IdxArray> readIdx(const std::string& path);
// Parses an uncompressed IDX file held in memory; `name` starts messages.
absl::StatusOr<IdxArray> parseIdx(std::span<const std::byte> bytes, std::string_view name);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_DATA_IDX_H_
