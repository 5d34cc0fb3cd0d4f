#include "ir/kernel/register_tiling.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ir/kernel/analysis.h"
#include "ir/kernel/copy.h"
#include "ir/kernel/lane_blocking.h"
#include "ir/kernel/reduction_lanes.h"
#include "ir/kernel/verifier.h"
#include "ir/kernel/walk.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

bool intersects(const std::set<int>& vars, const absl::flat_hash_set<int>& set) {
  return std::any_of(vars.begin(), vars.end(), [&](int id) { return set.contains(id); });
}

// Calls `fn` on every load in `e`, reductions' bodies included.
template <typename F>
void forEachLoad(const ExprRef& e, F fn) {
  rewrite(e, [&](const ExprRef& node) -> ExprRef {
    if (const auto* load = node->as<LoadExpr>()) fn(*load);
    return nullptr;
  });
}

// `vars` grown by every `let` in `body` whose value reads one of them.
void addDependentLets(const StmtList& body, absl::flat_hash_set<int>& vars) {
  forEachStmt(body, [&](const Stmt& s) {
    if (const auto* let = s.as<LetStmt>(); let && intersects(freeVars(let->value), vars)) vars.insert(let->var.id);
  });
}

// Reductions of fewer steps are not tiled.
constexpr int64_t kMinReductionSteps = 32;

// What the register budget needs to know about the vector loops that
// accumulate inside the body's loops.
class BudgetScan {
 public:
  // `lanes`: the vector loops' extent once blocked (lane_blocking.h); 0:
  // their own.
  BudgetScan(const Kernel& kernel, const ForStmt& loop, const RegisterTilingOptions& options, int64_t lanes = 0)
      : kernel_(kernel), options_(options), lanes_(lanes) {
    row_vars_.insert(loop.var.id);
    addDependentLets(loop.body, row_vars_);
  }

  // The fewest rows that the accumulating vector loops nested in loops of
  // `body` leave room for; nullopt when there is none. `steps`: the trips
  // of the loops around `body` (in the parallel loop's body).
  std::optional<int> rows(const StmtList& body, int64_t steps = 1) {
    std::optional<int> fewest;
    for (const Stmt& s : body) {
      const auto* f = s.as<ForStmt>();
      if (!f) continue;
      // A vector loop in too short a reduction (a 3x3 convolution of one
      // channel) has too little to share for what the rows cost to set up.
      std::optional<int> r = f->kind != LoopKind::kVector  ? rows(f->body, steps * (f->hi - f->lo))
                             : steps >= kMinReductionSteps ? vectorLoopRows(*f)
                                                           : std::nullopt;
      if (r) fewest = std::min(fewest.value_or(*r), *r);
    }
    return fewest;
  }

 private:
  // The rows the accumulators of `loop` leave room for; nullopt unless it
  // accumulates into a local and has a vector operand shared by the rows.
  std::optional<int> vectorLoopRows(const ForStmt& loop) {
    absl::flat_hash_set<int> lane_vars = {loop.var.id};
    addDependentLets(loop.body, lane_vars);
    absl::flat_hash_set<BufferId> accumulators;
    std::set<std::string> shared_vectors, row_vectors;
    int64_t element_bytes = 4;
    forEachStmt(loop.body, [&](const Stmt& s) {
      if (const auto* store = s.as<StoreStmt>(); store && isLocal(store->buffer)) {
        accumulators.insert(store->buffer);
        element_bytes = std::max(element_bytes, ir::dtypeSize(kernel_.buffers[store->buffer].dtype));
      }
      forEachExpr(s, [&](const ExprRef& root) {
        forEachLoad(root, [&](const LoadExpr& load) {
          if (isLocal(load.buffer)) return;
          std::set<int> vars = freeVars(load.index);
          if (!intersects(vars, lane_vars)) return;  // a broadcast scalar
          std::string key = strCat(load.buffer, "/", structuralKey(load.index));
          (intersects(vars, row_vars_) ? row_vectors : shared_vectors).insert(std::move(key));
        });
      });
    });
    if (accumulators.empty() || shared_vectors.empty()) return std::nullopt;
    int64_t lanes = std::max<int64_t>(1, options_.vector_bytes / element_bytes);
    int64_t extent = lanes_ > 0 ? lanes_ : loop.hi - loop.lo;
    int64_t per_vector = (extent + lanes - 1) / lanes;  // registers per lane-long value
    // The shared operands stay loaded while the rows use them, and so does
    // each row's broadcast: LLVM loads every row's broadcast before the
    // multiply-adds that use them (counting one in all spilled accumulators
    // in the inner loop, on AVX2 and AVX-512 alike). A row's own vector
    // operands are loaded and used one row at a time.
    int64_t fixed = static_cast<int64_t>(shared_vectors.size()) * per_vector + (row_vectors.empty() ? 0 : per_vector);
    int64_t per_row = static_cast<int64_t>(accumulators.size()) * per_vector + 1;
    return static_cast<int>(std::max<int64_t>(0, (options_.vector_registers - fixed) / per_row));
  }

