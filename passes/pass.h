// The pass interface and the registry generated from passes/passes.def.
#ifndef DLC_PASSES_PASS_H_
#define DLC_PASSES_PASS_H_

#include <memory>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/ir.h"

namespace dlc::passes {

class Pass {
 public:
  virtual ~Pass() = default;
  // Transforms the module in place. An error status means the input cannot
  // be handled (a user error); broken IR after a pass is a compiler bug that
  // the pass manager's verifier catches.
  virtual absl::Status run(ir::Module& module) = 0;
};

struct PassInfo {
  std::string_view name;
  std::string_view summary;
  std::unique_ptr<Pass> (*create)();
};

std::span<const PassInfo> registeredPasses();
const PassInfo* findPass(std::string_view name);

#define PASS(Name, Factory, Summary) std::unique_ptr<Pass> Factory();
#include "passes/passes.def"
#undef PASS

}  // namespace dlc::passes

#endif  // DLC_PASSES_PASS_H_
