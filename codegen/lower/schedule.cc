#include "codegen/lower/schedule.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "codegen/compute/compute.h"
#include "codegen/lower/winograd.h"
#include "ir/kernel/analysis.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using kir::ExprRef;

std::optional<int64_t> constantIndex(const ExprRef& e) {
  if (const auto* c = e->as<kir::ConstExpr>(); c && e->type == ir::DType::kI64) return c->bits;
  return std::nullopt;
}

// Index arithmetic that folds constants, so that printed kernels stay
// readable (`%j`, not `add(mul(0, 10), %j)`).
ExprRef addIndex(const ExprRef& a, const ExprRef& b) {
  auto ca = constantIndex(a), cb = constantIndex(b);
  if (ca && cb) return kir::index(*ca + *cb);
  if (ca == 0) return b;
  if (cb == 0) return a;
  return kir::binary(kir::BinaryOp::kAdd, a, b);
}

ExprRef mulIndex(const ExprRef& a, int64_t b) {
  if (auto ca = constantIndex(a)) return kir::index(*ca * b);
  if (b == 0) return kir::index(0);
  if (b == 1) return a;
  return kir::binary(kir::BinaryOp::kMul, a, kir::index(b));
}

ExprRef linearIndex(std::span<const ExprRef> index, std::span<const int64_t> shape) {
  ExprRef linear = kir::index(0);
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    linear = addIndex(mulIndex(index[d], stride), linear);
    stride *= shape[d];
  }
  return linear;
}

OpTypes opTypes(const ir::Operation& op, const ConcreteTypes& types) {
  OpTypes t;
  for (const ir::Value* v : op.operands()) {
    t.operand_dtypes.push_back(types.at(v).dtype);
    t.operand_shapes.push_back(types.at(v).shape);
  }
  for (size_t i = 0; i < op.numResults(); ++i) {
    t.result_dtypes.push_back(types.at(op.result(i)).dtype);
    t.result_shapes.push_back(types.at(op.result(i)).shape);
  }
  return t;
}

std::string describeOps(const FusionGroup& group) {
  std::vector<std::string> names;
  for (const ir::Operation* op : group.ops) names.emplace_back(op->name());
  std::string origin = strJoin(names, ", ");
  Location loc = group.root()->location();
  if (loc.valid()) strAppend(&origin, " at line ", loc.line);
  return origin;
}

// Turns reductions that do not depend on an enclosing reduction's index, and
// subexpressions used more than once, into `let`s at the outermost loop
// depth where their variables are defined.
class Hoister {
 public:
  Hoister(kir::Kernel& kernel, absl::flat_hash_map<int, int> depth_of, int depth_count)
      : kernel_(kernel), depth_of_(std::move(depth_of)), lets_(depth_count) {}

  void count(const ExprRef& e) {
    if (uses_[e.get()]++ > 0) return;
    forEachChild(e, [&](const ExprRef& child) { count(child); });
  }

  ExprRef hoist(const ExprRef& e) { return visit(e); }

  std::vector<kir::StmtList>& lets() { return lets_; }

 private:
  template <typename F>
  static void forEachChild(const ExprRef& e, F f) {
    std::visit(
        [&](const auto& node) {
          using T = std::decay_t<decltype(node)>;
          if constexpr (std::is_same_v<T, kir::LoadExpr>) f(node.index);
          if constexpr (std::is_same_v<T, kir::UnaryExpr>) f(node.x);
          if constexpr (std::is_same_v<T, kir::BinaryExpr>) {
            f(node.lhs);
            f(node.rhs);
          }
          if constexpr (std::is_same_v<T, kir::SelectExpr>) {
            f(node.cond);
            f(node.if_true);
            f(node.if_false);
          }
          if constexpr (std::is_same_v<T, kir::CastExpr>) f(node.x);
          if constexpr (std::is_same_v<T, kir::ReduceExpr>) {
            f(node.init);
            f(node.body);
          }
        },
        e->node);
  }

