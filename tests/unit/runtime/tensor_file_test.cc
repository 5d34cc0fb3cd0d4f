#include "runtime/tensor_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace dlc::runtime {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kNpyData = DLC_TEST_DATA_DIR "/npy";
const std::string kMnist = DLC_SHARED_DIR "/conformance/mnist_cnn_forward";

std::span<const std::byte> bytesOf(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string le64(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}

// A safetensors file from its parts; the length prefix is the header's unless given.
std::string safetensors(const std::string& header, const std::string& data,
                        std::optional<uint64_t> length = std::nullopt) {
  return le64(length.value_or(header.size())) + header + data;
}

// A version-1.0 .npy file with `dict` as header (padded as numpy pads it).
std::string npy(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY\x01";
  out.push_back('\0');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

std::string npyDict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

Tensor filled(DType dtype, std::vector<int64_t> shape) {
  Tensor t = *Tensor::zeros(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, dtype == DType::kBool ? i % 2 : (i - 3) * 0.75);
  return t;
}

void expectSame(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.typeString(), b.typeString());
  ASSERT_EQ(a.byteSize(), b.byteSize());
  if (a.byteSize()) {
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.byteSize()), 0) << a.typeString();
  }
}

std::string safetensorsError(const std::string& file) {
  absl::StatusOr<NamedTensors> r = parseSafetensors(bytesOf(file), "w.safetensors");
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), StartsWith("w.safetensors: "));
  return std::string(r.status().message());
}

std::string npyError(const std::string& file) {
  absl::StatusOr<Tensor> r = parseNpy(bytesOf(file), "x.npy");
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_THAT(std::string(r.status().message()), StartsWith("x.npy: "));
  return std::string(r.status().message());
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dlc_tensor_file_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) { return (dir_ / name).string(); }
  std::vector<std::string> files() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

constexpr DType kAllDTypes[] = {DType::kF32, DType::kF64, DType::kF16, DType::kBF16,
                                DType::kI32, DType::kI64, DType::kBool};

// ---------------------------------------------------------------------------
// safetensors: round trips

TEST(SafetensorsTest, RoundTripsEveryDTypeScalarsAndEmptyTensors) {
  NamedTensors tensors;
  for (DType d : kAllDTypes) tensors.emplace_back(std::string(ir::dtypeName(d)), filled(d, {2, 3}));
  tensors.emplace_back("scalar", filled(DType::kF32, {}));
  tensors.emplace_back("empty", filled(DType::kF16, {0, 4}));
  tensors.emplace_back("also_empty", filled(DType::kI64, {3, 0}));
  tensors.emplace_back("z.last", filled(DType::kBF16, {5}));
  TensorMetadata metadata = {{"format", "pt"}, {"note", "ünïcode"}};

  absl::StatusOr<std::string> bytes = serializeSafetensors(tensors, metadata);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes->data(), 8);
  EXPECT_EQ(header_size % 8, 0u);
  EXPECT_THAT(bytes->substr(8, header_size), StartsWith("{\"__metadata__\":{\"format\":\"pt\""));

  TensorMetadata read_metadata;
  absl::StatusOr<NamedTensors> back = parseSafetensors(bytesOf(*bytes), "t", &read_metadata);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(read_metadata, metadata);
  ASSERT_EQ(back->size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_EQ((*back)[i].first, tensors[i].first);  // file order is data order
    expectSame((*back)[i].second, tensors[i].second);
  }
  EXPECT_EQ((*back)[2].second.get(0), -2.25);  // f16
  EXPECT_EQ((*back)[3].second.get(5), 1.5);    // bf16
}

TEST(SafetensorsTest, EmptyFile) {
  absl::StatusOr<std::string> bytes = serializeSafetensors({});
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, le64(8) + "{}      ");
  absl::StatusOr<NamedTensors> back = parseSafetensors(bytesOf(*bytes), "t");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->empty());
}

TEST(SafetensorsTest, ReadsHeaderInAnyOrderAndReturnsDataOrder) {
  std::string file = safetensors(R"({"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},)"
                                 R"("a":{"dtype":"I32","shape":[],"data_offsets":[0,4]}})",
                                 std::string("\x01\0\0\0\x02\0\0\0", 8));
  absl::StatusOr<NamedTensors> r = parseSafetensors(bytesOf(file), "t");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].first, "a");
  EXPECT_EQ((*r)[0].second.get(0), 1);
  EXPECT_EQ((*r)[1].first, "b");
  EXPECT_EQ((*r)[1].second.get(0), 2);
}

