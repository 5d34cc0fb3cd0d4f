// Shape rules named by ir/ops.def. Each op family's rules
// live in one file beside this header.
#ifndef DLC_IR_SEMANTICS_RULES_H_
#define DLC_IR_SEMANTICS_RULES_H_

#include "ir/op_table.h"

namespace dlc::ir {

using ShapeResult = absl::StatusOr<std::vector<TensorType>>;

// elementwise.cc
ShapeResult inferUnary(const ShapeContext& c);
ShapeResult inferCast(const ShapeContext& c);
ShapeResult inferBroadcast(const ShapeContext& c);
ShapeResult inferSelect(const ShapeContext& c);  // (cond, x, y): three shapes broadcast, x's dtype

// linear_algebra.cc
ShapeResult inferMatmul(const ShapeContext& c);
ShapeResult inferDense(const ShapeContext& c);

// convolution.cc
ShapeResult inferConv2d(const ShapeContext& c);
ShapeResult inferPool2d(const ShapeContext& c);
ShapeResult inferGlobalPool2d(const ShapeContext& c);
ShapeResult inferRandomCrop(const ShapeContext& c);

// normalization.cc
ShapeResult inferAxisPreserving(const ShapeContext& c);
ShapeResult inferNormalization(const ShapeContext& c);

// sequence.cc
ShapeResult inferEmbedding(const ShapeContext& c);
ShapeResult inferLstm(const ShapeContext& c);

// shape_ops.cc
ShapeResult inferFlatten(const ShapeContext& c);
ShapeResult inferReshape(const ShapeContext& c);
ShapeResult inferTranspose(const ShapeContext& c);
ShapeResult inferConcat(const ShapeContext& c);
ShapeResult inferReduce(const ShapeContext& c);

// given.cc: kGivenType ops return the stated type.
ShapeResult inferGiven(const ShapeContext& c);

// masks.cc: comparisons, argmax, one_hot.
ShapeResult inferArgmax(const ShapeContext& c);
ShapeResult inferOneHot(const ShapeContext& c);

// backward.cc: shapes of the ops that gradients introduce.
ShapeResult inferLike(const ShapeContext& c);   // (x, like): like's shape, x's dtype; broadcast-compatible
ShapeResult inferLast(const ShapeContext& c);   // the last operand's type
ShapeResult inferFirst(const ShapeContext& c);  // the first operand's type
ShapeResult inferSlice(const ShapeContext& c);
ShapeResult inferPad(const ShapeContext& c);
ShapeResult inferNormGrad(const ShapeContext& c);
ShapeResult inferLstmGrad(const ShapeContext& c);
ShapeResult inferNothing(const ShapeContext& c);  // assign: no results

}  // namespace dlc::ir

#endif  // DLC_IR_SEMANTICS_RULES_H_
