#include "codegen/lower/winograd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "codegen/compute/expr.h"
#include "codegen/compute/stmt.h"
#include "codegen/compute/windows.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression and statement shorthands

using Matrix = std::vector<std::vector<double>>;

// F(m x m, 3 x 3)'s matrices: B^T (a x a), G (a x 3), A^T (m x a). m = 2:
// Lavin & Gray, section 4.1; m = 4: section 4.2, points 0, +-1, +-2.
struct Transforms {
  Matrix bt, g, at;
};

const Transforms& transformsFor(int64_t m) {
  static const Transforms k2{{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
                             {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
                             {{1, 1, 1, 0}, {0, 1, -1, -1}}};
  static const Transforms k4{{{4, 0, -5, 0, 1, 0},
                              {0, -4, -4, 1, 1, 0},
                              {0, 4, -4, -1, 1, 0},
                              {0, -2, -1, 2, 1, 0},
                              {0, 2, -1, -2, 1, 0},
                              {0, 4, 0, -5, 0, 1}},
                             {{1.0 / 4, 0, 0},
                              {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                              {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                              {1.0 / 24, 1.0 / 12, 1.0 / 6},
                              {1.0 / 24, -1.0 / 12, 1.0 / 6},
                              {0, 0, 1}},
                             {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}}};
  return m == 4 ? k4 : k2;
}

Matrix transposed(const Matrix& a) {
  Matrix t(a[0].size(), std::vector<double>(a.size()));
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[i].size(); ++j) t[j][i] = a[i][j];
  return t;
}

// Multiplies of the tiles per image and channel pair.
int64_t tileWork(const WinogradShape& s) { return s.planes() * s.tile_rows * s.tile_cols; }

bool pays(const WinogradShape& s) {
  double direct = 9.0 * static_cast<double>(s.out_height * s.out_width);
  double scratch = static_cast<double>(s.planes()) * 4 *
                   (static_cast<double>(s.tiles()) * static_cast<double>(s.channels + s.filters) +
                    static_cast<double>(s.channels) * static_cast<double>(s.filters));
  return s.channels >= kMinChannels && s.filters >= kMinChannels && s.tiles() >= kMinTiles &&
         static_cast<double>(tileWork(s)) <= kMaxWorkRatio * direct && scratch <= static_cast<double>(kMaxScratchBytes);
}

// The coefficient matrix[a][column] for a run-time row a: a constant where
// the column holds one value.
struct Coefficient {
  ExprRef expr;  // null: `value`
  double value = 0;
};
Coefficient coefficient(const Matrix& matrix, size_t column, const ExprRef& a) {
  bool uniform = true;
  for (const auto& row : matrix) uniform = uniform && row[column] == matrix[0][column];
  if (uniform) return {nullptr, matrix[0][column]};
  ExprRef e = kir::constant(ir::DType::kF32, matrix.back()[column]);
  for (size_t r = matrix.size() - 1; r-- > 0;)
    e = select(eq(a, idx(static_cast<int64_t>(r))), kir::constant(ir::DType::kF32, matrix[r][column]), e);
  return {e, 0};
}

// sum + c * term; `sum` null for none.
ExprRef addScaled(ExprRef sum, const Coefficient& c, ExprRef term) {
  if (!c.expr && c.value == 0) return sum;
  if (c.expr) {
    term = mul(c.expr, term);
  } else if (std::abs(c.value) != 1) {
    term = mul(like(term, std::abs(c.value)), term);
  }
  bool minus = !c.expr && c.value < 0;
  if (!sum) return minus ? neg(term) : term;
  return minus ? sub(sum, term) : add(sum, term);
}

// sum over j of coefficients[j] * terms[j], skipping zeros; +-1 as add/sub.
ExprRef combine(const std::vector<double>& coefficients, const std::vector<ExprRef>& terms) {
  ExprRef sum;
  for (size_t j = 0; j < coefficients.size(); ++j) sum = addScaled(sum, {nullptr, coefficients[j]}, terms[j]);
  return sum;
}

// A small matrix of expressions (a patch, half a transform).
using Grid = std::vector<std::vector<ExprRef>>;

// The first half of the transform L d L^T of the grid d: half[u][j] = sum
// over i of L[u][i] d[i][j], as lets named PREFIX u j.
Grid leftHalf(kir::Kernel& k, StmtList& lanes, const Matrix& l, const Grid& d, const std::string& prefix) {
  Grid half(l.size(), std::vector<ExprRef>(d[0].size()));
  for (size_t u = 0; u < l.size(); ++u)
    for (size_t j = 0; j < d[0].size(); ++j) {
      std::vector<ExprRef> column;
      for (const auto& row : d) column.push_back(row[j]);
      half[u][j] = let(k, lanes, strCat(prefix, u, j), combine(l[u], column));
    }
  return half;
}

// The second half, stored: plane u * a + v of `out` (planes `stride`
// apart, rows of `width`) at (row, lane) is sum over j of L[v][j] *
// half[u][j].
void storePlanes(StmtList& lanes, kir::BufferId out, const Matrix& l, const Grid& half, int64_t stride,
                 const ExprRef& row, int64_t width, const ExprRef& lane) {
  const int64_t alpha = static_cast<int64_t>(l.size());
  ExprRef within = add(mul(row, idx(width)), lane);
  for (int64_t u = 0; u < alpha; ++u)
    for (int64_t v = 0; v < alpha; ++v)
      store(lanes, out, add(idx((u * alpha + v) * stride), within),
            combine(l[static_cast<size_t>(v)], half[static_cast<size_t>(u)]));
}

kir::Kernel namedKernel(std::string name, std::string origin) {
  kir::Kernel k;
  k.name = std::move(name);
  k.origin = std::move(origin);
  return k;
}

// Where a tile's side x side patch of a [batch, rows, cols, width] tensor
// lies, from row m ty - top and column m tx - left on: lets in `row` (the
// tile's image, whether each patch row and column is inside the tensor, and
// their offsets, clamped).
struct PatchAt {
  std::vector<ExprRef> h_in, w_in, hs, ws;
  int64_t width;
};
// Tile t's image, tile row and tile column: lets in `row`.
struct TileAt {
  ExprRef n, ty, tx;
};
TileAt tileAt(kir::Kernel& k, StmtList& row, const WinogradShape& s, const ExprRef& t) {
  ExprRef n = let(k, row, "n", div(t, idx(s.tile_rows * s.tile_cols)));
  ExprRef ty = let(k, row, "ty", rem(div(t, idx(s.tile_cols)), idx(s.tile_rows)));
  return {n, ty, let(k, row, "tx", rem(t, idx(s.tile_cols)))};
}

PatchAt patchAt(kir::Kernel& k, StmtList& row, const WinogradShape& s, const ExprRef& t, int64_t side, int64_t rows,
                int64_t cols, int64_t width, int64_t top, int64_t left) {
  auto [n, ty, tx] = tileAt(k, row, s, t);
  PatchAt p;
  p.width = width;
  for (int64_t i = 0; i < side; ++i) {
    ExprRef h = add(mul(ty, idx(s.m)), idx(i - top)), w = add(mul(tx, idx(s.m)), idx(i - left));
    p.h_in.push_back(let(k, row, strCat("h", i, "_in"), inRange(h, rows)));
    p.w_in.push_back(let(k, row, strCat("w", i, "_in"), inRange(w, cols)));
    p.hs.push_back(let(k, row, strCat("h", i), mul(add(mul(n, idx(rows)), clampIndex(h, rows)), idx(cols))));
    p.ws.push_back(let(k, row, strCat("w", i), clampIndex(w, cols)));
  }
  return p;
}

// The patch at `lane` of the last axis: lets named PREFIX i j in `lanes`,
// zero outside.
Grid loadPatch(kir::Kernel& k, StmtList& lanes, const PatchAt& p, kir::BufferId buffer, const ExprRef& lane,
               const std::string& prefix) {
  Grid d(p.hs.size(), std::vector<ExprRef>(p.ws.size()));
  for (size_t i = 0; i < d.size(); ++i)
    for (size_t j = 0; j < d[i].size(); ++j)
      d[i][j] = let(k, lanes, strCat(prefix, i, j),
                    select(both(p.h_in[i], p.w_in[j]),
                           kir::load(buffer, ir::DType::kF32, add(mul(add(p.hs[i], p.ws[j]), idx(p.width)), lane)),
                           kir::constant(ir::DType::kF32, 0)));
  return d;
}

}  // namespace

int64_t planeStride(int64_t rows, int64_t width) {
  constexpr int64_t kLine = 16;  // floats
  int64_t lines = (rows * width + kLine - 1) / kLine;
  return (lines | 1) * kLine;
}

int64_t WinogradShape::vStride() const { return planeStride(tiles(), channels); }
int64_t WinogradShape::uStride() const { return planeStride(productDepth(), filters); }
int64_t WinogradShape::mStride() const { return planeStride(productRows(), filters); }

std::optional<WinogradShape> winogradShape(const ir::Operation& conv, const ConcreteTypes& types) {
  WinogradKind kind;
  if (conv.kind() == ir::OpKind::kConv2d) {
    kind = WinogradKind::kForward;
  } else if (conv.kind() == ir::OpKind::kConv2dGradInput) {
    kind = WinogradKind::kInputGradient;
  } else if (conv.kind() == ir::OpKind::kConv2dGradKernel) {
    kind = WinogradKind::kKernelGradient;
  } else {
    return std::nullopt;
  }
  // Operand 0 (x; g for an input gradient), operand 1 (the filter; g for a
  // kernel gradient) and the result.
  const ConcreteType& in = types.at(conv.operand(0));
  const ConcreteType& second = types.at(conv.operand(1));
  const ConcreteType& out = types.at(conv.result(0));
  if (in.dtype != ir::DType::kF32 || second.dtype != ir::DType::kF32 || out.dtype != ir::DType::kF32)
    return std::nullopt;
  if (in.shape.size() != 4 || second.shape.size() != 4 || out.shape.size() != 4) return std::nullopt;
  if (kind == WinogradKind::kForward && conv.numOperands() > 2 && types.at(conv.operand(2)).dtype != ir::DType::kF32)
    return std::nullopt;
  // The convolution's x, filter and y, and the grid the tiles cover.
  const std::vector<int64_t>* x = &in.shape;
  const std::vector<int64_t>* filter = &second.shape;
  const std::vector<int64_t>* y = &out.shape;
  const std::vector<int64_t>* grid = &out.shape;
  if (kind == WinogradKind::kInputGradient) {
    x = &out.shape;
    y = &in.shape;
  } else if (kind == WinogradKind::kKernelGradient) {
    filter = &out.shape;
    y = &second.shape;
    grid = &second.shape;
  }
  cx::ConvGeometry g = cx::convGeometry(conv.attrs(), *x, *filter, *y);
  if (g.groups != 1 || g.rows.window != 3 || g.cols.window != 3) return std::nullopt;
  if (g.rows.stride != 1 || g.cols.stride != 1 || g.rows.dilation != 1 || g.cols.dilation != 1) return std::nullopt;
  if ((*grid)[1] < 2 || (*grid)[2] < 2 || in.shape[0] < 1 || in.shape[3] < 1 || (*grid)[3] < 1) return std::nullopt;
  // The input gradient reads g at h + tap - (2 - before).
  bool adjoint = kind == WinogradKind::kInputGradient;
  int64_t top = adjoint ? 2 - g.rows.before : g.rows.before, left = adjoint ? 2 - g.cols.before : g.cols.before;
  int64_t filters = kind == WinogradKind::kKernelGradient ? second.shape[3] : out.shape[3];
  std::optional<WinogradShape> best;
  for (int64_t m : {2, 4}) {
    WinogradShape s{kind,
                    m,
                    in.shape[0],
                    in.shape[1],
                    in.shape[2],
                    in.shape[3],
                    filters,
                    (*grid)[1],
                    (*grid)[2],
                    top,
                    left,
                    ((*grid)[1] + m - 1) / m,
                    ((*grid)[2] + m - 1) / m};
    if (pays(s) && (!best || tileWork(s) < tileWork(*best))) best = s;
  }
  return best;
}

int selectWinograd(FusionPlan& plan, const ConcreteTypes& types) {
  int chosen = 0;
  for (FusionGroup& group : plan.groups) {
    if (group.built || group.library) continue;
    for (const ir::Operation* op : group.ops) {
      if (!winogradShape(*op, types)) continue;
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
    strAppend(&out, "): F(", s.m, "x", s.m, ", 3x3)");
    if (s.kind == WinogradKind::kInputGradient) strAppend(&out, " of g and the rotated filter");
    if (s.kind == WinogradKind::kKernelGradient) strAppend(&out, " of x and g");
    strAppend(&out, ", ", s.tiles(), " tiles, ", s.planes(), " GEMMs of ", s.productRows(), " x ", s.productDepth(),
              " x ", s.filters, "\n");
  }
  if (out.empty()) out = "no convolution runs as Winograd's\n";
  return out;
}

// Channels per block of the two-pass input transform: its scratch of 36
// values a channel stays in the L1 cache and within kir's limit on local
// buffers (kMaxLocalElements).
constexpr int64_t kInputBlock = 64;

// V[e][t][c]: a parallel loop over tiles, vector loops over channels; the
// a x a patch read as zero outside operand 0. At m = 2, B^T d B in one
// pass. At m = 4 the transform's 36 values of B^T d would not fit in the
// vector registers with d's 36 (unrolled, LLVM spilled hundreds of times a
// lane and took 110 ms to compile each such kernel), so it runs in two
// passes per block of channels through a scratch in the cache: for each
// column j of d, B^T d_j; then for each row u of B^T d, (B^T d)_u B. Each
// pass is a loop of a small vector loop.
kir::Kernel winogradInputKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const Matrix& bt = transformsFor(s.m).bt;
  const int64_t tiles = s.tiles(), c = s.channels, alpha = s.alpha();
  kir::BufferId x = k.addBuffer({"x", ir::DType::kF32, s.batch * s.height * s.width * c, kir::BufferRole::kIn});
  kir::BufferId v = k.addBuffer({"v", ir::DType::kF32, s.planes() * s.vStride(), kir::BufferRole::kOut});
  if (s.m == 2) {
    loop(k, k.body, tiles, kir::LoopKind::kParallel, "t", [&](ExprRef t, StmtList& row) {
      PatchAt at = patchAt(k, row, s, t, alpha, s.height, s.width, c, s.top, s.left);
      loop(k, row, c, kir::LoopKind::kVector, "c", [&](ExprRef l, StmtList& lanes) {
        Grid d = loadPatch(k, lanes, at, x, l, "d");
        // B^T d, then (B^T d) B.
        storePlanes(lanes, v, bt, leftHalf(k, lanes, bt, d, "b"), s.vStride(), t, c, l);
      });
    });
    return k;
  }
  // Blocks of kInputBlock channels, then the rest.
  const int64_t block = std::min(c, kInputBlock), full_blocks = c / block, rest = c % block;
  kir::BufferId half =
      k.addBuffer({"half", ir::DType::kF32, s.planes() * block, kir::BufferRole::kLocal});  // [u][j][lane]
  auto halfAt = [&](ExprRef u, ExprRef j, const ExprRef& lane) {
    return add(mul(add(mul(u, idx(alpha)), j), idx(block)), lane);
  };
  loop(k, k.body, tiles, kir::LoopKind::kParallel, "t", [&](ExprRef t, StmtList& row) {
    auto [n, ty, tx] = tileAt(k, row, s, t);
    std::vector<ExprRef> h_in, hs;
    for (int64_t i = 0; i < alpha; ++i) {
      ExprRef h = add(mul(ty, idx(s.m)), idx(i - s.top));
      h_in.push_back(let(k, row, strCat("h", i, "_in"), inRange(h, s.height)));
      hs.push_back(let(k, row, strCat("h", i), mul(add(mul(n, idx(s.height)), clampIndex(h, s.height)), idx(s.width))));
    }
    // The two passes over channels [first, first + width).
    auto transform = [&](StmtList& list, ExprRef first, int64_t width) {
      // Pass 1: column j of d, times B^T.
      loop(k, list, alpha, kir::LoopKind::kSerial, "j", [&](ExprRef j, StmtList& columns) {
        ExprRef w = add(mul(tx, idx(s.m)), sub(j, idx(s.left)));
        ExprRef w_in = let(k, columns, "w_in", inRange(w, s.width));
        ExprRef ws = let(k, columns, "w", clampIndex(w, s.width));
        loop(k, columns, width, kir::LoopKind::kVector, "c", [&](ExprRef l, StmtList& lanes) {
          std::vector<ExprRef> column;
          for (int64_t i = 0; i < alpha; ++i)
            column.push_back(let(k, lanes, strCat("d", i),
                                 select(both(h_in[static_cast<size_t>(i)], w_in),
                                        kir::load(x, ir::DType::kF32,
                                                  add(mul(add(hs[static_cast<size_t>(i)], ws), idx(c)), add(first, l))),
                                        kir::constant(ir::DType::kF32, 0))));
          for (int64_t u = 0; u < alpha; ++u)
            store(lanes, half, halfAt(idx(u), j, l), combine(bt[static_cast<size_t>(u)], column));
        });
      });
      // Pass 2: row u of B^T d, times B.
      loop(k, list, alpha, kir::LoopKind::kSerial, "u", [&](ExprRef u, StmtList& rows) {
        loop(k, rows, width, kir::LoopKind::kVector, "c", [&](ExprRef l, StmtList& lanes) {
          std::vector<ExprRef> row_u;
          for (int64_t j = 0; j < alpha; ++j)
            row_u.push_back(let(k, lanes, strCat("b", j), kir::load(half, ir::DType::kF32, halfAt(u, idx(j), l))));
          ExprRef at = add(mul(t, idx(c)), add(first, l));
          for (int64_t e = 0; e < alpha; ++e)
            store(lanes, v, add(mul(add(mul(u, idx(alpha)), idx(e)), idx(s.vStride())), at),
                  combine(bt[static_cast<size_t>(e)], row_u));
        });
      });
    };
    if (full_blocks == 1) {
      transform(row, idx(0), block);
    } else {
      loop(k, row, full_blocks, kir::LoopKind::kSerial, "cb",
           [&](ExprRef cb, StmtList& blocks) { transform(blocks, let(k, blocks, "c0", mul(cb, idx(block))), block); });
    }
    if (rest > 0) transform(row, idx(full_blocks * block), rest);
  });
  return k;
}

// U[e][c][k]: a parallel loop over input channels, a vector loop over
// filters, reading the HWIO filter (rotated, [3, 3, k, c], for an input
// gradient: a gather, on a small tensor).
kir::Kernel winogradFilterKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const Matrix& g_matrix = transformsFor(s.m).g;
  const int64_t c = s.channels, f = s.filters;
  const bool adjoint = s.kind == WinogradKind::kInputGradient;
  kir::BufferId g = k.addBuffer({"filter", ir::DType::kF32, 9 * c * f, kir::BufferRole::kIn});
  kir::BufferId u_buffer = k.addBuffer({"u", ir::DType::kF32, s.planes() * s.uStride(), kir::BufferRole::kOut});
  loop(k, k.body, c, kir::LoopKind::kParallel, "c", [&](ExprRef p, StmtList& row) {
    loop(k, row, f, kir::LoopKind::kVector, "k", [&](ExprRef l, StmtList& lanes) {
      Grid w(3, std::vector<ExprRef>(3));
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j)
          w[i][j] = let(k, lanes, strCat("g", i, j),
                        kir::load(g, ir::DType::kF32,
                                  adjoint ? add(mul(add(idx(((2 - i) * 3 + 2 - j) * f), l), idx(c)), p)
                                          : add(mul(add(idx((i * 3 + j) * c), p), idx(f)), l)));
      // G g, then (G g) G^T.
      storePlanes(lanes, u_buffer, g_matrix, leftHalf(k, lanes, g_matrix, w, "r"), s.uStride(), p, f, l);
    });
  });
  return k;
}

