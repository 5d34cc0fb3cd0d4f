// The generated GEMM (codegen/gemm) against OpenBLAS's cblas_sgemm.
//
//   sgemm_bench [--m 1024] [--n 1024] [--k 1024] [--threads 2] [--reps 20] [--target NAME]
//               [--mr 6 --nr 64 --kc 256 --nc 512] [--emit-asm]
//
// Prints the best time of each over --reps alternating runs, GFLOP/s, the
// speed ratio to OpenBLAS, and the fraction of the FMA peak, measured with a
// register-only FMA loop.
#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/cpu/gemm/gemm.h"
#include "codegen/llvm/native_code.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Best times of `a` and `b` over `reps` runs, alternating the two so that
// load from other processes on a shared machine hits both alike.
template <typename A, typename B>
std::pair<double, double> bestOfAlternating(int reps, A a, B b) {
  a(), b();  // warm up: page faults, OpenBLAS buffers
  double best_a = 1e30, best_b = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    a();
    auto t1 = Clock::now();
    b();
    best_a = std::min(best_a, seconds(t0, t1));
    best_b = std::min(best_b, seconds(t1, Clock::now()));
  }
  return {best_a, best_b};
}

// 12 independent accumulators hide the FMA latency; no memory traffic. One
// body for each vector width (a macro: the intrinsics need the target).
// (Not _mm512_reduce_add_ps: GCC 12's header warns about it.)
#define DLC_FMA_LOOP(NAME, TARGET, VEC, LANES, SET1, FMADD, STOREU)    \
  __attribute__((target(TARGET))) double NAME(int64_t iters) {         \
    VEC acc[12];                                                       \
    for (int i = 0; i < 12; ++i) acc[i] = SET1(static_cast<float>(i)); \
    VEC x = SET1(0.999999F), y = SET1(1e-7F);                          \
    for (int64_t n = 0; n < iters; ++n)                                \
      for (int i = 0; i < 12; ++i) acc[i] = FMADD(acc[i], x, y);       \
    float out[LANES];                                                  \
    float sink = 0;                                                    \
    for (int i = 0; i < 12; ++i) {                                     \
      STOREU(out, acc[i]);                                             \
      for (float v : out) sink += v;                                   \
    }                                                                  \
    return sink;                                                       \
  }
DLC_FMA_LOOP(fmaLoopAvx512, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps)
DLC_FMA_LOOP(fmaLoopAvx2, "avx2,fma", __m256, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps)
#undef DLC_FMA_LOOP

// FLOP/s of every thread running the FMA loop at once.
double measurePeak(int threads) {
  bool avx512 = __builtin_cpu_supports("avx512f");
  int lanes = avx512 ? 16 : 8;
  constexpr int64_t kIters = 20'000'000;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<std::thread> pool;
    std::vector<double> sinks(threads);
    auto t0 = Clock::now();
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] { sinks[t] = avx512 ? fmaLoopAvx512(kIters) : fmaLoopAvx2(kIters); });
    for (auto& th : pool) th.join();
    double flops = 2.0 * lanes * 12 * static_cast<double>(kIters) * threads;
    best = std::max(best, flops / seconds(t0, Clock::now()));
  }
  return best;
}

int64_t argInt(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  return fallback;
}