  ExprRef visit(const ExprRef& e) {
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second;
    ExprRef rebuilt = kir::rewrite(e, [&](const ExprRef& node) -> ExprRef {
      if (node == e) return nullptr;  // rebuild this node from visited children
      return visit(node);
    });
    ExprRef result = rebuilt;
    bool trivial = e->as<kir::ConstExpr>() || e->as<kir::VarExpr>();
    bool shared = uses_[e.get()] > 1;
    if (!trivial && (e->as<kir::ReduceExpr>() || shared)) {
      std::set<int> free = kir::freeVars(rebuilt);
      int depth = 0;
      bool placeable = true;
      for (int id : free) {
        auto it = depth_of_.find(id);
        if (it == depth_of_.end()) {  // bound by an enclosing reduction
          placeable = false;
          break;
        }
        depth = std::max(depth, it->second);
      }
      if (placeable) result = letFor(rebuilt, depth);
    }
    memo_[e.get()] = result;
    return result;
  }

  ExprRef letFor(const ExprRef& value, int depth) {
    std::string key = kir::structuralKey(value);
    if (auto it = named_.find(key); it != named_.end()) return kir::var(it->second);
    kir::Var v = kernel_.newVar(value->type, value->as<kir::ReduceExpr>() ? "r" : "t");
    lets_[depth].push_back(kir::Stmt{kir::LetStmt{v, value}});
    depth_of_[v.id] = depth;
    named_.emplace(std::move(key), v);
    return kir::var(v);
  }

  kir::Kernel& kernel_;
  absl::flat_hash_map<int, int> depth_of_;  // var id -> let depth where it is defined
  std::vector<kir::StmtList> lets_;
  absl::flat_hash_map<const kir::Expr*, int> uses_;
  absl::flat_hash_map<const kir::Expr*, ExprRef> memo_;
  absl::flat_hash_map<std::string, kir::Var> named_;
};

class GroupLowering {
 public:
  GroupLowering(const FusionGroup& group, const ConcreteTypes& types, std::string name, const ScheduleOptions& options,
                const LibraryResult* library, SavedActivations saved)
      : group_(group), types_(types), options_(options), library_(library), saved_(saved) {
    out_.kernel.name = std::move(name);
    out_.kernel.origin = describeOps(group);
    for (const ir::Operation* op : group.ops) members_.insert(op);
  }

  absl::StatusOr<LoweredGroup> run() {
    if (group_.built) {
      RETURN_IF_ERROR(build());
    } else {
      RETURN_IF_ERROR(compute());
    }
    return std::move(out_);
  }

 private:
  kir::BufferId addBuffer(const ir::Value* v, kir::BufferRole role) {
    const ConcreteType& t = types_.at(v);
    std::string name = v->nameHint().empty() ? strCat("v", out_.kernel.buffers.size()) : v->nameHint();
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    out_.sources.push_back(BufferSource{BufferSource::Kind::kValue, v});
    return out_.kernel.addBuffer(kir::Buffer{name, t.dtype, t.numElements(), role});
  }

  kir::BufferId inputBuffer(const ir::Value* v) {
    if (auto it = inputs_.find(v); it != inputs_.end()) return it->second;
    return inputs_[v] = addBuffer(v, kir::BufferRole::kIn);
  }

  RunState runState() {
    if (run_state_ < 0) {
      out_.sources.push_back(BufferSource{BufferSource::Kind::kRunState, nullptr});
      run_state_ = out_.kernel.addBuffer(kir::Buffer{"run_state", ir::DType::kI64, 2, kir::BufferRole::kIn});
    }
    return RunState{run_state_};
  }

  ExprRef operandAt(const ir::Value* v, const std::vector<ExprRef>& index) {
    const ir::Operation* producer = v->producer();
    if (producer && members_.contains(producer)) {
      absl::StatusOr<ExprRef> e = computeAt(*producer, static_cast<size_t>(v->index()), index);
      if (e.ok()) return *e;
      if (error_.ok()) error_ = e.status();
      return kir::constant(types_.at(v).dtype, 0);
    }
    const ConcreteType& t = types_.at(v);
    if (producer && producer->kind() == ir::OpKind::kConstant) {
      const std::vector<double>& values = producer->attrs().find("value")->asFloatList();
      if (values.size() == 1) return kir::constant(t.dtype, values[0]);
    }
    if (auto copied = group_.input_layouts.find(v); copied != group_.input_layouts.end())
      return copyAt(v, copied->second, index);
    return kir::load(inputBuffer(v), t.dtype, linearIndex(index, t.shape));
  }

