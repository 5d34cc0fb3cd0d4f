#include "ir/kernel/gpu_mapping.h"

#include <algorithm>

#include "ir/kernel/analysis.h"
#include "ir/kernel/gpu_packs.h"
#include "ir/kernel/gpu_rows.h"
#include "ir/kernel/gpu_split.h"
#include "ir/kernel/walk.h"

namespace dlc::kir {
namespace {

// Grid sizes of the marks: grid-stride loops cover the rest.
constexpr int64_t kMaxBlocks = 65535;

template <typename Fn>
bool anyExpr(const Expr& e, const Fn& fn) {
  if (fn(e)) return true;
  if (auto* l = e.as<LoadExpr>()) return anyExpr(*l->index, fn);
  if (auto* u = e.as<UnaryExpr>()) return anyExpr(*u->x, fn);
  if (auto* b = e.as<BinaryExpr>()) return anyExpr(*b->lhs, fn) || anyExpr(*b->rhs, fn);
  if (auto* s = e.as<SelectExpr>())
    return anyExpr(*s->cond, fn) || anyExpr(*s->if_true, fn) || anyExpr(*s->if_false, fn);
  if (auto* c = e.as<CastExpr>()) return anyExpr(*c->x, fn);
  if (auto* r = e.as<ReduceExpr>()) return anyExpr(*r->init, fn) || anyExpr(*r->body, fn);
  return false;
}

// The largest extent among reductions not nested in other reductions.
int64_t outerReduceExtent(const Expr& e) {
  if (auto* r = e.as<ReduceExpr>()) return std::max<int64_t>(r->hi - r->lo, outerReduceExtent(*r->init));
  int64_t best = 0;
  forEachChild(e, [&](const ExprRef& x) { best = std::max(best, outerReduceExtent(*x)); });
  return best;
}

// Whether the threads of a block splitting `r` (its innermost nested
// reduction) read memory contiguously.
bool reductionReadsContiguously(const Expr& value) {
  const auto* r = value.as<ReduceExpr>();
  if (!r) return true;
  while (const auto* inner = r->body->as<ReduceExpr>()) r = inner;
  return loadsContiguousIn(r->body, r->var.id, /*require_contiguous=*/true);
}

// A row body is worth a block when a `let` at row level reduces enough,
// unless there are rows enough to give each its own thread and the block's
// threads would read strided memory (a convolution's kernel gradient: there
// neighbouring rows, not reduction steps, are contiguous).
bool worthBlockPerRow(std::span<const Stmt> body, int64_t rows) {
  for (const Stmt& stmt : body) {
    auto* l = stmt.as<LetStmt>();
    if (!l || !hasReduce(*l->value) || blockWorkExtent(std::span(&stmt, 1)) < kMinBlockReduce) continue;
    if (rows >= kRowsForThreadPerRow && !reductionReadsContiguously(*l->value)) continue;
    return true;
  }
  return false;
}

int64_t blocksFor(int64_t items, int threads) {
  return std::clamp<int64_t>((items + threads - 1) / threads, 1, kMaxBlocks);
}

// gpu(split) for a phase over `nest` (empty: a one-block kernel), when it applies.
std::optional<GpuMark> splitMark(const Kernel& kernel, const std::vector<const ForStmt*>& nest,
                                 std::span<const Stmt> body) {
  Var u = gpuCounter(kernel, GpuCounter::kSplitStep), o = gpuCounter(kernel, GpuCounter::kSplitOutput);
  std::optional<SplitReductions> found = findSplitReductions(kernel, nest, body, u, o);
  std::optional<SplitShape> shape = found ? chooseSplitShape(*found) : std::nullopt;
  if (!shape) return std::nullopt;
  GpuMark mark{GpuKind::kSplit, shape->threads, shape->blocks};
  mark.tile = shape->tile;
  mark.chunk = shape->chunk;
  mark.chunks = shape->chunks;
  return mark;
}

// gpu(row_groups) for a phase over rows, when it applies.
std::optional<GpuMark> rowGroupsMark(const Kernel& kernel, int64_t rows, std::span<const Stmt> body) {
  Var col = gpuCounter(kernel, GpuCounter::kColumn);
  std::optional<RowPasses> passes = findRowPasses(kernel, body, col);
  std::optional<RowShape> shape = passes ? chooseRowShape(kernel, *passes, col) : std::nullopt;
  if (!shape) return std::nullopt;
  GpuMark mark{GpuKind::kRowGroups, shape->threads};
  mark.width = shape->width;
  mark.group = shape->group;
  int64_t rows_per_block = shape->threads / shape->group;
  mark.blocks = std::clamp<int64_t>((rows + rows_per_block - 1) / rows_per_block, 1, kMaxBlocks);
  return mark;
}

// gpu(vector)'s width for a phase: 0 when nothing packs; 8 when a 2-byte
// buffer packs and every access that packs four at a time still packs
// eight at a time (else 4, the f16/bf16 packs then 8 bytes).
int vectorWidth(const Kernel& kernel, const std::vector<const ForStmt*>& nest, std::span<const Stmt> body,
                const Var& flat) {
  PhasePacks four = findPhasePacks(kernel, nest, body, flat, kGpuVectorWidth);
  if (four.empty()) return 0;
  auto narrow = [&](const PackAccess& a) { return ir::dtypeSize(kernel.buffers[a.buffer].dtype) == 2; };
  if (std::none_of(four.loads.begin(), four.loads.end(), narrow) &&
      std::none_of(four.stores.begin(), four.stores.end(), narrow))
    return kGpuVectorWidth;
  PhasePacks eight = findPhasePacks(kernel, nest, body, flat, kGpuHalfVectorWidth);
  bool all = eight.loads.size() == four.loads.size() && eight.stores.size() == four.stores.size();
  return all ? kGpuHalfVectorWidth : kGpuVectorWidth;
}

// The mark of a top-level nest of parallel loops: the first mapping that
// takes it, split reductions, packed vectors, row groups, else one item a
// thread or a block per row.
GpuMark loopMark(const Kernel& kernel, const ForStmt& loop) {
  std::vector<const ForStmt*> nest = parallelNest(loop);
  std::span<const Stmt> body = nest.back()->body;
  int64_t total = tripCount(nest);
  // An empty nest launches nothing (the emitter drops it).
  if (total == 0) return GpuMark{GpuKind::kGridStride, gpuThreadsFor(0), 1};
  if (std::optional<GpuMark> split = splitMark(kernel, nest, body)) return *split;
  bool rows = worthBlockPerRow(body, total);
  GpuMark mark;
  Var flat = gpuCounter(kernel, GpuCounter::kFlat);
  if (int width = rows ? 0 : vectorWidth(kernel, nest, body, flat); width > 0) {
    int64_t groups = total / width;
    mark.kind = GpuKind::kVector;
    mark.width = width;
    mark.threads = gpuThreadsFor(groups);
    mark.blocks = blocksFor(groups, mark.threads);
    return mark;
  }
  if (std::optional<GpuMark> groups = rowGroupsMark(kernel, total, body)) return *groups;
  if (rows) {
    mark.kind = GpuKind::kBlockPerRow;
    mark.threads = gpuThreadsFor(blockWorkExtent(body));
    mark.blocks = std::clamp<int64_t>(total, 1, kMaxBlocks);
    return mark;
  }
  mark.kind = GpuKind::kGridStride;
  mark.threads = gpuThreadsFor(total);
  mark.blocks = blocksFor(total, mark.threads);
  return mark;
}

void clearLoopMarks(StmtList& body) {
  for (Stmt& s : body)
    if (auto* f = s.as<ForStmt>()) f->gpu.reset(), clearLoopMarks(f->body);
}

}  // namespace

bool isParallelFor(const Stmt& stmt) {
  auto* f = stmt.as<ForStmt>();
  return f && (f->kind == LoopKind::kParallel || f->kind == LoopKind::kVector);
}

std::vector<const ForStmt*> parallelNest(const ForStmt& outer) {
  std::vector<const ForStmt*> nest = {&outer};
  while (nest.back()->body.size() == 1) {
    const ForStmt* inner = nest.back()->body[0].as<ForStmt>();
    if (!inner || (inner->kind != LoopKind::kParallel && inner->kind != LoopKind::kVector)) break;
    nest.push_back(inner);
  }
  return nest;
}

int64_t tripCount(const std::vector<const ForStmt*>& nest) {
  int64_t total = 1;
  for (const ForStmt* f : nest) total *= std::max<int64_t>(f->hi - f->lo, 0);
  return total;
}

int gpuThreadsFor(int64_t work) {
  int64_t rounded = (std::max<int64_t>(work, 1) + 31) / 32 * 32;
  return static_cast<int>(std::min<int64_t>(rounded, kGpuBlockThreads));
}

bool hasReduce(const Expr& expr) {
  return anyExpr(expr, [](const Expr& e) { return e.as<ReduceExpr>() != nullptr; });
}
bool hasLoad(const Expr& expr) {
  return anyExpr(expr, [](const Expr& e) { return e.as<LoadExpr>() != nullptr; });
}

bool hasBlockWork(const Stmt& stmt) {
  if (auto* f = stmt.as<ForStmt>())
    return isParallelFor(stmt) || std::any_of(f->body.begin(), f->body.end(), hasBlockWork);
  if (auto* l = stmt.as<LetStmt>()) return hasReduce(*l->value);
  if (auto* s = stmt.as<StoreStmt>()) return hasReduce(*s->index) || hasReduce(*s->value);
  if (auto* i = stmt.as<IfStmt>())
    return hasReduce(*i->cond) || std::any_of(i->then_body.begin(), i->then_body.end(), hasBlockWork);
  return false;
}

int64_t blockWorkExtent(std::span<const Stmt> stmts) {
  int64_t best = 0;
  for (const Stmt& stmt : stmts) {
    if (auto* f = stmt.as<ForStmt>())
      best = std::max(best, isParallelFor(stmt) ? f->hi - f->lo : blockWorkExtent(f->body));
    if (auto* l = stmt.as<LetStmt>()) best = std::max(best, outerReduceExtent(*l->value));
    if (auto* s = stmt.as<StoreStmt>())
      best = std::max({best, outerReduceExtent(*s->index), outerReduceExtent(*s->value)});
    if (auto* i = stmt.as<IfStmt>())
      best = std::max({best, outerReduceExtent(*i->cond), blockWorkExtent(i->then_body)});
  }
  return best;
}

int mapForGpu(Kernel& kernel) {
  clearLoopMarks(kernel.body);
  std::span<const Stmt> body = kernel.body;
  int launches = 0;
  bool lets_load = false, serial_block_work = false;
  for (size_t i = 0; i < body.size();) {
    if (isParallelFor(body[i])) {
      ++launches, ++i;
      continue;
    }
    // A run of other statements (lets among them, in order) is one launch
    // unless it is only lets, which every later launch replays.
    size_t end = i;
    bool only_lets = true;
    for (; end < body.size() && !isParallelFor(body[end]); ++end) {
      serial_block_work = serial_block_work || hasBlockWork(body[end]);
      const auto* l = body[end].as<LetStmt>();
      only_lets = only_lets && l;
      if (l) lets_load = lets_load || hasLoad(*l->value);
    }
    launches += only_lets ? 0 : 1;
    i = end;
  }
  // One block runs everything when serial statements need a block (a
  // whole-tensor reduction) or when replaying top-level lets in later
  // launches could read what earlier ones wrote.
  if (serial_block_work || (lets_load && launches > 1)) {
    GpuMark block{GpuKind::kOneBlock, gpuThreadsFor(blockWorkExtent(body))};
    kernel.gpu = splitMark(kernel, {}, body).value_or(block);
    return 1;
  }
  kernel.gpu = GpuMark{GpuKind::kOneThread};
  int marks = 1;
  for (Stmt& s : kernel.body)
    if (isParallelFor(s)) s.as<ForStmt>()->gpu = loopMark(kernel, *s.as<ForStmt>()), ++marks;
  return marks;
}

Var gpuCounter(const Kernel& kernel, GpuCounter counter) {
  static constexpr const char* kNames[] = {"flat", "col", "lane_col", "u", "o"};
  int offset = static_cast<int>(counter);
  return Var{kernel.next_var_id + offset, ScalarType::kI64, kNames[offset]};
}

}  // namespace dlc::kir