  bool isLocal(BufferId b) const { return kernel_.buffers[b].role == BufferRole::kLocal; }

  const Kernel& kernel_;
  const RegisterTilingOptions& options_;
  int64_t lanes_;
  absl::flat_hash_set<int> row_vars_;  // the loop var and the lets that depend on it
};

// Copies of the body of a parallel loop, one per row of a tile, with the
// loops shared by the rows (unroll-and-jam).
class Jammer {
 public:
  Jammer(Kernel& kernel, absl::flat_hash_map<BufferId, int64_t> local_sizes)
      : kernel_(kernel), local_sizes_(std::move(local_sizes)) {}

  // The rows p = lo + q * rows + u for u < count, `q` being the tiled loop's
  // var. `moves`: locals the tile keeps in other buffers.
  StmtList tile(const ForStmt& loop, const Var& q, int64_t rows, int64_t count,
                const absl::flat_hash_map<BufferId, BufferId>& moves = {}) {
    std::vector<Copier> tile;
    StmtList out;
    for (int64_t u = 0; u < count; ++u) {
      Copier& row = tile.emplace_back(kernel_, strCat(u));
      // Each row has its own slice of every local.
      for (const auto& [buffer, size] : local_sizes_) row.shift(buffer, u * size);
      for (const auto& [from, to] : moves) row.move(from, to);
      ExprRef first = binary(BinaryOp::kMul, var(q), index(rows));
      if (loop.lo != 0) first = binary(BinaryOp::kAdd, first, index(loop.lo));
      if (u != 0) first = binary(BinaryOp::kAdd, first, index(u));
      out.push_back(Stmt{LetStmt{row.fresh(loop.var), first}});
    }
    for (Stmt& s : jam(loop.body, tile)) out.push_back(std::move(s));
    return out;
  }

 private:
  StmtList jam(const StmtList& body, std::vector<Copier>& rows) {
    StmtList out;
    for (const Stmt& s : body) {
      const auto* f = s.as<ForStmt>();
      if (!f) {
        for (Copier& row : rows) out.push_back(row.copy(s));
        continue;
      }
      Var v = kernel_.newVar(f->var.type, f->var.name);
      for (Copier& row : rows) row.replace(f->var.id, v);
      out.push_back(Stmt{ForStmt{v, f->lo, f->hi, f->kind, jam(f->body, rows)}});
    }
    return out;
  }

  Kernel& kernel_;
  absl::flat_hash_map<BufferId, int64_t> local_sizes_;  // before tiling
};

// Serial loops shorter than this are merged with the loop around them.
constexpr int64_t kMinInnerTrips = 8;

