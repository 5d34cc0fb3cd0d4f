// embedding_grad (a scatter) and lstm_grad (backpropagation through time):
// kernel builders, as in reference/backward.cc.
#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/stmt.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands
using kir::LoopKind;

// (ids, g, like) -> a zero table [V, D] with each row g[p, :] added into row
// ids[p] (clamped into the table, where the reference rejects the id).
// Parallel over the columns, serial over the ids: no two iterations touch
// one element, so no atomics, and the sums run in the reference's order.
absl::Status embeddingGrad(BuildContext& ctx) {
  View ids = operandOf(ctx, 0), g = operandOf(ctx, 1), out = resultOf(ctx, 0);
  int64_t rows = out.shape[0], dim = out.shape[1], count = product(ids.shape);
  ids.shape = {count};
  g.shape = {count, dim};
  kir::Kernel& k = ctx.kernel;
  ExprRef zero = kir::constant(arithType(out.dtype), 0);
  loop(k, k.body, dim, LoopKind::kParallel, "k", [&](ExprRef col, StmtList& body) {
    loop(k, body, rows, LoopKind::kSerial, "r",
         [&](ExprRef r, StmtList& zeroing) { out.set(zeroing, {r, col}, zero); });
    loop(k, body, count, LoopKind::kSerial, "p", [&](ExprRef p, StmtList& scatter) {
      ExprRef row = clampIndex(kir::cast(ScalarType::kI64, ids.at({p})), rows);
      out.set(scatter, {row, col}, g.at({p, col}), /*accumulate=*/true);
    });
  });
  return absl::OkStatus();
}

