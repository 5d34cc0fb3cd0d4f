// embedding_grad (a scatter) and lstm_grad (backpropagation through time):
// kernel builders, as in reference/backward.cc.
#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/lstm_gates.h"
#include "codegen/compute/stmt.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands
using kir::LoopKind;

// (ids, g, like) -> a zero table [V, D] with each row g[p, :] added into row
// ids[p] (clamped into the table, where the reference rejects the id).
// Parallel over blocks of columns, serial over the ids, vector along each
// block: no two iterations touch one element, so no atomics, and the sums
// run in the reference's order. Blocks of 64 columns or fewer, at least two
// where D allows, so that both cores of a 128-wide table work.
absl::Status embeddingGrad(BuildContext& ctx) {
  View ids = operandOf(ctx, 0), g = operandOf(ctx, 1), out = resultOf(ctx, 0);
  int64_t rows = out.shape[0], dim = out.shape[1], count = product(ids.shape);
  ids.shape = {count};
  g.shape = {count, dim};
  int64_t width = dim;
  for (int64_t w : {64, 32, 16, 8})
    if (dim % w == 0 && dim / w >= 2) {
      width = w;
      break;
    }
  kir::Kernel& k = ctx.kernel;
  ExprRef zero = kir::constant(arithType(out.dtype), 0);
  loop(k, k.body, dim / width, LoopKind::kParallel, "b", [&](ExprRef block, StmtList& body) {
    auto column = [&](ExprRef lane) { return add(mul(block, idx(width)), lane); };
    loop(k, body, rows, LoopKind::kSerial, "r", [&](ExprRef r, StmtList& zeroing) {
      loop(k, zeroing, width, LoopKind::kVector, "c",
           [&](ExprRef c, StmtList& lanes) { out.set(lanes, {r, column(c)}, zero); });
    });
    loop(k, body, count, LoopKind::kSerial, "p", [&](ExprRef p, StmtList& scatter) {
      ExprRef row = let(k, scatter, "row", clampIndex(kir::cast(ScalarType::kI64, ids.at({p})), rows));
      loop(k, scatter, width, LoopKind::kVector, "c", [&](ExprRef c, StmtList& lanes) {
        out.set(lanes, {row, column(c)}, add(out.at({row, column(c)}), g.at({p, column(c)})));
      });
    });
  });
  return absl::OkStatus();
}

