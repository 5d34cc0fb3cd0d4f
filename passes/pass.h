// The pass interface and the registry generated from passes/passes.def.
#ifndef DLC_PASSES_PASS_H_
#define DLC_PASSES_PASS_H_

#include <iosfwd>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/ir.h"
#include "ir/precision.h"

namespace dlc::passes {

// How a pipeline runs: IR dumps, disabled passes, verification, and the
// options passes read.
struct PassOptions {
  bool print_ir_after_all = false;
  std::set<std::string, std::less<>> print_ir_before;
  std::set<std::string, std::less<>> print_ir_after;
  std::set<std::string, std::less<>> disabled;
#ifdef DLC_VERIFY_EACH_PASS
  bool verify_each = true;
#else
  bool verify_each = false;
#endif
  std::ostream* dump_stream = nullptr;  // where --print-ir-* write; stderr if null
  // What mixed-precision rewrites the module to (--precision).
  ir::Precision precision = ir::Precision::kFp32;
};

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
  std::unique_ptr<Pass> (*create)(const PassOptions&);
};

std::span<const PassInfo> registeredPasses();
const PassInfo* findPass(std::string_view name);

#define PASS(Name, Factory, Summary) std::unique_ptr<Pass> Factory(const PassOptions& options = {});
#include "passes/passes.def"
#undef PASS

}  // namespace dlc::passes

#endif  // DLC_PASSES_PASS_H_
