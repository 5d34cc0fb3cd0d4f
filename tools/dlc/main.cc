// dlc: the command-line driver. Each subcommand lives in its own file.
#include <iostream>

#include "CLI/CLI.hpp"
#include "passes/pass.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/exit_codes.h"

namespace {

std::string passList() {
  std::string out = "Passes:\n";
  for (const auto& info : dlc::passes::registeredPasses())
    out += "  " + std::string(info.name) + std::string(16 - std::min<size_t>(15, info.name.size()), ' ') +
           std::string(info.summary) + "\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("dlc: a deep-learning compiler", "dlc");
  app.require_subcommand(1);
  app.footer(passList());
  app.set_version_flag("--version", "dlc 0.1.0");
  std::vector<dlc::tool::CommandMain> commands = {
      dlc::tool::registerCompileCommand(app),
      dlc::tool::registerOptCommand(app),
      dlc::tool::registerRunCommand(app),
      dlc::tool::registerGradCommand(app),
      dlc::tool::registerTrainCommand(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return dlc::tool::kUsageError;
  }
  for (const auto& command : commands) {
    int status = command();
    if (status >= 0) return status;
  }
  return dlc::tool::kUsageError;
}