// Ĝ[e][t][k] = (A g_t A^T)[e] for a kernel gradient: a parallel loop over
// tiles, a vector loop over g's channels; g's m x m tile read as zero
// outside g.
kir::Kernel winogradGradientKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const Matrix a = transposed(transformsFor(s.m).at);
  const int64_t tiles = s.tiles(), f = s.filters;
  kir::BufferId g = k.addBuffer({"g", ir::DType::kF32, s.batch * s.out_height * s.out_width * f, kir::BufferRole::kIn});
  kir::BufferId out = k.addBuffer({"g_hat", ir::DType::kF32, s.planes() * s.uStride(), kir::BufferRole::kOut});
  loop(k, k.body, tiles, kir::LoopKind::kParallel, "t", [&](ExprRef t, StmtList& row) {
    PatchAt at = patchAt(k, row, s, t, s.m, s.out_height, s.out_width, f, 0, 0);
    loop(k, row, f, kir::LoopKind::kVector, "k", [&](ExprRef l, StmtList& lanes) {
      Grid d = loadPatch(k, lanes, at, g, l, "g");
      // A g, then (A g) A^T.
      storePlanes(lanes, out, a, leftHalf(k, lanes, a, d, "r"), s.uStride(), t, f, l);
    });
  });
  return k;
}

