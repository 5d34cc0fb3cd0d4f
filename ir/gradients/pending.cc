// Placeholder rules so that the tree links while the real ones are written;
// every function here moves to its family's file and this file is deleted.
#include "absl/status/status.h"
#include "ir/gradient.h"
#include "ir/gradients/rules.h"

namespace dlc::ir {

GradResult gradAbs(GradContext&) { return absl::UnimplementedError("no gradient rule for Abs yet"); }
GradResult gradAdd(GradContext&) { return absl::UnimplementedError("no gradient rule for Add yet"); }
GradResult gradAvgpool2d(GradContext&) { return absl::UnimplementedError("no gradient rule for Avgpool2d yet"); }
GradResult gradBroadcastTo(GradContext&) { return absl::UnimplementedError("no gradient rule for BroadcastTo yet"); }
GradResult gradCast(GradContext&) { return absl::UnimplementedError("no gradient rule for Cast yet"); }
GradResult gradConcat(GradContext&) { return absl::UnimplementedError("no gradient rule for Concat yet"); }
GradResult gradConv2d(GradContext&) { return absl::UnimplementedError("no gradient rule for Conv2d yet"); }
GradResult gradDense(GradContext&) { return absl::UnimplementedError("no gradient rule for Dense yet"); }
GradResult gradDiv(GradContext&) { return absl::UnimplementedError("no gradient rule for Div yet"); }
GradResult gradDropout(GradContext&) { return absl::UnimplementedError("no gradient rule for Dropout yet"); }
GradResult gradEmbedding(GradContext&) { return absl::UnimplementedError("no gradient rule for Embedding yet"); }
GradResult gradExp(GradContext&) { return absl::UnimplementedError("no gradient rule for Exp yet"); }
GradResult gradFlatten(GradContext&) { return absl::UnimplementedError("no gradient rule for Flatten yet"); }
GradResult gradGelu(GradContext&) { return absl::UnimplementedError("no gradient rule for Gelu yet"); }
GradResult gradGlobalAvgpool2d(GradContext&) { return absl::UnimplementedError("no gradient rule for GlobalAvgpool2d yet"); }
GradResult gradLayernorm(GradContext&) { return absl::UnimplementedError("no gradient rule for Layernorm yet"); }
GradResult gradLeakyRelu(GradContext&) { return absl::UnimplementedError("no gradient rule for LeakyRelu yet"); }
GradResult gradLog(GradContext&) { return absl::UnimplementedError("no gradient rule for Log yet"); }
GradResult gradLogSoftmax(GradContext&) { return absl::UnimplementedError("no gradient rule for LogSoftmax yet"); }
GradResult gradLstm(GradContext&) { return absl::UnimplementedError("no gradient rule for Lstm yet"); }
GradResult gradMatmul(GradContext&) { return absl::UnimplementedError("no gradient rule for Matmul yet"); }
GradResult gradMaximum(GradContext&) { return absl::UnimplementedError("no gradient rule for Maximum yet"); }
GradResult gradMaxpool2d(GradContext&) { return absl::UnimplementedError("no gradient rule for Maxpool2d yet"); }
GradResult gradMinimum(GradContext&) { return absl::UnimplementedError("no gradient rule for Minimum yet"); }
GradResult gradMul(GradContext&) { return absl::UnimplementedError("no gradient rule for Mul yet"); }
GradResult gradNeg(GradContext&) { return absl::UnimplementedError("no gradient rule for Neg yet"); }
GradResult gradPad(GradContext&) { return absl::UnimplementedError("no gradient rule for Pad yet"); }
GradResult gradRandomCrop(GradContext&) { return absl::UnimplementedError("no gradient rule for RandomCrop yet"); }
GradResult gradRandomFlip(GradContext&) { return absl::UnimplementedError("no gradient rule for RandomFlip yet"); }
GradResult gradReduceMax(GradContext&) { return absl::UnimplementedError("no gradient rule for ReduceMax yet"); }
GradResult gradReduceMean(GradContext&) { return absl::UnimplementedError("no gradient rule for ReduceMean yet"); }
GradResult gradReduceSum(GradContext&) { return absl::UnimplementedError("no gradient rule for ReduceSum yet"); }
GradResult gradRelu(GradContext&) { return absl::UnimplementedError("no gradient rule for Relu yet"); }
GradResult gradRescaling(GradContext&) { return absl::UnimplementedError("no gradient rule for Rescaling yet"); }
GradResult gradReshape(GradContext&) { return absl::UnimplementedError("no gradient rule for Reshape yet"); }
GradResult gradSigmoid(GradContext&) { return absl::UnimplementedError("no gradient rule for Sigmoid yet"); }
GradResult gradSlice(GradContext&) { return absl::UnimplementedError("no gradient rule for Slice yet"); }
GradResult gradSoftmax(GradContext&) { return absl::UnimplementedError("no gradient rule for Softmax yet"); }
GradResult gradSqrt(GradContext&) { return absl::UnimplementedError("no gradient rule for Sqrt yet"); }
GradResult gradSub(GradContext&) { return absl::UnimplementedError("no gradient rule for Sub yet"); }
GradResult gradSumTo(GradContext&) { return absl::UnimplementedError("no gradient rule for SumTo yet"); }
GradResult gradTanh(GradContext&) { return absl::UnimplementedError("no gradient rule for Tanh yet"); }
GradResult gradTranspose(GradContext&) { return absl::UnimplementedError("no gradient rule for Transpose yet"); }

}  // namespace dlc::ir
