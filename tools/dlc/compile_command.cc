// `dlc compile MODEL.dl... [-o OUT.dlx]`: compile ahead of time into `.dlx`
// artifacts (Model::saveArtifact); `dlc compile MODEL.dl --emit STAGE`: run
// the front end (and later stages) and print the requested stage.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "dlc/dlc.h"
#include "frontend/ast_printer.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/emit_kernels.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/output.h"
#include "tools/dlc/pass_flags.h"
#include "tools/dlc/status_exit.h"
#include "tools/dlc/validators.h"

namespace dlc::tool {
namespace {

struct CompileFlags {
  std::vector<std::string> inputs;
  std::string input;  // inputs[0]: what --emit compiles
  std::string emit;
  std::string output;
  std::string model;
  bool train = false;
  bool verify_diagnostics = false;
  std::vector<int64_t> batches = {1};
  int64_t batch = 1;  // batches[0]: what --emit binds
  bool fusion_remarks = false;
  std::string function;
  std::string target = "auto";
  std::string weights;
  std::string precision;  // "": the train block's, else fp32
  PassFlags pass_flags;
};

// MODEL.dl -> MODEL.dlx, beside it.
std::string artifactPath(const std::string& input) {
  std::filesystem::path p(input);
  p.replace_extension(".dlx");
  return p.string();
}

// `compile` without --emit: one artifact per model file.
int runCompileArtifacts(const CompileFlags& flags) {
  for (const std::string& input : flags.inputs)
    if (std::filesystem::path(input).extension() == ".dlir") {
      std::cerr << "dlc compile: " << input << ": an artifact is compiled from a model (.dl); graph IR (.dlir) "
                << "takes --emit\n";
      return kUsageError;
    }
  if (!flags.output.empty() && flags.inputs.size() > 1) {
    std::cerr << "dlc compile: -o names one artifact; " << flags.inputs.size() << " model files were given\n";
    return kUsageError;
  }
  ArtifactOptions options;
  options.batch_sizes = flags.batches;
  options.train = flags.train;
  options.embed_weights = !flags.weights.empty();
  for (const std::string& input : flags.inputs) {
    auto model = Model::fromFile(input, {flags.model, "cpu", flags.precision});
    if (!model.ok()) return reportStatus(model.status());
    options.target = flags.target;
    // auto: CUDA code when this machine has a usable GPU, else code for this CPU.
    if (flags.target == "auto") {
      options.target = "cpu";
      if (auto gpu = Model::fromFile(input, {flags.model, "auto", flags.precision});
          gpu.ok() && gpu->target() == "cuda")
        options.target = "cuda";
    }
    if (options.embed_weights)
      if (absl::Status s = model->loadWeights(flags.weights); !s.ok()) return reportStatus(s);
    std::string path = flags.output.empty() ? artifactPath(input) : flags.output;
    if (absl::Status s = model->saveArtifact(path, options); !s.ok()) return reportStatus(s);
  }
  return kSuccess;
}

// The function the kernel stages compile: --function, else the train step
// with --train, else the model.
const ir::Function* selectFunction(const ir::Module& module, const CompileFlags& flags) {
  if (!flags.function.empty()) return module.findFunction(flags.function);
  if (flags.train)
    for (const auto& f : module.functions())
      if (f->name().ends_with(".train_step")) return f.get();
  return module.functions().empty() ? nullptr : module.functions().front().get();
}

int runCompile(CompileFlags& flags) {
  flags.input = flags.inputs.front();
  flags.batch = flags.batches.front();
  if (flags.emit.empty()) return runCompileArtifacts(flags);
  if (flags.inputs.size() > 1) {
    std::cerr << "dlc compile: --emit prints one model; " << flags.inputs.size() << " files were given\n";
    return kUsageError;
  }
  if (absl::Status s = passes::validatePassOptions(flags.pass_flags.options()); !s.ok()) {
    std::cerr << "dlc compile: " << s.message() << "\n";
    return kUsageError;
  }
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::unique_ptr<ast::Program> program;
  std::unique_ptr<ir::Module> module;
  // Graph IR (.dlir) enters the pipeline after the front end, so each later
  // stage can be tested from its own input.
  bool graph_ir = std::filesystem::path(flags.input).extension() == ".dlir";
  if (graph_ir) {
    if (flags.emit == "ast") {
      std::cerr << "dlc compile: --emit ast needs a model (.dl), not graph IR\n";
      return kUsageError;
    }
    absl::StatusOr<int32_t> buffer = sources.addFile(flags.input);
    if (!buffer.ok()) return reportStatus(buffer.status());
    module = ir::parseModule(sources, *buffer, diags);
  } else {
    program = frontend::parseProgram(sources, diags, flags.input);
    if (program && !diags.hadError() && flags.emit != "ast")
      module = frontend::lowerProgram(*program, diags, {flags.model, flags.train});
  }
  if (flags.verify_diagnostics) return diags.verify(std::cerr) ? kSuccess : kUserError;
  diags.print(std::cerr);
  if ((!program && !graph_ir) || diags.hadError()) return kUserError;
  std::ostringstream text;
  if (flags.emit == "ast") {
    frontend::printAst(*program, sources, text);
  } else {
    if (!module) return kUserError;
    bool kernels = isKernelStage(flags.emit);
    // --precision, else the train block's.
    ir::Precision precision = ir::Precision::kFp32;
    if (!module->functions().empty()) {
      absl::StatusOr<ir::Precision> chosen =
          passes::modelPrecision(*module, module->functions().front()->name(), flags.precision);
      if (!chosen.ok()) return reportStatus(chosen.status());
      precision = *chosen;
    }
    if (flags.emit == "opt-ir" || kernels || (flags.train && !module->trainSpecs().empty())) {
      // opt-ir and the kernel stages take the graph pipeline the API runs
      // (passes/pipeline.h); `ir` shows the model as lowered, with --train
      // plus the train block's functions (passes/training.h).
      bool training = flags.train && !module->trainSpecs().empty();
      passes::PassOptions options = flags.pass_flags.options();
      options.precision = precision;
      passes::PassManager pm(options);
      absl::Status s = flags.emit == "ir" ? pm.add("training") : passes::buildGraphPipeline(pm, training);
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
      const passes::PassOptions pass_options = flags.pass_flags.options();
      codegen::KernelStageOptions stages{pass_options.disabled, pass_options.print_ir_after,
                                         pass_options.print_ir_after_all, nullptr, pass_options.verify_each};
      absl::StatusOr<std::string> out = emitKernelStage(
          *function,
          {flags.emit, flags.batch, flags.fusion_remarks, arch, flags.target.starts_with("cuda"),
           flags.target.starts_with("cpu:") ? flags.target.substr(4) : "", stages, precision == ir::Precision::kTf32});
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
  cmd->add_option("file", flags->inputs,
                  "the model files (.dl; each becomes MODEL.dlx unless -o), or graph IR (.dlir) with --emit")
      ->required();
  cmd->add_option("--emit", flags->emit,
                  "print a stage: ast (syntax tree), ir (graph IR as lowered), opt-ir (after the pass "
                  "pipeline), fusion (opt-ir with each op's kernel), dot (Graphviz, one colour per kernel), "
                  "kernel-ir (loop-level IR), llvm, asm, cuda, ptx, plan (kernel calls and memory plan)")
      ->check(
          CLI::IsMember({"ast", "ir", "opt-ir", "fusion", "dot", "kernel-ir", "llvm", "asm", "cuda", "ptx", "plan"}));
  cmd->add_option("--batch", flags->batches,
                  "the size of symbolic dims: kernel stages take the first; an artifact holds code for each "
                  "(--batch 1,64) [1]")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--weights", flags->weights, "embed these parameters in the artifact")->type_name("W.safetensors");
  addPrecisionOption(*cmd, flags->precision);
  cmd->add_flag("--fusion-remarks", flags->fusion_remarks, "say on stderr why neighbouring ops were not fused");
  cmd->add_option("--function", flags->function, "the function the kernel stages compile [the model]");
  cmd->add_option("--target", flags->target,
                  "cpu (this machine), cpu:NAME (x86-64-v3, x86-64-v4, aarch64, znver4, ...), cuda, "
                  "cuda:sm_XX[,sm_YY...] (a cubin each, PTX of the newest) or auto [auto]")
      ->check(kCompileTarget);
  cmd->add_flag("--train", flags->train,
                "lower in training mode (dropout, batch statistics) and add the train block's "
                "NAME.grad and NAME.train_step functions");
  cmd->add_option("-o", flags->output, "the artifact to write [MODEL.dlx], or where --emit writes [stdout]")
      ->type_name("FILE");
  cmd->add_option("--model", flags->model, "the model to compile [the file's last model]");
  cmd->add_flag("--verify-diagnostics", flags->verify_diagnostics,
                "check diagnostics against expected-error annotations in the input");
  flags->pass_flags.addTo(*cmd);
  return [cmd, flags]() -> int { return cmd->parsed() ? runCompile(*flags) : -1; };
}

}  // namespace dlc::tool
