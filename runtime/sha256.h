// SHA-256 (OpenSSL's), for the content hashes of artifacts and the keys of
// the compiled-code cache.
#ifndef DLC_RUNTIME_SHA256_H_
#define DLC_RUNTIME_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace dlc::runtime {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view bytes);
// Lower-case hex, 64 characters.
std::string hexDigest(const Sha256Digest& digest);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_SHA256_H_