TEST(SafetensorsTest, WriterRejectsBadInput) {
  NamedTensors dup;
  dup.emplace_back("w", filled(DType::kF32, {1}));
  dup.emplace_back("w", filled(DType::kF32, {1}));
  EXPECT_THAT(std::string(serializeSafetensors(dup).status().message()), HasSubstr("'w' appears twice"));
  NamedTensors reserved;
  reserved.emplace_back("__metadata__", filled(DType::kF32, {1}));
  EXPECT_FALSE(serializeSafetensors(reserved).ok());
  NamedTensors bad_utf8;
  bad_utf8.emplace_back("\xff", filled(DType::kF32, {1}));
  EXPECT_THAT(std::string(serializeSafetensors(bad_utf8).status().message()), HasSubstr("UTF-8"));
  NamedTensors default_constructed;
  default_constructed.emplace_back("d", Tensor());
  EXPECT_THAT(std::string(serializeSafetensors(default_constructed).status().message()), HasSubstr("has no data"));
}

TEST(SafetensorsTest, ConformanceWeightsRoundTripByteForByte) {
  std::string path = kMnist + "/weights.safetensors";
  if (!fs::exists(path)) GTEST_SKIP() << "no conformance set at " << kMnist;
  absl::StatusOr<NamedTensors> w = readSafetensors(path);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->size(), 10u);
  EXPECT_EQ((*w)[0].first, "conv2d.kernel");
  EXPECT_EQ((*w)[0].second.typeString(), "f32[3, 3, 1, 32]");
  EXPECT_EQ((*w)[9].first, "dense_1.bias");
  EXPECT_EQ((*w)[9].second.typeString(), "f32[10]");
  absl::StatusOr<std::string> again = serializeSafetensors(*w);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == readBytes(path)) << "written file differs from the original";
}

// ---------------------------------------------------------------------------
// safetensors: one test per malformed file

const std::string kOneF32 = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
const std::string kFour = std::string(4, '\0');

TEST(SafetensorsErrorTest, TooShort) { EXPECT_THAT(safetensorsError("abc"), HasSubstr("too short")); }

TEST(SafetensorsErrorTest, HeaderLengthTwoToThe63) {
  EXPECT_THAT(safetensorsError(safetensors(kOneF32, kFour, uint64_t{1} << 63)),
              HasSubstr("header length 9223372036854775808 goes past the end of the file"));
}

TEST(SafetensorsErrorTest, HeaderLengthPastTheEnd) {
  std::string file = safetensors(kOneF32, kFour, kOneF32.size() + 5);
  EXPECT_THAT(safetensorsError(file), HasSubstr("goes past the end of the file"));
}

TEST(SafetensorsErrorTest, HeaderLengthOverTheCap) {
  std::string file(8 + kMaxSafetensorsHeader + 1, ' ');
  file.replace(0, 10, le64(kMaxSafetensorsHeader + 1) + "{}");
  EXPECT_THAT(safetensorsError(file), HasSubstr("header length 100000001 is over the limit"));
}

TEST(SafetensorsErrorTest, NonJsonHeader) {
  EXPECT_THAT(safetensorsError(safetensors("{\"w\": nope}", "")),
              HasSubstr("header is not valid JSON: parse error at line 1"));
  EXPECT_THAT(safetensorsError(safetensors("", "")), HasSubstr("header is not valid JSON"));
  EXPECT_THAT(safetensorsError(safetensors("{} {}", "")), HasSubstr("header is not valid JSON"));
  EXPECT_THAT(safetensorsError(safetensors("{\"\xff\":1}", "")), HasSubstr("header is not valid JSON"));
}

TEST(SafetensorsErrorTest, HeaderNotAnObject) {
  EXPECT_THAT(safetensorsError(safetensors("[1, 2]", "")), HasSubstr("header must be a JSON object"));
  EXPECT_THAT(safetensorsError(safetensors(R"({"w": 3})", "")), HasSubstr("tensor 'w': entry must be a JSON object"));
}

TEST(SafetensorsErrorTest, TruncatedData) {
  std::string file = safetensors(kOneF32, std::string(2, '\0'));
  EXPECT_THAT(safetensorsError(file),
              HasSubstr("tensor 'w': data_offsets [0, 4] go past the end of the data (2 bytes)"));
}

