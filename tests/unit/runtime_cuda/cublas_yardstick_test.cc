// The benchmark's yardstick, plain cuBLAS (bench/gpu/cublas.h), against a
// CPU loop: a GEMM comparison is only as good as its reference.
#include <cstdint>
#include <vector>

#include "bench/gpu/cublas.h"
#include "tests/unit/runtime_cuda/gpu_test.h"

namespace dlc::runtime::cuda {
namespace {

using bench::Cublas;

TEST(CublasGemm, SgemmMatchesCpu) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  const GemmShape s{33, 17, 29};  // odd sizes: no alignment assumed
  std::vector<float> a(s.m * s.k), b(s.k * s.n), d(s.m * s.n);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = float(i % 7) - 3;
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = float(i % 5) - 2;
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer da, DeviceBuffer::allocate(*device, a.size() * 4));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer db, DeviceBuffer::allocate(*device, b.size() * 4));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer dd, DeviceBuffer::allocate(*device, d.size() * 4));
  DLC_ASSERT_OK(stream.copyToDevice(da.ptr(), a.data(), da.size()));
  DLC_ASSERT_OK(stream.copyToDevice(db.ptr(), b.data(), db.size()));
  DLC_ASSERT_OK_AND_ASSIGN(auto blas, Cublas::create(*device));
  DLC_ASSERT_OK(blas->gemm(stream, s, GemmType::kF32, da.ptr(), db.ptr(), dd.ptr()));
  DLC_ASSERT_OK(stream.copyToHost(d.data(), dd.ptr(), dd.size()));
  DLC_ASSERT_OK(stream.synchronize());
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      float acc = 0;  // small integers: exact in f32
      for (int64_t p = 0; p < s.k; ++p) acc += a[i * s.k + p] * b[p * s.n + j];
      ASSERT_EQ(d[i * s.n + j], acc) << i << ", " << j;
    }
  }
}

}  // namespace
}  // namespace dlc::runtime::cuda