// The reference's LSTM backward, for all sequences at once, as matrix
// products (stmt.h's rowProduct). The forward's activations, c and h come
// from the paired lstm where it kept them (BuildContext::saved); otherwise
// the forward pass runs again, as lstm() runs it
// (lstm_gates.h's interleaved weights), keeping each step's gate
// activations (interleaved), c and h in scratch; then from the last step
// back, with dh the gradient reaching h_t (from g and from step t + 1) and
// dc the one reaching c_t from step t + 1:
//   dc += dh * o * (1 - tanh(c_t)^2)
//   dz_i = dc * cand * i (1 - i)      dz_f = dc * c_{t-1} * f (1 - f)
//   dz_c = dc * i * (1 - cand^2)      dz_o = dh * tanh(c_t) * o (1 - o)
//   dh for step t - 1 = dz recurrent_kernel^T,  dc for step t - 1 = dc * f
// keeping every step's dz (in Keras's gate order); after the loop, over all
// steps at once:
//   dbias = sum of dz,  dkernel = x^T dz,  drecurrent_kernel = h_{t-1}^T dz,
//   dx = dz kernel^T
// each a product that register tiling takes (the kernels transposed once
// into scratch, so that every product reads along its vector loop).
absl::Status lstmGrad(BuildContext& ctx) {
  View x = operandOf(ctx, 0), kernel = operandOf(ctx, 1), recurrent = operandOf(ctx, 2), g = operandOf(ctx, 4);
  View dx = resultOf(ctx, 0), dkernel = resultOf(ctx, 1), drecurrent = resultOf(ctx, 2), dbias = resultOf(ctx, 3);
  int64_t batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
  int64_t units = ctx.op.attrs().getInt("units"), gates = 4 * units, rows = batch * steps;
  bool sequences = ctx.op.attrs().getBool("return_sequences");
  ir::DType dtype = dx.dtype;
  ScalarType type = arithType(dtype);
  kir::Kernel& k = ctx.kernel;
  LstmGates interleaved(ctx, units, type);
  int64_t per_block = interleaved.units_per_block;
  auto buffer = [&](const char* name, std::vector<int64_t> shape) {
    View b = scratch(ctx, name, type, product(shape));
    b.shape = std::move(shape);
    return b;
  };
  // Rows r = n * steps + t of [batch * steps, ...] views; the forward's
  // activations, c and h are the paired lstm's when it kept them.
  bool reuse = ctx.saved == BuildContext::Saved::kRead;
  View act = reuse ? saved(ctx, kSavedGates, type, {rows, gates}) : buffer("lstm.act", {rows, gates});
  View cell = reuse ? saved(ctx, kSavedCells, type, {rows, units}) : buffer("lstm.c", {rows, units});
  View hidden = reuse ? saved(ctx, kSavedHidden, type, {rows, units}) : buffer("lstm.h", {rows, units});
  View dz = buffer("lstm.dz", {rows, gates});
  View dh = buffer("lstm.dh", {batch, units}), dc = buffer("lstm.dc", {batch, units});
  View kernel_t = buffer("lstm.kernel_t", {gates, features}), recurrent_t = buffer("lstm.recurrent_t", {gates, units});
  x.shape = {rows, features};
  dx.shape = {rows, features};
  ExprRef zero = kir::constant(type, 0), one = kir::constant(type, 1);
  auto row = [&](ExprRef n, ExprRef t) { return add(mul(n, idx(steps)), t); };

  // Forward, keeping every step: act holds z, then the activations.
  if (!reuse) interleaved.projectInputs(k, k.body, type, x, act);
  if (!reuse)
    loop(k, k.body, steps, LoopKind::kSerial, "t", [&](ExprRef t, StmtList& step) {
      ExprRef has_prev = gt(t, idx(0)), prev_t = max(sub(t, idx(1)), idx(0));
      rowProduct(k, step, type,
                 {.rows = batch,
                  .depth = units,
                  .cols = gates,
                  .block = interleaved.block,
                  .init = [&](ExprRef n, ExprRef q) { return act.at({row(n, t), q}); },
                  .a = [&](ExprRef n, ExprRef u) { return select(has_prev, hidden.at({row(n, prev_t), u}), zero); },
                  .b = [&](ExprRef u, ExprRef q) { return interleaved.recurrent.at({u, q}); },
                  .epilogue =
                      [&](ExprRef n, ExprRef first, const auto& acc, StmtList& body) {
                        ExprRef r = row(n, t);
                        loop(k, body, interleaved.block, LoopKind::kVector, "j", [&](ExprRef j, StmtList& lanes) {
                          ExprRef candidate = eq(div(j, idx(per_block)), idx(2));
                          act.set(lanes, {r, add(first, j)}, select(candidate, tanh(acc(j)), sigmoid(acc(j))));
                        });
                        loop(k, body, per_block, LoopKind::kVector, "u", [&](ExprRef l, StmtList& lanes) {
                          ExprRef u = add(div(first, idx(4)), l);
                          auto gate = [&](int64_t gi) { return act.at({r, add(first, add(l, idx(gi * per_block)))}); };
                          ExprRef prev = select(has_prev, cell.at({row(n, prev_t), u}), zero);
                          ExprRef ct =
                              let(k, lanes, "c", roundTo(add(mul(gate(1), prev), mul(gate(0), gate(2))), dtype));
                          cell.set(lanes, {r, u}, ct);
                          hidden.set(lanes, {r, u}, roundTo(mul(gate(3), tanh(ct)), dtype));
                        });
                      }});
    });

  // The kernels transposed, for dx and dh.
  loopNest(k, k.body, std::vector<int64_t>{gates, features},
           [&](const Index& i, StmtList& body) { kernel_t.set(body, i, kernel.at({i[1], i[0]})); });
  loopNest(k, k.body, std::vector<int64_t>{gates, units},
           [&](const Index& i, StmtList& body) { recurrent_t.set(body, i, recurrent.at({i[1], i[0]})); });
  for (const View* v : {&dh, &dc})
    loopNest(k, k.body, v->shape, [&](const Index& i, StmtList& body) { v->set(body, i, zero); });

  int64_t dh_block = units % 64 == 0 ? 64 : units;  // a block's sums in registers
  loop(k, k.body, steps, LoopKind::kSerial, "s", [&](ExprRef s, StmtList& step) {
    ExprRef t = sub(idx(steps - 1), s);
    ExprRef has_prev = gt(t, idx(0)), prev_t = max(sub(t, idx(1)), idx(0));
    loop(k, step, batch, LoopKind::kParallel, "n", [&](ExprRef n, StmtList& seq) {
      ExprRef r = row(n, t);
      loop(k, seq, units, LoopKind::kVector, "u", [&](ExprRef u, StmtList& body) {
        ExprRef from_g = sequences ? g.at({n, t, u}) : select(eq(s, idx(0)), g.at({n, u}), zero);
        ExprRef dhu = let(k, body, "dh", add(dh.at({n, u}), from_g));
        auto gate = [&](int64_t gi, const char* name) {
          return let(k, body, name, act.at({r, interleaved.column(u, gi)}));
        };
        ExprRef in = gate(0, "in"), forget = gate(1, "forget"), cand = gate(2, "cand"), out = gate(3, "out");
        ExprRef tanh_c = let(k, body, "tanh_c", tanh(cell.at({r, u})));
        ExprRef prev = select(has_prev, cell.at({row(n, prev_t), u}), zero);
        ExprRef dcu = let(k, body, "dc", add(dc.at({n, u}), mul(mul(dhu, out), sub(one, mul(tanh_c, tanh_c)))));
        auto dgate = [&](int64_t gi, ExprRef value) { dz.set(body, {r, add(u, idx(gi * units))}, value); };
        dgate(0, mul(mul(mul(dcu, cand), in), sub(one, in)));
        dgate(1, mul(mul(mul(dcu, prev), forget), sub(one, forget)));
        dgate(2, mul(mul(dcu, in), sub(one, mul(cand, cand))));
        dgate(3, mul(mul(mul(dhu, tanh_c), out), sub(one, out)));
        dc.set(body, {n, u}, mul(dcu, forget));
      });
    });
    rowProduct(k, step, type,
               {.rows = batch,
                .depth = gates,
                .cols = units,
                .block = dh_block,
                .init = [&](ExprRef, ExprRef) { return zero; },
                .a = [&](ExprRef n, ExprRef q) { return dz.at({row(n, t), q}); },
                .b = [&](ExprRef q, ExprRef u) { return recurrent_t.at({q, u}); },
                .epilogue =
                    [&](ExprRef n, ExprRef first, const auto& acc, StmtList& body) {
                      loop(k, body, dh_block, LoopKind::kVector, "u",
                           [&](ExprRef u, StmtList& lanes) { dh.set(lanes, {n, add(first, u)}, acc(u)); });
                    }});
  });

  // The weight gradients and dx, over all steps at once: out = sum over k
  // of a(row, k) * b(k, column), each a top-level product.
  auto product_into = [&](const View& out, int64_t depth, const std::function<ExprRef(ExprRef, ExprRef)>& a,
                          const std::function<ExprRef(ExprRef, ExprRef)>& b) {
    rowProduct(k, k.body, type,
               {.rows = out.shape[0],
                .depth = depth,
                .cols = out.shape.back(),
                .init = [&](ExprRef, ExprRef) { return zero; },
                .a = a,
                .b = b,
                .epilogue =
                    [&](ExprRef r, ExprRef, const auto& acc, StmtList& body) {
                      loop(k, body, out.shape.back(), LoopKind::kVector, "j",
                           [&](ExprRef j, StmtList& lanes) { out.set(lanes, {r, j}, acc(j)); });
                    }});
  };
  auto dz_at = [&](ExprRef r, ExprRef q) { return dz.at({r, q}); };
  dbias.shape = {1, gates};
  product_into(dbias, rows, [&](ExprRef, ExprRef) { return one; }, dz_at);
  product_into(dkernel, rows, [&](ExprRef f, ExprRef r) { return x.at({r, f}); }, dz_at);
  // h_{t-1} meets dz_t for t >= 1 only: the rows (n, t) with t >= 1.
  int64_t later = steps - 1;  // 0 for one step: no product, drecurrent_kernel = 0
  auto later_row = [&](ExprRef i) {
    return later == 0 ? idx(0) : add(mul(div(i, idx(later)), idx(steps)), add(rem(i, idx(later)), idx(1)));
  };
  product_into(
      drecurrent, batch * later,
      [&](ExprRef u, ExprRef i) { return hidden.at({max(sub(later_row(i), idx(1)), idx(0)), u}); },
      [&](ExprRef i, ExprRef q) { return dz.at({later_row(i), q}); });
  product_into(dx, gates, dz_at, [&](ExprRef q, ExprRef f) { return kernel_t.at({q, f}); });
  return absl::OkStatus();
}

}  // namespace

const OpLowering kLowerEmbeddingGrad{.build = embeddingGrad};
const OpLowering kLowerLstmGrad{.build = lstmGrad};

}  // namespace dlc::codegen