bool hasFlag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t m = argInt(argc, argv, "--m", 1024), n = argInt(argc, argv, "--n", 1024), k = argInt(argc, argv, "--k", 1024);
  int threads = static_cast<int>(argInt(argc, argv, "--threads", 2));
  int reps = static_cast<int>(argInt(argc, argv, "--reps", 20));
  // --target NAME: code for that CPU (x86-64-v3 measures the AVX2 kernel on
  // an AVX-512 machine; give OpenBLAS OPENBLAS_CORETYPE=Haswell to match).
  std::string target_name = "host";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--target") == 0) target_name = argv[i + 1];
  absl::StatusOr<dlc::codegen::CpuTarget> target = dlc::codegen::resolveCpuTarget(target_name);
  if (!target.ok()) return std::fprintf(stderr, "%s\n", std::string(target.status().message()).c_str()), 1;
  dlc::codegen::GemmOptions options;
  if (target->vector_bytes < 64) {
    // Without AVX-512 (AVX2's 16 ymm, NEON's 32 q registers): 4 rows, and as
    // many B vectors v as 4 v accumulators, v B vectors and a broadcast
    // leave registers for (AVX2: 4 x 24, 12 accumulators). More rows spill:
    // LLVM loads every row's broadcast before the step's FMAs. 4 x 16 (8
    // accumulators for 2 FMA pipes of 4 cycles' latency) ran at 0.64-0.80
    // of OpenBLAS on Zen 4's AVX2 code, 4 x 24 at 0.95.
    int64_t lanes = target->vector_bytes / 4;
    options.mr = 4;
    options.nr = lanes * std::max<int64_t>(1, (target->vector_registers - 1) / (options.mr + 1));
  }
  options.mr = argInt(argc, argv, "--mr", options.mr);
  options.nr = argInt(argc, argv, "--nr", options.nr);
  options.kc = argInt(argc, argv, "--kc", options.kc);
  options.nc = argInt(argc, argv, "--nc", options.nc);

  // Both libraries get the same number of threads.
  setenv("DLC_NUM_THREADS", std::to_string(threads).c_str(), 1);
  openblas_set_num_threads(threads);

  dlc::kir::KernelModule module;
  module.kernels.push_back(dlc::codegen::buildGemm("sgemm", m, n, k, options));
  if (hasFlag(argc, argv, "--emit-asm")) {
    auto text = dlc::codegen::emitAssembly(module, *target);
    if (!text.ok()) return std::fprintf(stderr, "%s\n", std::string(text.status().message()).c_str()), 1;
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  auto t0 = Clock::now();
  auto jit = dlc::codegen::compileAndLoad(module, *target);
  if (!jit.ok()) return std::fprintf(stderr, "%s\n", std::string(jit.status().message()).c_str()), 1;
  double compile_s = seconds(t0, Clock::now());
  auto fn = (*jit)->find("sgemm");

  std::vector<float> a(m * k), b(k * n), c(m * n), c_ref(m * n);
  uint32_t state = 12345;
  auto next = [&] { return static_cast<float>((state = state * 1664525u + 1013904223u) >> 8) / 16777216.0F - 0.5F; };
  for (float& x : a) x = next();
  for (float& x : b) x = next();
  // Buffers in kernel order: a, b, c, then scratch (sizes from the kernel).
  std::vector<std::vector<float>> scratch;
  std::vector<void*> buffers = {a.data(), b.data(), c.data()};
  for (size_t i = 3; i < module.kernels[0].buffers.size(); ++i) {
    const auto& buf = module.kernels[0].buffers[i];
    if (buf.role != dlc::kir::BufferRole::kScratch) {
      buffers.push_back(nullptr);
      continue;
    }
    scratch.emplace_back(buf.size);
    buffers.push_back(scratch.back().data());
  }

  auto [dlc_s, blas_s] = bestOfAlternating(
      reps, [&] { fn(buffers.data()); },
      [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                    static_cast<int>(k), 1.0F, a.data(), static_cast<int>(k), b.data(), static_cast<int>(n), 0.0F,
                    c_ref.data(), static_cast<int>(n));
      });
  double max_err = 0;
  for (int64_t i = 0; i < m * n; ++i) max_err = std::max(max_err, static_cast<double>(std::fabs(c[i] - c_ref[i])));
  // One thread's FMA rate times the threads: the peak if each thread has a
  // core to itself (measured all at once, it drops when other processes or
  // SMT siblings share the cores; both are printed).
  double peak = measurePeak(1) * threads;
  double peak_together = measurePeak(threads);

  double flop = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  std::printf("sgemm %lldx%lldx%lld, %d threads, mr=%lld nr=%lld kc=%lld nc=%lld (JIT compile %.2f s)\n",
              static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k), threads,
              static_cast<long long>(options.mr), static_cast<long long>(options.nr),
              static_cast<long long>(options.kc), static_cast<long long>(options.nc), compile_s);
  std::printf("  dlc       %8.3f ms  %7.1f GFLOP/s  %5.1f%% of peak\n", dlc_s * 1e3, flop / dlc_s * 1e-9,
              100 * flop / dlc_s / peak);
  std::printf("  OpenBLAS  %8.3f ms  %7.1f GFLOP/s  %5.1f%% of peak\n", blas_s * 1e3, flop / blas_s * 1e-9,
              100 * flop / blas_s / peak);
  std::printf(
      "  dlc / OpenBLAS = %.2f (speed); FMA peak %.1f GFLOP/s = %d x one thread's (%.1f measured on %d "
      "threads at once); max |dlc - OpenBLAS| = %.2g\n",
      blas_s / dlc_s, peak * 1e-9, threads, peak_together * 1e-9, threads, max_err);
  return 0;
}