  // Value `v` at `index` (in its own dims) read from its copy (layouts.h):
  // dim d of the copy is dim dims[d] of `v`, moved by its zeros before.
  ExprRef copyAt(const ir::Value* v, const OperandLayout& layout, const std::vector<ExprRef>& index) {
    const ConcreteType& t = types_.at(v);
    std::vector<ExprRef> at;
    for (size_t d = 0; d < layout.dims.size(); ++d) {
      ExprRef i = index[static_cast<size_t>(layout.dims[d])];
      at.push_back(layout.padded() && layout.before[d] != 0 ? addIndex(i, kir::index(layout.before[d])) : i);
    }
    return kir::load(inputBuffer(v), t.dtype, linearIndex(at, layout.shapeOf(t.shape)));
  }

  // ComputeContext::padded: `v` at an index that may lie in its zeros (the
  // copies are of values from outside the group only).
  ExprRef paddedAt(const ir::Value* v, const std::vector<ExprRef>& index) {
    auto copied = group_.input_layouts.find(v);
    if (copied == group_.input_layouts.end() || !copied->second.padded()) return nullptr;
    return copyAt(v, copied->second, index);
  }

  absl::StatusOr<ExprRef> computeAt(const ir::Operation& op, size_t result, const std::vector<ExprRef>& index) {
    std::string key = strCat(reinterpret_cast<uintptr_t>(&op), "/", result);
    for (const ExprRef& i : index) strAppend(&key, "/", kir::structuralKey(i));
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    if (library_ && (&op == group_.library || &op == group_.winograd)) return memo_[key] = libraryResultAt(op, index);
    const OpLowering& lowering = opLowering(op.kind());
    if (!lowering.compute) return absl::InternalError(strCat("'", op.name(), "' has no compute but was fused"));
    // Computes of producers run inside this one and add entries: the map
    // holds pointers so that `op_types` stays valid.
    std::unique_ptr<OpTypes>& op_types = op_types_[&op];
    if (!op_types) op_types = std::make_unique<OpTypes>(opTypes(op, types_));
    const OpTypes& types = *op_types;
    ComputeContext ctx{op,
                       types,
                       out_.kernel,
                       op.def().has(ir::kRandom) ? runState() : RunState{},
                       [&](size_t operand, std::vector<ExprRef> i) { return operandAt(op.operand(operand), i); },
                       [&](size_t operand, const std::vector<ExprRef>& i) { return paddedAt(op.operand(operand), i); }};
    ASSIGN_OR_RETURN(ExprRef e, lowering.compute(ctx, result, index));
    RETURN_IF_ERROR(error_);
    memo_[key] = e;
    return e;
  }

  // The library op's value at `index`: its call's result (in the call's
  // layout), plus the bias the call did not add.
  ExprRef libraryResultAt(const ir::Operation& op, const std::vector<ExprRef>& index) {
    const ConcreteType& t = types_.at(op.result(0));
    if (library_result_ < 0) {
      int64_t elements = 1;
      for (int64_t d : library_->shape) elements *= d;
      out_.sources.push_back(BufferSource{BufferSource::Kind::kLibraryResult, nullptr});
      std::string name = library_->winograd ? "winograd_product" : "library_result";
      library_result_ = out_.kernel.addBuffer(kir::Buffer{name, t.dtype, elements, kir::BufferRole::kIn});
    }
    ExprRef value;
    if (library_->winograd) {
      value = winogradOutputAt(*library_->winograd, index,
                               [&](ExprRef offset) { return kir::load(library_result_, t.dtype, offset); });
    } else {
      std::vector<ExprRef> at = index;
      if (!library_->layout.empty())
        for (size_t d = 0; d < library_->layout.size(); ++d) at[d] = index[static_cast<size_t>(library_->layout[d])];
      value = kir::load(library_result_, t.dtype, linearIndex(at, library_->shape));
    }
    if (library_->bias_after) {
      ExprRef bias = operandAt(op.operand(2), {index.back()});
      if (t.dtype == ir::DType::kF32 || t.dtype == ir::DType::kF64) {
        value = kir::binary(kir::BinaryOp::kAdd, value, bias);
      } else {  // f16, bf16: summed in f32, as the ops' computes do
        value = kir::cast(t.dtype, kir::binary(kir::BinaryOp::kAdd, kir::cast(ir::DType::kF32, value),
                                               kir::cast(ir::DType::kF32, bias)));
      }
    }
    return value;
  }

