// The CUDA subset the emitter writes, for the host: the emitted source,
// prefixed with this header, compiles as C++20 into a shared library whose
// dlc_host_launch runs a launch with one std::thread per CUDA thread of a
// block, the blocks one after another. __syncthreads and warp shuffles are
// barriers over the threads still running; a shuffle with a lane of the warp
// gone (divergent exit) aborts, as it would be undefined on a GPU.
// (The emitted `extern __shared__` array becomes a plain array first:
// host_emulation_test.cc does that.)
#ifndef DLC_TESTS_UNIT_CODEGEN_CUDA_HOST_CUDA_H_
#define DLC_TESTS_UNIT_CODEGEN_CUDA_HOST_CUDA_H_

#include <barrier>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __restrict__ __restrict
#define __shared__ static  // one block runs at a time
#define __align__(n) alignas(n)

struct dim3 {
  unsigned x = 0, y = 0, z = 0;
};
thread_local dim3 threadIdx, blockIdx;
dim3 blockDim, gridDim;

// A barrier over the threads that have not returned from the kernel.
struct DlcHostSync {
  std::mutex m;
  std::condition_variable cv;
  int live = 0, arrived = 0;
  long generation = 0;
  void reset(int n) { live = n, arrived = 0; }
  void wait() {
    std::unique_lock<std::mutex> lock(m);
    long g = generation;
    if (++arrived == live) {
      arrived = 0, ++generation;
      cv.notify_all();
      return;
    }
    cv.wait(lock, [&] { return generation != g; });
  }
  // `strict`: nobody may be waiting (a warp in the middle of a shuffle).
  void leave(bool strict) {
    std::unique_lock<std::mutex> lock(m);
    if (strict && arrived > 0) {
      std::fprintf(stderr, "host cuda: a lane returned while its warp shuffles\n");
      std::abort();
    }
    --live;
    if (arrived > 0 && arrived == live) arrived = 0, ++generation, cv.notify_all();
  }
};
static DlcHostSync dlc_host_block;
static DlcHostSync dlc_host_warp[32];
static uint64_t dlc_host_lanes[32][32];
static std::mutex dlc_host_atomics;

inline void __syncthreads() { dlc_host_block.wait(); }

template <typename T>
T __shfl_xor_sync(unsigned mask, T v, int offset) {
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (mask != 0xffffffffu || blockDim.x % 32 != 0 || dlc_host_warp[warp].live != 32) {
    std::fprintf(stderr, "host cuda: a full-warp shuffle without the full warp\n");
    std::abort();
  }
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  dlc_host_lanes[warp][lane] = bits;
  dlc_host_warp[warp].wait();
  uint64_t other = dlc_host_lanes[warp][lane ^ offset];
  dlc_host_warp[warp].wait();
  T r;
  std::memcpy(&r, &other, sizeof(T));
  return r;
}

template <typename T>
T atomicAdd(T* p, T v) {
  std::lock_guard<std::mutex> lock(dlc_host_atomics);
  T old = *p;
  *p = old + v;
  return old;
}
inline float __int_as_float(int x) {
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}
inline double __longlong_as_double(long long x) {
  double f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }

// Runs `kernel` (every parameter a pointer, at most 16) on a grid of
// (grid_x, grid_y) blocks of `block_x` threads.
extern "C" void dlc_host_launch(void* kernel, void** args, unsigned grid_x, unsigned grid_y, unsigned block_x) {
  using Kernel = void (*)(void*, void*, void*, void*, void*, void*, void*, void*, void*, void*, void*, void*, void*,
                          void*, void*, void*);
  Kernel f = reinterpret_cast<Kernel>(kernel);  // extra pointer arguments are ignored by the callee
  blockDim = {block_x, 1, 1};
  gridDim = {grid_x, grid_y, 1};
  auto fresh = [block_x]() noexcept {
    dlc_host_block.reset(static_cast<int>(block_x));
    for (unsigned w = 0; w * 32 < block_x; ++w) dlc_host_warp[w].reset(block_x - w * 32 < 32 ? block_x - w * 32 : 32);
  };
  fresh();
  std::barrier next_block(static_cast<std::ptrdiff_t>(block_x), fresh);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < block_x; ++t)
    threads.emplace_back([&, t] {
      threadIdx = {t, 0, 0};
      for (unsigned y = 0; y < grid_y; ++y)
        for (unsigned x = 0; x < grid_x; ++x) {
          blockIdx = {x, y, 0};
          f(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10],
            args[11], args[12], args[13], args[14], args[15]);
          dlc_host_warp[t / 32].leave(true);
          dlc_host_block.leave(false);
          next_block.arrive_and_wait();
        }
    });
  for (std::thread& t : threads) t.join();
}

#endif  // DLC_TESTS_UNIT_CODEGEN_CUDA_HOST_CUDA_H_
