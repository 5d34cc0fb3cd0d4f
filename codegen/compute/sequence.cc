// embedding (a gather) and lstm (a recurrence: a kernel builder), as in
// reference/sequence.cc.
#include <optional>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/lstm_gates.h"
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
// As matrix products (stmt.h's rowProduct), on copies of the weights whose
// gate columns are interleaved by blocks of units (LstmGates): first the input
// projections of every step at once, x[batch * steps, features] @ kernel +
// bias, one product that register tiling takes; then per step (a serial
// loop over time) one parallel row per sequence, z = its projection + h @
// recurrent_kernel, a block of units at a time with the gate maths in the
// block's epilogue and its sums in registers. Paired with the lstm_grad of
// the same operands (BuildContext::saved), it also keeps every step's gate
// activations, c and h for it. h is double-buffered (every
// block reads all of the old h); h and c are rounded to the result dtype, as
// the reference's state tensors are.
absl::Status lstm(BuildContext& ctx) {
  View x = operandOf(ctx, 0), out = resultOf(ctx, 0);
  int64_t batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
  int64_t units = ctx.op.attrs().getInt("units");
  bool sequences = ctx.op.attrs().getBool("return_sequences");
  ScalarType type = arithType(out.dtype);
  kir::Kernel& k = ctx.kernel;
  LstmGates gates(ctx, units, type);
  View h = scratch(ctx, "lstm.h", type, 2 * batch * units), c = scratch(ctx, "lstm.c", type, batch * units);
  View zx = scratch(ctx, "lstm.zx", type, batch * steps * gates.count);
  h.shape = {2, batch, units};
  c.shape = {batch, units};
  zx.shape = {batch * steps, gates.count};
  x.shape = {batch * steps, features};
  ExprRef zero = kir::constant(type, 0);
  std::vector<int64_t> state = {batch, units};
  // For the paired lstm_grad: every step's activations, c and h.
  bool keep = ctx.saved == BuildContext::Saved::kWrite;
  std::optional<View> kept_gates, kept_cells, kept_hidden;
  if (keep) {
    kept_gates = saved(ctx, kSavedGates, type, {batch * steps, gates.count});
    kept_cells = saved(ctx, kSavedCells, type, {batch * steps, units});
    kept_hidden = saved(ctx, kSavedHidden, type, {batch * steps, units});
  }

  loopNest(k, k.body, state, [&](const Index& i, StmtList& body) {
    h.set(body, {idx(0), i[0], i[1]}, zero);
    c.set(body, i, zero);
  });
  gates.projectInputs(k, k.body, type, x, zx);
  loop(k, k.body, steps, LoopKind::kSerial, "t", [&](ExprRef t, StmtList& step) {
    ExprRef now = rem(t, idx(2)), next = rem(add(t, idx(1)), idx(2));
    rowProduct(
        k, step, type,
        {.rows = batch,
         .depth = units,
         .cols = gates.count,
         .block = gates.block,
         .init = [&](ExprRef n, ExprRef q) { return zx.at({add(mul(n, idx(steps)), t), q}); },
         .a = [&](ExprRef n, ExprRef u) { return h.at({now, n, u}); },
         .b = [&](ExprRef u, ExprRef q) { return gates.recurrent.at({u, q}); },
         .epilogue =
             [&](ExprRef n, ExprRef first, const auto& acc, StmtList& row) {
               loop(k, row, gates.units_per_block, LoopKind::kVector, "u", [&](ExprRef l, StmtList& body) {
                 ExprRef u = add(div(first, idx(4)), l);
                 auto gate = [&](int64_t g) { return acc(add(l, idx(g * gates.units_per_block))); };
                 ExprRef in = let(k, body, "in", sigmoid(gate(0)));
                 ExprRef forget = let(k, body, "forget", sigmoid(gate(1)));
                 ExprRef cand = let(k, body, "cand", tanh(gate(2)));
                 ExprRef output = let(k, body, "output", sigmoid(gate(3)));
                 ExprRef cn = let(k, body, "c", roundTo(add(mul(forget, c.at({n, u})), mul(in, cand)), out.dtype));
                 c.set(body, {n, u}, cn);
                 ExprRef hn = let(k, body, "h", roundTo(mul(output, tanh(cn)), out.dtype));
                 h.set(body, {next, n, u}, hn);
                 if (sequences) out.set(body, {n, t, u}, hn);
                 if (keep) {
                   ExprRef r = add(mul(n, idx(steps)), t);
                   ExprRef activations[] = {in, forget, cand, output};
                   for (int64_t g = 0; g < 4; ++g)
                     kept_gates->set(body, {r, add(first, add(l, idx(g * gates.units_per_block)))}, activations[g]);
                   kept_cells->set(body, {r, u}, cn);
                   kept_hidden->set(body, {r, u}, hn);
                 }
               });
             }});
  });
  if (!sequences)
    loopNest(k, k.body, state,
             [&](const Index& i, StmtList& body) { out.set(body, i, h.at({idx(steps % 2), i[0], i[1]})); });
  return absl::OkStatus();
}

}  // namespace

const OpLowering kLowerEmbedding{.compute = embedding};
const OpLowering kLowerLstm{.build = lstm};

}  // namespace dlc::codegen
