// Each subcommand registers its flags on the CLI and returns the function
// that runs it once the command line is parsed.
#ifndef DLC_TOOLS_DLC_COMMANDS_H_
#define DLC_TOOLS_DLC_COMMANDS_H_

#include <functional>

#include "CLI/CLI.hpp"

namespace dlc::tool {

using CommandMain = std::function<int()>;

CommandMain registerOptCommand(CLI::App& app);
CommandMain registerCompileCommand(CLI::App& app);
CommandMain registerGradCommand(CLI::App& app);
CommandMain registerRunCommand(CLI::App& app);
CommandMain registerTrainCommand(CLI::App& app);
CommandMain registerInspectCommand(CLI::App& app);

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_COMMANDS_H_
