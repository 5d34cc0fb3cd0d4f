#include "passes/rewrite.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace dlc::passes {

using ir::Function;
using ir::Operation;
using ir::Value;

Value* Rewriter::create(ir::OpKind kind, std::vector<Value*> operands, ir::Attrs attrs,
                        std::vector<ir::TensorType> given) {
  absl::StatusOr<Operation*> op =
      function_.insert(index_, kind, std::move(operands), std::move(attrs), loc_, std::move(given));
  if (!op.ok()) return nullptr;
  ++index_;
  created_.push_back(*op);
  return (*op)->result(0);
}

const Operation* producerOf(const Value* v, ir::OpKind kind) {
  const Operation* op = v->producer();
  return op && op->kind() == kind ? op : nullptr;
}

bool isUsed(const Function& f, const Value* v) { return v->hasUsers() || v->isOutput(); }

namespace {

bool allResultsUnused(const Function& f, const Operation& op) {
  for (size_t i = 0; i < op.numResults(); ++i)
    if (isUsed(f, op.result(i))) return false;
  return true;
}

// Detaches `root` (whose result has just been replaced) and then every pure
// op that loses its last use because of it; all are added to `dead`.
void killFrom(Function& f, Operation* root, absl::flat_hash_set<Operation*>& dead) {
  std::vector<Operation*> work = {root};
  while (!work.empty()) {
    Operation* op = work.back();
    work.pop_back();
    if (dead.contains(op)) continue;
    if (op != root && !(op->def().has(ir::kPure) && allResultsUnused(f, *op))) continue;
    dead.insert(op);
    std::vector<Value*> operands = op->operands();
    op->dropOperands();
    for (Value* v : operands)
      if (v->producer()) work.push_back(v->producer());
  }
}

void eraseOps(Function& f, const absl::flat_hash_set<Operation*>& ops) {
  if (!ops.empty()) f.eraseOpsIf([&](const Operation& op) { return ops.contains(&op); });
}

// Tries the patterns on the op at `index`; returns how many ops were created
// in front of it, or nullopt when no pattern applied.
std::optional<size_t> rewriteOne(Function& f, size_t index, std::span<const Pattern> patterns,
                                 absl::flat_hash_set<Operation*>& dead) {
  Operation* op = f.ops()[index].get();
  Value* result = op->result(0);
  for (const Pattern& pattern : patterns) {
    if (pattern.root && *pattern.root != op->kind()) continue;
    Rewriter rewriter(f, index, op->location());
    Value* replacement = pattern.rewrite(rewriter, *op);
    if (!replacement || replacement == result || !(replacement->type() == result->type())) {
      absl::flat_hash_set<Operation*> made(rewriter.created().begin(), rewriter.created().end());
      eraseOps(f, made);
      continue;
    }
    bool is_new = std::find(rewriter.created().begin(), rewriter.created().end(), replacement->producer()) !=
                  rewriter.created().end();
    if (is_new && replacement->nameHint().empty()) replacement->setNameHint(result->nameHint());
    f.replaceAllUses(result, replacement);
    killFrom(f, op, dead);
    return rewriter.created().size();
  }
  return std::nullopt;
}

}  // namespace

bool applyPatterns(Function& f, std::span<const Pattern> patterns, int max_rounds) {
  bool changed_any = false;
  for (int round = 0; round < max_rounds; ++round) {
    bool changed = false;
    absl::flat_hash_set<Operation*> dead;
    for (size_t i = 0; i < f.ops().size(); ++i) {
      Operation* op = f.ops()[i].get();
      if (dead.contains(op) || op->numResults() != 1 || !isUsed(f, op->result(0))) continue;
      if (std::optional<size_t> created = rewriteOne(f, i, patterns, dead)) {
        i += *created;
        changed = true;
      }
    }
    eraseOps(f, dead);
    if (!changed) break;
    changed_any = true;
  }
  return changed_any;
}

}  // namespace dlc::passes
