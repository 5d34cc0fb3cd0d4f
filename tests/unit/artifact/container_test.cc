// Damaged files: the header, the hash, truncation, and the section table.
#include "runtime/artifact/container.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "runtime/artifact/artifact.h"
#include "tests/unit/artifact/sample_artifacts.h"

namespace dlc::runtime::artifact {
namespace {

using testing::bytesOf;
using testing::fullArtifact;
using ::testing::HasSubstr;
using testing::parseError;
using testing::putLE;
using ::testing::StartsWith;
using testing::tableEntryOffset;

std::string full() { return bytesOf(fullArtifact()); }

// Entry fields: offset at +0, size at +8, kind at +16, name length at +20.
std::string withEntryField(std::string bytes, size_t entry, size_t field, uint64_t value, int n) {
  putLE(bytes, tableEntryOffset(bytes, entry) + field, value, n);
  reseal(bytes);
  return bytes;
}

TEST(ArtifactHeader, WrongMagic) {
  std::string bytes = full();
  bytes[1] = 'X';
  EXPECT_EQ(parseError(bytes), "model.dlx: not a dlc artifact (it does not start with DLCX)");
  EXPECT_EQ(parseError("PK\x03\x04 a zip file"), "model.dlx: not a dlc artifact (it does not start with DLCX)");
  EXPECT_EQ(parseError(""), "model.dlx: not a dlc artifact (it does not start with DLCX)");
  // Text-mode copies turn \r\n into \n.
  std::string mangled = full();
  mangled.erase(4, 1);
  EXPECT_EQ(parseError(mangled), "model.dlx: not a dlc artifact (it does not start with DLCX)");
}

TEST(ArtifactHeader, WrongFormatVersion) {
  std::string bytes = full();
  putLE(bytes, 8, 7, 4);
  EXPECT_EQ(parseError(bytes), "model.dlx: format version 7, this dlc reads version 1");
  putLE(bytes, 8, 0xffffffff, 4);
  EXPECT_EQ(parseError(bytes), "model.dlx: format version 4294967295, this dlc reads version 1");
}

TEST(ArtifactHeader, ReservedFieldMustBeZero) {
  std::string bytes = full();
  putLE(bytes, 12, 1, 4);
  EXPECT_EQ(parseError(bytes), "model.dlx: reserved header field is 1, not 0");
}

TEST(ArtifactHeader, ContentHashMismatch) {
  std::string bytes = full();
  for (size_t at : {kHeaderBytes, bytes.size() / 3, bytes.size() - 1}) {
    std::string copy = bytes;
    copy[at] ^= 0x01;
    EXPECT_EQ(parseError(copy), "model.dlx: content hash mismatch: the file is corrupted or was modified");
  }
  bytes[30] ^= 0x80;  // the hash itself
  EXPECT_EQ(parseError(bytes), "model.dlx: content hash mismatch: the file is corrupted or was modified");
}

TEST(ArtifactHeader, FileSizeField) {
  std::string bytes = full();
  std::string longer = bytes + "extra";
  EXPECT_THAT(parseError(longer),
              HasSubstr("but its header says " + std::to_string(bytes.size()) + " (data after the end)"));
  putLE(bytes, 16, uint64_t{1} << 63, 8);
  EXPECT_THAT(parseError(bytes), HasSubstr("truncated: the header says 9223372036854775808 bytes"));
}

TEST(ArtifactTruncation, EveryCutIsAnError) {
  std::string bytes = full();
  for (size_t cut = 0; cut < bytes.size(); cut += (cut < 400 ? 1 : 29)) {
    std::string message = parseError(bytes.substr(0, cut));
    if (cut == 0) continue;
    EXPECT_THAT(message, HasSubstr("truncated")) << cut;
  }
}

TEST(ArtifactTruncation, ResealedCutsFailDeeper) {
  // With the size and hash made to match, the table and sections are what fail.
  std::string bytes = full();
  for (size_t cut = kHeaderBytes; cut < bytes.size(); cut += (cut < 600 ? 1 : 13)) {
    std::string copy = bytes.substr(0, cut);
    reseal(copy);
    std::string message = parseError(copy);
    EXPECT_THAT(message, ::testing::AnyOf(HasSubstr("truncated"), HasSubstr("past the end of the file"),
                                          HasSubstr("does not fit in the file"), HasSubstr("inside the section table"),
                                          HasSubstr("bytes after its last section")))
        << cut << ": " << message;
  }
}

TEST(ArtifactCorruption, FlippedBytesBehindAValidHash) {
  // Every byte of the content, flipped and resealed: the reader fails with
  // InvalidArgument or (a byte of code, padding, or a weight's value)
  // reads a valid artifact; it never crashes.
  std::string bytes = full();
  int failures = 0, successes = 0;
  for (size_t at = kHeaderBytes; at < bytes.size(); ++at) {
    for (uint8_t mask : {0x01, 0x80}) {
      std::string copy = bytes;
      copy[at] = static_cast<char>(copy[at] ^ mask);
      reseal(copy);
      absl::StatusOr<Artifact> a = parseArtifact(copy, "model.dlx");
      if (a.ok()) {
        ++successes;
        continue;
      }
      ++failures;
      ASSERT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << at << ": " << a.status();
      ASSERT_THAT(std::string(a.status().message()), StartsWith("model.dlx: ")) << at;
    }
  }
  EXPECT_GT(failures, 1000);
  EXPECT_GT(successes, 100);
}

TEST(ArtifactSections, SizePastTheEnd) {
  std::string bytes = full();
  absl::StatusOr<Container> c = readContainer(bytes, "x");
  ASSERT_TRUE(c.ok());
  size_t last = c->table.size() - 1;
  uint64_t offset = c->table[last].offset;
  std::string past = withEntryField(bytes, last, 8, c->table[last].size + 1, 8);
  EXPECT_EQ(parseError(past), "model.dlx: section 'weights' ends at byte " + std::to_string(bytes.size() + 1) +
                                  ", past the end of the file (" + std::to_string(bytes.size()) + " bytes)");
  std::string huge = withEntryField(bytes, 0, 8, uint64_t{1} << 63, 8);
  EXPECT_THAT(parseError(huge), HasSubstr("section 'meta' ends at byte 922337203685477"));
  std::string overflowing = withEntryField(bytes, last, 8, UINT64_MAX - 10, 8);
  EXPECT_EQ(parseError(overflowing), "model.dlx: section 'weights' at byte " + std::to_string(offset) +
                                         " has size 18446744073709551605, which overflows");
  std::string far = withEntryField(bytes, last, 0, uint64_t{1} << 62, 8);
  EXPECT_THAT(parseError(far),
              HasSubstr("section 'weights' starts at byte 4611686018427387904, past the end of the file"));
}

TEST(ArtifactSections, OffsetsMustBeAlignedInOrderAndApart) {
  std::string bytes = full();
  absl::StatusOr<Container> c = readContainer(bytes, "x");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(parseError(withEntryField(bytes, 1, 0, c->table[1].offset + 8, 8)),
              HasSubstr("section 'constants.0' starts at byte " + std::to_string(c->table[1].offset + 8) +
                        ", not a multiple of 64"));
  EXPECT_THAT(parseError(withEntryField(bytes, 1, 0, c->table[0].offset, 8)),
              HasSubstr("section 'constants.0' starts at byte " + std::to_string(c->table[0].offset) +
                        ", before the end of section 'meta'"));
  EXPECT_THAT(parseError(withEntryField(bytes, 1, 8, c->table[2].offset - c->table[1].offset + 1, 8)),
              HasSubstr("section 'cpu.0' starts at byte " + std::to_string(c->table[2].offset) +
                        ", before the end of section 'constants.0'"));
  EXPECT_THAT(parseError(withEntryField(bytes, 0, 0, 64, 8)),
              HasSubstr("section 'meta' starts at byte 64, inside the section table"));
}

TEST(ArtifactSections, TableEntries) {
  std::string bytes = full();
  EXPECT_EQ(parseError(withEntryField(bytes, 2, 16, 99, 4)), "model.dlx: section 'cpu.0' has unknown kind 99");
  EXPECT_THAT(parseError(withEntryField(bytes, 2, 20, 0, 4)), HasSubstr("has a name of 0 bytes"));
  EXPECT_THAT(parseError(withEntryField(bytes, 2, 20, 0xffffffff, 4)), HasSubstr("has a name of 4294967295 bytes"));
  // A name of 3 bytes reads "cpu", then the rest of the padding: fine; "cpu.0" cut to 1: "c".
  std::string renamed = bytes;
  size_t entry = tableEntryOffset(renamed, 2);
  renamed[entry + 24] = '/';
  reseal(renamed);
  EXPECT_THAT(parseError(renamed), HasSubstr("section name '/pu.0' is not made of the characters"));
  std::string twice = bytes;
  entry = tableEntryOffset(twice, 1);  // "constants.0" -> "meta"
  putLE(twice, entry + 20, 4, 4);
  twice.replace(entry + 24, 4, "meta");
  reseal(twice);
  EXPECT_EQ(parseError(twice), "model.dlx: section 'meta' appears twice");
}

TEST(ArtifactSections, CountsAndLengths) {
  std::string bytes = full();
  std::string count = bytes;
  putLE(count, 56, 0xffffffff, 4);
  reseal(count);
  EXPECT_THAT(parseError(count), HasSubstr("the section table of 4294967295 entries does not fit in the file"));
  std::string version = bytes;
  putLE(version, 60, 0xffffffff, 4);
  reseal(version);
  EXPECT_EQ(parseError(version), "model.dlx: dlc version string of 4294967295 bytes is too long");
  std::string fewer = bytes;
  putLE(fewer, 56, 6, 4);  // the weights' entry becomes padding
  reseal(fewer);
  EXPECT_THAT(parseError(fewer), ::testing::AnyOf(HasSubstr("inside the section table"), HasSubstr("bytes after")));
  std::string none = bytes.substr(0, 64);
  putLE(none, 56, 0, 4);
  putLE(none, 60, 0, 4);
  reseal(none);
  EXPECT_EQ(parseError(none), "model.dlx: the file has no 'meta' section");
}

TEST(ArtifactSections, TrailingBytes) {
  std::string bytes = full() + std::string(64, '\0');
  reseal(bytes);
  EXPECT_EQ(parseError(bytes), "model.dlx: the file has 64 bytes after its last section");
}

TEST(Container, WriterRejectsBadNames) {
  std::string payload = "x";
  Section bad[] = {{"a/b", SectionKind::kMeta, payload}};
  EXPECT_FALSE(writeContainer("1", bad).ok());
  Section twice[] = {{"a", SectionKind::kMeta, payload}, {"a", SectionKind::kPtx, payload}};
  EXPECT_THAT(writeContainer("1", twice).status().message(), HasSubstr("section 'a' appears twice"));
  Section empty[] = {{"", SectionKind::kMeta, payload}};
  EXPECT_FALSE(writeContainer("1", empty).ok());
  EXPECT_FALSE(writeContainer(std::string(300, 'v'), {}).ok());
  EXPECT_FALSE(writeContainer("bad\n", {}).ok());
}

TEST(Container, EmptyAndZeroSizedSections) {
  absl::StatusOr<std::string> none = writeContainer("1.0", {});
  ASSERT_TRUE(none.ok());
  absl::StatusOr<Container> c = readContainer(*none, "x");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->table.empty());
  EXPECT_EQ(c->dlc_version, "1.0");
  std::string payload = "abc";
  Section sections[] = {{"a", SectionKind::kPtx, payload}, {"b", SectionKind::kPtx, ""}, {"c", SectionKind::kPtx, ""}};
  absl::StatusOr<std::string> bytes = writeContainer("1.0", sections);
  ASSERT_TRUE(bytes.ok());
  c = readContainer(*bytes, "x");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->payloads.size(), 3u);
  EXPECT_EQ(c->payloads[0], "abc");
  EXPECT_EQ(c->payloads[1], "");
}

}  // namespace
}  // namespace dlc::runtime::artifact
