// `dlc compile MODEL.dl --emit STAGE`: run the front end (and later stages)
// and print the requested stage.
#include <iostream>
#include <memory>
#include <sstream>

#include "frontend/ast_printer.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/emit_kernels.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/output.h"
#include "tools/dlc/pass_flags.h"

namespace dlc::tool {
namespace {

struct CompileFlags {
  std::string input;
  std::string emit;
  std::string output;
  std::string model;
  bool train = false;
  bool verify_diagnostics = false;
  int64_t batch = 1;
  bool fusion_remarks = false;
  std::string function;
  std::string target = "auto";
  PassFlags pass_flags;
};

// The function the kernel stages compile: --function, else the train step
// with --train, else the model.
const ir::Function* selectFunction(const ir::Module& module, const CompileFlags& flags) {
  if (!flags.function.empty()) return module.findFunction(flags.function);
  if (flags.train)
    for (const auto& f : module.functions())
      if (f->name().ends_with(".train_step")) return f.get();
  return module.functions().empty() ? nullptr : module.functions().front().get();
}

int runCompile(const CompileFlags& flags) {
  if (absl::Status s = passes::validatePassOptions(flags.pass_flags.options()); !s.ok()) {
    std::cerr << "dlc compile: " << s.message() << "\n";
    return kUsageError;
  }
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::unique_ptr<ast::Program> program =
      frontend::parseProgram(sources, diags, flags.input);
  std::unique_ptr<ir::Module> module;
  if (program && !diags.hadError() && flags.emit != "ast")
    module = frontend::lowerProgram(*program, diags, {flags.model, flags.train});
  if (flags.verify_diagnostics) return diags.verify(std::cerr) ? kSuccess : kUserError;
  diags.print(std::cerr);
  if (!program || diags.hadError()) return kUserError;
  std::ostringstream text;
  if (flags.emit == "ast") {
    frontend::printAst(*program, sources, text);
  } else {
    if (!module) return kUserError;
    bool kernels = isKernelStage(flags.emit);
    if (flags.emit == "opt-ir" || kernels || (flags.train && !module->trainSpecs().empty())) {
      // --train adds the training functions of the train block (passes/training.h).
      passes::PassManager pm(flags.pass_flags.options());
      absl::Status s = absl::OkStatus();
      if (flags.train && !module->trainSpecs().empty()) s = pm.add("training");
      if (s.ok() && (flags.emit == "opt-ir" || kernels)) s = passes::buildDefaultPipeline(pm);
      if (s.ok()) s = pm.run(*module);
      if (!s.ok()) {
        std::cerr << "dlc: error: " << s.message() << "\n";
        return absl::IsInternal(s) ? kInternalError : kUserError;
      }
    }
    if (kernels) {
      const ir::Function* function = selectFunction(*module, flags);
      if (!function) {
        std::cerr << "dlc: error: no function '" << flags.function << "' in the module\n";
        return kUserError;
      }
      std::string arch = flags.target.starts_with("cuda:") ? flags.target.substr(5) : "sm_90";
      absl::StatusOr<std::string> out =
          emitKernelStage(*function, {flags.emit, flags.batch, flags.fusion_remarks, arch, flags.target.starts_with("cuda")});
      if (!out.ok()) {
        std::cerr << "dlc: error: " << out.status().message() << "\n";
        return absl::IsInvalidArgument(out.status()) ? kUserError : kInternalError;
      }
      text << *out;
    } else {
      ir::printModule(*module, text);
    }
  }
  if (absl::Status s = writeOutput(flags.output, text.str()); !s.ok()) {
    std::cerr << "dlc: error: " << s.message() << "\n";
    return kInternalError;
  }
  return kSuccess;
}

}  // namespace

CommandMain registerCompileCommand(CLI::App& app) {
  auto flags = std::make_shared<CompileFlags>();
  CLI::App* cmd = app.add_subcommand("compile", "compile a model, or print one stage of it");
  cmd->add_option("file", flags->input, "the model file (.dl)")->required();
  cmd->add_option("--emit", flags->emit,
                  "print a stage: ast (syntax tree), ir (graph IR as lowered), opt-ir (after the pass "
                  "pipeline), fusion (opt-ir with each op's kernel), dot (Graphviz, one colour per kernel), "
                  "kernel-ir (loop-level IR), llvm, asm, cuda, ptx, plan (kernel calls and memory plan)")
      ->check(CLI::IsMember({"ast", "ir", "opt-ir", "fusion", "dot", "kernel-ir", "llvm", "asm", "cuda", "ptx",
                             "plan"}))
      ->required();
  cmd->add_option("--batch", flags->batch, "the size of symbolic dims for kernel stages [1]")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_flag("--fusion-remarks", flags->fusion_remarks, "say on stderr why neighbouring ops were not fused");
  cmd->add_option("--function", flags->function, "the function the kernel stages compile [the model]");
  cmd->add_option("--target", flags->target, "cpu, cuda, cuda:sm_XX or auto; cuda:sm_XX picks the ptx arch [auto]");
  cmd->add_flag("--train", flags->train,
                "lower in training mode (dropout, batch statistics) and add the train block's "
                "NAME.grad and NAME.train_step functions");
  cmd->add_option("-o", flags->output, "write to FILE instead of stdout")->type_name("FILE");
  cmd->add_option("--model", flags->model, "the model to compile [the file's last model]");
  cmd->add_flag("--verify-diagnostics", flags->verify_diagnostics,
                "check diagnostics against expected-error annotations in the input");
  flags->pass_flags.addTo(*cmd);
  return [cmd, flags]() -> int { return cmd->parsed() ? runCompile(*flags) : -1; };
}

}  // namespace dlc::tool