  absl::Status compute() {
    const ConcreteType& domain = types_.at(group_.outputs.front());
    const int64_t elements = domain.numElements();
    // Loops: one per dim, or a 1-D domain split into parallel chunks of a
    // vector loop.
    struct Loop {
      kir::Var var;
      int64_t extent;
      kir::LoopKind kind;
    };
    std::vector<Loop> loops;
    std::vector<ExprRef> index;
    kir::Kernel& k = out_.kernel;
    int64_t chunk = 1;
    if (domain.shape.size() == 1)
      for (int64_t c = 1024; c >= 64; c /= 2)
        if (domain.shape[0] % c == 0 && domain.shape[0] > c) {
          chunk = c;
          break;
        }
    if (chunk > 1) {
      loops.push_back({k.newVar(ir::DType::kI64, "i"), domain.shape[0] / chunk, kir::LoopKind::kSerial});
      loops.push_back({k.newVar(ir::DType::kI64, "j"), chunk, kir::LoopKind::kSerial});
      index.push_back(addIndex(mulIndex(kir::var(loops[0].var), chunk), kir::var(loops[1].var)));
    } else {
      static constexpr const char* kNames[] = {"i", "j", "k", "l", "m", "n", "o", "p"};
      for (size_t d = 0; d < domain.shape.size(); ++d) {
        loops.push_back(
            {k.newVar(ir::DType::kI64, d < 8 ? kNames[d] : strCat("i", d)), domain.shape[d], kir::LoopKind::kSerial});
        index.push_back(kir::var(loops.back().var));
      }
    }
    // Schedule marks: worth threads when there is enough work.
    bool heavy = elements >= 16384 || std::any_of(group_.ops.begin(), group_.ops.end(), [](const ir::Operation* op) {
                   return !op->def().has(ir::kElementwise);
                 });
    // Counted over the loops outside the vector loop, which collapse into
    // the parallel one (assembleNest): a batch of 1 leaves the first of them
    // a single step, not the rows of a convolution.
    int64_t outer = loops.empty() ? 1 : loops.front().extent;
    for (size_t d = 1; d + 1 < loops.size(); ++d) outer *= loops[d].extent;
    if (!loops.empty() && outer > 1 && heavy) loops.front().kind = kir::LoopKind::kParallel;
    if (loops.size() >= 2) loops.back().kind = kir::LoopKind::kVector;
    // A GPU needs every independent iteration as a thread.
    if (!options_.cpu)
      for (Loop& loop : loops) loop.kind = kir::LoopKind::kParallel;

    std::vector<std::pair<kir::BufferId, ExprRef>> stores;
    for (const ir::Value* v : group_.outputs) {
      ASSIGN_OR_RETURN(ExprRef e, computeAt(*v->producer(), static_cast<size_t>(v->index()), index));
      kir::BufferId out = addBuffer(v, kir::BufferRole::kOut);
      stores.emplace_back(out, kir::cast(types_.at(v).dtype, e));
    }
    absl::flat_hash_map<int, int> depth_of;
    for (size_t d = 0; d < loops.size(); ++d) depth_of[loops[d].var.id] = static_cast<int>(d) + 1;
    Hoister hoister(k, depth_of, static_cast<int>(loops.size()) + 1);
    for (auto& [buffer, e] : stores) hoister.count(e);
    ExprRef linear = linearIndex(index, domain.shape);
    kir::StmtList inner;
    for (auto& [buffer, e] : stores) {
      ExprRef value = hoister.hoist(e);
      inner.push_back(kir::Stmt{kir::StoreStmt{buffer, linear, value, false}});
    }
    std::vector<kir::StmtList>& lets = hoister.lets();
    std::vector<LoopSpec> specs;
    for (const Loop& loop : loops) specs.push_back(LoopSpec{loop.var, loop.extent, loop.kind});
    if (options_.cpu) {
      kir::StmtList before_inner;
      if (specs.size() >= 2 && specs.back().kind == kir::LoopKind::kVector)
        accumulateInLocals(specs, lets, before_inner);
      k.body = assembleNest(specs, lets, std::move(inner), std::move(before_inner));
      out_.sources.resize(k.buffers.size(), BufferSource{BufferSource::Kind::kLocal, nullptr});  // its accumulators
    } else {
      k.body = assembleNest(specs, lets, std::move(inner), {});
    }
    return absl::OkStatus();
  }

