// Artifacts that are valid: exact round trips in memory and through files,
// what the reader reports about the file, describeArtifact, and the fuzzer's
// seed corpus.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/container.h"
#include "support/env.h"
#include "tests/unit/artifact/sample_artifacts.h"

namespace dlc::runtime::artifact {
namespace {

namespace fs = std::filesystem;
using testing::bytesOf;
using testing::expectSameArtifact;
using testing::fullArtifact;
using ::testing::HasSubstr;

Artifact parse(const std::string& bytes, const ParseOptions& options = {}) {
  absl::StatusOr<Artifact> a = parseArtifact(bytes, "model.dlx", options);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : Artifact{};
}

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ArtifactRoundTrip, EveryFieldIsExact) {
  std::string bytes = bytesOf(fullArtifact());
  Artifact parsed = parse(bytes);
  expectSameArtifact(fullArtifact(), parsed);
  EXPECT_EQ(parsed.format_version, kFormatVersion);
  EXPECT_EQ(parsed.dlc_version, dlcVersion());
  EXPECT_EQ(parsed.content_hash, hex(sha256(std::string_view(bytes).substr(kHeaderBytes))));
}

TEST(ArtifactRoundTrip, WritingIsDeterministicAndAFixpoint) {
  std::string bytes = bytesOf(fullArtifact());
  EXPECT_EQ(bytesOf(fullArtifact()), bytes);
  EXPECT_EQ(bytesOf(parse(bytes)), bytes);
}

TEST(ArtifactRoundTrip, SmallArtifacts) {
  for (Artifact (*make)() : {testing::smallCpuArtifact, testing::smallCudaArtifact, testing::signatureOnlyArtifact}) {
    std::string bytes = bytesOf(make());
    expectSameArtifact(make(), parse(bytes));
  }
}

TEST(ArtifactRoundTrip, TheWriterIgnoresTheArtifactsOwnHeaderFields) {
  Artifact a = fullArtifact();
  a.format_version = 99;
  a.dlc_version = "9.9.9";
  a.content_hash = "nonsense";
  Artifact parsed = parse(bytesOf(std::move(a)));
  EXPECT_EQ(parsed.format_version, kFormatVersion);
  EXPECT_EQ(parsed.dlc_version, dlcVersion());
}

TEST(ArtifactRoundTrip, SectionsAreAlignedAndNamed) {
  std::string bytes = bytesOf(fullArtifact());
  absl::StatusOr<Container> c = readContainer(bytes, "model.dlx");
  ASSERT_TRUE(c.ok()) << c.status();
  std::vector<std::string> names;
  for (const SectionEntry& s : c->table) {
    names.push_back(s.name);
    EXPECT_EQ(s.offset % kSectionAlignment, 0u) << s.name;
  }
  EXPECT_THAT(names, ::testing::ElementsAre("meta", "constants.0", "cpu.0", "cuda.1.sm_80", "cuda.1.sm_90", "ptx.1",
                                            "weights"));
  EXPECT_TRUE(bytes.starts_with(kMagic));
}

TEST(ArtifactFile, WritesAtomicallyAndReadsBack) {
  fs::path dir = fs::path(::testing::TempDir()) / "artifact_file_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "tiny.dlx").string();
  ASSERT_TRUE(writeArtifactFile(path, fullArtifact()).ok());
  ASSERT_TRUE(writeArtifactFile(path, fullArtifact()).ok());  // replaces
  absl::StatusOr<Artifact> read = readArtifactFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  expectSameArtifact(fullArtifact(), *read);
  EXPECT_EQ(readBytes(path), bytesOf(fullArtifact()));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left

  absl::StatusOr<Artifact> missing = readArtifactFile((dir / "missing.dlx").string());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.dlx"));

  std::string corrupt = readBytes(path);
  corrupt[corrupt.size() / 2] ^= 1;
  std::ofstream((dir / "corrupt.dlx").string(), std::ios::binary) << corrupt;
  absl::StatusOr<Artifact> bad = readArtifactFile((dir / "corrupt.dlx").string());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            (dir / "corrupt.dlx").string() + ": content hash mismatch: the file is corrupted or was modified");