TEST(SafetensorsErrorTest, OffsetsPastTheEnd) {
  std::string file = safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", kFour);
  EXPECT_THAT(safetensorsError(file), HasSubstr("data_offsets [8, 12] go past the end of the data (4 bytes)"));
}

TEST(SafetensorsErrorTest, ReversedOffsets) {
  std::string file = safetensors(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}})", kFour);
  EXPECT_THAT(safetensorsError(file), HasSubstr("data_offsets [4, 0] end before they begin"));
}

TEST(SafetensorsErrorTest, BadOffsetsSyntax) {
  for (std::string offsets : {"[0]", "[0, 4, 4]", "[-1, 3]", "[0.0, 4]", "\"0,4\""}) {
    std::string file = safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":)" + offsets + "}}", kFour);
    EXPECT_THAT(safetensorsError(file), HasSubstr("data_offsets must be two non-negative integers")) << offsets;
  }
}

TEST(SafetensorsErrorTest, OverlappingTensors) {
  std::string file = safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 std::string(12, '\0'));
  EXPECT_THAT(safetensorsError(file), HasSubstr("tensors 'a' [0, 8] and 'b' [4, 12] overlap"));
}

TEST(SafetensorsErrorTest, SameRegionTwice) {
  std::string file = safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})",
                                 kFour);
  EXPECT_THAT(safetensorsError(file), HasSubstr("overlap"));
}

TEST(SafetensorsErrorTest, GapBetweenTensors) {
  std::string file = safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                 std::string(12, '\0'));
  EXPECT_THAT(safetensorsError(file), HasSubstr("data bytes [4, 8) belong to no tensor"));
}

TEST(SafetensorsErrorTest, UnindexedBytesAtStartAndEnd) {
  std::string start = safetensors(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0'));
  EXPECT_THAT(safetensorsError(start), HasSubstr("data bytes [0, 4) belong to no tensor"));
  EXPECT_THAT(safetensorsError(safetensors(kOneF32, std::string(6, '\0'))),
              HasSubstr("data bytes [4, 6) belong to no tensor"));
  EXPECT_THAT(safetensorsError(safetensors("{}", "x")), HasSubstr("data bytes [0, 1) belong to no tensor"));
}

TEST(SafetensorsErrorTest, WrongByteCountForShape) {
  std::string file =
      safetensors(R"({"conv2d.kernel":{"dtype":"F32","shape":[3,3],"data_offsets":[0,100]}})", std::string(100, '\0'));
  EXPECT_EQ(safetensorsError(file),
            "w.safetensors: tensor 'conv2d.kernel': data_offsets [0, 100] hold 100 bytes, but f32[3, 3] needs 36");
}

TEST(SafetensorsErrorTest, NegativeDimension) {
  std::string file = safetensors(R"({"w":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,4]}})", kFour);
  EXPECT_THAT(safetensorsError(file), HasSubstr("tensor 'w': negative dimension -1 in shape"));
}

TEST(SafetensorsErrorTest, HugeDimensionsWhoseProductOverflows) {
  std::string file =
      safetensors(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", "");
  EXPECT_THAT(safetensorsError(file),
              HasSubstr("tensor 'w': shape [4294967296, 4294967296, 16] has too many elements"));
  std::string too_big = safetensors(R"({"w":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,0]}})", "");
  EXPECT_THAT(safetensorsError(too_big), HasSubstr("dimension 18446744073709551615 is too large"));
  std::string beyond_u64 =
      safetensors(R"({"w":{"dtype":"F32","shape":[99999999999999999999999],"data_offsets":[0,0]}})", "");
  EXPECT_THAT(safetensorsError(beyond_u64), HasSubstr("non-negative integers"));
}

TEST(SafetensorsErrorTest, BadShapeSyntax) {
  for (std::string shape : {"3", "[1.0]", "[\"1\"]", "[[1]]", "null"}) {
    std::string file = safetensors(R"({"w":{"dtype":"F32","shape":)" + shape + R"(,"data_offsets":[0,4]}})", kFour);
    EXPECT_THAT(safetensorsError(file), HasSubstr("shape must be an array")) << shape;
  }
}

TEST(SafetensorsErrorTest, UnknownDType) {
  for (std::string dtype : {"U8", "F8_E4M3", "f32", "COMPLEX"}) {
    std::string file = safetensors(R"({"w":{"dtype":")" + dtype + R"(","shape":[4],"data_offsets":[0,4]}})", kFour);
    EXPECT_THAT(safetensorsError(file), HasSubstr("tensor 'w': unsupported dtype '" + dtype + "'"));
  }
  std::string not_string = safetensors(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", kFour);
  EXPECT_THAT(safetensorsError(not_string), HasSubstr("dtype must be a string"));
}

TEST(SafetensorsErrorTest, MissingOrUnexpectedKeys) {
  EXPECT_THAT(safetensorsError(safetensors(R"({"w":{"dtype":"F32","shape":[1]}})", "")),
              HasSubstr("tensor 'w': missing 'data_offsets'"));
  std::string extra = safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"stride":[1]}})", kFour);
  EXPECT_THAT(safetensorsError(extra), HasSubstr("tensor 'w': unexpected key 'stride'"));
}

