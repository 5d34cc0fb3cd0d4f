// embedding (a gather) and lstm (a recurrence: a kernel builder), as in
// reference/sequence.cc.
#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/stmt.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands
using kir::LoopKind;

// out[..., k] = embeddings[ids[...], k]. The reference rejects an id outside
// [0, input_dim); here it is clamped so that the load stays in bounds.
absl::StatusOr<ExprRef> embedding(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  int64_t rows = operandShape(ctx, 1)[0];
  ExprRef id = kir::cast(ScalarType::kI64, operand(ctx, 0, Index(index.begin(), index.end() - 1)));
  return convert(operand(ctx, 1, {clampIndex(id, rows), index.back()}), ctx.types.result_dtypes[0]);
}

// Keras's LSTM (zero initial state, gates i, f, c, o):
//   z = x_t @ kernel + h @ recurrent_kernel + bias
//   c = sigmoid(z_f) * c + sigmoid(z_i) * tanh(z_c),  h = sigmoid(z_o) * tanh(c)
// A serial loop over time; per step one parallel loop computes the gates
// into scratch (every unit's h must be read before any is replaced), a second
// does the gate maths and updates h and c (rounded to the result dtype, as
// the reference's state tensors are).
absl::Status lstm(BuildContext& ctx) {
  View x = operandOf(ctx, 0), kernel = operandOf(ctx, 1), recurrent = operandOf(ctx, 2), bias = operandOf(ctx, 3),
       out = resultOf(ctx, 0);
  int64_t batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
  int64_t units = ctx.op.attrs().getInt("units"), gates = 4 * units;
  bool sequences = ctx.op.attrs().getBool("return_sequences");
  ScalarType type = arithType(out.dtype);
  kir::Kernel& k = ctx.kernel;
  View h = scratch(ctx, "lstm.h", type, batch * units), c = scratch(ctx, "lstm.c", type, batch * units);
  View z = scratch(ctx, "lstm.z", type, batch * gates);
  h.shape = c.shape = {batch, units};
  z.shape = {batch, gates};
  ExprRef zero = kir::constant(type, 0);
  std::vector<int64_t> state = {batch, units}, gate_shape = {batch, gates};

  loopNest(k, k.body, state, [&](const Index& i, StmtList& body) {
    h.set(body, i, zero);
    c.set(body, i, zero);
  });
  loop(k, k.body, steps, LoopKind::kSerial, "t", [&](ExprRef t, StmtList& step) {
    loopNest(k, step, gate_shape, [&](const Index& i, StmtList& body) {
      ExprRef n = i[0], q = i[1];
      std::vector<int64_t> f_extent = {features}, u_extent = {units};
      ExprRef sum = reduceNest(k, ReduceOp::kAdd, f_extent, bias.at({q}),
                               [&](const Index& f) { return mul(x.at({n, t, f[0]}), kernel.at({f[0], q})); });
      sum = add(sum, reduceNest(k, ReduceOp::kAdd, u_extent, zero,
                                [&](const Index& u) { return mul(h.at({n, u[0]}), recurrent.at({u[0], q})); }));
      z.set(body, {n, q}, sum);
    });
    loopNest(k, step, state, [&](const Index& i, StmtList& body) {
      ExprRef n = i[0], u = i[1];
      auto gate = [&](int64_t g) { return z.at({n, add(u, idx(g * units))}); };
      ExprRef in = let(k, body, "in", sigmoid(gate(0)));
      ExprRef forget = let(k, body, "forget", sigmoid(gate(1)));
      ExprRef cand = let(k, body, "cand", tanh(gate(2)));
      ExprRef output = let(k, body, "output", sigmoid(gate(3)));
      ExprRef cn = let(k, body, "c", roundTo(add(mul(forget, c.at({n, u})), mul(in, cand)), out.dtype));
      c.set(body, {n, u}, cn);
      ExprRef hn = let(k, body, "h", roundTo(mul(output, tanh(cn)), out.dtype));
      h.set(body, {n, u}, hn);
      if (sequences) out.set(body, {n, t, u}, hn);
    });
  });
  if (!sequences) loopNest(k, k.body, state, [&](const Index& i, StmtList& body) { out.set(body, i, h.at(i)); });
  return absl::OkStatus();
}

}  // namespace

const OpLowering kLowerEmbedding{.compute = embedding};
const OpLowering kLowerLstm{.build = lstm};

}  // namespace dlc::codegen
