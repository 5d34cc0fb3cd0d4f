// Gradients of matmul and dense.
#include "ir/gradients/grad_util.h"

namespace dlc::ir {

// d(A @ B) = g @ B^T for A and A^T @ g for B (on the last two axes); the
// products have the broadcast batch dims, summed back to each operand's.
GradResult gradMatmul(GradContext& c) {
  Value* g = c.grad();
  Value* a = c.operand(0);
  Value* b = c.operand(1);
  Value* da = c.b.emit(OpKind::kMatmul, {g, transposeLast2(c.b, b)});
  Value* db = c.b.emit(OpKind::kMatmul, {transposeLast2(c.b, a), g});
  return finish(c.b, {c.b.sumTo(da, a), c.b.sumTo(db, b)});
}

namespace {

// x[..., in]^T @ g[..., units] summed over the leading axes: [in, units].
Value* denseKernelGrad(GradBuilder& b, Value* x, Value* g) {
  const TensorType& xt = x->type();
  const TensorType& gt = g->type();
  int64_t rank = xt.rank();
  if (rank == 1) {
    // An outer product: x[in, 1] @ g[1, units].
    Value* column = reshapeTo(b, x, {xt.dims[0], Dim::fixed(1)});
    Value* row = reshapeTo(b, g, {Dim::fixed(1), gt.dims[0]});
    return b.emit(OpKind::kMatmul, {column, row});
  }
  if (rank == 2) return b.emit(OpKind::kMatmul, {transposeLast2(b, x), g});
  // Rank > 2: fold the leading axes into one when they are static. reshape
  // keeps symbolic dims (each symbol must stay a dim of its own), so with a
  // symbolic leading dim use a batched matmul, [..., in, T] @ [..., T, units],
  // and sum its batch axes instead.
  bool leading_static = true;
  for (int64_t i = 0; i + 1 < rank; ++i) leading_static &= xt.dims[static_cast<size_t>(i)].isStatic();
  if (leading_static) {
    Value* x2 = reshapeTo(b, x, {Dim::fixed(-1), xt.dims.back()});
    Value* g2 = reshapeTo(b, g, {Dim::fixed(-1), gt.dims.back()});
    return b.emit(OpKind::kMatmul, {transposeLast2(b, x2), g2});
  }
  Value* batched = b.emit(OpKind::kMatmul, {transposeLast2(b, x), g});
  std::vector<int64_t> batch_axes;
  for (int64_t i = 0; i + 2 < rank; ++i) batch_axes.push_back(i);
  return sumOver(b, batched, batch_axes);
}

}  // namespace

// dense(x, kernel, bias?) = x @ kernel + bias on the last axis.
GradResult gradDense(GradContext& c) {
  Value* g = c.grad();
  Value* x = c.operand(0);
  Value* kernel = c.operand(1);
  Value* dx = c.b.emit(OpKind::kDense, {g, transposeLast2(c.b, kernel)});
  Value* dk = denseKernelGrad(c.b, x, g);
  std::vector<Value*> grads = {dx, dk};
  if (c.op.numOperands() > 2) {
    int64_t rank = g->type().rank();
    std::vector<int64_t> leading;
    for (int64_t i = 0; i + 1 < rank; ++i) leading.push_back(i);
    grads.push_back(sumOver(c.b, g, leading));
  }
  return finish(c.b, std::move(grads));
}

}  // namespace dlc::ir
