#include "codegen/lower/winograd.h"

#include <array>
#include <cmath>

#include "codegen/compute/expr.h"
#include "codegen/compute/stmt.h"
#include "codegen/compute/windows.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression and statement shorthands

// F(2x2, 3x3)'s matrices (Lavin & Gray, section 4.1).
constexpr std::array<std::array<double, 4>, 4> kBt = {{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}};
constexpr std::array<std::array<double, 3>, 4> kG = {{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}};

bool pays(const WinogradShape& s) {
  double direct = 9.0 * static_cast<double>(s.out_height * s.out_width);
  double tiled = 16.0 * static_cast<double>(s.tile_rows * s.tile_cols);
  double scratch = 16.0 * 4 * static_cast<double>(s.tiles()) * static_cast<double>(s.channels + s.filters);
  return s.channels >= kMinChannels && s.filters >= kMinChannels && s.tiles() >= kMinTiles &&
         tiled <= kMaxWorkRatio * direct && scratch <= static_cast<double>(kMaxScratchBytes);
}

// sum over j of coefficients[j] * terms[j], skipping zeros; +-1 as add/sub.
template <size_t N>
ExprRef combine(const std::array<double, N>& coefficients, const std::array<ExprRef, N>& terms) {
  ExprRef sum;
  for (size_t j = 0; j < N; ++j) {
    double c = coefficients[j];
    if (c == 0) continue;
    ExprRef term = std::abs(c) == 1 ? terms[j] : mul(like(terms[j], std::abs(c)), terms[j]);
    if (!sum) {
      sum = c < 0 ? neg(term) : term;
    } else {
      sum = c < 0 ? sub(sum, term) : add(sum, term);
    }
  }
  return sum;
}

// A small matrix of expressions (a patch, half a transform).
template <size_t Rows, size_t Cols>
using Grid = std::array<std::array<ExprRef, Cols>, Rows>;

// The second half of a transform, stored: plane u * 4 + e of `out` ([16,
// rows, width]) at (row, lane) is sum over j of coefficients[e][j] *
// half[u][j].
template <size_t N>
void storePlanes(StmtList& lanes, kir::BufferId out, const std::array<std::array<double, N>, 4>& coefficients,
                 const Grid<4, N>& half, int64_t rows, const ExprRef& row, int64_t width, const ExprRef& lane) {
  for (int u = 0; u < 4; ++u)
    for (int e = 0; e < 4; ++e)
      store(lanes, out, add(mul(add(idx((u * 4 + e) * rows), row), idx(width)), lane),
            combine(coefficients[e], half[u]));
}

kir::Kernel namedKernel(std::string name, std::string origin) {
  kir::Kernel k;
  k.name = std::move(name);
  k.origin = std::move(origin);
  return k;
}

}  // namespace

std::optional<WinogradShape> winogradShape(const ir::Operation& conv, const ConcreteTypes& types) {
  bool adjoint = conv.kind() == ir::OpKind::kConv2dGradInput;
  if (conv.kind() != ir::OpKind::kConv2d && !adjoint) return std::nullopt;
  // x and y as the transforms see them: g and dx for an input gradient.
  const ConcreteType& x = types.at(conv.operand(0));
  const ConcreteType& w = types.at(conv.operand(1));
  const ConcreteType& y = types.at(conv.result(0));
  if (x.dtype != ir::DType::kF32 || w.dtype != ir::DType::kF32 || y.dtype != ir::DType::kF32) return std::nullopt;
  if (x.shape.size() != 4 || w.shape.size() != 4 || y.shape.size() != 4) return std::nullopt;
  if (!adjoint && conv.numOperands() > 2 && types.at(conv.operand(2)).dtype != ir::DType::kF32) return std::nullopt;
  cx::ConvGeometry g = adjoint ? cx::convGeometry(conv.attrs(), y.shape, w.shape, x.shape)
                               : cx::convGeometry(conv.attrs(), x.shape, w.shape, y.shape);
  if (g.groups != 1 || g.rows.window != 3 || g.cols.window != 3) return std::nullopt;
  if (g.rows.stride != 1 || g.cols.stride != 1 || g.rows.dilation != 1 || g.cols.dilation != 1) return std::nullopt;
  if (y.shape[1] < 2 || y.shape[2] < 2 || y.shape[0] < 1 || x.shape[3] < 1 || y.shape[3] < 1) return std::nullopt;
  // The input gradient reads g at h + tap - (2 - before).
  int64_t top = adjoint ? 2 - g.rows.before : g.rows.before, left = adjoint ? 2 - g.cols.before : g.cols.before;
  return WinogradShape{x.shape[0], x.shape[1], x.shape[2], x.shape[3],           y.shape[3],           y.shape[1],
                       y.shape[2], top,        left,       (y.shape[1] + 1) / 2, (y.shape[2] + 1) / 2, adjoint};
}