TEST(SafetensorsErrorTest, DuplicateNames) {
  std::string file = safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                 std::string(8, '\0'));
  EXPECT_THAT(safetensorsError(file), HasSubstr("tensor 'w' appears twice in the header"));
  std::string inner = safetensors(R"({"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}})", kFour);
  EXPECT_THAT(safetensorsError(inner), HasSubstr("key 'dtype' appears twice"));
}

TEST(SafetensorsErrorTest, BadMetadata) {
  EXPECT_THAT(safetensorsError(safetensors(R"({"__metadata__":{"a":1}})", "")),
              HasSubstr("__metadata__ value for 'a' must be a string"));
  EXPECT_THAT(safetensorsError(safetensors(R"({"__metadata__":["a"]})", "")),
              HasSubstr("__metadata__ must be an object of strings"));
}

TEST(SafetensorsErrorTest, BoolOtherThanZeroOrOne) {
  std::string file =
      safetensors(R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x07", 2));
  EXPECT_THAT(safetensorsError(file), HasSubstr("tensor 'm': bool element 1 is 7, not 0 or 1"));
}

// ---------------------------------------------------------------------------
// .npy: round trips and numpy's files

TEST(NpyTest, RoundTripsEveryDTypeScalarsAndEmptyTensors) {
  for (DType d : kAllDTypes) {
    if (d == DType::kBF16) continue;
    for (std::vector<int64_t> shape : {std::vector<int64_t>{2, 3}, {}, {7}, {0}, {2, 0, 3}}) {
      Tensor t = filled(d, shape);
      absl::StatusOr<std::string> bytes = serializeNpy(t);
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      EXPECT_EQ((bytes->size() - t.byteSize()) % 64, 0u);
      EXPECT_EQ((*bytes)[bytes->size() - t.byteSize() - 1], '\n');
      absl::StatusOr<Tensor> back = parseNpy(bytesOf(*bytes), "t.npy");
      ASSERT_TRUE(back.ok()) << back.status();
      expectSame(*back, t);
    }
  }
}

TEST(NpyTest, Bf16HasNoNpyDType) {
  absl::StatusOr<std::string> r = serializeNpy(filled(DType::kBF16, {2}));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("bf16 tensors cannot be saved as .npy"));
  EXPECT_FALSE(serializeNpy(Tensor()).ok());
}

// Reads a file numpy wrote, checks it, and checks that dlc writes the same bytes.
Tensor readNumpyFile(const std::string& name, const std::string& type) {
  std::string path = kNpyData + "/" + name;
  absl::StatusOr<Tensor> t = readNpy(path);
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return Tensor();
  EXPECT_EQ(t->typeString(), type);
  absl::StatusOr<std::string> again = serializeNpy(*t);
  EXPECT_TRUE(again.ok());
  if (name.find("_v") == std::string::npos) {  // dlc writes version 1.0
    EXPECT_TRUE(again.ok() && *again == readBytes(path)) << name << ": dlc writes different bytes";
  }
  return *std::move(t);
}