// Each plane's rows in this many parallel chunks: the largest divisor of the
// rows up to kMaxChunks that leaves each chunk kMinChunkRows rows or more.
// The products then run as one parallel loop of planes x chunks (36 x 8 for
// the CNN's F(4x4)): one fork and join a kernel, not one a plane, and
// iterations enough for many cores.
constexpr int64_t kMaxChunks = 8;
constexpr int64_t kMinChunkRows = 16;
int64_t rowChunks(int64_t rows) {
  for (int64_t chunks = kMaxChunks; chunks > 1; --chunks)
    if (rows % chunks == 0 && rows / chunks >= kMinChunkRows) return chunks;
  return 1;
}

// The a^2 products, each the rows of a matrix product (stmt.h's rowProduct,
// the form register tiling takes in a top-level loop) in chunks of rows:
// M[e][t][k] = sum over c of V[e][t][c] U[e][c][k], rows the tiles, which
// share U[e]; for a kernel gradient M[e][c][k] = sum over t of V[e][t][c]
// Ĝ[e][t][k], rows the input channels, which share Ĝ[e].
kir::Kernel winogradProductKernel(std::string name, std::string origin, const WinogradShape& s) {
  kir::Kernel k = namedKernel(std::move(name), std::move(origin));
  const int64_t c = s.channels, f = s.filters, rows = s.productRows(), depth = s.productDepth();
  const bool by_channel = s.kind == WinogradKind::kKernelGradient;
  const int64_t chunks = rowChunks(rows), chunk_rows = rows / chunks;
  kir::BufferId v = k.addBuffer({"v", ir::DType::kF32, s.planes() * s.vStride(), kir::BufferRole::kIn});
  kir::BufferId u =
      k.addBuffer({by_channel ? "g_hat" : "u", ir::DType::kF32, s.planes() * s.uStride(), kir::BufferRole::kIn});
  kir::BufferId m = k.addBuffer({"m", ir::DType::kF32, s.planes() * s.mStride(), kir::BufferRole::kOut});
  loop(k, k.body, s.planes() * chunks, kir::LoopKind::kParallel, "ec", [&](ExprRef ec, StmtList& product) {
    ExprRef e = chunks == 1 ? ec : let(k, product, "e", div(ec, idx(chunks)));
    ExprRef first = chunks == 1 ? idx(0) : let(k, product, "first", mul(rem(ec, idx(chunks)), idx(chunk_rows)));
    // Plane e's element (i, j) of rows of `width`, planes `stride` apart.
    auto at = [&](int64_t stride, ExprRef i, int64_t width, ExprRef j) {
      return add(add(mul(e, idx(stride)), mul(i, idx(width))), j);
    };
    rowProduct(k, product, ir::DType::kF32,
               {.rows = chunk_rows,
                .depth = depth,
                .cols = f,
                .init = [&](ExprRef, ExprRef) { return kir::constant(ir::DType::kF32, 0); },
                .a =
                    [&](ExprRef i, ExprRef r) {
                      ExprRef row = add(first, i);
                      return by_channel ? kir::load(v, ir::DType::kF32, at(s.vStride(), r, c, row))
                                        : kir::load(v, ir::DType::kF32, at(s.vStride(), row, c, r));
                    },
                .b = [&](ExprRef r, ExprRef j) { return kir::load(u, ir::DType::kF32, at(s.uStride(), r, f, j)); },
                .epilogue =
                    [&](ExprRef i, ExprRef, const auto& acc, StmtList& body) {
                      loop(k, body, f, kir::LoopKind::kVector, "j", [&](ExprRef j, StmtList& lanes) {
                        store(lanes, m, at(s.mStride(), add(first, i), f, j), acc(j));
                      });
                    }});
  });
  return k;
}

