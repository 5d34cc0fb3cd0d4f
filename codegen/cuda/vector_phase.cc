#include "codegen/cuda/vector_phase.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "codegen/cuda/load_sites.h"
#include "codegen/cuda/syntax.h"
#include "ir/kernel/analysis.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ExprRef;
using kir::Stmt;

constexpr int kLanes = 4;

struct Pack {
  kir::BufferId buffer;
  ExprRef first_lane;  // the index at the group's first item, in the flat counter
  std::string name;
};

struct Packing {
  std::vector<Pack> loads, stores;
  std::map<const kir::Expr*, size_t> load_of;  // every load node reading a packed load
  std::map<const kir::StoreStmt*, size_t> store_of;
};

Packing findPacks(const kir::Kernel& kernel, std::span<const Stmt> body, const Bindings& bindings,
                  const kir::Var& flat, int64_t groups) {
  Packing p;
  std::set<kir::BufferId> stored = storedBuffers(body), loaded = loadedBuffers(body);
  auto packable = [&](kir::BufferId b, const ExprRef& index) {
    return kernel.buffers[b].role != kir::BufferRole::kLocal && !readsMemory(index) &&
           isAlignedRun(laneStep(index, flat.id, kLanes), kLanes);
  };
  // A load in a branch (relu's gradient: select(x > 0, g[p], 0)) may be read
  // for the whole group only when every group's index is in the buffer.
  auto inBounds = [&](kir::BufferId b, const ExprRef& index) {
    std::optional<Range> r = indexRange(index, {{flat.id, Range{0, groups * kLanes - 1}}});
    return r && r->first >= 0 && r->second < kernel.buffers[b].size;
  };
  std::vector<LoadSite> sites;
  collectLoads(body, bindings, sites);
  std::map<std::string, size_t> by_key;
  for (const LoadSite& s : sites) {
    if (s.key.empty() || stored.contains(s.buffer) || by_key.contains(s.key)) continue;
    if (!packable(s.buffer, s.index) || (!s.unconditional && !inBounds(s.buffer, s.index))) continue;
    by_key[s.key] = p.loads.size();
    p.loads.push_back(Pack{s.buffer, s.index, strCat("pk", p.loads.size())});
  }
  // Every load of a packed element reads the pack.
  for (const LoadSite& s : sites)
    if (auto it = by_key.find(s.key); !s.key.empty() && it != by_key.end()) p.load_of[s.node] = it->second;
  // A contiguous read left to the lanes would touch four times the sectors
  // per instruction; the one-item-per-thread loop coalesces it.
  for (const LoadSite& s : sites) {
    LaneStep step = laneStep(s.index, flat.id, kLanes);
    if (!p.load_of.contains(s.node) && step.kind == LaneStep::Kind::kAffine && step.stride == 1) return Packing{};
  }

  std::map<kir::BufferId, int> stores_to;
  for (kir::BufferId b : stored) stores_to[b] = 0;
  std::function<void(std::span<const Stmt>)> count = [&](std::span<const Stmt> stmts) {
    for (const Stmt& s : stmts) {
      if (const auto* st = s.as<kir::StoreStmt>()) ++stores_to[st->buffer];
      if (const auto* i = s.as<kir::IfStmt>()) count(i->then_body);
    }
  };
  count(body);
  for (const Stmt& s : body) {
    const auto* st = s.as<kir::StoreStmt>();
    if (!st || st->accumulate || loaded.contains(st->buffer) || stores_to[st->buffer] != 1) continue;
    ExprRef index = simplifyIndex(st->index, bindings);
    if (!packable(st->buffer, index)) continue;
    p.store_of[st] = p.stores.size();
    p.stores.push_back(Pack{st->buffer, index, strCat("st", p.stores.size())});
  }
  return p;
}

std::string packType(const kir::Kernel& kernel, const Pack& pack) {
  return strCat("dlc_pack<", cudaType(kernel.buffers[pack.buffer].dtype), ", ", kLanes, ">");
}

}  // namespace

