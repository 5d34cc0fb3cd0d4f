// Gradient rules named by ir/ops.def, one file per op family beside this
// header. Each takes the op and its results' gradients and returns one
// gradient per operand (nullptr where there is none); see ir/gradient.h.
#ifndef DLC_IR_GRADIENTS_RULES_H_
#define DLC_IR_GRADIENTS_RULES_H_

#include "ir/op_table.h"

namespace dlc::ir {

using GradResult = absl::StatusOr<std::vector<Value*>>;

// The rule of every ELEMENTWISE_WITH_DERIVATIVE op: its backward op
// `<name>_grad(x, g)` with the op's attributes.
GradResult gradByDerivative(GradContext& c);

GradResult gradAbs(GradContext& c);
GradResult gradAdd(GradContext& c);
GradResult gradAvgpool2d(GradContext& c);
GradResult gradBatchnorm(GradContext& c);
GradResult gradBroadcastTo(GradContext& c);
GradResult gradCast(GradContext& c);
GradResult gradConcat(GradContext& c);
GradResult gradConv2d(GradContext& c);
GradResult gradDense(GradContext& c);
GradResult gradDiv(GradContext& c);
GradResult gradDropout(GradContext& c);
GradResult gradEmbedding(GradContext& c);
GradResult gradExp(GradContext& c);
GradResult gradFlatten(GradContext& c);
GradResult gradGlobalAvgpool2d(GradContext& c);
GradResult gradLayernorm(GradContext& c);
GradResult gradLog(GradContext& c);
GradResult gradLogSoftmax(GradContext& c);
GradResult gradLstm(GradContext& c);
GradResult gradMatmul(GradContext& c);
GradResult gradMaximum(GradContext& c);
GradResult gradMaxpool2d(GradContext& c);
GradResult gradMinimum(GradContext& c);
GradResult gradMul(GradContext& c);
GradResult gradNeg(GradContext& c);
GradResult gradPad(GradContext& c);
GradResult gradRandomCrop(GradContext& c);
GradResult gradRandomFlip(GradContext& c);
GradResult gradReduceMax(GradContext& c);
GradResult gradReduceMean(GradContext& c);
GradResult gradReduceSum(GradContext& c);
GradResult gradRelu(GradContext& c);
GradResult gradRescaling(GradContext& c);
GradResult gradReshape(GradContext& c);
GradResult gradSelect(GradContext& c);
GradResult gradSigmoid(GradContext& c);
GradResult gradSlice(GradContext& c);
GradResult gradSoftmax(GradContext& c);
GradResult gradSqrt(GradContext& c);
GradResult gradSub(GradContext& c);
GradResult gradSumTo(GradContext& c);
GradResult gradTanh(GradContext& c);
GradResult gradTranspose(GradContext& c);

}  // namespace dlc::ir

#endif  // DLC_IR_GRADIENTS_RULES_H_
