// batchnorm_grad and layernorm_grad: three results from shared statistics,
// so kernel builders. The statistics go to scratch once (per channel, per
// position), then each result is a parallel loop. Formulas as in
// reference/backward.cc.
#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/stmt.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands
using kir::LoopKind;

// x, g and dx seen as [outer, len, inner] around `axis`.
struct Split {
  int64_t outer = 1, len = 1, inner = 1;
};
Split splitAt(const BuildContext& ctx) {
  const std::vector<int64_t>& shape = ctx.types.operand_shapes[0];
  int64_t axis = normalizeAxis(ctx.op.attrs().getInt("axis"), static_cast<int64_t>(shape.size()));
  Split s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    int64_t size = shape[static_cast<size_t>(d)];
    if (d < axis)
      s.outer *= size;
    else if (d == axis)
      s.len = size;
    else
      s.inner *= size;
  }
  return s;
}

struct Operands {
  View x, gamma, g, dx, dgamma, dbeta;
  ScalarType type;
  ExprRef epsilon;
};
Operands operandsOf(const BuildContext& ctx, const Split& s) {
  Operands o{operandOf(ctx, 0), operandOf(ctx, 1), operandOf(ctx, 2), resultOf(ctx, 0),
             resultOf(ctx, 1),  resultOf(ctx, 2),  ScalarType::kF32,  nullptr};
  o.x.shape = o.g.shape = o.dx.shape = {s.outer, s.len, s.inner};
  o.type = arithType(o.dx.dtype);
  o.epsilon = kir::constant(o.type, ctx.op.attrs().getFloat("epsilon"));
  return o;
}

// With per-channel batch statistics over the m = outer * inner cells of
// channel a and xhat = (x - mean) * inv, inv = 1 / sqrt(var + epsilon):
//   dbeta[a] = sum g,  dgamma[a] = sum g * xhat,
//   dx = gamma[a] * inv * (g - dbeta[a] / m - xhat * dgamma[a] / m)
absl::Status batchnormGrad(BuildContext& ctx) {
  Split s = splitAt(ctx);
  Operands v = operandsOf(ctx, s);
  kir::Kernel& k = ctx.kernel;
  View mean = scratch(ctx, "bn.mean", v.type, s.len), inv = scratch(ctx, "bn.inv", v.type, s.len);
  View sum_g = scratch(ctx, "bn.sum_g", v.type, s.len), sum_gx = scratch(ctx, "bn.sum_gx", v.type, s.len);
  ExprRef zero = kir::constant(v.type, 0), m = kir::constant(v.type, static_cast<double>(s.outer * s.inner));
  std::vector<int64_t> cells = {s.outer, s.inner};
  loop(k, k.body, s.len, LoopKind::kParallel, "a", [&](ExprRef a, StmtList& body) {
    auto over = [&](const std::function<ExprRef(ExprRef x, ExprRef g)>& f) {
      return reduceNest(k, ReduceOp::kAdd, cells, zero,
                        [&](const Index& c) { return f(v.x.at({c[0], a, c[1]}), v.g.at({c[0], a, c[1]})); });
    };
    ExprRef mu = let(k, body, "mean", div(over([](ExprRef x, ExprRef) { return x; }), m));
    ExprRef var = div(over([&](ExprRef x, ExprRef) { return mul(sub(x, mu), sub(x, mu)); }), m);
    ExprRef r = let(k, body, "inv", div(kir::constant(v.type, 1), sqrt(add(var, v.epsilon))));
    ExprRef sg = let(k, body, "sum_g", over([](ExprRef, ExprRef g) { return g; }));
    ExprRef sgx = let(k, body, "sum_gx", over([&](ExprRef x, ExprRef g) { return mul(g, mul(sub(x, mu), r)); }));
    mean.set(body, {a}, mu);
    inv.set(body, {a}, r);
    sum_g.set(body, {a}, sg);
    sum_gx.set(body, {a}, sgx);
    v.dbeta.set(body, {a}, sg);
    v.dgamma.set(body, {a}, sgx);
  });
  std::vector<int64_t> all = {s.outer, s.len, s.inner};
  loopNest(k, k.body, all, [&](const Index& i, StmtList& body) {
    ExprRef a = i[1];
    ExprRef r = inv.at({a});
    ExprRef xhat = mul(sub(v.x.at(i), mean.at({a})), r);
    ExprRef d = sub(sub(v.g.at(i), div(sum_g.at({a}), m)), div(mul(xhat, sum_gx.at({a})), m));
    v.dx.set(body, i, mul(mul(v.gamma.at({a}), r), d));
  });
  return absl::OkStatus();
}

