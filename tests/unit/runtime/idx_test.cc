#include "runtime/data/idx.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/common/runtime_helpers.h"

namespace dlc::runtime {
namespace {

namespace fs = std::filesystem;
using dlc::testing::errorOf;
using dlc::testing::idxBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i * 7 % 256));
  return s;
}

std::span<const std::byte> bytesOf(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

class IdxFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dlc_idx_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string writePlain(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string writeGz(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return path;
  }

  fs::path dir_;
};

TEST(IdxParseTest, ReadsImagesAndLabels) {
  auto images = parseIdx(bytesOf(idxBytes({3, 2, 4}, pattern(24))), "images");
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_THAT(images->dims, ElementsAre(3, 2, 4));
  std::string expected = pattern(24);
  EXPECT_EQ(std::string(images->data.begin(), images->data.end()), expected);

  auto labels = parseIdx(bytesOf(idxBytes({5}, "\x01\x02\x03\x04\x09")), "labels");
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_THAT(labels->data, ElementsAre(1, 2, 3, 4, 9));
}

TEST(IdxParseTest, EmptyDimensionIsValid) {
  auto empty = parseIdx(bytesOf(idxBytes({0, 28, 28}, "")), "empty");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->data.empty());
}

TEST(IdxParseTest, RejectsBadMagic) {
  std::string bytes = idxBytes({2}, "ab");
  bytes[0] = 'P';
  auto r = parseIdx(bytesOf(bytes), "x.idx");
  EXPECT_THAT(errorOf(r), StartsWith("x.idx: not an IDX file (bad magic number 0x50 0x00 0x08 0x01)"));
  r = parseIdx(bytesOf(idxBytes({2}, "ab", 0x42)), "x.idx");
  EXPECT_THAT(errorOf(r), HasSubstr("bad magic number"));
}

TEST(IdxParseTest, RejectsOtherDTypesByName) {
  auto r = parseIdx(bytesOf(idxBytes({1}, "abcd", 0x0D)), "f.idx");
  EXPECT_EQ(errorOf(r), "f.idx: IDX dtype 0x0D (float) is not supported; dlc reads unsigned-byte IDX files (0x08)");
}

TEST(IdxParseTest, RejectsBadRank) {
  EXPECT_THAT(errorOf(parseIdx(bytesOf(idxBytes({}, "")), "r")), HasSubstr("0 dimensions"));
  std::vector<uint32_t> dims(9, 1);
  EXPECT_THAT(errorOf(parseIdx(bytesOf(idxBytes(dims, "x")), "r")), HasSubstr("9 dimensions"));
}

TEST(IdxParseTest, RejectsTruncatedFiles) {
  EXPECT_THAT(errorOf(parseIdx(bytesOf(std::string("\0\0", 2)), "t")),
              StartsWith("t: truncated: the file ends after 2 of the 4 bytes of its magic number"));
  std::string header_cut = idxBytes({3, 4}, "").substr(0, 9);
  EXPECT_THAT(errorOf(parseIdx(bytesOf(header_cut), "t")), StartsWith("t: truncated"));
  auto r = parseIdx(bytesOf(idxBytes({3, 4}, pattern(11))), "t");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(errorOf(r), StartsWith("t: truncated: dimensions [3, 4] need 12 bytes"));
}

TEST(IdxParseTest, RejectsOversizedFiles) {
  auto r = parseIdx(bytesOf(idxBytes({3, 4}, pattern(13))), "o");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(errorOf(r), StartsWith("o: oversized: the file has more data than its dimensions [3, 4]"));
}

TEST(IdxParseTest, RejectsHugeDimensionsBeforeAllocating) {
  // 2^32-1 cubed: far past the limit; refused from the header alone.
  auto r = parseIdx(bytesOf(idxBytes({0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, "")), "h");
  EXPECT_THAT(errorOf(r), HasSubstr("exceed the largest size dlc reads"));
  // Within the limit but with almost no data: fails on the missing bytes.
  r = parseIdx(bytesOf(idxBytes({1 << 30, 4}, "abc")), "h");
  EXPECT_THAT(errorOf(r), HasSubstr("truncated"));
}

TEST_F(IdxFileTest, ReadsPlainAndGzipFiles) {
  std::string bytes = idxBytes({10, 28, 28}, pattern(7840));
  for (const std::string& path : {writePlain("a-idx3-ubyte", bytes), writeGz("a-idx3-ubyte.gz", bytes)}) {
    auto r = readIdx(path);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_THAT(r->dims, ElementsAre(10, 28, 28));
    EXPECT_EQ(std::string(r->data.begin(), r->data.end()), pattern(7840));
  }
}

TEST_F(IdxFileTest, ErrorsNameThePath) {
  std::string truncated = writeGz("t.gz", idxBytes({10, 10}, pattern(99)));
  EXPECT_THAT(errorOf(readIdx(truncated)), StartsWith(truncated + ": truncated"));
  std::string oversized = writeGz("o.gz", idxBytes({10, 10}, pattern(101)));
  EXPECT_THAT(errorOf(readIdx(oversized)), StartsWith(oversized + ": oversized"));
  std::string missing = (dir_ / "missing.gz").string();
  EXPECT_EQ(errorOf(readIdx(missing)), missing + ": no such file");
  EXPECT_EQ(readIdx(missing).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(IdxFileTest, RejectsACutGzipStream) {
  // A gzip file cut in the middle of its compressed data.
  std::string path = writeGz("full.gz", idxBytes({100, 100}, pattern(10000)));
  std::ifstream in(path, std::ios::binary);
  std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string cut = writePlain("cut.gz", gz.substr(0, gz.size() / 2));
  auto r = readIdx(cut);
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(errorOf(r), StartsWith(cut + ": truncated"));
}

}  // namespace
}  // namespace dlc::runtime
