// Helpers the runtime unit tests share: the message of a failed StatusOr and
// the bytes of an IDX file.
#ifndef DLC_TESTS_UNIT_COMMON_RUNTIME_HELPERS_H_
#define DLC_TESTS_UNIT_COMMON_RUNTIME_HELPERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace dlc::testing {

template <typename T>
std::string errorOf(const absl::StatusOr<T>& r) {
  return std::string(r.status().message());
}

// An IDX file: magic 00 00 DTYPE RANK, big-endian dims, then `data`.
inline std::string idxBytes(std::vector<uint32_t> dims, std::string data, uint8_t dtype = 0x08) {
  std::string out = {0, 0, static_cast<char>(dtype), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(d >> shift));
  return out + data;
}
inline std::string idxBytes(std::vector<uint32_t> dims, const std::vector<uint8_t>& data) {
  return idxBytes(std::move(dims), std::string(data.begin(), data.end()));
}

}  // namespace dlc::testing

#endif  // DLC_TESTS_UNIT_COMMON_RUNTIME_HELPERS_H_