  struct LoopSpec {
    kir::Var var;
    int64_t extent;
    kir::LoopKind kind;
  };

  // Moves each reduction `let` of the innermost vector loop's body whose
  // body reads only loop indices and outer lets out in front of that loop:
  //   vector for v { acc[v] = init }
  //   for r... { vector for v { acc[v] = combine(acc[v], body) } }
  // and reads acc[v] in its place. Nested reductions of one combiner
  // become nested loops.
  void accumulateInLocals(const std::vector<LoopSpec>& loops, std::vector<kir::StmtList>& lets, kir::StmtList& before) {
    const LoopSpec& vec = loops.back();
    if (vec.extent > 4096) return;
    kir::Kernel& k = out_.kernel;
    absl::flat_hash_set<int> outer;  // vars defined outside the vector loop
    for (size_t d = 0; d < loops.size(); ++d) outer.insert(loops[d].var.id);
    for (size_t d = 0; d + 1 < lets.size(); ++d)
      for (const kir::Stmt& s : lets[d]) outer.insert(s.as<kir::LetStmt>()->var.id);
    for (kir::Stmt& stmt : lets.back()) {
      kir::LetStmt& let = *stmt.as<kir::LetStmt>();
      const auto* r = let.value->as<kir::ReduceExpr>();
      if (!r) continue;
      // Flatten reduce(op, reduce(op, ...)) with identity inits.
      std::vector<const kir::ReduceExpr*> nest = {r};
      while (const auto* inner = nest.back()->body->as<kir::ReduceExpr>()) {
        if (inner->op != r->op || !kir::isReduceIdentity(inner->init, r->op)) break;
        nest.push_back(inner);
      }
      ExprRef body = nest.back()->body;
      std::set<int> free = kir::freeVars(body);
      for (const kir::ReduceExpr* n : nest) free.erase(n->var.id);
      if (!std::all_of(free.begin(), free.end(), [&](int id) { return outer.contains(id); })) continue;
      // A strided read would become a gather: vectorizing the reduction
      // itself is better then.
      if (!kir::loadsContiguousIn(body, vec.var.id)) continue;
      std::set<int> init_free = kir::freeVars(r->init);
      if (!std::all_of(init_free.begin(), init_free.end(), [&](int id) { return outer.contains(id); })) continue;
      kir::BufferId acc =
          k.addBuffer(kir::Buffer{strCat("acc", k.buffers.size()), let.var.type, vec.extent, kir::BufferRole::kLocal});
      out_.sources.push_back(BufferSource{BufferSource::Kind::kLocal, nullptr});
      // The two new vector loops get their own index variables.
      kir::Var v_init = k.newVar(ir::DType::kI64, vec.var.name);
      kir::Var v_update = k.newVar(ir::DType::kI64, vec.var.name);
      auto renamed = [&](const ExprRef& e, const kir::Var& to) {
        return kir::rewrite(e, [&](const ExprRef& node) -> ExprRef {
          const auto* v = node->as<kir::VarExpr>();
          return v && v->var.id == vec.var.id ? kir::var(to) : nullptr;
        });
      };
      kir::StmtList init_body, update_body;
      init_body.push_back(kir::Stmt{kir::StoreStmt{acc, kir::var(v_init), renamed(r->init, v_init), false}});
      ExprRef at = kir::var(v_update);
      kir::StmtList lane_invariant;  // lets before the vector loop, in the innermost reduction loop
      ExprRef update_value = hoistLaneInvariantSelects(renamed(body, v_update), v_update, lane_invariant);
      update_body.push_back(kir::Stmt{kir::StoreStmt{
          acc, at, kir::binary(kir::reduceCombiner(r->op), kir::load(acc, let.var.type, at), update_value), false}});
      before.push_back(kir::Stmt{kir::ForStmt{v_init, 0, vec.extent, kir::LoopKind::kVector, std::move(init_body)}});
      kir::Stmt update{kir::ForStmt{v_update, 0, vec.extent, kir::LoopKind::kVector, std::move(update_body)}};
      for (size_t n = nest.size(); n-- > 0;) {
        kir::StmtList wrapped = n + 1 == nest.size() ? std::move(lane_invariant) : kir::StmtList{};
        wrapped.push_back(std::move(update));
        update =
            kir::Stmt{kir::ForStmt{nest[n]->var, nest[n]->lo, nest[n]->hi, kir::LoopKind::kSerial, std::move(wrapped)}};
      }
      before.push_back(std::move(update));
      let.value = kir::load(acc, let.var.type, kir::var(vec.var));
    }
  }

