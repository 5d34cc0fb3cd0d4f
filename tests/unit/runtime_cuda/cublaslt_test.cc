// cuBLASLt GEMMs with fused epilogues against a CPU loop.
#include "runtime/cuda/cublaslt.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <vector>

#include "runtime/tensor.h"
#include "tests/unit/runtime_cuda/gpu_test.h"

namespace dlc::runtime::cuda {
namespace {

struct Case {
  GemmType type;
  Epilogue epilogue;
  double tolerance;  // relative to sqrt(k) * max |a| * max |b|
  friend void PrintTo(const Case& c, std::ostream* os) {
    *os << gemmTypeName(c.type) << " " << epilogueName(c.epilogue);
  }
};

// Rounds to what the device holds for `type`, and packs the bytes.
std::vector<std::uint8_t> pack(std::vector<float>& values, GemmType type) {
  std::vector<std::uint8_t> bytes(values.size() * gemmElementBytes(type));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (type == GemmType::kF16 || type == GemmType::kBF16) {
      std::uint16_t h = type == GemmType::kF16 ? runtime::floatToHalf(values[i]) : runtime::floatToBFloat16(values[i]);
      values[i] = type == GemmType::kF16 ? runtime::halfToFloat(h) : runtime::bfloat16ToFloat(h);
      std::memcpy(&bytes[2 * i], &h, 2);
    } else {
      std::memcpy(&bytes[4 * i], &values[i], 4);
    }
  }
  return bytes;
}

float unpack(const std::vector<std::uint8_t>& bytes, std::size_t i, GemmType type) {
  std::uint16_t h;
  float f;
  switch (type) {
    case GemmType::kF16: std::memcpy(&h, &bytes[2 * i], 2); return runtime::halfToFloat(h);
    case GemmType::kBF16: std::memcpy(&h, &bytes[2 * i], 2); return runtime::bfloat16ToFloat(h);
    default: std::memcpy(&f, &bytes[4 * i], 4); return f;
  }
}

double activate(double x, Epilogue e) {
  if (e == Epilogue::kRelu || e == Epilogue::kBiasRelu) return x > 0 ? x : 0;
  if (e == Epilogue::kGelu || e == Epilogue::kBiasGelu) {  // cuBLASLt's GELU is the tanh form
    return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  }
  return x;
}

class CublasLtGemm : public ::testing::TestWithParam<Case> {};

TEST_P(CublasLtGemm, MatchesCpu) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  const Case c = GetParam();
  const GemmShape s{64, 48, 40};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> a(s.m * s.k), b(s.k * s.n), bias(s.n);
  for (float& v : a) v = dist(rng);
  for (float& v : b) v = dist(rng);
  for (float& v : bias) v = dist(rng);
  auto a_bytes = pack(a, c.type), b_bytes = pack(b, c.type), bias_bytes = pack(bias, c.type);
  std::vector<std::uint8_t> d_bytes(s.m * s.n * gemmElementBytes(c.type));

  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceArena arena, DeviceArena::create(*device, 1 << 20));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan da, arena.carve(a_bytes.size()));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan db, arena.carve(b_bytes.size()));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan dbias, arena.carve(bias_bytes.size()));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan dd, arena.carve(d_bytes.size()));
  DLC_ASSERT_OK(stream.copyToDevice(da.ptr, a_bytes.data(), a_bytes.size()));
  DLC_ASSERT_OK(stream.copyToDevice(db.ptr, b_bytes.data(), b_bytes.size()));
  DLC_ASSERT_OK(stream.copyToDevice(dbias.ptr, bias_bytes.data(), bias_bytes.size()));

  DLC_ASSERT_OK_AND_ASSIGN(auto lt, CublasLt::create(*device));
  const CuDevicePtr bias_ptr = epilogueHasBias(c.epilogue) ? dbias.ptr : 0;
  // Twice: the second call takes the cached plan.
  for (int round = 0; round < 2; ++round) {
    DLC_ASSERT_OK(stream.memset(dd.ptr, 0, dd.bytes));
    DLC_ASSERT_OK(lt->matmul(stream, s, c.type, c.epilogue, da.ptr, db.ptr, bias_ptr, dd.ptr));
    DLC_ASSERT_OK(stream.copyToHost(d_bytes.data(), dd.ptr, d_bytes.size()));
    DLC_ASSERT_OK(stream.synchronize());
    const double tol = c.tolerance * std::sqrt(double(s.k));
    for (int64_t i = 0; i < s.m; ++i) {
      for (int64_t j = 0; j < s.n; ++j) {
        double acc = epilogueHasBias(c.epilogue) ? bias[j] : 0.0;
        for (int64_t p = 0; p < s.k; ++p) acc += double(a[i * s.k + p]) * b[p * s.n + j];
        const double want = activate(acc, c.epilogue);
        ASSERT_NEAR(unpack(d_bytes, i * s.n + j, c.type), want, tol + c.tolerance * std::fabs(want))
            << gemmTypeName(c.type) << " " << epilogueName(c.epilogue) << " at (" << i << ", " << j << ")";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Epilogues, CublasLtGemm,
    ::testing::Values(Case{GemmType::kF32, Epilogue::kNone, 1e-6}, Case{GemmType::kF32, Epilogue::kBiasRelu, 1e-6},
                      Case{GemmType::kF32, Epilogue::kBias, 1e-6}, Case{GemmType::kF32, Epilogue::kRelu, 1e-6},
                      Case{GemmType::kF32, Epilogue::kBiasGelu, 1e-3},
                      Case{GemmType::kF32Tf32, Epilogue::kBiasRelu, 2e-3},
                      Case{GemmType::kF16, Epilogue::kBiasRelu, 4e-3}, Case{GemmType::kBF16, Epilogue::kBiasRelu, 2e-2},
                      Case{GemmType::kBF16, Epilogue::kGelu, 2e-2}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(gemmTypeName(info.param.type)) + "_" + std::string(epilogueName(info.param.epilogue));
    });

TEST(CublasLtGemm, BiasMismatchIsAnError) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  DLC_ASSERT_OK_AND_ASSIGN(auto lt, CublasLt::create(*device, 1 << 20));
  absl::Status s = lt->matmul(stream, GemmShape{8, 8, 8}, GemmType::kF32, Epilogue::kBias, 0, 0, 0, 0);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
}

}  // namespace
}  // namespace dlc::runtime::cuda