TEST(NpyTest, ReadsWhatNumpyWrites) {
  Tensor f4 = readNumpyFile("f4_2x3.npy", "f32[2, 3]");
  EXPECT_EQ(f4.get(0), -1.0);
  EXPECT_EQ(f4.get(5), 1.5);
  EXPECT_EQ(readNumpyFile("f8_scalar.npy", "f64[]").get(0), 3.25);
  Tensor f2 = readNumpyFile("f2_4.npy", "f16[4]");
  EXPECT_EQ(f2.get(0), 1.0);
  EXPECT_EQ(f2.get(1), 65504.0);
  EXPECT_EQ(f2.get(2), std::ldexp(1.0, -24));
  EXPECT_TRUE(std::signbit(f2.get(3)));
  Tensor i4 = readNumpyFile("i4_3.npy", "i32[3]");
  EXPECT_EQ(i4.values<int32_t>()[0], INT32_MIN);
  EXPECT_EQ(i4.values<int32_t>()[2], INT32_MAX);
  Tensor i8 = readNumpyFile("i8_2x2.npy", "i64[2, 2]");
  EXPECT_EQ(i8.values<int64_t>()[1], int64_t{1} << 40);
  EXPECT_EQ(i8.values<int64_t>()[3], -(int64_t{1} << 62));
  Tensor b1 = readNumpyFile("b1_5.npy", "bool[5]");
  EXPECT_EQ(std::vector<uint8_t>(b1.values<uint8_t>().begin(), b1.values<uint8_t>().end()),
            (std::vector<uint8_t>{1, 0, 1, 1, 0}));
  EXPECT_EQ(readNumpyFile("f4_0x3.npy", "f32[0, 3]").numElements(), 0);
  EXPECT_EQ(readNumpyFile("f4_v2.npy", "f32[2]").get(1), -2.5);
  EXPECT_EQ(readNumpyFile("f4_v3.npy", "f32[2]").get(0), 1.5);
}

TEST(NpyTest, RejectsNumpyFilesDlcCannotRead) {
  auto error = [](const std::string& name) {
    absl::StatusOr<Tensor> t = readNpy(kNpyData + "/" + name);
    EXPECT_FALSE(t.ok());
    EXPECT_THAT(std::string(t.status().message()), StartsWith(kNpyData + "/" + name + ": "));
    return std::string(t.status().message());
  };
  EXPECT_THAT(error("f4_fortran.npy"), HasSubstr("Fortran-ordered arrays are not supported"));
  EXPECT_THAT(error("f4_big_endian.npy"), HasSubstr("big-endian data ('>f4') is not supported"));
  EXPECT_THAT(error("u1_3.npy"), HasSubstr("unsupported descr '|u1'"));
}

TEST(NpyTest, ConformanceInputRoundTripsByteForByte) {
  std::string path = kMnist + "/x.npy";
  if (!fs::exists(path)) GTEST_SKIP() << "no conformance set at " << kMnist;
  absl::StatusOr<Tensor> x = readNpy(path);
  ASSERT_TRUE(x.ok()) << x.status();
  EXPECT_EQ(x->typeString(), "f32[3, 28, 28, 1]");
  absl::StatusOr<std::string> again = serializeNpy(*x);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == readBytes(path));
  absl::StatusOr<Tensor> expected = readNpy(kMnist + "/expected_0.npy");
  ASSERT_TRUE(expected.ok()) << expected.status();
}

TEST(NpyTest, HeaderSyntaxVariantsNumpyAccepts) {
  std::string four(4, '\0');
  for (std::string dict : {"{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,)}",
                           "{'shape':(1,),'fortran_order':False,'descr':'<f4'}",
                           "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 1 , ) , }"}) {
    absl::StatusOr<Tensor> t = parseNpy(bytesOf(npy(dict, four)), "x.npy");
    EXPECT_TRUE(t.ok()) << dict << ": " << t.status();
  }
  absl::StatusOr<Tensor> two = parseNpy(bytesOf(npy(npyDict("<i4", "(1, 1,)"), four)), "x.npy");
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->typeString(), "i32[1, 1]");
}

// ---------------------------------------------------------------------------
// .npy: one test per malformed file

TEST(NpyErrorTest, BadMagic) {
  EXPECT_THAT(npyError("\x93NUMPX\x01\0\0\0"), HasSubstr("not a .npy file"));
  EXPECT_THAT(npyError("PK\x03\x04"), HasSubstr("not a .npy file"));
  EXPECT_THAT(npyError(""), HasSubstr("not a .npy file"));
}

