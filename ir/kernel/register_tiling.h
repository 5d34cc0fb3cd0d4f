// Register tiling of the CPU schedule's reductions: an unroll-and-jam of a
// parallel loop whose body accumulates into `local` arrays.
//
// The CPU schedule gives a matmul or a convolution one parallel iteration
// per output row, and each row streams the whole reduction operand that does
// not depend on the row (a conv's weights, the output gradient of a kernel
// gradient) with one FMA per vector it loads:
//
//   parallel for %p = 0 to N {
//     let %k = rem(%p, 32)
//     vector for %l = 0 to 64 { store %acc[%l] = 0.0:f32 }
//     for %r = 0 to R { vector for %l = 0 to 64 {
//       store %acc[%l] = add(%acc[%l], mul(%x[f(%k, %r)], %g[h(%r, %l)])) } }
//     vector for %l = 0 to 64 { ...epilogue reading %acc[%l]... }
//   }
//
// Tiling runs U consecutive rows per iteration: each row gets its own copy of
// the row's `let`s and its own slice of the local arrays (`%acc[%l + u*64]`),
// and every loop of the body is shared by the rows, so the innermost vector
// loop updates U accumulators from one load of %g, the way a BLIS micro-
// kernel keeps an MR x NR tile in registers:
//
//   parallel for %q = 0 to N / U {
//     let %p.0 = mul(%q, U) ... let %p.5 = add(mul(%q, U), 5)
//     ...
//     for %r = 0 to R { vector for %l = 0 to 64 {
//       store %acc[%l] = add(%acc[%l], mul(%x[f(%k.0, %r)], %g[h(%r, %l)]))
//       ...
//       store %acc[add(%l, 320)] = add(..., mul(%x[f(%k.5, %r)], %g[h(%r, %l)])) } }
//     ...
//   }
//
// When U does not divide N, one more iteration runs the last N mod U rows,
// jammed the same way (`if ge(%q, N / U) { ... }`), with accumulators in
// local buffers of their own (`%acc.last`).
//
// Rows of a parallel loop are independent, so any interleaving of their
// statements is legal once their locals are separate. Tiling is applied where
// it pays: loops nested in the body (32 steps or more) hold a vector loop
// that accumulates into a local and loads an operand that does not depend on
// the row; and the accumulators of U rows, that operand and a broadcast per row fit
// the vector registers. Short loops of the tiled nest are merged with the
// loop around them (`for %r1r2 = 0 to 9`), so that the backend does not
// unroll them and leave stores of the accumulators in the loop.
#ifndef DLC_IR_KERNEL_REGISTER_TILING_H_
#define DLC_IR_KERNEL_REGISTER_TILING_H_

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

struct RegisterTilingOptions {
  // The target's vector register file (AVX-512: 32 registers of 64 bytes).
  int vector_registers = 32;
  int vector_bytes = 64;
  // At most this many rows per tile: beyond it the per-row scalars (row
  // indices, broadcasts) crowd the general-purpose registers.
  int max_rows = 8;
  // Fewer rows per tile rather than fewer parallel iterations than this
  // (both cores of a small loop stay busy).
  int min_iterations = 2;
  // Tests: tile every loop the tiling applies to with this many rows,
  // whatever the register budget says (0: from the budget).
  int force_rows = 0;
};

// The rows per tile that the register budget allows for the top-level
// parallel loop `loop` of `kernel` (0 or 1: tiling does not apply or does not
// pay). Capped at options.max_rows; not yet split for the loop's extent.
int registerTileRows(const Kernel& kernel, const ForStmt& loop, const RegisterTilingOptions& options = {});

// The tile the register budget allows for the top-level parallel loop
// `loop`: `rows` rows (below 2: no tiling) of the vector loops' lanes, or of
// blocks of `lanes` lanes when blocking them (lane_blocking.h) fits a tile
// with more multiply-adds per load (AVX2's 4 x 16 rather than 1 x 64).
struct RegisterTile {
  int64_t lanes = 0;  // 0: the lanes are not blocked
  int rows = 0;
};
RegisterTile planRegisterTile(const Kernel& kernel, const ForStmt& loop, const RegisterTilingOptions& options = {});

// The CPU schedule's register tiling: first the parallel loops of per-row
// reductions that read along the rows become vector lanes
// (reduction_lanes.h), then every parallel loop at the top level or in a
// top-level serial loop (a recurrence's steps) or parallel loop (independent
// products, one a thread: Winograd's planes) where tiling applies (above)
// is tiled, its lanes blocked first where the plan says so. Returns how many loops changed. Local
// arrays grow to hold one slice per row; the lanes' accumulators are new local buffers.
int tileRegisters(Kernel& kernel, const RegisterTilingOptions& options = {});

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_REGISTER_TILING_H_
