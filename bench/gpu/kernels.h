// Hand-written CUDA C++ for the memory-bound benchmarks: the yardsticks that
// dlc's generated kernels replace (the harness takes any source and kernel
// name, so swapping one in is a one-line change in gpu_bench.cc).
#ifndef DLC_BENCH_GPU_KERNELS_H_
#define DLC_BENCH_GPU_KERNELS_H_

namespace dlc::bench {

// Fills: random-looking values in [-1, 1) (a hash of the index, so GEMMs do
// not run on zeros, which is faster), as f32, f16 or bf16 bits.
inline constexpr const char* kFillSource = R"(
__device__ float hashed(unsigned long long i, unsigned seed) {
  unsigned x = (unsigned)i * 2654435761u ^ seed;
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16;
  return (x >> 8) * (2.0f / 16777216.0f) - 1.0f;
}
extern "C" __global__ void fill_f32(float* p, unsigned long long n, unsigned seed) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n;
       i += (unsigned long long)gridDim.x * blockDim.x) p[i] = hashed(i, seed);
}
extern "C" __global__ void fill_f16(unsigned short* p, unsigned long long n, unsigned seed) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n;
       i += (unsigned long long)gridDim.x * blockDim.x) {
    unsigned short h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(hashed(i, seed)));
    p[i] = h;
  }
}
extern "C" __global__ void fill_bf16(unsigned short* p, unsigned long long n, unsigned seed) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n;
       i += (unsigned long long)gridDim.x * blockDim.x) p[i] = __float_as_uint(hashed(i, seed)) >> 16;
}
)";

// y = x, 16 bytes a thread per iteration.
inline constexpr const char* kCopySource = R"(
extern "C" __global__ void copy_f32x4(const float4* __restrict__ x, float4* __restrict__ y, unsigned long long n4) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n4;
       i += (unsigned long long)gridDim.x * blockDim.x) y[i] = x[i];
}
)";

// The fused elementwise chain: t = 1.7x + 0.3; y = silu(t) + 0.5x
// (torch_bench.py computes the same).
inline constexpr const char* kChainSource = R"(
__device__ __forceinline__ float chain(float x) {
  float t = x * 1.7f + 0.3f;
  return t / (1.0f + __expf(-t)) + 0.5f * x;
}
extern "C" __global__ void chain_f32x4(const float4* __restrict__ x, float4* __restrict__ y, unsigned long long n4) {
  for (unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x; i < n4;
       i += (unsigned long long)gridDim.x * blockDim.x) {
    float4 v = x[i];
    y[i] = make_float4(chain(v.x), chain(v.y), chain(v.z), chain(v.w));
  }
}
)";

// Row softmax and layernorm over [rows, COLS] f32, one block of THREADS
// threads a row, the row held in registers (COLS / THREADS values a thread).
// COLS and THREADS come from -D options.
inline constexpr const char* kRowSource = R"(
#define PER (COLS / THREADS)
__device__ __forceinline__ float blockSum(float v, float* shared) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < THREADS / 32 ? shared[lane] : 0.0f;
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float blockMax(float v, float* shared) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  v = lane < THREADS / 32 ? shared[lane] : __int_as_float(0xff800000);
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
extern "C" __global__ void __launch_bounds__(THREADS) softmax_rows(const float* __restrict__ x, float* __restrict__ y) {
  __shared__ float shared[32];
  const float* row = x + (unsigned long long)blockIdx.x * COLS;
  float v[PER];
  float m = __int_as_float(0xff800000);
#pragma unroll
  for (int j = 0; j < PER; ++j) { v[j] = row[j * THREADS + threadIdx.x]; m = fmaxf(m, v[j]); }
  m = blockMax(m, shared);
  float s = 0.0f;
#pragma unroll
  for (int j = 0; j < PER; ++j) { v[j] = __expf(v[j] - m); s += v[j]; }
  float inv = 1.0f / blockSum(s, shared);
  float* out = y + (unsigned long long)blockIdx.x * COLS;
#pragma unroll
  for (int j = 0; j < PER; ++j) out[j * THREADS + threadIdx.x] = v[j] * inv;
}
extern "C" __global__ void __launch_bounds__(THREADS) layernorm_rows(const float* __restrict__ x,
    const float* __restrict__ gamma, const float* __restrict__ beta, float* __restrict__ y) {
  __shared__ float shared[32];
  const float* row = x + (unsigned long long)blockIdx.x * COLS;
  float v[PER];
  float s = 0.0f;
#pragma unroll
  for (int j = 0; j < PER; ++j) { v[j] = row[j * THREADS + threadIdx.x]; s += v[j]; }
  float mean = blockSum(s, shared) * (1.0f / COLS);
  float q = 0.0f;
#pragma unroll
  for (int j = 0; j < PER; ++j) { float d = v[j] - mean; q += d * d; }
  float rstd = rsqrtf(blockSum(q, shared) * (1.0f / COLS) + 1e-5f);
  float* out = y + (unsigned long long)blockIdx.x * COLS;
#pragma unroll
  for (int j = 0; j < PER; ++j) {
    int c = j * THREADS + threadIdx.x;
    out[c] = (v[j] - mean) * rstd * gamma[c] + beta[c];
  }
}
)";

}  // namespace dlc::bench

#endif  // DLC_BENCH_GPU_KERNELS_H_
