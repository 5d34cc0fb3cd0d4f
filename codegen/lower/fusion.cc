#include "codegen/lower/fusion.h"

#include <algorithm>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "codegen/compute/compute.h"
#include "ir/printer.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using ir::OpKind;

bool isBinding(const ir::Operation& op) {
  return op.kind() == OpKind::kParam || op.kind() == OpKind::kConstant || op.kind() == OpKind::kAssign;
}

// Cheap to recompute wherever a consumer reads it (no reductions inside):
// elementwise ops and those ir/ops.def marks kCheapToRecompute.
bool isCheap(const ir::Operation& op) { return op.def().has(ir::kElementwise) || op.def().has(ir::kCheapToRecompute); }

std::string describe(const ir::Operation& op) {
  std::string s = strCat("'", op.name(), "'");
  if (!op.result(0)->nameHint().empty() && op.numResults() > 0) strAppend(&s, " (", op.result(0)->nameHint(), ")");
  return s;
}

class Fuser {
 public:
  Fuser(const ir::Function& function, const FusionOptions& options) : function_(function), options_(options) {
    for (const ir::Value* v : function.outputs()) outputs_.insert(v);
  }

  FusionPlan run() {
    const auto& ops = function_.ops();
    // Walk backwards so that every op's consumers are placed first.
    for (size_t i = ops.size(); i-- > 0;) place(*ops[i]);
    // Groups run at their root's position.
    std::vector<int> order(groups_.size());
    for (size_t g = 0; g < groups_.size(); ++g) order[g] = static_cast<int>(g);
    absl::flat_hash_map<const ir::Operation*, size_t> position;
    for (size_t i = 0; i < ops.size(); ++i) position[ops[i].get()] = i;
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return position[groups_[a].ops.front()] < position[groups_[b].ops.front()]; });
    FusionPlan plan;
    plan.remarks = std::move(remarks_);
    for (int g : order) {
      FusionGroup group = std::move(groups_[g]);
      group.id = static_cast<int>(plan.groups.size());
      std::reverse(group.ops.begin(), group.ops.end());  // collected root first
      std::reverse(group.outputs.begin() + 1, group.outputs.end());
      for (const ir::Operation* op : group.ops) plan.group_of[op] = group.id;
      plan.groups.push_back(std::move(group));
    }
    return plan;
  }

 private:
  void place(const ir::Operation& op) {
    if (isBinding(op)) return;
    const OpLowering& lowering = opLowering(op.kind());
    if (!lowering.compute || op.numResults() != 1) {
      newGroup(op, /*built=*/true);
      return;
    }
    if (!options_.enabled) {
      newGroup(op, false);
      return;
    }
    const ir::Value* value = op.result(0);
    for (const ir::Operation* user : value->users()) {
      if (user->kind() != OpKind::kAssign && isLibrary(*user)) {
        remark(op, *user, "its user is a library call, which reads its operands from memory");
        newGroup(op, false);
        return;
      }
    }
    int target = -1;
    bool outside = outputs_.contains(value);  // used beyond any group
    const ir::Operation* first_user = nullptr;
    for (const ir::Operation* user : value->users()) {
      if (user->kind() == OpKind::kAssign) {
        outside = true;
        continue;
      }
      auto it = group_index_.find(user);
      int g = it == group_index_.end() ? -1 : it->second;
      if (g < 0 || (target >= 0 && g != target)) {
        remark(op, *user, "its users are in different kernels");
        newGroup(op, false);
        return;
      }
      target = g;
      if (!first_user) first_user = user;
    }
    if (target < 0) {
      newGroup(op, false);
      return;
    }
    FusionGroup& group = groups_[target];
    if (group.built) {
      remark(op, *first_user, "its user is lowered by a kernel builder");
      newGroup(op, false);
      return;
    }
    if (group.library && isLibrary(op)) {
      remark(op, *first_user, "its kernel already follows another library call");
      newGroup(op, false);
      return;
    }
    // Whether this op's elements would be evaluated more than once per
    // element of the kernel: read at other indices by some user, or by a
    // user that is itself evaluated more than once.
    bool recomputed = false;
    for (const ir::Operation* user : value->users()) {
      if (user->kind() == OpKind::kAssign) continue;
      // Same dims: read at the element's own index (a cast changes only the dtype).
      bool identity = user->def().has(ir::kElementwise) && user->result(0)->type().dims == value->type().dims;
      recomputed = recomputed || !identity || recomputed_[user];
    }
    if (!isCheap(op) && recomputed) {
      remark(op, *first_user, "its elements would be computed more than once, and it is not cheap to recompute");
      newGroup(op, false);
      return;
    }
    // An activation on a matmul or convolution that its consumer reads at
    // other indices (a pool, the next dense layer) stays with its producer
    // as an epilogue: the producer's result is stored once either way, and
    // this way it is stored activated.
    if (recomputed && isEpilogueOfExpensiveProducer(op)) {
      remark(op, *first_user, "it is the epilogue of an op that cannot be recomputed");
      newGroup(op, false);
      return;
    }
    if (outside) {
      // An extra output: it must cover the group's whole domain.
      if (value->type() != group.outputs.front()->type()) {
        remark(op, *first_user, "it is also an output and has another shape than the kernel");
        newGroup(op, false);
        return;
      }
      group.outputs.push_back(value);
    }
    group.ops.push_back(&op);
    if (isLibrary(op)) group.library = &op;
    group_index_[&op] = target;
    recomputed_[&op] = recomputed;
  }

  bool isLibrary(const ir::Operation& op) const { return options_.is_library && options_.is_library(op); }

  // An elementwise op with an operand of its own shape made by a
  // non-cheap computed op used only here.
  static bool isEpilogueOfExpensiveProducer(const ir::Operation& op) {
    if (!op.def().has(ir::kElementwise)) return false;
    for (const ir::Value* v : op.operands()) {
      const ir::Operation* producer = v->producer();
      if (!producer || isBinding(*producer) || isCheap(*producer) || producer->numResults() != 1) continue;
      if (!opLowering(producer->kind()).compute) continue;
      if (v->users().size() == 1 && v->type().dims == op.result(0)->type().dims) return true;
    }
    return false;
  }

  void newGroup(const ir::Operation& op, bool built) {
    FusionGroup group;
    group.built = built;
    group.ops.push_back(&op);
    if (!built && isLibrary(op)) group.library = &op;
    for (size_t i = 0; i < op.numResults(); ++i) group.outputs.push_back(op.result(i));
    group_index_[&op] = static_cast<int>(groups_.size());
    groups_.push_back(std::move(group));
  }

  void remark(const ir::Operation& op, const ir::Operation& user, const std::string& why) {
    if (!options_.remarks) return;
    std::string where;
    if (op.location().valid()) where = strCat(" at line ", op.location().line);
    remarks_.push_back(strCat(describe(op), where, " not fused into ", describe(user), ": ", why));
  }

  const ir::Function& function_;
  FusionOptions options_;
  absl::flat_hash_set<const ir::Value*> outputs_;
  std::vector<FusionGroup> groups_;  // collected root first
  absl::flat_hash_map<const ir::Operation*, int> group_index_;
  absl::flat_hash_map<const ir::Operation*, bool> recomputed_;  // for fused ops; roots are false
  std::vector<std::string> remarks_;
};

}  // namespace

