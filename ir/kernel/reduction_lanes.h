// Reductions of neighbouring rows as the lanes of a vector accumulator.
//
// The CPU schedule gives a one-dimensional domain with a reduction per
// element (a bias gradient: a sum over batch and pixels per channel) one
// parallel iteration per element, which reads its column with a stride:
//
//   parallel for %i = 0 to 32 {
//     let %r: f32 = reduce add %n in 0 to 64 init 0.0:f32 (%g[add(mul(%n, 32), %i)])
//     store %y[%i] = %r
//   }
//
// Here the rows whose reads are contiguous along %i become the lanes of one
// accumulator, the reduction a loop nest around a vector loop, and the rest
// of the row a vector loop that reads the accumulator:
//
//   parallel for %i.lanes = 0 to 2 {
//     vector for %l = 0 to 16 { store %acc[%l] = 0.0:f32 }
//     for %n = 0 to 64 { vector for %l = 0 to 16 {
//       store %acc[%l] = add(%acc[%l], %g[add(mul(%n, 32), add(mul(%i.lanes, 16), %l))]) } }
//     vector for %l = 0 to 16 {
//       let %i: i64 = add(mul(%i.lanes, 16), %l)
//       let %r: f32 = %acc[%l]
//       store %y[%i] = %r
//     }
//   }
//
// It applies to a parallel loop whose body is `let`s and stores only, with
// a reduction whose body reads contiguously along the loop var and depends
// on nothing else the body defines; the loop's extent must be a multiple of
// the lanes of a vector register, or at most that.
#ifndef DLC_IR_KERNEL_REDUCTION_LANES_H_
#define DLC_IR_KERNEL_REDUCTION_LANES_H_

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// Rewrites every top-level parallel loop of `kernel` where it applies, with
// `vector_bytes`-wide accumulators; returns how many. Adds one local buffer
// per reduction it moves.
int reductionsToLanes(Kernel& kernel, int vector_bytes);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_REDUCTION_LANES_H_