absl::StatusOr<std::optional<PhaseText>> emitVectorPhase(const kir::Kernel& kernel, const Phase& phase,
                                                         const std::string& name) {
  int64_t total = tripCount(phase.nest);
  if (phase.kind != Phase::Kind::kGridStride || total < kLanes || !isStraightLine(phase.stmts))
    return std::nullopt;
  if (std::any_of(kernel.buffers.begin(), kernel.buffers.end(),
                  [](const kir::Buffer& b) { return b.role == kir::BufferRole::kLocal; }))
    return std::nullopt;
  // The nest's indices and the body's lets, in terms of one flat counter.
  kir::Var flat{unusedVarId(kernel, 0), kir::ScalarType::kI64, "flat"};
  Bindings bindings;
  int64_t stride = 1;
  for (size_t k = phase.nest.size(); k-- > 0;) {
    const kir::ForStmt* f = phase.nest[k];
    bindings[f->var.id] = digitOf(flat, f->lo, stride, f->hi - f->lo, k == 0);
    stride *= f->hi - f->lo;
  }
  bindLets(phase.stmts, bindings);
  Packing packs = findPacks(kernel, phase.stmts, bindings, flat, total / kLanes);
  if (packs.loads.empty() && packs.stores.empty()) return std::nullopt;

  PhaseText out;
  CudaLaunch launch;
  launch.name = name;
  int64_t groups = total / kLanes;
  launch.block_x = threadsFor(groups);
  launch.grid_x = std::clamp<int64_t>((groups + launch.block_x - 1) / launch.block_x, 1, kMaxBlocks);
  BodyWriter w(kernel, &out.text);
  w.setOverrides(BodyWriter::Overrides{.lets_maybe_unused = true});
  RETURN_IF_ERROR(openKernel(w, kernel, phase, launch, false));
  std::string_view counter = counterType(total);
  std::string first = w.varName(flat);
  w.line(1, strCat("for (", counter, " grp = blockIdx.x * (", counter, ")blockDim.x + threadIdx.x; grp < ", groups,
                   "; grp += gridDim.x * (", counter, ")blockDim.x) {"));
  // In the counter's type, so that index arithmetic stays 32-bit where it can.
  w.line(2, strCat("const ", counter, " item0 = grp * (", counter, ")", kLanes, ";"));
  w.line(2, strCat("const long long ", first, " = (long long)item0;"));
  for (const Pack& p : packs.loads) {
    ASSIGN_OR_RETURN(std::string index, w.expr(*p.first_lane, 2, false));
    w.line(2, strCat("const ", packType(kernel, p), " ", p.name, " = dlc_load_pack<", kLanes, ">(&",
                     w.bufferName(p.buffer), "[", index, "]);"));
  }
  for (const Pack& p : packs.stores) w.line(2, strCat(packType(kernel, p), " ", p.name, ";"));
  w.line(2, "#pragma unroll");
  w.line(2, strCat("for (int lane = 0; lane < ", kLanes, "; ++lane) {"));
  bindNest(w, phase.nest, "(item0 + lane)", 3, /*maybe_unused=*/true);
  w.setOverrides(BodyWriter::Overrides{
      .value = [&](const kir::Expr& e) -> std::optional<std::string> {
        auto it = packs.load_of.find(&e);
        if (it == packs.load_of.end()) return std::nullopt;
        return strCat(packs.loads[it->second].name, ".v[lane]");
      },
      .reduce = nullptr,
      .store_target = [&](const kir::StoreStmt& s) -> std::optional<std::string> {
        auto it = packs.store_of.find(&s);
        if (it == packs.store_of.end()) return std::nullopt;
        return strCat(packs.stores[it->second].name, ".v[lane]");
      },
      .lets_maybe_unused = true});
  RETURN_IF_ERROR(w.thread(phase.stmts, 3, true));
  w.setOverrides({});
  w.line(2, "}");
  for (const Pack& p : packs.stores) {
    ASSIGN_OR_RETURN(std::string index, w.expr(*p.first_lane, 2, false));
    w.line(2, strCat("dlc_store_pack<", kLanes, ">(&", w.bufferName(p.buffer), "[", index, "], ", p.name, ");"));
  }
  w.line(1, "}");
  if (total % kLanes != 0) {
    // The items after the last whole group, one per thread.
    w.line(1, strCat("for (", counter, " flat = ", groups * kLanes, " + blockIdx.x * (", counter,
                     ")blockDim.x + threadIdx.x; flat < ", total, "; flat += gridDim.x * (", counter,
                     ")blockDim.x) {"));
    bindNest(w, phase.nest, "flat", 2);
    RETURN_IF_ERROR(w.thread(phase.stmts, 2, true));
    w.line(1, "}");
  }
  w.line(0, "}");
  out.launches.push_back(launch);
  return out;
}

}  // namespace dlc::codegen::cuda