// A^T M A at the output's position within its tile (forward, input
// gradient), or G^T M G at the filter tap (kernel gradient): the a^2 planes
// weighted by coefficients chosen by that position at run time.
ExprRef winogradOutputAt(const WinogradShape& s, const std::vector<ExprRef>& index,
                         const std::function<ExprRef(ExprRef offset)>& m) {
  const Transforms& t = transformsFor(s.m);
  const int64_t alpha = s.alpha();
  Matrix coefficients;  // rows: the output's positions in a tile (filter taps)
  ExprRef a, b, row;
  if (s.kind == WinogradKind::kKernelGradient) {
    coefficients = transposed(t.g);
    a = index[0];
    b = index[1];
    row = index[2];
  } else {
    coefficients = t.at;
    ExprRef h = index[1], w = index[2];
    row = add(mul(add(mul(index[0], idx(s.tile_rows)), div(h, idx(s.m))), idx(s.tile_cols)), div(w, idx(s.m)));
    a = rem(h, idx(s.m));
    b = rem(w, idx(s.m));
  }
  ExprRef within = add(mul(row, idx(s.filters)), index[3]);
  ExprRef sum;
  for (int64_t u = 0; u < alpha; ++u) {
    ExprRef inner;
    for (int64_t v = 0; v < alpha; ++v)
      inner = addScaled(inner, coefficient(coefficients, static_cast<size_t>(v), b),
                        m(add(idx((u * alpha + v) * s.mStride()), within)));
    if (inner) sum = addScaled(sum, coefficient(coefficients, static_cast<size_t>(u), a), inner);
  }
  return sum;
}

}  // namespace dlc::codegen