TEST(NpyErrorTest, BadVersion) {
  std::string file = npy(npyDict("<f4", "()"), std::string(4, '\0'));
  file[6] = 4;
  EXPECT_THAT(npyError(file), HasSubstr("unsupported .npy version 4.0"));
  file[6] = 1, file[7] = 1;
  EXPECT_THAT(npyError(file), HasSubstr("unsupported .npy version 1.1"));
}

TEST(NpyErrorTest, HeaderLengthPastTheEnd) {
  std::string file = npy(npyDict("<f4", "()"), "");
  file[8] = '\xff', file[9] = '\x7f';
  EXPECT_THAT(npyError(file), HasSubstr("header length 32767 goes past the end of the file"));
  EXPECT_THAT(npyError(std::string("\x93NUMPY\x02\0\x01\0", 10)), HasSubstr("ends inside the .npy header"));
}

TEST(NpyErrorTest, BigEndian) {
  EXPECT_THAT(npyError(npy(npyDict(">f8", "(1,)"), std::string(8, '\0'))),
              HasSubstr("x.npy: big-endian data ('>f8') is not supported; save with arr.astype('<f8')"));
}

TEST(NpyErrorTest, FortranOrder) {
  EXPECT_EQ(npyError(npy(npyDict("<f4", "(2, 2)", true), std::string(16, '\0'))),
            "x.npy: Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
}

TEST(NpyErrorTest, UnknownDescr) {
  for (std::string descr : {"<u2", "|u1", "<i2", "<c8", "|O", "<V2", "f4"}) {
    EXPECT_THAT(npyError(npy(npyDict(descr, "(1,)"), std::string(8, '\0'))),
                HasSubstr("unsupported descr '" + descr + "'"));
  }
  EXPECT_THAT(npyError(npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "")),
              HasSubstr("structured dtypes"));
}

TEST(NpyErrorTest, BadDictSyntax) {
  struct Case {
    std::string dict, message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "expected '{' at column 55"},  // the column after the padding
           {"descr", "expected '{' at column 1: descr"},
           {"{'descr' '<f4'}", "expected ':' at column 10"},
           {"{descr: '<f4'}", "expected a quoted key"},
           {"{'descr': '<f4' 'shape': ()}", "expected ',' or '}'"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': ()", "expected ',' or '}'"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", "unexpected key 'x'"},
           {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", "key 'descr' appears twice"},
           {"{'descr': '<f4', 'shape': ()}", "missing key 'fortran_order'"},
           {"{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", "expected True or False"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", "expected a tuple for shape"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "shape (N) is not a tuple"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,,)}", "expected a dimension"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", "expected ',' or ')'"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}", "expected ',' or ')'"},
           {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': ()}", "expected a quoted descr"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", "unexpected text after the dict"},
           {"{'descr': '<f4', 'fortran_order': False, 'shape': ()}\x01", "unexpected text after the dict"},
       }) {
    EXPECT_THAT(npyError(npy(c.dict, "")), HasSubstr("bad .npy header: " + c.message)) << c.dict;
  }
}

TEST(NpyErrorTest, NegativeAndHugeDims) {
  EXPECT_THAT(npyError(npy(npyDict("<f4", "(2, -3)"), "")), HasSubstr("negative dimension -3 in shape"));
  EXPECT_THAT(npyError(npy(npyDict("<f4", "(4294967296, 4294967296)"), "")),
              HasSubstr("shape (4294967296, 4294967296) has too many elements"));
  EXPECT_THAT(npyError(npy(npyDict("<f4", "(123456789012345678901234567890,)"), "")),
              HasSubstr("in shape is too large"));
}

TEST(NpyErrorTest, TruncatedData) {
  EXPECT_EQ(npyError(npy(npyDict("<f4", "(2, 3)"), std::string(20, '\0'))),
            "x.npy: data holds 20 bytes, but f32[2, 3] needs 24");
}

TEST(NpyErrorTest, TrailingBytes) {
  EXPECT_THAT(npyError(npy(npyDict("<i8", "()"), std::string(9, '\0'))),
              HasSubstr("data holds 9 bytes, but i64[] needs 8"));
}

TEST(NpyErrorTest, BoolOtherThanZeroOrOne) {
  EXPECT_THAT(npyError(npy(npyDict("|b1", "(3,)"), std::string("\x00\x01\x02", 3))),
              HasSubstr("bool element 2 is 2, not 0 or 1"));
}

// ---------------------------------------------------------------------------
// Every one-byte change to a valid file parses or fails with a message.