int selectWinograd(FusionPlan& plan, const ConcreteTypes& types) {
  int chosen = 0;
  for (FusionGroup& group : plan.groups) {
    if (group.built || group.library) continue;
    for (const ir::Operation* op : group.ops) {
      std::optional<WinogradShape> s = winogradShape(*op, types);
      if (!s || !pays(*s)) continue;
      if (group.computes(op->operand(0)) || group.computes(op->operand(1))) continue;
      if (op->kind() == ir::OpKind::kConv2d && op->numOperands() > 2 && group.computes(op->operand(2))) continue;
      group.winograd = op;
      ++chosen;
      break;  // one per group: the kernel reads one product
    }
  }
  return chosen;
}

std::string printWinograd(const FusionPlan& plan, const ConcreteTypes& types) {
  std::string out;
  for (const FusionGroup& group : plan.groups) {
    if (!group.winograd) continue;
    const ir::Operation& op = *group.winograd;
    WinogradShape s = *winogradShape(op, types);
    strAppend(&out, "group ", group.id, " (", op.name());
    if (op.location().valid()) strAppend(&out, " at line ", op.location().line);
    strAppend(&out, "): F(2x2, 3x3)", s.adjoint ? " of g and the rotated filter" : "", ", ", s.tiles(),
              " tiles, 16 GEMMs of ", s.tiles(), " x ", s.channels, " x ", s.filters, "\n");
  }
  if (out.empty()) out = "no convolution runs as Winograd's\n";
  return out;
}

// V[e][t][c]: a parallel loop over tiles, a vector loop over channels; the
// 4x4 patch read as zero outside x.
kir::Kernel winogradInputKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const int64_t tiles = s.tiles(), c = s.channels;
  kir::BufferId x = k.addBuffer({"x", ir::DType::kF32, s.batch * s.height * s.width * c, kir::BufferRole::kIn});
  kir::BufferId v = k.addBuffer({"v", ir::DType::kF32, 16 * tiles * c, kir::BufferRole::kOut});
  loop(k, k.body, tiles, kir::LoopKind::kParallel, "t", [&](ExprRef t, StmtList& row) {
    ExprRef n = let(k, row, "n", div(t, idx(s.tile_rows * s.tile_cols)));
    ExprRef ty = let(k, row, "ty", rem(div(t, idx(s.tile_cols)), idx(s.tile_rows)));
    ExprRef tx = let(k, row, "tx", rem(t, idx(s.tile_cols)));
    std::array<ExprRef, 4> hs, ws, h_in, w_in;
    for (int i = 0; i < 4; ++i) {
      ExprRef h = add(mul(ty, idx(2)), idx(i - s.top)), w = add(mul(tx, idx(2)), idx(i - s.left));
      h_in[i] = let(k, row, strCat("h", i, "_in"), inRange(h, s.height));
      w_in[i] = let(k, row, strCat("w", i, "_in"), inRange(w, s.width));
      hs[i] = let(k, row, strCat("h", i), mul(add(mul(n, idx(s.height)), clampIndex(h, s.height)), idx(s.width)));
      ws[i] = let(k, row, strCat("w", i), clampIndex(w, s.width));
    }
    loop(k, row, c, kir::LoopKind::kVector, "c", [&](ExprRef l, StmtList& lanes) {
      Grid<4, 4> d, rows;
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          ExprRef at = add(mul(add(hs[i], ws[j]), idx(c)), l);
          d[i][j] =
              let(k, lanes, strCat("d", i, j),
                  select(both(h_in[i], w_in[j]), kir::load(x, ir::DType::kF32, at), kir::constant(ir::DType::kF32, 0)));
        }
      // rows = B^T d, then V = rows B.
      for (int u = 0; u < 4; ++u)
        for (int j = 0; j < 4; ++j)
          rows[u][j] = let(k, lanes, strCat("b", u, j), combine(kBt[u], {d[0][j], d[1][j], d[2][j], d[3][j]}));
      storePlanes(lanes, v, kBt, rows, tiles, t, c, l);
    });
  });
  return k;
}

