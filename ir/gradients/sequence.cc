// Gradients of embedding and lstm: backward ops (a scatter-add into the
// table, backpropagation through time).
#include "ir/gradients/grad_util.h"

namespace dlc::ir {

// The ids are integers: no gradient.
GradResult gradEmbedding(GradContext& c) {
  Value* table = c.operand(1);
  return finish(c.b, {nullptr, c.b.emit(OpKind::kEmbeddingGrad, {c.operand(0), c.grad(), table})});
}

GradResult gradLstm(GradContext& c) {
  std::vector<Value*> d =
      c.b.emitMulti(OpKind::kLstmGrad, {c.operand(0), c.operand(1), c.operand(2), c.operand(3), c.grad()}, c.attrs());
  return finish(c.b, {d[0], d[1], d[2], d[3]});
}

}  // namespace dlc::ir