  absl::Status nowhere = writeArtifactFile((dir / "no" / "such" / "folder.dlx").string(), fullArtifact());
  EXPECT_EQ(nowhere.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(nowhere.message(), HasSubstr("folder.dlx: cannot create"));
  absl::StatusOr<Artifact> folder = readArtifactFile(dir.string());
  EXPECT_EQ(folder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(folder.status().message(), HasSubstr("not a regular file"));

  Artifact invalid = fullArtifact();
  invalid.functions[0].cpu.shared_object.clear();
  absl::Status s = writeArtifactFile((dir / "invalid.dlx").string(), invalid);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("invalid.dlx: function 0 ('tiny', cpu): targets cpu but has no shared object"));
  EXPECT_FALSE(fs::exists(dir / "invalid.dlx"));
  fs::remove_all(dir);
}

TEST(ArtifactParse, UncheckedHashReachesTheContent) {
  std::string bytes = bytesOf(fullArtifact());
  // A byte of the shared object changes: only the hash can tell.
  size_t at = bytes.find(
      "\x7f"
      "ELF\x02\x01\x01");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] ^= 0x40;
  EXPECT_EQ(testing::parseError(bytes), "model.dlx: content hash mismatch: the file is corrupted or was modified");
  Artifact parsed = parse(bytes, ParseOptions{.verify_hash = false});
  EXPECT_EQ(parsed.functions[0].cpu.shared_object[10],
            static_cast<char>(fullArtifact().functions[0].cpu.shared_object[10] ^ 0x40));
  // The header's hash, as stored.
  EXPECT_EQ(parsed.content_hash, hex(sha256(std::string_view(bytesOf(fullArtifact())).substr(kHeaderBytes))));
}

TEST(DescribeArtifact, MentionsSectionsAndSizes) {
  std::string bytes = bytesOf(fullArtifact());
  Artifact a = parse(bytes);
  std::string text = describeArtifact(a);
  absl::StatusOr<Container> c = readContainer(bytes, "model.dlx");
  ASSERT_TRUE(c.ok());
  for (const SectionEntry& s : c->table) {
    // The row of each section: name, kind, offset and size as in the file.
    std::string row_start = "  " + s.name;
    size_t row = text.find("\n" + row_start + " ");
    ASSERT_NE(row, std::string::npos) << s.name << "\n" << text;
    std::string line = text.substr(row + 1, text.find('\n', row + 1) - row - 1);
    EXPECT_THAT(line, HasSubstr(std::string(sectionKindName(s.kind)))) << line;
    EXPECT_THAT(line, HasSubstr(" " + std::to_string(s.offset) + " ")) << line;
    EXPECT_TRUE(line.ends_with(" " + std::to_string(s.size))) << line;
  }
  EXPECT_THAT(text, HasSubstr("file: " + std::to_string(bytes.size()) + " bytes"));
  EXPECT_THAT(text,
              HasSubstr("dlc artifact: model tiny, format version 1, written by dlc " + std::string(dlcVersion())));
  EXPECT_THAT(text, HasSubstr("content sha256: " + a.content_hash));
  EXPECT_THAT(text, HasSubstr("  x f32[batch, 4]\n"));
  EXPECT_THAT(text, HasSubstr("  bn.mean f32[3] (not trainable)\n"));
  EXPECT_THAT(text, HasSubstr("weights: 4 tensors embedded, 120 bytes"));
  EXPECT_THAT(text, HasSubstr("function 0: tiny (inference, cpu), inputs [2, 4] [2]"));
  EXPECT_THAT(text, HasSubstr("shared object 300 bytes"));
  EXPECT_THAT(text, HasSubstr("function 1: tiny.train_step (train step, cuda)"));
  EXPECT_THAT(text, HasSubstr("code: cubin sm_80 (200 bytes), cubin sm_90 (180 bytes), PTX compute_90 (78 bytes), "
                              "3 launches\n"));
  EXPECT_THAT(text, HasSubstr("3 library calls"));
}

TEST(DescribeArtifact, BeforeWriting) {
  std::string text = describeArtifact(testing::signatureOnlyArtifact());
  EXPECT_THAT(text, HasSubstr("content sha256: (not written yet)"));
  EXPECT_THAT(text, HasSubstr("weights: not embedded"));
  EXPECT_THAT(text, HasSubstr("  meta "));
}

// The fuzzer's seeds (tests/fuzz/corpus/artifact) are small valid artifacts.
// DLC_UPDATE_FUZZ_SEEDS=1 rewrites them, for when the format changes.
TEST(FuzzSeeds, AreValidArtifacts) {
  const std::pair<const char*, Artifact (*)()> seeds[] = {
      {"cpu.dlx", testing::smallCpuArtifact},
      {"cuda.dlx", testing::smallCudaArtifact},
      {"signature.dlx", testing::signatureOnlyArtifact},
  };
  fs::path dir = DLC_FUZZ_CORPUS_DIR;
  const bool update = envFlag("DLC_UPDATE_FUZZ_SEEDS");
  for (const auto& [name, make] : seeds) {
    std::string bytes = bytesOf(make());
    EXPECT_LE(bytes.size(), 4096u) << name << ": scripts/fuzz.sh runs with -max_len=4096";
    if (update) {
      fs::create_directories(dir);
      std::ofstream(dir / name, std::ios::binary) << bytes;
    }
    std::string seed = readBytes(dir / name);
    absl::StatusOr<Artifact> parsed = parseArtifact(seed, name);
    EXPECT_TRUE(parsed.ok()) << parsed.status() << " (rerun with DLC_UPDATE_FUZZ_SEEDS=1 to rewrite the seeds)";
  }
}

}  // namespace
}  // namespace dlc::runtime::artifact