const FusionGroup* FusionPlan::groupOf(const ir::Operation* op) const {
  auto it = group_of.find(op);
  return it == group_of.end() ? nullptr : &groups[it->second];
}

FusionPlan fuse(const ir::Function& function, const FusionOptions& options) { return Fuser(function, options).run(); }

std::string printFusion(const ir::Function& function, const FusionPlan& plan) {
  std::ostringstream out;
  ir::printFunction(function, out, [&](const ir::Operation& op) -> std::string {
    const FusionGroup* group = plan.groupOf(&op);
    if (!group) return "";
    std::string note = strCat("kernel ", group->id);
    if (group->ops.size() > 1) strAppend(&note, group->root() == &op ? " root" : " fused");
    if (group->built) strAppend(&note, " builder");
    if (group->library == &op) strAppend(&note, " library");
    return note;
  });
  return out.str();
}

std::string fusionDot(const ir::Function& function, const FusionPlan& plan) {
  static constexpr const char* kColours[] = {"#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3",
                                             "#fdb462", "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd"};
  std::string dot = strCat("digraph \"", function.name(), "\" {\n  node [shape=box, style=filled];\n");
  absl::flat_hash_map<const ir::Value*, std::string> node_of;
  for (size_t i = 0; i < function.arguments().size(); ++i) {
    std::string id = strCat("a", i);
    strAppend(&dot, "  ", id, " [label=\"", function.argument(i)->nameHint(), "\", fillcolor=white];\n");
    node_of[function.argument(i)] = id;
  }
  int n = 0;
  for (const auto& op : function.ops()) {
    std::string id = strCat("n", n++);
    const FusionGroup* group = plan.groupOf(op.get());
    std::string colour = group ? kColours[group->id % 10] : "white";
    std::string label(op->name());
    if (group) strAppend(&label, "\\nkernel ", group->id);
    strAppend(&dot, "  ", id, " [label=\"", label, "\", fillcolor=\"", colour, "\"];\n");
    for (const ir::Value* v : op->operands())
      if (auto it = node_of.find(v); it != node_of.end()) strAppend(&dot, "  ", it->second, " -> ", id, ";\n");
    for (size_t r = 0; r < op->numResults(); ++r) node_of[op->result(r)] = id;
  }
  dot += "}\n";
  return dot;
}

}  // namespace dlc::codegen