// The reference's LSTM backward, for all sequences at once: the forward pass
// again, keeping each step's gate activations, c and h in scratch; then from
// the last step back, with dh the gradient reaching h_t (from g and from
// step t + 1) and dc the one reaching c_t from step t + 1:
//   dc += dh * o * (1 - tanh(c_t)^2)
//   dz_i = dc * cand * i (1 - i)      dz_f = dc * c_{t-1} * f (1 - f)
//   dz_c = dc * i * (1 - cand^2)      dz_o = dh * tanh(c_t) * o (1 - o)
//   dbias += dz,  dkernel += x_t^T dz,  drecurrent_kernel += h_{t-1}^T dz
//   dx_t = dz kernel^T,  dh for step t - 1 = dz recurrent_kernel^T,
//   dc for step t - 1 = dc * f
absl::Status lstmGrad(BuildContext& ctx) {
  View x = operandOf(ctx, 0), kernel = operandOf(ctx, 1), recurrent = operandOf(ctx, 2), bias = operandOf(ctx, 3),
       g = operandOf(ctx, 4);
  View dx = resultOf(ctx, 0), dkernel = resultOf(ctx, 1), drecurrent = resultOf(ctx, 2), dbias = resultOf(ctx, 3);
  int64_t batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
  int64_t units = ctx.op.attrs().getInt("units"), gates = 4 * units;
  bool sequences = ctx.op.attrs().getBool("return_sequences");
  ir::DType dtype = dx.dtype;
  ScalarType type = arithType(dtype);
  kir::Kernel& k = ctx.kernel;
  auto buffer = [&](const char* name, std::vector<int64_t> shape) {
    View b = scratch(ctx, name, type, product(shape));
    b.shape = std::move(shape);
    return b;
  };
  View act = buffer("lstm.act", {batch, steps, gates}), cell = buffer("lstm.c", {batch, steps, units}),
       hidden = buffer("lstm.h", {batch, steps, units});
  View dh = buffer("lstm.dh", {batch, units}), dc = buffer("lstm.dc", {batch, units}),
       dz = buffer("lstm.dz", {batch, gates});
  ExprRef zero = kir::constant(type, 0), one = kir::constant(type, 1);
  std::vector<int64_t> state = {batch, units}, gate_shape = {batch, gates};
  auto sum = [&](int64_t n, const std::function<ExprRef(ExprRef)>& f, ExprRef init) {
    std::vector<int64_t> extent = {n};
    return reduceNest(k, ReduceOp::kAdd, extent, init, [&](const Index& i) { return f(i[0]); });
  };

  // Forward, keeping every step.
  loop(k, k.body, steps, LoopKind::kSerial, "t", [&](ExprRef t, StmtList& step) {
    ExprRef has_prev = gt(t, idx(0)), prev_t = max(sub(t, idx(1)), idx(0));
    loopNest(k, step, gate_shape, [&](const Index& i, StmtList& body) {
      ExprRef n = i[0], q = i[1];
      ExprRef z = sum(features, [&](ExprRef f) { return mul(x.at({n, t, f}), kernel.at({f, q})); }, bias.at({q}));
      ExprRef from_h =
          sum(units, [&](ExprRef u) { return mul(hidden.at({n, prev_t, u}), recurrent.at({u, q})); }, zero);
      ExprRef zt = let(k, body, "z", add(z, select(has_prev, from_h, zero)));
      act.set(body, {n, t, q}, select(eq(div(q, idx(units)), idx(2)), tanh(zt), sigmoid(zt)));
    });
    loopNest(k, step, state, [&](const Index& i, StmtList& body) {
      ExprRef n = i[0], u = i[1];
      auto gate = [&](int64_t gi) { return act.at({n, t, add(u, idx(gi * units))}); };
      ExprRef prev = select(has_prev, cell.at({n, prev_t, u}), zero);
      ExprRef ct = let(k, body, "c", roundTo(add(mul(gate(1), prev), mul(gate(0), gate(2))), dtype));
      cell.set(body, {n, t, u}, ct);
      hidden.set(body, {n, t, u}, roundTo(mul(gate(3), tanh(ct)), dtype));
    });
  });

  for (const View* v : {&dh, &dc})
    loopNest(k, k.body, v->shape, [&](const Index& i, StmtList& body) { v->set(body, i, zero); });
  for (const View* v : {&dkernel, &drecurrent, &dbias})
    loopNest(k, k.body, v->shape, [&](const Index& i, StmtList& body) { v->set(body, i, zero); });

  loop(k, k.body, steps, LoopKind::kSerial, "s", [&](ExprRef s, StmtList& step) {
    ExprRef t = sub(idx(steps - 1), s);
    ExprRef has_prev = gt(t, idx(0)), prev_t = max(sub(t, idx(1)), idx(0));
    loopNest(k, step, state, [&](const Index& i, StmtList& body) {
      ExprRef n = i[0], u = i[1];
      ExprRef from_g = sequences ? g.at({n, t, u}) : select(eq(s, idx(0)), g.at({n, u}), zero);
      ExprRef dhu = let(k, body, "dh", add(dh.at({n, u}), from_g));
      auto gate = [&](int64_t gi, const char* name) {
        return let(k, body, name, act.at({n, t, add(u, idx(gi * units))}));
      };
      ExprRef in = gate(0, "in"), forget = gate(1, "forget"), cand = gate(2, "cand"), out = gate(3, "out");
      ExprRef tanh_c = let(k, body, "tanh_c", tanh(cell.at({n, t, u})));
      ExprRef prev = select(has_prev, cell.at({n, prev_t, u}), zero);
      ExprRef dcu = let(k, body, "dc", add(dc.at({n, u}), mul(mul(dhu, out), sub(one, mul(tanh_c, tanh_c)))));
      auto dgate = [&](int64_t gi, ExprRef value) { dz.set(body, {n, add(u, idx(gi * units))}, value); };
      dgate(0, mul(mul(mul(dcu, cand), in), sub(one, in)));
      dgate(1, mul(mul(mul(dcu, prev), forget), sub(one, forget)));
      dgate(2, mul(mul(dcu, in), sub(one, mul(cand, cand))));
      dgate(3, mul(mul(mul(dhu, tanh_c), out), sub(one, out)));
      dc.set(body, {n, u}, mul(dcu, forget));
    });
    loop(k, step, gates, LoopKind::kParallel, "q", [&](ExprRef q, StmtList& body) {
      dbias.set(body, {q}, sum(batch, [&](ExprRef n) { return dz.at({n, q}); }, zero), true);
    });
    std::vector<int64_t> kernel_shape = {features, gates}, recurrent_shape = {units, gates};
    loopNest(k, step, kernel_shape, [&](const Index& i, StmtList& body) {
      ExprRef d = sum(batch, [&](ExprRef n) { return mul(x.at({n, t, i[0]}), dz.at({n, i[1]})); }, zero);
      dkernel.set(body, i, d, true);
    });
    loopNest(k, step, recurrent_shape, [&](const Index& i, StmtList& body) {
      ExprRef d = sum(batch, [&](ExprRef n) { return mul(hidden.at({n, prev_t, i[0]}), dz.at({n, i[1]})); }, zero);
      drecurrent.set(body, i, select(has_prev, d, zero), true);
    });
    std::vector<int64_t> x_shape = {batch, features};
    loopNest(k, step, x_shape, [&](const Index& i, StmtList& body) {
      ExprRef d = sum(gates, [&](ExprRef q) { return mul(dz.at({i[0], q}), kernel.at({i[1], q})); }, zero);
      dx.set(body, {i[0], t, i[1]}, d);
    });
    loopNest(k, step, state, [&](const Index& i, StmtList& body) {
      ExprRef d = sum(gates, [&](ExprRef q) { return mul(dz.at({i[0], q}), recurrent.at({i[1], q})); }, zero);
      dh.set(body, i, d);
    });
  });
  return absl::OkStatus();
}

}  // namespace

const OpLowering kLowerEmbeddingGrad{.build = embeddingGrad};
const OpLowering kLowerLstmGrad{.build = lstmGrad};

}  // namespace dlc::codegen
