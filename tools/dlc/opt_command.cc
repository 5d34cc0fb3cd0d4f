// `dlc opt FILE.dlir [-p PASS,...]`: parse textual IR, run passes, print.
// `dlc opt FILE.kir [-p STAGE,...]`: parse and verify kernel IR, run the
// kernel stages that are kernel-IR transforms (ir/kernel/passes.h), print.
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "ir/kernel/parser.h"
#include "ir/kernel/passes.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/verifier.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pass_manager.h"
#include "support/strings.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/output.h"
#include "tools/dlc/pass_flags.h"
#include "tools/dlc/validators.h"

namespace dlc::tool {
namespace {

struct OptFlags {
  std::string input;
  std::string passes;
  std::string output;
  bool verify_diagnostics = false;
  std::string precision;  // what mixed-precision rewrites to [fp32]
  PassFlags pass_flags;
};

bool isKernelFile(const std::string& path) { return path.size() > 4 && path.compare(path.size() - 4, 4, ".kir") == 0; }

void dumpKernels(std::string_view when, std::string_view stage, const kir::KernelModule& module) {
  std::cerr << "// -----// Kernel IR Dump " << when << " " << stage << " //----- //\n"
            << kir::printKernelModule(module) << "\n";
}

// Parse (which verifies), run each stage on every kernel and verify again,
// print. The IR dumps and --disable-pass work as for graph passes.
int runKernelOpt(const OptFlags& flags, const SourceManager& sources, int32_t buffer) {
  std::vector<const kir::KernelStageInfo*> stages;
  for (std::string_view name : splitTrimmed(flags.passes, ',')) {
    const kir::KernelStageInfo* stage = kir::findKernelStage(name);
    if (stage == nullptr || !stage->run) {
      std::cerr << "dlc opt: '" << name << "' is not a kernel-IR transform (";
      for (const kir::KernelStageInfo& s : kir::kernelStages())
        if (s.run) std::cerr << s.name << " ";
      std::cerr << "run on .kir files; the other kernel stages need the graph or the plan)\n";
      return kUsageError;
    }
    stages.push_back(stage);
  }
  DiagnosticEngine diags(sources);
  std::optional<kir::KernelModule> module = kir::parseKernelModule(sources, buffer, diags);
  if (flags.verify_diagnostics) return diags.verify(std::cerr) ? kSuccess : kUserError;
  diags.print(std::cerr);
  if (!module) return kUserError;
  const passes::PassOptions options = flags.pass_flags.options();
  for (const kir::KernelStageInfo* stage : stages) {
    if (options.disabled.contains(stage->name)) continue;
    if (options.print_ir_before.contains(stage->name)) dumpKernels("Before", stage->name, *module);
    for (kir::Kernel& kernel : module->kernels) stage->run(kernel, kir::KernelPassOptions{});
    if (absl::Status s = kir::verifyKernelModule(*module); !s.ok()) {
      std::cerr << "dlc: error: stage '" << stage->name << "' produced invalid kernel IR: " << s.message() << "\n";
      return kInternalError;
    }
    if (options.print_ir_after_all || options.print_ir_after.contains(stage->name))
      dumpKernels("After", stage->name, *module);
  }
  if (absl::Status s = writeOutput(flags.output, kir::printKernelModule(*module)); !s.ok()) {
    std::cerr << "dlc: error: " << s.message() << "\n";
    return kInternalError;
  }
  return kSuccess;
}

int runOpt(const OptFlags& flags) {
  passes::PassOptions options = flags.pass_flags.options();
  if (!flags.precision.empty()) options.precision = *ir::parsePrecision(flags.precision);  // checked by CLI11
  passes::PassManager pm(options);
  if (absl::Status s = passes::validatePassOptions(flags.pass_flags.options()); !s.ok()) {
    std::cerr << "dlc opt: " << s.message() << "\n";
    return kUsageError;
  }
  if (absl::Status s = isKernelFile(flags.input) ? absl::OkStatus() : pm.addList(flags.passes); !s.ok()) {
    std::cerr << "dlc opt: " << s.message() << "\n";
    return kUsageError;
  }
  SourceManager sources;
  auto buffer = flags.input == "-"
                    ? sources.addBuffer("<stdin>", std::string(std::istreambuf_iterator<char>(std::cin), {}))
                    : sources.addFile(flags.input);
  if (!buffer.ok()) {
    std::cerr << "dlc: error: " << buffer.status().message() << "\n";
    return kUserError;
  }
  if (isKernelFile(flags.input)) return runKernelOpt(flags, sources, *buffer);
  DiagnosticEngine diags(sources);
  std::unique_ptr<ir::Module> module = ir::parseModule(sources, *buffer, diags);
  if (flags.verify_diagnostics) return diags.verify(std::cerr) ? kSuccess : kUserError;
  diags.print(std::cerr);
  if (!module) return kUserError;
  if (absl::Status s = pm.run(*module); !s.ok()) {
    std::cerr << "dlc: error: " << s.message() << "\n";
    return absl::IsInternal(s) ? kInternalError : kUserError;
  }
  if (absl::Status s = writeOutput(flags.output, ir::printModule(*module)); !s.ok()) {
    std::cerr << "dlc: error: " << s.message() << "\n";
    return kInternalError;
  }
  return kSuccess;
}

}  // namespace

CommandMain registerOptCommand(CLI::App& app) {
  auto flags = std::make_shared<OptFlags>();
  CLI::App* cmd = app.add_subcommand("opt", "run passes on textual graph IR and print the result");
  cmd->add_option("file", flags->input, "a .dlir or .kir (kernel IR) file, or - for stdin")->required();
  cmd->add_option("-p,--passes", flags->passes,
                  "comma-separated passes to run, in order (kernel-IR transforms for .kir files)")
      ->type_name("PASS,...");
  cmd->add_option("-o", flags->output, "write the result to FILE instead of stdout")->type_name("FILE");
  cmd->add_flag("--verify-diagnostics", flags->verify_diagnostics,
                "check diagnostics against expected-error annotations in the input");
  addPrecisionOption(*cmd, flags->precision);
  flags->pass_flags.addTo(*cmd);
  return [cmd, flags]() -> int { return cmd->parsed() ? runOpt(*flags) : -1; };
}

}  // namespace dlc::tool
