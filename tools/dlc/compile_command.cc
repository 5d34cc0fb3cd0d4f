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
  PassFlags pass_flags;
};

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
    if (flags.emit == "opt-ir" || (flags.train && !module->trainSpecs().empty())) {
      // --train adds the training functions of the train block (passes/training.h).
      passes::PassManager pm(flags.pass_flags.options());
      absl::Status s = absl::OkStatus();
      if (flags.train && !module->trainSpecs().empty()) s = pm.add("training");
      if (s.ok() && flags.emit == "opt-ir") s = passes::buildDefaultPipeline(pm);
      if (s.ok()) s = pm.run(*module);
      if (!s.ok()) {
        std::cerr << "dlc: error: " << s.message() << "\n";
        return absl::IsInternal(s) ? kInternalError : kUserError;
      }
    }
    ir::printModule(*module, text);
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
                  "print a stage: ast (syntax tree), ir (graph IR as lowered), opt-ir (after the pass pipeline)")
      ->check(CLI::IsMember({"ast", "ir", "opt-ir"}))->required();
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