// Merges each serial loop whose whole body is a short serial loop with that
// loop: `for %a { for %b = 0 to 3 { S } }` becomes `for %ab { let %a =
// div(%ab, 3); let %b = rem(%ab, 3); S }`. The backend fully unrolls a short
// innermost loop, after which it leaves the tile's accumulators in
// registers but stores them to the stack at every step.
void mergeShortLoops(Kernel& kernel, StmtList& body) {
  for (Stmt& s : body) {
    auto* outer = s.as<ForStmt>();
    if (!outer) continue;
    mergeShortLoops(kernel, outer->body);
    if (outer->kind != LoopKind::kSerial || outer->body.size() != 1) continue;
    auto* inner = outer->body.front().as<ForStmt>();
    if (!inner || inner->kind != LoopKind::kSerial) continue;
    int64_t inner_trips = inner->hi - inner->lo;
    if (inner_trips < 1 || inner_trips >= kMinInnerTrips) continue;
    Var merged = kernel.newVar(ScalarType::kI64, strCat(outer->var.name, inner->var.name));
    ExprRef a = binary(BinaryOp::kDiv, var(merged), index(inner_trips));
    ExprRef b = binary(BinaryOp::kRem, var(merged), index(inner_trips));
    StmtList merged_body;
    merged_body.push_back(Stmt{LetStmt{outer->var, outer->lo == 0 ? a : binary(BinaryOp::kAdd, a, index(outer->lo))}});
    merged_body.push_back(Stmt{LetStmt{inner->var, inner->lo == 0 ? b : binary(BinaryOp::kAdd, b, index(inner->lo))}});
    for (Stmt& t : inner->body) merged_body.push_back(std::move(t));
    int64_t trips = (outer->hi - outer->lo) * inner_trips;
    s = Stmt{ForStmt{merged, 0, trips, LoopKind::kSerial, std::move(merged_body)}};
  }
}

// The local buffers `body` reads or writes.
absl::flat_hash_set<BufferId> localsUsed(const Kernel& kernel, const StmtList& body) {
  absl::flat_hash_set<BufferId> used;
  auto note = [&](BufferId b) {
    if (kernel.buffers[b].role == BufferRole::kLocal) used.insert(b);
  };
  forEachStmt(body, [&](const Stmt& s) {
    if (const auto* store = s.as<StoreStmt>()) note(store->buffer);
    forEachExpr(s, [&](const ExprRef& root) { forEachLoad(root, [&](const LoadExpr& load) { note(load.buffer); }); });
  });
  return used;
}

// Rows per tile for a loop of `extent` rows when the budget allows `most`:
// as many as the budget allows while keeping options.min_iterations
// iterations, and spread evenly (9 rows at most 8 per tile: 5 + 4).
int64_t tileRows(int64_t extent, int64_t most, const RegisterTilingOptions& options) {
  int64_t tiles = (extent + most - 1) / most;
  tiles = std::max(tiles, std::min<int64_t>(extent, options.min_iterations));
  return (extent + tiles - 1) / tiles;
}

// Multiply-adds per load in a tile of `rows` rows of `vectors` registers
// each: a step of the reduction loads the shared operand's `vectors`
// registers and broadcasts one value per row.
double tileIntensity(int64_t rows, int64_t vectors) {
  rows = std::max<int64_t>(rows, 1);
  return static_cast<double>(rows * vectors) / static_cast<double>(rows + vectors);
}

// Blocking must gain this much to pay for re-reading the rows' operands.
constexpr double kMinBlockingGain = 1.1;

}  // namespace

RegisterTile planRegisterTile(const Kernel& kernel, const ForStmt& loop, const RegisterTilingOptions& options) {
  RegisterTile plan{0, registerTileRows(kernel, loop, options)};
  if (loop.kind != LoopKind::kParallel) return plan;
  std::optional<int64_t> extent = independentLaneExtent(kernel, loop);
  if (!extent) return plan;
  int64_t element_bytes = 4;
  for (const Buffer& b : kernel.buffers)
    if (b.role == BufferRole::kLocal) element_bytes = std::max(element_bytes, ir::dtypeSize(b.dtype));
  int64_t per_vector = std::max<int64_t>(1, options.vector_bytes / element_bytes);
  auto registers = [&](int64_t lanes) { return (lanes + per_vector - 1) / per_vector; };
  double best = tileIntensity(plan.rows, registers(*extent));
  for (int64_t lanes = per_vector; lanes < *extent; lanes += per_vector) {
    if (*extent % lanes != 0) continue;
    int rows = std::min(options.max_rows, BudgetScan(kernel, loop, options, lanes).rows(loop.body).value_or(0));
    if (rows < 2) continue;
    double intensity = tileIntensity(rows, registers(lanes));
    if (intensity > best * kMinBlockingGain) {
      best = intensity;
      plan = {lanes, rows};
    }
  }
  return plan;
}

