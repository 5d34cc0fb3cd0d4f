#include "passes/pass_manager.h"

#include <iostream>

#include "ir/kernel/passes.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::passes {
namespace {

absl::Status unknownPass(std::string_view name) {
  std::string known, stages;
  for (const PassInfo& info : registeredPasses()) strAppend(&known, known.empty() ? "" : ", ", info.name);
  for (const kir::KernelStageInfo& s : kir::kernelStages()) strAppend(&stages, stages.empty() ? "" : ", ", s.name);
  return absl::InvalidArgumentError(
      strCat("unknown pass '", name, "' (graph passes: ", known, "; kernel stages: ", stages, ")"));
}

void dump(std::ostream& out, std::string_view when, std::string_view pass, const ir::Module& m) {
  out << "// -----// IR Dump " << when << " " << pass << " //----- //\n";
  ir::printModule(m, out);
  out << "\n";
}

}  // namespace

absl::Status validatePassOptions(const PassOptions& options) {
  for (const auto* set : {&options.print_ir_before, &options.print_ir_after, &options.disabled})
    for (const std::string& name : *set)
      if (!findPass(name) && !kir::findKernelStage(name)) return unknownPass(name);
  return absl::OkStatus();
}

absl::Status PassManager::add(std::string_view name) {
  const PassInfo* info = findPass(name);
  if (!info) return unknownPass(name);
  names_.emplace_back(name);
  passes_.push_back(info->create(options_));
  return absl::OkStatus();
}

absl::Status PassManager::addList(std::string_view names) {
  for (std::string_view name : splitTrimmed(names, ',')) RETURN_IF_ERROR(add(name));
  return absl::OkStatus();
}

absl::Status PassManager::run(ir::Module& module) {
  RETURN_IF_ERROR(validatePassOptions(options_));
  std::ostream& out = options_.dump_stream ? *options_.dump_stream : std::cerr;
  for (size_t i = 0; i < passes_.size(); ++i) {
    const std::string& name = names_[i];
    if (options_.disabled.contains(name)) continue;
    if (options_.print_ir_before.contains(name)) dump(out, "Before", name, module);
    RETURN_IF_ERROR(passes_[i]->run(module));
    if (options_.verify_each) {
      absl::Status s = ir::verifyModule(module);
      if (!s.ok()) return absl::InternalError(strCat("pass '", name, "' produced invalid IR: ", s.message()));
    }
    if (options_.print_ir_after_all || options_.print_ir_after.contains(name)) dump(out, "After", name, module);
  }
  return absl::OkStatus();
}

}  // namespace dlc::passes