  // A tap that may fall in the padding is select(inside, x * w, 0): the
  // product of a value every lane shares (x, a broadcast) and a lane's own
  // (w). Written select(inside, x, 0) * w, as if the padding held zeros
  // (the same but for an infinite or NaN w), the select is a scalar: it is
  // moved into a `let` in front of the vector loop, and each lane does one
  // multiply-add. Left in the vector loop, LLVM turns the select of a
  // broadcast load into a masked gather per lane, several times slower.
  ExprRef hoistLaneInvariantSelects(const ExprRef& body, const kir::Var& lane, kir::StmtList& lets) {
    auto invariant = [&](const ExprRef& e) { return !kir::freeVars(e).contains(lane.id); };
    kir::Kernel& k = out_.kernel;
    return kir::rewrite(body, [&](const ExprRef& node) -> ExprRef {
      const auto* sel = node->as<kir::SelectExpr>();
      if (!sel || !invariant(sel->cond)) return nullptr;
      const auto* zero = sel->if_false->as<kir::ConstExpr>();
      const auto* product = sel->if_true->as<kir::BinaryExpr>();
      if (!zero || zero->value != 0 || !product || product->op != kir::BinaryOp::kMul) return nullptr;
      bool lhs_shared = invariant(product->lhs), rhs_shared = invariant(product->rhs);
      if (lhs_shared == rhs_shared) return nullptr;
      const ExprRef& shared = lhs_shared ? product->lhs : product->rhs;
      const ExprRef& own = lhs_shared ? product->rhs : product->lhs;
      kir::Var v = k.newVar(shared->type, "tap");
      lets.push_back(kir::Stmt{kir::LetStmt{v, kir::select(sel->cond, shared, sel->if_false)}});
      return kir::binary(kir::BinaryOp::kMul, kir::var(v), own);
    });
  }

  static bool hasReduction(const kir::StmtList& lets) {
    return std::any_of(lets.begin(), lets.end(), [](const kir::Stmt& s) {
      const kir::LetStmt* let = s.as<kir::LetStmt>();
      if (!let) return false;
      bool found = false;
      kir::rewrite(let->value, [&](const ExprRef& node) -> ExprRef {
        found = found || node->as<kir::ReduceExpr>() != nullptr;
        return nullptr;
      });
      return found;
    });
  }

