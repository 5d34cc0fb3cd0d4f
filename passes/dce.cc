// dce: removes pure ops none of whose results is used by an op or returned.
// The walk goes backwards, so a chain of ops that only feed each other dies
// in one run. Ops that are not pure (dropout, which draws random numbers in
// training) stay; module param declarations are never touched.
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "passes/pass.h"

namespace dlc::passes {
namespace {

using ir::Operation;

void dceFunction(ir::Function& f) {
  absl::flat_hash_set<const ir::Value*> outputs(f.outputs().begin(), f.outputs().end());
  auto unused = [&](const Operation& op) {
    for (size_t i = 0; i < op.numResults(); ++i)
      if (op.result(i)->hasUsers() || outputs.contains(op.result(i))) return false;
    return true;
  };
  absl::flat_hash_set<const Operation*> dead;
  for (size_t i = f.ops().size(); i-- > 0;) {
    Operation& op = *f.ops()[i];
    if (!op.def().has(ir::kPure) || !unused(op)) continue;
    // Detach now so that the op's operands see one use fewer.
    op.dropOperands();
    dead.insert(&op);
  }
  if (!dead.empty()) f.eraseOpsIf([&](const Operation& op) { return dead.contains(&op); });
}

class DcePass : public Pass {
 public:
  absl::Status run(ir::Module& module) override {
    for (const auto& f : module.functions()) dceFunction(*f);
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<Pass> createDcePass(const PassOptions&) { return std::make_unique<DcePass>(); }

}  // namespace dlc::passes