int registerTileRows(const Kernel& kernel, const ForStmt& loop, const RegisterTilingOptions& options) {
  if (loop.kind != LoopKind::kParallel) return 0;
  return std::min(options.max_rows, BudgetScan(kernel, loop, options).rows(loop.body).value_or(0));
}

int tileRegisters(Kernel& kernel, const RegisterTilingOptions& options) {
  int tiled = reductionsToLanes(kernel, options.vector_bytes);
  absl::flat_hash_map<BufferId, int64_t> local_sizes;
  for (size_t b = 0; b < kernel.buffers.size(); ++b)
    if (kernel.buffers[b].role == BufferRole::kLocal) local_sizes[static_cast<BufferId>(b)] = kernel.buffers[b].size;
  int64_t most_rows = 1;
  // Tiles the parallel loop `s` where tiling applies; returns whether it did.
  auto tile = [&](Stmt& s) -> bool {
    auto* loop = s.as<ForStmt>();
    if (!loop || loop->kind != LoopKind::kParallel) return false;
    RegisterTile plan = planRegisterTile(kernel, *loop, options);
    int budget = plan.rows;
    if (budget < 2) return false;
    int64_t extent = loop->hi - loop->lo;
    int64_t rows = options.force_rows > 0 ? options.force_rows : tileRows(extent, budget, options);
    if (rows < 2 || rows > extent) return false;
    int64_t full = extent / rows, rest = extent % rows;
    // Every local of the body holds one slice per row.
    bool fits = true;
    for (const auto& [b, size] : local_sizes) fits = fits && size * rows <= kMaxLocalElements;
    if (!fits) return false;
    if (plan.lanes > 0) blockLanes(kernel, *loop, plan.lanes);
    Jammer jammer(kernel, local_sizes);
    Var q = kernel.newVar(ScalarType::kI64, "q");
    StmtList body = jammer.tile(*loop, q, rows, rows);
    mergeShortLoops(kernel, body);
    if (rest > 0) {
      // The last tile's accumulators are buffers of their own: LLVM keeps a
      // local array in registers only when every access to it is at a known
      // offset, and the last tile's loops may not be unrolled as fully.
      absl::flat_hash_map<BufferId, BufferId> moves;
      absl::flat_hash_set<BufferId> used = localsUsed(kernel, loop->body);
      for (const auto& [b, size] : local_sizes) {
        if (!used.contains(b)) continue;
        Buffer copy = kernel.buffers[b];
        copy.name = strCat(copy.name, ".last");
        copy.size = size * rest;
        moves[b] = kernel.addBuffer(std::move(copy));
      }
      StmtList last = jammer.tile(*loop, q, rows, rest, moves);
      mergeShortLoops(kernel, last);
      StmtList guarded;
      guarded.push_back(Stmt{IfStmt{binary(BinaryOp::kLt, var(q), index(full)), std::move(body)}});
      guarded.push_back(Stmt{IfStmt{binary(BinaryOp::kGe, var(q), index(full)), std::move(last)}});
      body = std::move(guarded);
    }
    s = Stmt{ForStmt{q, 0, full + (rest > 0 ? 1 : 0), LoopKind::kParallel, std::move(body)}};
    most_rows = std::max(most_rows, rows);
    ++tiled;
    return true;
  };
  // The parallel loops at the top; then, where they are not tiled, those in
  // a top-level serial loop (a recurrence's steps: each step's rows are
  // independent of each other) or parallel loop (independent products, one
  // a thread: the inner loop runs serially).
  for (Stmt& s : kernel.body) {
    if (tile(s)) continue;
    if (auto* outer = s.as<ForStmt>();
        outer && (outer->kind == LoopKind::kSerial || outer->kind == LoopKind::kParallel))
      for (Stmt& inner : outer->body) tile(inner);
  }
  for (const auto& [b, size] : local_sizes) kernel.buffers[b].size = size * most_rows;
  return tiled;
}

}  // namespace dlc::kir
