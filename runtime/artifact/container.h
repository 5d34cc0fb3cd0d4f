// The `.dlx` container: a fixed header, a section table and 64-byte-aligned
// section payloads. It knows nothing of what the sections hold.
//
// Layout (integers little-endian):
//
//   0   magic "DLCX\r\n\x1a\n" (catches text-mode copies, as PNG's does)
//   8   u32 format version (kFormatVersion)
//   12  u32 reserved, 0
//   16  u64 file size
//   24  32 bytes: SHA-256 of bytes [56, file size), the content
//   --- the content, which the hash covers:
//   56  u32 section count, u32 length of the dlc version string
//   64  the dlc version (UTF-8), zero-padded to 8
//       per section: u64 offset, u64 size, u32 kind, u32 name length, the
//       name, zero-padded to 8
//       the payloads, each at a multiple of 64, in table order, without
//       overlap, the file ending with the last one
//
// The reader checks every count, offset and size against the file before it
// uses or allocates anything by them.
#ifndef DLC_RUNTIME_ARTIFACT_CONTAINER_H_
#define DLC_RUNTIME_ARTIFACT_CONTAINER_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/sha256.h"

namespace dlc::runtime::artifact {

inline constexpr std::string_view kMagic{"DLCX\r\n\x1a\n", 8};
inline constexpr uint64_t kHeaderBytes = 56;  // the content starts here
inline constexpr uint64_t kSectionAlignment = 64;
inline constexpr size_t kMaxSectionName = 255;
inline constexpr size_t kMaxVersionString = 255;

enum class SectionKind : uint32_t {
  kMeta = 1,          // JSON: the signature and the functions
  kSharedObject = 2,  // a CPU function's native code (ELF)
  kCubin = 3,
  kPtx = 4,
  kConstants = 5,  // safetensors, a plan's constants
  kWeights = 6,    // safetensors, the embedded weights
};
std::string_view sectionKindName(SectionKind kind);

using Digest = runtime::Sha256Digest;
using runtime::sha256;
inline std::string hex(const Digest& digest) { return runtime::hexDigest(digest); }

// A section to write; the payload is not owned.
struct Section {
  std::string name;  // [A-Za-z0-9._-], 1 to 255 chars, unique
  SectionKind kind = SectionKind::kMeta;
  std::string_view payload;
};

// A section table entry, as laid out in a file.
struct SectionEntry {
  std::string name;
  SectionKind kind = SectionKind::kMeta;
  uint64_t offset = 0, size = 0;
};

// Where each section goes: what writeContainer produces, without the bytes.
std::vector<SectionEntry> layoutContainer(std::string_view dlc_version, std::span<const Section> sections);

// The file. Fails (InvalidArgument) on a bad section name or a duplicate, or
// a version string that is too long.
absl::StatusOr<std::string> writeContainer(std::string_view dlc_version, std::span<const Section> sections);

// A parsed container; the payloads point into the bytes it was read from.
struct Container {
  uint32_t format_version = 0;
  std::string dlc_version;
  Digest content_hash{};  // as stored in the header
  std::vector<SectionEntry> table;
  std::vector<std::string_view> payloads;  // one per table entry
};

struct ContainerOptions {
  bool verify_hash = true;
};

// Checks the header, the hash (unless told not to) and the section table;
// errors are InvalidArgument and start with `name`.
absl::StatusOr<Container> readContainer(std::string_view bytes, std::string_view name,
                                        const ContainerOptions& options = {});

// Rewrites the header's file size and content hash to match `bytes` (at
// least kHeaderBytes long). Tests use it to corrupt the content behind a
// valid hash, so that the deeper checks are reached.
void reseal(std::string& bytes);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_CONTAINER_H_
