// Lane blocking: the vector lanes of a parallel row split into blocks, so
// that register tiling (register_tiling.h) fits more rows in a small
// register file.
//
// The CPU schedule gives each row of a matmul or a convolution one vector
// loop over all its output channels. With 64 channels of f32 that is 4 zmm
// registers of AVX-512 per row, and five rows fit in 32 registers: a 5 x 64
// tile. With AVX2 it is 8 of the 16 ymm registers, and not even two rows
// fit. Blocking runs the row once per block of `lanes` channels:
//
//   parallel for %p = 0 to N {
//     for %lb = 0 to 4 {
//       vector for %l.b = 0 to 16 { let %l = add(mul(%lb, 16), %l.b) ... %acc[%l.b] ... }
//       for %r = 0 to R { vector for %l.b = 0 to 16 { let %l = ...; store %acc[%l.b] = ... } }
//       vector for %l.b = 0 to 16 { let %l = ...; ...epilogue... }
//     }
//   }
//
// after which four rows of 16 lanes fit (2 ymm each, and one for the row's
// broadcast: register_tiling.h counts them, as LLVM loads them all before
// the multiply-adds). The rows' operands are read once per block instead of
// once, which the taller tile repays.
//
// It applies when the lanes are independent: every vector loop of the body
// runs over the same [0, L) around straight-line code, every store is in one,
// every local is read and written at its vector loop's lane, and a buffer
// the body stores to is read only where some store writes it (at the same
// lane). Then running the body for each block of lanes in turn computes the
// same values in the same order, lane by lane.
#ifndef DLC_IR_KERNEL_LANE_BLOCKING_H_
#define DLC_IR_KERNEL_LANE_BLOCKING_H_

#include <cstdint>
#include <optional>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// L, when the lanes of `loop`'s body are independent (above); else nullopt.
std::optional<int64_t> independentLaneExtent(const Kernel& kernel, const ForStmt& loop);

// Wraps `loop`'s body in a serial loop over blocks of `lanes` lanes, which
// must divide independentLaneExtent(kernel, loop).
void blockLanes(Kernel& kernel, ForStmt& loop, int64_t lanes);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_LANE_BLOCKING_H_
