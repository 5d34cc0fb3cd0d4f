#include "codegen/compute/lstm_gates.h"

namespace dlc::codegen::cx {

LstmGates::LstmGates(BuildContext& ctx, int64_t units, ScalarType type)
    : units(units), units_per_block(units % 16 == 0 ? 16 : units), block(4 * units_per_block), count(4 * units) {
  View w = operandOf(ctx, 1), r = operandOf(ctx, 2), b = operandOf(ctx, 3);
  int64_t features = w.shape[0];
  kernel = scratch(ctx, "lstm.kernel", type, features * count);
  recurrent = scratch(ctx, "lstm.recurrent", type, units * count);
  bias = scratch(ctx, "lstm.bias", type, count);
  kernel.shape = {features, count};
  recurrent.shape = {units, count};
  kir::Kernel& k = ctx.kernel;
  loopNest(k, k.body, kernel.shape,
           [&](const Index& i, StmtList& body) { kernel.set(body, i, w.at({i[0], original(i[1])})); });
  loopNest(k, k.body, recurrent.shape,
           [&](const Index& i, StmtList& body) { recurrent.set(body, i, r.at({i[0], original(i[1])})); });
  loop(k, k.body, count, kir::LoopKind::kParallel, "q",
       [&](ExprRef q, StmtList& body) { bias.set(body, {q}, b.at({original(q)})); });
}

void LstmGates::projectInputs(kir::Kernel& k, StmtList& list, ScalarType type, const View& x, const View& into) const {
  rowProduct(k, list, type,
             {.rows = x.shape[0],
              .depth = x.shape[1],
              .cols = count,
              .init = [&](ExprRef, ExprRef q) { return bias.at({q}); },
              .a = [&](ExprRef r, ExprRef f) { return x.at({r, f}); },
              .b = [&](ExprRef f, ExprRef q) { return kernel.at({f, q}); },
              .epilogue =
                  [&](ExprRef r, ExprRef, const auto& acc, StmtList& row) {
                    loop(k, row, count, kir::LoopKind::kVector, "q",
                         [&](ExprRef q, StmtList& lanes) { into.set(lanes, {r, q}, acc(q)); });
                  }});
}

ExprRef LstmGates::column(ExprRef u, int64_t g) const {
  if (units_per_block == units) return add(u, idx(g * units));
  ExprRef b = idx(units_per_block);
  return add(add(mul(div(u, b), idx(block)), idx(g * units_per_block)), rem(u, b));
}

ExprRef LstmGates::original(ExprRef c) const {
  if (units_per_block == units) return c;
  ExprRef b = idx(units_per_block);
  ExprRef u = add(mul(div(c, idx(block)), b), rem(c, b));
  ExprRef g = rem(div(c, b), idx(4));
  return add(mul(g, idx(units)), u);
}

}  // namespace dlc::codegen::cx