// U[e][c][k]: a parallel loop over input channels, a vector loop over
// filters, reading the HWIO filter (rotated, [3, 3, k, c], for an input
// gradient: a gather, on a small tensor).
kir::Kernel winogradFilterKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const int64_t c = s.channels, f = s.filters;
  kir::BufferId g = k.addBuffer({"filter", ir::DType::kF32, 9 * c * f, kir::BufferRole::kIn});
  kir::BufferId u_buffer = k.addBuffer({"u", ir::DType::kF32, 16 * c * f, kir::BufferRole::kOut});
  loop(k, k.body, c, kir::LoopKind::kParallel, "c", [&](ExprRef p, StmtList& row) {
    loop(k, row, f, kir::LoopKind::kVector, "k", [&](ExprRef l, StmtList& lanes) {
      Grid<3, 3> w;
      Grid<4, 3> rows;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          w[i][j] = let(k, lanes, strCat("g", i, j),
                        kir::load(g, ir::DType::kF32,
                                  s.adjoint ? add(mul(add(idx(((2 - i) * 3 + 2 - j) * f), l), idx(c)), p)
                                            : add(mul(add(idx((i * 3 + j) * c), p), idx(f)), l)));
      // rows = G g, then U = rows G^T.
      for (int u = 0; u < 4; ++u)
        for (int j = 0; j < 3; ++j)
          rows[u][j] = let(k, lanes, strCat("r", u, j), combine(kG[u], {w[0][j], w[1][j], w[2][j]}));
      storePlanes(lanes, u_buffer, kG, rows, c, p, f, l);
    });
  });
  return k;
}

// M[e][t][k] = sum over c of V[e][t][c] * U[e][c][k]: the 16 products one
// after another, each the rows of a matrix product (stmt.h's rowProduct, the
// form register tiling takes in a top-level loop), a parallel loop over
// tiles whose rows share U[e].
kir::Kernel winogradProductKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const int64_t tiles = s.tiles(), c = s.channels, f = s.filters;
  kir::BufferId v = k.addBuffer({"v", ir::DType::kF32, 16 * tiles * c, kir::BufferRole::kIn});
  kir::BufferId u = k.addBuffer({"u", ir::DType::kF32, 16 * c * f, kir::BufferRole::kIn});
  kir::BufferId m = k.addBuffer({"m", ir::DType::kF32, 16 * tiles * f, kir::BufferRole::kOut});
  loop(k, k.body, 16, kir::LoopKind::kSerial, "e", [&](ExprRef e, StmtList& product) {
    auto row = [&](ExprRef t, int64_t width) { return mul(add(mul(e, idx(tiles)), t), idx(width)); };
    rowProduct(
        k, product, ir::DType::kF32,
        {.rows = tiles,
         .depth = c,
         .cols = f,
         .init = [&](ExprRef, ExprRef) { return kir::constant(ir::DType::kF32, 0); },
         .a = [&](ExprRef t, ExprRef r) { return kir::load(v, ir::DType::kF32, add(row(t, c), r)); },
         .b = [&](ExprRef r,
                  ExprRef j) { return kir::load(u, ir::DType::kF32, add(mul(add(mul(e, idx(c)), r), idx(f)), j)); },
         .epilogue =
             [&](ExprRef t, ExprRef, const auto& acc, StmtList& body) {
               loop(k, body, f, kir::LoopKind::kVector, "j",
                    [&](ExprRef j, StmtList& lanes) { store(lanes, m, add(row(t, f), j), acc(j)); });
             }});
  });
  return k;
}

ExprRef winogradOutputAt(const WinogradShape& s, const std::vector<ExprRef>& index,
                         const std::function<ExprRef(ExprRef row, ExprRef k)>& m) {
  ExprRef h = index[1], w = index[2], f = index[3];
  ExprRef t = add(mul(add(mul(index[0], idx(s.tile_rows)), div(h, idx(2))), idx(s.tile_cols)), div(w, idx(2)));
  ExprRef a = rem(h, idx(2)), b = rem(w, idx(2));
  // A^T's row a is [1, 1, 1, 0] or [0, 1, -1, -1]: elements a, a+1, a+2 with
  // signs 1, s, s where s = 1 - 2a.
  ExprRef sign_a = kir::cast(ir::DType::kF32, sub(idx(1), mul(idx(2), a)));
  ExprRef sign_b = kir::cast(ir::DType::kF32, sub(idx(1), mul(idx(2), b)));
  // The element (u + a, v + b) of the 4x4 product: e = 4 (u + a) + v + b, as
  // a tile offset of M's planes chosen by a and b at run time.
  auto at = [&](int64_t u, int64_t v) {
    ExprRef plane = add(add(mul(a, idx(4)), b), idx(u * 4 + v));
    return m(add(mul(plane, idx(s.tiles())), t), f);
  };
  std::array<ExprRef, 3> rows;
  for (int64_t u = 0; u < 3; ++u) rows[u] = add(at(u, 0), mul(sign_b, add(at(u, 1), at(u, 2))));
  return add(rows[0], mul(sign_a, add(rows[1], rows[2])));
}

}  // namespace dlc::codegen
