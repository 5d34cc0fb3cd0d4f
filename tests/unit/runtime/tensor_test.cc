#include "runtime/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace dlc::runtime {
namespace {

float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST(TensorTest, ZerosIsZeroFilledAndAligned) {
  absl::StatusOr<Tensor> t = Tensor::zeros(DType::kF32, {2, 3});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->numElements(), 6);
  EXPECT_EQ(t->byteSize(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->data()) % 64, 0u);
  for (float v : t->values<float>()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(t->typeString(), "f32[2, 3]");
}

TEST(TensorTest, ScalarAndEmpty) {
  absl::StatusOr<Tensor> scalar = Tensor::zeros(DType::kF64, {});
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->numElements(), 1);
  EXPECT_EQ(scalar->byteSize(), 8u);
  absl::StatusOr<Tensor> empty = Tensor::zeros(DType::kI32, {0, 5});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->numElements(), 0);
  EXPECT_EQ(empty->byteSize(), 0u);
}

TEST(TensorTest, ZerosRejectsOverflowAndNegativeDims) {
  EXPECT_FALSE(Tensor::zeros(DType::kF32, {int64_t{1} << 40, int64_t{1} << 40}).ok());
  EXPECT_FALSE(Tensor::zeros(DType::kF32, {std::numeric_limits<int64_t>::max(), 2}).ok());
  EXPECT_FALSE(Tensor::zeros(DType::kF32, {3, -1}).ok());
  // A zero dimension makes any product fine.
  EXPECT_TRUE(Tensor::zeros(DType::kF32, {0, std::numeric_limits<int64_t>::max()}).ok());
  EXPECT_FALSE(checkedElementCount(std::vector<int64_t>{int64_t{1} << 26, int64_t{1} << 27}).ok());
  EXPECT_EQ(*checkedElementCount(std::vector<int64_t>{int64_t{1} << 26, int64_t{1} << 26}), int64_t{1} << 52);
}

TEST(TensorTest, GetSetConvertsPerDType) {
  Tensor t = *Tensor::zeros(DType::kBF16, {2});
  t.set(0, 1.0 + 1.0 / 256);  // halfway between 1 and 1 + 2^-7: to even
  t.set(1, -3.0);
  EXPECT_EQ(t.values<uint16_t>()[0], 0x3f80);
  EXPECT_EQ(t.get(1), -3.0);
  Tensor b = *Tensor::zeros(DType::kBool, {1});
  b.set(0, 0.5);
  EXPECT_EQ(b.values<uint8_t>()[0], 1);
  Tensor c = t.clone();
  EXPECT_EQ(c.get(1), -3.0);
  EXPECT_NE(c.data(), t.data());
}

TEST(HalfTest, ExactValues) {
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(floatToHalf(0.0f), 0x0000);
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0400), std::ldexp(1.0f, -14));
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
}

TEST(HalfTest, Subnormals) {
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001);     // smallest subnormal
  EXPECT_EQ(floatToHalf(std::ldexp(1023.0f, -24)), 0x03ff);  // largest subnormal
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000);     // tie: to even (0)
  EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -25)), 0x0002);     // 1.5 units: tie to even (2)
  EXPECT_EQ(floatToHalf(std::ldexp(5.0f, -25)), 0x0002);     // 2.5 units: tie to even (2)
  EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -26)), 0x0001);     // 0.75 units: up
  EXPECT_EQ(floatToHalf(std::ldexp(-1.0f, -24)), 0x8001);
  EXPECT_EQ(floatToHalf(std::ldexp(2047.0f, -25)), 0x0400);  // rounds up into the normals
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(halfToFloat(0x8001), std::ldexp(-1.0f, -24));
}

TEST(HalfTest, RoundsToNearestEven) {
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie, even is 1.0
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(3.0f, -11)), 0x3c02);  // tie, even is up
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
  EXPECT_EQ(floatToHalf(65519.0f), 0x7bff);  // below the midpoint to 65536
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);  // the midpoint: to even, which is inf
}

TEST(HalfTest, InfAndNan) {
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(floatToHalf(inf), 0x7c00);
  EXPECT_EQ(floatToHalf(-inf), 0xfc00);
  EXPECT_EQ(floatToHalf(1e6f), 0x7c00);
  EXPECT_EQ(floatToHalf(std::numeric_limits<float>::max()), 0x7c00);
  uint16_t nan = floatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  EXPECT_NE(floatToHalf(bitsToFloat(0x7f800001)) & 0x03ff, 0);  // NaN payload below bit 13 stays NaN
  EXPECT_EQ(halfToFloat(0x7c00), inf);
  EXPECT_EQ(halfToFloat(0xfc00), -inf);
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7c01)));
}

TEST(HalfTest, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(floatToHalf(f), h) << std::hex << h;
  }
}

TEST(BFloat16Test, ExactValues) {
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(floatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBFloat16(-2.0f), 0xc000);
  EXPECT_EQ(floatToBFloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);  // tie, even is 1.0
  EXPECT_EQ(floatToBFloat16(1.0f + std::ldexp(3.0f, -8)), 0x3f82);  // tie, even is up
  EXPECT_EQ(floatToBFloat16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), 0x3f81);
  EXPECT_EQ(floatToBFloat16(65504.0f), 0x4780);                           // 65536
  EXPECT_EQ(floatToBFloat16(std::numeric_limits<float>::max()), 0x7f80);  // rounds to inf
  EXPECT_EQ(floatToBFloat16(inf), 0x7f80);
  EXPECT_EQ(floatToBFloat16(-inf), 0xff80);
  EXPECT_EQ(floatToBFloat16(bitsToFloat(0x00080000)), 0x0008);  // float subnormal, exact
  EXPECT_EQ(floatToBFloat16(bitsToFloat(0x00008000)), 0x0000);  // subnormal tie: to even
  EXPECT_EQ(floatToBFloat16(bitsToFloat(0x00018000)), 0x0002);  // subnormal tie: to even
  uint16_t nan = floatToBFloat16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(nan)));
  // A NaN whose payload lies only in the dropped bits must stay NaN.
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBFloat16(bitsToFloat(0x7f800001)))));
  EXPECT_EQ(bfloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16ToFloat(0x7f80), inf);
  EXPECT_EQ(bfloat16ToFloat(0x0001), bitsToFloat(0x00010000));
}

TEST(BFloat16Test, EveryBFloat16RoundTrips) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    float f = bfloat16ToFloat(static_cast<uint16_t>(b));
    if (std::isnan(f)) continue;
    EXPECT_EQ(floatToBFloat16(f), b) << std::hex << b;
  }
}

}  // namespace
}  // namespace dlc::runtime