// Per position p of the other axes, the L cells on `axis` have
// xhat = (x - mean) * inv; with h = g * gamma:
//   dx = inv * (h - sum h / L - xhat * sum(h * xhat) / L)
//   dgamma[a] = sum over positions of g * xhat,  dbeta[a] = sum of g
absl::Status layernormGrad(BuildContext& ctx) {
  Split s = splitAt(ctx);
  Operands v = operandsOf(ctx, s);
  kir::Kernel& k = ctx.kernel;
  int64_t positions = s.outer * s.inner;
  auto perPosition = [&](const char* name) {
    View b = scratch(ctx, name, v.type, positions);
    b.shape = {s.outer, s.inner};
    return b;
  };
  View mean = perPosition("ln.mean"), inv = perPosition("ln.inv");
  View sum_h = perPosition("ln.sum_h"), sum_hx = perPosition("ln.sum_hx");
  ExprRef zero = kir::constant(v.type, 0), len = kir::constant(v.type, static_cast<double>(s.len));
  std::vector<int64_t> along = {s.len}, position_shape = {s.outer, s.inner};
  loopNest(k, k.body, position_shape, [&](const Index& p, StmtList& body) {
    auto over = [&](const std::function<ExprRef(ExprRef x, ExprRef h, ExprRef a)>& f) {
      return reduceNest(k, ReduceOp::kAdd, along, zero, [&](const Index& a) {
        ExprRef h = mul(v.g.at({p[0], a[0], p[1]}), v.gamma.at({a[0]}));
        return f(v.x.at({p[0], a[0], p[1]}), h, a[0]);
      });
    };
    ExprRef mu = let(k, body, "mean", div(over([](ExprRef x, ExprRef, ExprRef) { return x; }), len));
    ExprRef var = div(over([&](ExprRef x, ExprRef, ExprRef) { return mul(sub(x, mu), sub(x, mu)); }), len);
    ExprRef r = let(k, body, "inv", div(kir::constant(v.type, 1), sqrt(add(var, v.epsilon))));
    mean.set(body, p, mu);
    inv.set(body, p, r);
    sum_h.set(body, p, over([](ExprRef, ExprRef h, ExprRef) { return h; }));
    sum_hx.set(body, p, over([&](ExprRef x, ExprRef h, ExprRef) { return mul(h, mul(sub(x, mu), r)); }));
  });
  std::vector<int64_t> all = {s.outer, s.len, s.inner};
  loopNest(k, k.body, all, [&](const Index& i, StmtList& body) {
    Index p = {i[0], i[2]};
    ExprRef r = inv.at(p);
    ExprRef xhat = mul(sub(v.x.at(i), mean.at(p)), r);
    ExprRef h = mul(v.g.at(i), v.gamma.at({i[1]}));
    ExprRef d = sub(sub(h, div(sum_h.at(p), len)), div(mul(xhat, sum_hx.at(p)), len));
    v.dx.set(body, i, mul(r, d));
  });
  loop(k, k.body, s.len, LoopKind::kParallel, "a", [&](ExprRef a, StmtList& body) {
    auto over = [&](const std::function<ExprRef(const Index& cell, const Index& p)>& f) {
      return reduceNest(k, ReduceOp::kAdd, position_shape, zero,
                        [&](const Index& p) { return f(Index{p[0], a, p[1]}, p); });
    };
    v.dgamma.set(body, {a}, over([&](const Index& c, const Index& p) {
                   return mul(v.g.at(c), mul(sub(v.x.at(c), mean.at(p)), inv.at(p)));
                 }));
    v.dbeta.set(body, {a}, over([&](const Index& c, const Index&) { return v.g.at(c); }));
  });
  return absl::OkStatus();
}

}  // namespace

const OpLowering kLowerBatchnormGrad{.build = batchnormGrad};
const OpLowering kLowerLayernormGrad{.build = layernormGrad};

}  // namespace dlc::codegen