  // Builds the loop nest. On the CPU, the loops outside the innermost one
  // collapse into one parallel loop while no `let` sits between them.
  kir::StmtList assembleNest(std::vector<LoopSpec> loops, std::vector<kir::StmtList>& lets, kir::StmtList inner,
                             kir::StmtList before_inner) {
    kir::Kernel& k = out_.kernel;
    size_t collapse = 0;  // loops [0, collapse) become one
    if (options_.cpu && loops.size() >= 3 && loops.front().kind == kir::LoopKind::kParallel) {
      collapse = 1;
      while (collapse + 1 < loops.size() && lets[collapse].empty()) ++collapse;
      if (collapse < 2) collapse = 0;
    }
    // On a GPU every loop up to the first reduction `let` between loops
    // collapses, the innermost included: one thread (or, for a long
    // reduction, one block) per element. Lets of index arithmetic between
    // the loops move into the collapsed body: recomputing them per thread
    // costs less than leaving inner loops serial.
    if (!options_.cpu && loops.size() >= 2) {
      collapse = 1;
      while (collapse < loops.size() && !hasReduction(lets[collapse])) ++collapse;
      if (collapse < 2) collapse = 0;
    }
    inner.insert(inner.begin(), std::make_move_iterator(lets.back().begin()),
                 std::make_move_iterator(lets.back().end()));
    for (size_t d = loops.size(); d-- > 0;) {
      if (collapse && d < collapse) break;
      kir::StmtList outer = std::move(lets[d]);
      if (d + 1 == loops.size()) {
        for (kir::Stmt& s : before_inner) outer.push_back(std::move(s));
      }
      outer.push_back(kir::Stmt{kir::ForStmt{loops[d].var, 0, loops[d].extent, loops[d].kind, std::move(inner)}});
      inner = std::move(outer);
    }
    if (!collapse) return inner;
    // One parallel loop over the product of loops [0, collapse); each
    // index is recovered by division.
    int64_t total = 1;
    for (size_t d = 0; d < collapse; ++d) total *= loops[d].extent;
    kir::Var flat = k.newVar(ir::DType::kI64, "p");
    kir::StmtList body;
    int64_t stride = total;
    for (size_t d = 0; d < collapse; ++d) {
      stride /= loops[d].extent;
      ExprRef index = kir::var(flat);
      if (stride > 1) index = kir::binary(kir::BinaryOp::kDiv, index, kir::index(stride));
      if (d > 0) index = kir::binary(kir::BinaryOp::kRem, index, kir::index(loops[d].extent));
      body.push_back(kir::Stmt{kir::LetStmt{loops[d].var, index}});
    }
    for (size_t d = 1; d < collapse; ++d)
      for (kir::Stmt& s : lets[d]) body.push_back(std::move(s));
    for (kir::Stmt& s : inner) body.push_back(std::move(s));
    kir::StmtList nest = std::move(lets[0]);
    nest.push_back(kir::Stmt{kir::ForStmt{flat, 0, total, kir::LoopKind::kParallel, std::move(body)}});
    return nest;
  }

  absl::Status build() {
    const ir::Operation& op = *group_.root();
    const OpLowering& lowering = opLowering(op.kind());
    if (!lowering.build) return absl::InternalError(strCat("'", op.name(), "' has no kernel builder"));
    OpTypes types = opTypes(op, types_);
    std::vector<kir::BufferId> operands, results;
    for (const ir::Value* v : op.operands()) operands.push_back(addBuffer(v, kir::BufferRole::kIn));
    for (size_t i = 0; i < op.numResults(); ++i) results.push_back(addBuffer(op.result(i), kir::BufferRole::kOut));
    BuildContext ctx{op, types, out_.kernel, op.def().has(ir::kRandom) ? runState() : RunState{}, operands, results};
    ctx.saved = saved_.role;
    RETURN_IF_ERROR(lowering.build(ctx));
    // Buffers the builder added: workspace, and those shared with the
    // paired op's kernel.
    for (size_t b = out_.sources.size(); b < out_.kernel.buffers.size(); ++b) {
      BufferSource::Kind kind = out_.kernel.buffers[b].role == kir::BufferRole::kLocal ? BufferSource::Kind::kLocal
                                                                                       : BufferSource::Kind::kScratch;
      if (std::find(ctx.saved_buffers.begin(), ctx.saved_buffers.end(), static_cast<kir::BufferId>(b)) !=
          ctx.saved_buffers.end())
        kind = BufferSource::Kind::kSaved;
      out_.sources.push_back(BufferSource{kind, nullptr});
    }
    if (!ctx.saved_buffers.empty()) out_.saved_for = saved_.forward;
    return absl::OkStatus();
  }

  const FusionGroup& group_;
  const ConcreteTypes& types_;
  ScheduleOptions options_;
  const LibraryResult* library_ = nullptr;
  SavedActivations saved_;
  kir::BufferId library_result_ = -1;
  LoweredGroup out_;
  absl::flat_hash_set<const ir::Operation*> members_;
  absl::flat_hash_map<const ir::Value*, kir::BufferId> inputs_;
  absl::flat_hash_map<std::string, ExprRef> memo_;
  absl::node_hash_map<const ir::Operation*, std::unique_ptr<OpTypes>> op_types_;
  kir::BufferId run_state_ = -1;
  absl::Status error_;
};

}  // namespace

absl::StatusOr<LoweredGroup> lowerGroup(const FusionGroup& group, const ConcreteTypes& types, std::string kernel_name,
                                        const ScheduleOptions& options, const LibraryResult* library,
                                        SavedActivations saved) {
  return GroupLowering(group, types, std::move(kernel_name), options, library, saved).run();
}

}  // namespace dlc::codegen
