// dlc: the command-line driver. Each subcommand lives in its own file.
#include <malloc.h>

#include <iostream>

#include "CLI/CLI.hpp"
#include "ir/kernel/passes.h"
#include "passes/pass.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/validators.h"

namespace {

std::string passList() {
  std::string out = "Passes:\n";
  for (const auto& info : dlc::passes::registeredPasses())
    out += "  " + std::string(info.name) + std::string(19 - std::min<size_t>(18, info.name.size()), ' ') +
           std::string(info.summary) + "\n";
  out += "Kernel stages (--print-ir-*, --disable-pass; * also dlc opt FILE.kir -p):\n";
  for (const auto& stage : dlc::kir::kernelStages())
    out += "  " + std::string(stage.name) + (stage.run ? "*" : " ") +
           std::string(18 - std::min<size_t>(17, stage.name.size()), ' ') + std::string(stage.summary) + "\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // A training loop allocates and frees the same few MiB of batch, output
  // and parameter tensors every step. glibc would hand blocks of a few MiB
  // back to the kernel (mmap, or trimming the heap) and fault every page in
  // again on the next step; keeping them in the heap makes the reuse free.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  CLI::App app("dlc: a deep-learning compiler", "dlc");
  app.require_subcommand(1);
  app.footer(passList());
  app.set_version_flag("--version", "dlc 0.1.0");
  std::vector<dlc::tool::CommandMain> commands = {
      dlc::tool::registerCompileCommand(app), dlc::tool::registerOptCommand(app),
      dlc::tool::registerRunCommand(app),     dlc::tool::registerGradCommand(app),
      dlc::tool::registerTrainCommand(app),   dlc::tool::registerInspectCommand(app),
  };
  if (std::optional<int> status = dlc::tool::parseCommandLine(app, argc, argv)) return *status;
  for (const auto& command : commands) {
    int status = command();
    if (status >= 0) return status;
  }
  return dlc::tool::kUsageError;
}
