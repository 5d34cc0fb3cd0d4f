// C[M,N] = A[M,K] @ B[K,N] as a kernel IR kernel, structured like BLIS
// (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly Instantiating BLAS
// Functionality"), so that a generic backend produces a fast GEMM:
//
//   for jc in N by NC:                          columns of C and B
//     for pc in K by KC:                        the shared dimension
//       pack B[pc:+KC, jc:+NC] -> Bpack          panels of NR columns (parallel)
//       pack A[:, pc:+KC]      -> Apack          panels of MR rows (parallel)
//       parallel for ir in MR-panels of M:      the A micro-panel stays in L1
//         for jr in NR-panels of the NC block:  B streams from L2
//           micro-kernel: acc[MR][NR] += Apack panel x Bpack panel over KC
//           C tile (+)= acc (bias and relu on the last KC block)
//
// The accumulators are a `local` buffer addressed by unrolled row loops and a
// vector loop over NR, so the backend keeps them in vector registers (an
// MR x NR tile: 6 x 64 f32 = 24 zmm registers with AVX-512). Packing pads
// with zeros, so the micro-kernel always computes full tiles; only the
// writes to C are guarded at the edges. Loop bounds of the kernel IR are
// constants, so the last (partial) KC and NC blocks get copies of the loop
// nest with their own sizes.
#ifndef DLC_BENCH_CPU_GEMM_GEMM_H_
#define DLC_BENCH_CPU_GEMM_GEMM_H_

#include <cstdint>
#include <string>

#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

struct GemmOptions {
  bool transpose_a = false;  // A is stored as [K, M]
  bool transpose_b = false;  // B is stored as [N, K]
  bool bias = false;         // C += bias[N] (broadcast over rows)
  bool relu = false;         // C = max(C, 0), after the bias
  bool accumulate = false;   // beta = 1: C += A @ B (else C = A @ B)
  // Blocking, tuned on Zen 4 with bench/sgemm_bench (AVX-512: 32 zmm
  // registers, 32 KiB L1, 1 MiB L2): mr * nr / 16 accumulators plus nr / 16
  // B vectors and a broadcast must fit in the register file.
  int64_t mr = 6;
  int64_t nr = 64;
  int64_t kc = 512;   // a 6 x 512 A micro-panel is 12 KiB of L1
  int64_t nc = 1024;  // B blocks stream from L2/L3; larger NC packs A less often
};

// Buffers, in order: a (in), b (in), bias (in, only with options.bias), c
// (out, or inout when accumulating), a_pack and b_pack (scratch), acc (local).
kir::Kernel buildGemm(std::string name, int64_t m, int64_t n, int64_t k, const GemmOptions& options);

}  // namespace dlc::codegen

#endif  // DLC_BENCH_CPU_GEMM_GEMM_H_
