// Runs a list of passes with IR dumps around them (--print-ir-*), passes
// disabled by name (--disable-pass) and, in debug builds or on request, the
// verifier after every pass.
#ifndef DLC_PASSES_PASS_MANAGER_H_
#define DLC_PASSES_PASS_MANAGER_H_

#include <iosfwd>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "passes/pass.h"

namespace dlc::passes {

// Checks that every pass named in the options exists: a graph pass, or a
// kernel stage (ir/kernel/passes.h), which the lowering honours.
absl::Status validatePassOptions(const PassOptions& options);

class PassManager {
 public:
  explicit PassManager(PassOptions options = {}) : options_(std::move(options)) {}

  // Appends a registered pass by name.
  absl::Status add(std::string_view name);
  // Appends the passes of a comma-separated list: "canonicalize,cse,dce".
  absl::Status addList(std::string_view names);
  const std::vector<std::string>& passNames() const { return names_; }

  absl::Status run(ir::Module& module);

 private:
  PassOptions options_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Pass>> passes_;
};

}  // namespace dlc::passes

#endif  // DLC_PASSES_PASS_MANAGER_H_
