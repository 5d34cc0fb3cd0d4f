// cse: merges a pure op into an earlier one with the same kind, operands,
// attributes and result types. One walk in program order with a hash map, so
// chains of duplicates merge in one run.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "passes/pass.h"

namespace dlc::passes {
namespace {

using ir::Operation;

// What makes two ops interchangeable. Attributes and types are compared as
// printed text, which is exact (floats print so that they read back equal).
struct OpKey {
  ir::OpKind kind;
  std::vector<const ir::Value*> operands;
  std::string attrs;
  std::string types;

  friend bool operator==(const OpKey&, const OpKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const OpKey& key) {
    return H::combine(std::move(h), key.kind, key.operands, key.attrs, key.types);
  }
};

OpKey keyOf(const Operation& op) {
  OpKey key{op.kind(), {op.operands().begin(), op.operands().end()}, op.attrs().str(), ""};
  // add(a, b) and add(b, a) are the same op: order commutative operands by
  // identity. The order is arbitrary but only decides equality, not the IR.
  if (op.def().has(ir::kCommutative) && key.operands.size() == 2 &&
      std::less<const ir::Value*>()(key.operands[1], key.operands[0]))
    std::swap(key.operands[0], key.operands[1]);
  for (size_t i = 0; i < op.numResults(); ++i) key.types += op.result(i)->type().str() + ";";
  return key;
}

void cseFunction(ir::Function& f) {
  absl::flat_hash_map<OpKey, Operation*> seen;
  absl::flat_hash_set<const Operation*> merged;
  for (const auto& op : f.ops()) {
    // Ops that draw random numbers (dropout) differ each time they run.
    if (!op->def().has(ir::kPure) || op->def().has(ir::kRandom)) continue;
    auto [it, inserted] = seen.try_emplace(keyOf(*op), op.get());
    if (inserted) continue;
    for (size_t i = 0; i < op->numResults(); ++i) f.replaceAllUses(op->result(i), it->second->result(i));
    merged.insert(op.get());
  }
  if (!merged.empty()) f.eraseOpsIf([&](const Operation& op) { return merged.contains(&op); });
}

class CsePass : public Pass {
 public:
  absl::Status run(ir::Module& module) override {
    for (const auto& f : module.functions()) cseFunction(*f);
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<Pass> createCsePass(const PassOptions&) { return std::make_unique<CsePass>(); }

}  // namespace dlc::passes