TEST(MutationTest, OneByteChangesNeverCrash) {
  NamedTensors tensors;
  tensors.emplace_back("a", filled(DType::kF16, {2, 2}));
  tensors.emplace_back("m", filled(DType::kBool, {3}));
  std::string st = *serializeSafetensors(tensors, {{"k", "v"}});
  std::string np = *serializeNpy(filled(DType::kI32, {2, 1}));
  for (const std::string* original : {&st, &np}) {
    for (size_t i = 0; i < original->size(); ++i) {
      for (int v : {0x00, 0x01, 0x20, 0x22, 0x27, 0x2c, 0x2d, 0x30, 0x39, 0x5b, 0x7b, 0x7d, 0x80, 0xff}) {
        std::string file = *original;
        file[i] = static_cast<char>(v);
        absl::Status status =
            original == &st ? parseSafetensors(bytesOf(file), "f").status() : parseNpy(bytesOf(file), "f").status();
        if (!status.ok()) {
          EXPECT_THAT(std::string(status.message()), StartsWith("f: ")) << i << " " << v;
        }
      }
      std::string cut = original->substr(0, i);
      EXPECT_FALSE(original == &st ? parseSafetensors(bytesOf(cut), "f").ok() : parseNpy(bytesOf(cut), "f").ok());
    }
  }
}

// ---------------------------------------------------------------------------
// Files

using TensorFileTest = TempDir;

TEST_F(TensorFileTest, WritesAtomicallyAndReplaces) {
  std::string p = path("w.safetensors");
  NamedTensors first;
  first.emplace_back("a", filled(DType::kF32, {3}));
  ASSERT_TRUE(writeSafetensors(p, first).ok());
  NamedTensors second;
  second.emplace_back("b", filled(DType::kI64, {2, 2}));
  absl::Status s = writeSafetensors(p, second, {{"k", "v"}});
  ASSERT_TRUE(s.ok()) << s;
  TensorMetadata meta;
  absl::StatusOr<NamedTensors> back = readSafetensors(p, &meta);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].first, "b");
  expectSame((*back)[0].second, second[0].second);
  EXPECT_EQ(meta.at("k"), "v");

  Tensor x = filled(DType::kF16, {4, 1});
  ASSERT_TRUE(writeNpy(path("x.npy"), x).ok());
  absl::StatusOr<Tensor> xb = readNpy(path("x.npy"));
  ASSERT_TRUE(xb.ok()) << xb.status();
  expectSame(*xb, x);
  EXPECT_EQ(files(), (std::vector<std::string>{"w.safetensors", "x.npy"}));  // no temporaries left
}

TEST_F(TensorFileTest, FailedWriteLeavesTheOldFile) {
  std::string p = path("x.npy");
  ASSERT_TRUE(writeNpy(p, filled(DType::kF32, {2})).ok());
  absl::Status s = writeNpy(p, filled(DType::kBF16, {2}));
  EXPECT_THAT(std::string(s.message()), StartsWith(p + ": bf16 tensors cannot"));
  EXPECT_THAT(std::string(writeNpy(p, Tensor()).message()), StartsWith(p + ": tensor has no data"));
  absl::StatusOr<Tensor> back = readNpy(p);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->typeString(), "f32[2]");
  EXPECT_EQ(files(), (std::vector<std::string>{"x.npy"}));
}

TEST_F(TensorFileTest, FileErrorsNameThePath) {
  absl::StatusOr<Tensor> missing = readNpy(path("missing.npy"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), StartsWith(path("missing.npy") + ": cannot open"));
  absl::StatusOr<NamedTensors> dir = readSafetensors(dir_.string());
  EXPECT_THAT(std::string(dir.status().message()), HasSubstr("not a regular file"));
  absl::Status no_dir = writeNpy(path("no/such/dir/x.npy"), filled(DType::kF32, {1}));
  EXPECT_THAT(std::string(no_dir.message()), StartsWith(path("no/such/dir/x.npy") + ": cannot create"));
  std::ofstream(path("bad.safetensors")) << "short";
  absl::StatusOr<NamedTensors> bad = readSafetensors(path("bad.safetensors"));
  EXPECT_THAT(std::string(bad.status().message()), StartsWith(path("bad.safetensors") + ": too short"));
}

}  // namespace
}  // namespace dlc::runtime
