// Layout selection for the CPU (the `layout` kernel stage, between fusion and
// schedule): which operands a fused group's kernel reads from a copy in
// another layout, or zero-padded, made by a small kernel just before it.
//
// Tensors are stored in Keras's layouts (NHWC activations, HWIO filters), the
// layouts of tensor files, checkpoints and the API; parameters and optimizer
// state never change layout. The schedule reads an operand along its
// innermost (vector) loop, which for most ops is the last dim of the result:
// contiguous in NHWC. conv2d's input gradient is the exception, twice over:
//   - its vector loop runs over input channels (I), across the HWIO filter,
//     so every multiply-add would gather filter values with a stride of O.
//     Read as HWOI, the filter is contiguous along the lanes.
//   - a tap whose output lies outside g is tested in the loop. With stride
//     1, g is read from a zero-padded copy instead: no test, and the
//     reduction is the register-tiled one of a forward convolution.
// A forward convolution with `same` padding (or any tap outside x) likewise
// reads x from a zero-padded copy rather than testing every tap.
//
// The cost rule: a copy reads and writes its operand once; it pays when the
// kernel reads each element of the operand more than once through a gather
// or a test. A convolution or its input gradient reads each filter element
// once per pixel and each element of x or g once per tap, so they are
// copied whenever there is more than one pixel. The copies are
// scratch memory of the step, live until the kernel that reads them.
#ifndef DLC_CODEGEN_LOWER_LAYOUTS_H_
#define DLC_CODEGEN_LOWER_LAYOUTS_H_

#include <string>

#include "codegen/lower/fusion.h"
#include "codegen/lower/shapes.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

// Sets the input_layouts of `plan`'s groups by the rule above; returns how
// many operands are copied. For CPU targets (a GPU's library calls take
// their own layouts: library.h).
int selectLayouts(FusionPlan& plan, const ConcreteTypes& types);

// The decisions, one line per copied operand, for --print-ir-after=layout.
std::string printLayouts(const FusionPlan& plan, const ConcreteTypes& types);

// The CPU kernel that writes the copy: buffers in (`dtype`, row-major
// `shape`) and out (layout.shapeOf(shape)). A parallel loop over the
// copy's rows, a vector loop along each.
kir::Kernel copyKernel(std::string name, std::string origin, ir::DType dtype, const std::vector<int64_t>& shape,
                       const OperandLayout& layout);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_LAYOUTS_H_
