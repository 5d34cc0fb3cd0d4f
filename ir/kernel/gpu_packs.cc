#include "ir/kernel/gpu_packs.h"

#include <algorithm>
#include <functional>
#include <set>
#include <string>

#include "ir/kernel/index_analysis.h"
#include "ir/kernel/load_sites.h"

namespace dlc::kir {

PhasePacks findPhasePacks(const Kernel& kernel, const std::vector<const ForStmt*>& nest, std::span<const Stmt> body,
                          const Var& flat, int width) {
  int64_t total = 1;
  for (const ForStmt* f : nest) total *= std::max<int64_t>(f->hi - f->lo, 0);
  if (total < width || !isStraightLine(body)) return {};
  if (std::any_of(kernel.buffers.begin(), kernel.buffers.end(),
                  [](const Buffer& b) { return b.role == BufferRole::kLocal; }))
    return {};
  // The nest's indices and the body's lets, in terms of one flat counter.
  Bindings bindings;
  int64_t stride = 1;
  for (size_t k = nest.size(); k-- > 0;) {
    const ForStmt* f = nest[k];
    bindings[f->var.id] = digitOf(flat, f->lo, stride, f->hi - f->lo, k == 0);
    stride *= f->hi - f->lo;
  }
  bindLets(body, bindings);
  int64_t groups = total / width;

  PhasePacks p;
  std::set<BufferId> stored = storedBuffers(body), loaded = loadedBuffers(body);
  auto packable = [&](BufferId b, const ExprRef& index) {
    return kernel.buffers[b].role != BufferRole::kLocal && !readsMemory(index) &&
           isAlignedRun(laneStep(index, flat.id, width), width);
  };
  // A load in a branch (relu's gradient: select(x > 0, g[p], 0)) may be read
  // for the whole group only when every group's index is in the buffer.
  auto inBounds = [&](BufferId b, const ExprRef& index) {
    std::optional<Range> r = indexRange(index, {{flat.id, Range{0, groups * width - 1}}});
    return r && r->first >= 0 && r->second < kernel.buffers[b].size;
  };
  std::vector<LoadSite> sites;
  collectLoads(body, bindings, sites);
  std::map<std::string, size_t> by_key;
  for (const LoadSite& s : sites) {
    if (s.key.empty() || stored.contains(s.buffer) || by_key.contains(s.key)) continue;
    if (!packable(s.buffer, s.index) || (!s.unconditional && !inBounds(s.buffer, s.index))) continue;
    by_key[s.key] = p.loads.size();
    p.loads.push_back(PackAccess{s.buffer, s.index});
  }
  // Every load of a packed element reads the pack.
  for (const LoadSite& s : sites)
    if (auto it = by_key.find(s.key); !s.key.empty() && it != by_key.end()) p.load_of[s.node] = it->second;
  // A contiguous read left to the lanes would touch four times the sectors
  // per instruction; the one-item-per-thread loop coalesces it.
  for (const LoadSite& s : sites) {
    LaneStep step = laneStep(s.index, flat.id, width);
    if (!p.load_of.contains(s.node) && step.kind == LaneStep::Kind::kAffine && step.stride == 1) return {};
  }

  std::map<BufferId, int> stores_to;
  for (BufferId b : stored) stores_to[b] = 0;
  std::function<void(std::span<const Stmt>)> count = [&](std::span<const Stmt> stmts) {
    for (const Stmt& s : stmts) {
      if (const auto* st = s.as<StoreStmt>()) ++stores_to[st->buffer];
      if (const auto* i = s.as<IfStmt>()) count(i->then_body);
    }
  };
  count(body);
  for (const Stmt& s : body) {
    const auto* st = s.as<StoreStmt>();
    if (!st || st->accumulate || loaded.contains(st->buffer) || stores_to[st->buffer] != 1) continue;
    ExprRef index = simplifyIndex(st->index, bindings);
    if (!packable(st->buffer, index)) continue;
    p.store_of[st] = p.stores.size();
    p.stores.push_back(PackAccess{st->buffer, index});
  }
  return p;
}

}  // namespace dlc::kir
