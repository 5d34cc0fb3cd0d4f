#include "ir/kernel/gpu_rows.h"

#include <algorithm>
#include <set>
#include <utility>

#include "ir/kernel/walk.h"
#include "support/int_math.h"

namespace dlc::kir {
namespace {

constexpr int kPackWidth = 4;
// Slots a thread takes per row at most: the loops over them are unrolled.
constexpr int64_t kMaxSlots = 16;
// Threads of a block that holds several rows.
constexpr int kRowsBlock = 256;

bool addReductions(const ExprRef& e, RowPasses& out) {
  if (const auto* r = e->as<ReduceExpr>()) {
    if (holdsReduce(r->init) || holdsReduce(r->body)) return false;
    if (!out.pass_of_reduce.contains(e.get())) {
      out.pass_of_reduce[e.get()] = out.passes.size();
      out.passes.push_back(RowPass{.reduce = r});
    }
    return true;
  }
  bool ok = true;
  forEachChild(*e, [&](const ExprRef& x) { ok = ok && addReductions(x, out); });
  return ok;
}

bool collectPasses(std::span<const Stmt> stmts, RowPasses& out) {
  for (const Stmt& s : stmts) {
    if (const auto* l = s.as<LetStmt>()) {
      if (!addReductions(l->value, out)) return false;
    } else if (const auto* st = s.as<StoreStmt>()) {
      if (holdsReduce(st->index) || !addReductions(st->value, out)) return false;
    } else if (const auto* f = s.as<ForStmt>()) {
      if (f->kind != LoopKind::kParallel && f->kind != LoopKind::kVector) return false;
      if (!isStraightLine(f->body)) return false;
      out.pass_of_loop[f] = out.passes.size();
      out.passes.push_back(RowPass{.loop = f});
    } else {
      return false;  // ifs, serial loops: the plain mapping
    }
  }
  if (out.pass_of_reduce.empty()) return false;
  auto range = [](const RowPass& p) {
    return p.reduce ? std::pair(p.reduce->lo, p.reduce->hi) : std::pair(p.loop->lo, p.loop->hi);
  };
  std::tie(out.lo, out.hi) = range(out.passes[0]);
  return out.lo >= 0 && out.hi > out.lo && std::all_of(out.passes.begin(), out.passes.end(), [&](const RowPass& p) {
           return range(p) == std::pair(out.lo, out.hi);
         });
}

// Whether neighbouring columns are neighbouring elements for the reductions'
// loads.
bool readsAlongRows(const RowPasses& rows, const Var& col) {
  bool along = false;
  for (const RowPass& p : rows.passes) {
    if (!p.reduce) continue;
    for (const LoadSite& s : p.loads) {
      if (s.key.empty()) return false;
      LaneStep step = laneStep(s.index, col.id, 1);
      if (step.kind == LaneStep::Kind::kAffine && step.stride == 1)
        along = true;
      else if (step.kind != LaneStep::Kind::kInvariant)
        return false;
    }
  }
  return along;
}

}  // namespace

std::optional<RowPasses> findRowPasses(const Kernel& kernel, std::span<const Stmt> stmts, const Var& col) {
  if (std::any_of(kernel.buffers.begin(), kernel.buffers.end(),
                  [](const Buffer& b) { return b.role == BufferRole::kLocal; }))
    return std::nullopt;
  RowPasses out;
  if (!collectPasses(stmts, out)) return std::nullopt;
  std::set<BufferId> stored = storedBuffers(stmts), loaded = loadedBuffers(stmts);
  if (std::any_of(stored.begin(), stored.end(), [&](BufferId b) { return loaded.contains(b); })) return std::nullopt;
  // Row-level index lets fold into the passes' indices.
  Bindings row_lets;
  for (const Stmt& s : stmts)
    if (const auto* l = s.as<LetStmt>();
        l && l->var.type == ScalarType::kI64 && !holdsReduce(l->value) && !readsMemory(l->value))
      row_lets[l->var.id] = l->value;
  for (RowPass& p : out.passes) {
    p.bindings = row_lets;
    p.bindings[p.var().id] = var(col);
    if (p.reduce) {
      collectLoads(p.reduce->body, true, p.bindings, p.loads);
    } else {
      bindLets(p.loop->body, p.bindings);
      collectLoads(p.loop->body, p.bindings, p.loads);
    }
  }
  return out;
}

// Packs when some access can be one, unless a contiguous access cannot: four
// columns a thread would make its lanes' reads strided (a shifted slice).
std::optional<RowShape> chooseRowShape(const Kernel& kernel, const RowPasses& rows, const Var& col) {
  // A row whose reductions read across rows (a matrix product's strided
  // operand) is not what the group mapping is for: neighbouring threads of
  // a group would read far apart.
  if (!readsAlongRows(rows, col)) return std::nullopt;
  int64_t columns = rows.hi - rows.lo;
  bool any_pack = false, unaligned = false;
  auto consider = [&](const ExprRef& index) {
    LaneStep step = laneStep(index, col.id, kPackWidth);
    bool contiguous = step.kind == LaneStep::Kind::kAffine && step.stride == 1;
    bool pack = !readsMemory(index) && isAlignedRun(step, kPackWidth);
    any_pack = any_pack || pack;
    unaligned = unaligned || (contiguous && !pack);
  };
  if (columns % kPackWidth == 0 && rows.lo % kPackWidth == 0) {
    for (const RowPass& p : rows.passes) {
      for (const LoadSite& s : p.loads) consider(s.index);
      if (p.loop)
        for (const Stmt& st : p.loop->body)
          if (const auto* store = st.as<StoreStmt>()) consider(simplifyIndex(store->index, p.bindings));
    }
  }
  RowShape shape;
  shape.width = any_pack && !unaligned ? kPackWidth : 1;
  int64_t units = columns / shape.width;
  // About four slots a thread: enough loads in flight, few registers.
  if (units <= 128) {
    shape.group = static_cast<int>(std::min<int64_t>(32, pow2AtLeast(ceilDiv(units, 4))));
    shape.threads = kRowsBlock;
  } else {
    shape.group = static_cast<int>(std::clamp<int64_t>(pow2AtLeast(ceilDiv(units, 4)), 64, 1024));
    shape.threads = shape.group;
  }
  shape.slots = rowSlots(columns, shape.width, shape.group);
  if (shape.slots > kMaxSlots) return std::nullopt;
  return shape;
}

}  // namespace dlc::kir
