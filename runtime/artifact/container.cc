#include "runtime/artifact/container.h"

#include <algorithm>
#include <set>

#include "runtime/artifact/artifact.h"
#include "support/strings.h"

namespace dlc::runtime::artifact {
namespace {

constexpr uint64_t kTableStart = 64;             // after the header, the count and the version length
constexpr uint64_t kEntryFixed = 24;             // offset, size, kind, name length
constexpr uint64_t kMinEntry = kEntryFixed + 8;  // with a name of 1 to 8 chars

uint64_t readLE(std::string_view bytes, uint64_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[at + static_cast<uint64_t>(i)]);
  return v;
}

void appendLE(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void writeLE(std::string& out, uint64_t at, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out[at + static_cast<uint64_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}

constexpr uint64_t alignUp(uint64_t v, uint64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

bool validSectionName(std::string_view name) {
  if (name.empty() || name.size() > kMaxSectionName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

bool printableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// A name from the file, safe to print.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 64)) {
    auto u = static_cast<uint8_t>(c);
    if (u >= 0x20 && u < 0x7f && c != '\'') {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += strCat("\\x", kHex[u >> 4], kHex[u & 15]);
    }
  }
  return out + (s.size() > 64 ? "...'" : "'");
}

bool knownKind(uint32_t kind) { return kind >= 1 && kind <= 6; }

template <typename... Args>
absl::Status error(std::string_view name, const Args&... parts) {
  return absl::InvalidArgumentError(strCat(name, ": ", parts...));
}

// The table's bytes, from the version length to the last entry.
uint64_t tableEnd(std::string_view dlc_version, std::span<const Section> sections) {
  uint64_t end = kTableStart + alignUp(dlc_version.size(), 8);
  for (const Section& s : sections) end += kEntryFixed + alignUp(s.name.size(), 8);
  return end;
}

}  // namespace

std::string_view sectionKindName(SectionKind kind) {
  switch (kind) {
    case SectionKind::kMeta: return "meta";
    case SectionKind::kSharedObject: return "shared_object";
    case SectionKind::kCubin: return "cubin";
    case SectionKind::kPtx: return "ptx";
    case SectionKind::kConstants: return "constants";
    case SectionKind::kWeights: return "weights";
  }
  return "?";
}

std::vector<SectionEntry> layoutContainer(std::string_view dlc_version, std::span<const Section> sections) {
  std::vector<SectionEntry> table;
  uint64_t offset = tableEnd(dlc_version, sections);
  for (const Section& s : sections) {
    offset = alignUp(offset, kSectionAlignment);
    table.push_back(SectionEntry{s.name, s.kind, offset, s.payload.size()});
    offset += s.payload.size();
  }
  return table;
}

absl::StatusOr<std::string> writeContainer(std::string_view dlc_version, std::span<const Section> sections) {
  if (dlc_version.size() > kMaxVersionString || !printableAscii(dlc_version))
    return absl::InvalidArgumentError(strCat("dlc version ", quoted(dlc_version), " is not printable ASCII of at most ",
                                             kMaxVersionString, " chars"));
  std::set<std::string_view> names;
  for (const Section& s : sections) {
    if (!validSectionName(s.name))
      return absl::InvalidArgumentError(
          strCat("section name ", quoted(s.name), " is not 1 to 255 of the characters A-Z a-z 0-9 . _ -"));
    if (!names.insert(s.name).second) return absl::InvalidArgumentError(strCat("section '", s.name, "' appears twice"));
  }
  std::vector<SectionEntry> table = layoutContainer(dlc_version, sections);
  uint64_t file_size = table.empty() ? tableEnd(dlc_version, sections) : table.back().offset + table.back().size;

  std::string out;
  out.reserve(file_size);
  out.append(kMagic);
  appendLE(out, kFormatVersion, 4);
  appendLE(out, 0, 4);
  appendLE(out, file_size, 8);
  out.append(32, '\0');  // the hash, below
  appendLE(out, sections.size(), 4);
  appendLE(out, dlc_version.size(), 4);
  out.append(dlc_version);
  out.resize(alignUp(out.size(), 8), '\0');
  for (size_t i = 0; i < sections.size(); ++i) {
    appendLE(out, table[i].offset, 8);
    appendLE(out, table[i].size, 8);
    appendLE(out, static_cast<uint32_t>(table[i].kind), 4);
    appendLE(out, table[i].name.size(), 4);
    out.append(table[i].name);
    out.resize(alignUp(out.size(), 8), '\0');
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    out.resize(table[i].offset, '\0');
    out.append(sections[i].payload);
  }
  reseal(out);
  return out;
}

void reseal(std::string& bytes) {
  writeLE(bytes, 16, bytes.size(), 8);
  Digest digest = sha256(std::string_view(bytes).substr(kHeaderBytes));
  std::copy(digest.begin(), digest.end(), bytes.begin() + 24);
}

absl::StatusOr<Container> readContainer(std::string_view bytes, std::string_view name,
                                        const ContainerOptions& options) {
  const uint64_t size = bytes.size();
  if (size < kHeaderBytes) {
    if (size > 0 && bytes.substr(0, kMagic.size()) == kMagic.substr(0, std::min<size_t>(size, kMagic.size())))
      return error(name, "truncated: ", size, " bytes, but the header alone takes ", kHeaderBytes);
    return error(name, "not a dlc artifact (it does not start with DLCX)");
  }
  if (!bytes.starts_with(kMagic)) return error(name, "not a dlc artifact (it does not start with DLCX)");
  Container out;
  out.format_version = static_cast<uint32_t>(readLE(bytes, 8, 4));
  if (out.format_version != kFormatVersion)
    return error(name, "format version ", out.format_version, ", this dlc reads version ", kFormatVersion);
  if (uint64_t reserved = readLE(bytes, 12, 4); reserved != 0)
    return error(name, "reserved header field is ", reserved, ", not 0");
  uint64_t declared = readLE(bytes, 16, 8);
  if (declared > size) return error(name, "truncated: the header says ", declared, " bytes, the file has ", size);
  if (declared < size)
    return error(name, "the file has ", size, " bytes, but its header says ", declared, " (data after the end)");
  std::copy(bytes.begin() + 24, bytes.begin() + 56, out.content_hash.begin());
  if (options.verify_hash && sha256(bytes.substr(kHeaderBytes)) != out.content_hash)
    return error(name, "content hash mismatch: the file is corrupted or was modified");

  if (size < kTableStart) return error(name, "truncated: the file ends before the section table");
  uint64_t count = readLE(bytes, 56, 4), version_size = readLE(bytes, 60, 4);
  if (version_size > kMaxVersionString)
    return error(name, "dlc version string of ", version_size, " bytes is too long");
  uint64_t pos = kTableStart + alignUp(version_size, 8);
  if (pos > size) return error(name, "truncated: the file ends inside the dlc version string");
  out.dlc_version = std::string(bytes.substr(kTableStart, version_size));
  if (!printableAscii(out.dlc_version))
    return error(name, "dlc version ", quoted(out.dlc_version), " is not printable");
  if (count > (size - pos) / kMinEntry)
    return error(name, "the section table of ", count, " entries does not fit in the file (", size, " bytes)");

  out.table.reserve(count);
  std::set<std::string_view> names;
  for (uint64_t i = 0; i < count; ++i) {
    if (size - pos < kEntryFixed) return error(name, "truncated: the file ends inside section table entry ", i);
    SectionEntry entry;
    entry.offset = readLE(bytes, pos, 8);
    entry.size = readLE(bytes, pos + 8, 8);
    uint64_t kind = readLE(bytes, pos + 16, 4), name_size = readLE(bytes, pos + 20, 4);
    pos += kEntryFixed;
    if (name_size == 0 || name_size > kMaxSectionName)
      return error(name, "section table entry ", i, " has a name of ", name_size, " bytes (1 to ", kMaxSectionName,
                   " allowed)");
    if (size - pos < alignUp(name_size, 8))
      return error(name, "truncated: the file ends inside section table entry ", i);
    std::string_view section = bytes.substr(pos, name_size);
    pos += alignUp(name_size, 8);
    if (!validSectionName(section))
      return error(name, "section name ", quoted(section), " is not made of the characters A-Z a-z 0-9 . _ -");
    if (!names.insert(section).second) return error(name, "section '", section, "' appears twice");
    if (!knownKind(static_cast<uint32_t>(kind))) return error(name, "section '", section, "' has unknown kind ", kind);
    entry.name = std::string(section);
    entry.kind = static_cast<SectionKind>(kind);
    out.table.push_back(std::move(entry));
  }

  // Payloads: aligned, after the table, inside the file, in order, apart.
  uint64_t end = pos;
  const SectionEntry* previous = nullptr;
  for (const SectionEntry& s : out.table) {
    if (s.offset % kSectionAlignment != 0)
      return error(name, "section '", s.name, "' starts at byte ", s.offset, ", not a multiple of ", kSectionAlignment);
    if (s.offset < pos)
      return error(name, "section '", s.name, "' starts at byte ", s.offset,
                   ", inside the section table (which ends at byte ", pos, ")");
    if (s.offset > size)
      return error(name, "section '", s.name, "' starts at byte ", s.offset, ", past the end of the file (", size,
                   " bytes)");
    if (s.size > size - s.offset) {
      if (s.size > UINT64_MAX - s.offset)
        return error(name, "section '", s.name, "' at byte ", s.offset, " has size ", s.size, ", which overflows");
      return error(name, "section '", s.name, "' ends at byte ", s.offset + s.size, ", past the end of the file (",
                   size, " bytes)");
    }
    if (previous && s.offset < end)
      return error(name, "section '", s.name, "' starts at byte ", s.offset, ", before the end of section '",
                   previous->name, "' (byte ", end, "): sections overlap or are out of order");
    end = s.offset + s.size;
    previous = &s;
  }
  if (end != size) return error(name, "the file has ", size - end, " bytes after its last section");
  for (const SectionEntry& s : out.table) out.payloads.push_back(bytes.substr(s.offset, s.size));
  return out;
}

}  // namespace dlc::runtime::artifact
