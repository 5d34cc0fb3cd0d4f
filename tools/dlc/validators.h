// Checks of command-line values, run by CLI11 before a command starts: a
// value out of range is a usage error (exit 2) whose message names the
// option, the value and what it takes. Shared by dlc and the tools beside it.
#ifndef DLC_TOOLS_DLC_VALIDATORS_H_
#define DLC_TOOLS_DLC_VALIDATORS_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace dlc::tool {

// A whole number of at least 1 (CLI11's PositiveNumber prints its range as
// the largest double).
extern const CLI::Validator kAtLeastOne;
// A seed: a whole number in [0, 2^64), written in decimal.
extern const CLI::Validator kSeed;
// Where `run`, `grad` and `train` execute: cpu, cpu:NAME (code for another
// CPU that this one can run), cuda, cuda:sm_XX, reference or auto.
extern const CLI::Validator kRunTarget;
// What `compile` compiles for: cpu, cpu:NAME, cuda, cuda:sm_XX[,sm_YY...],
// reference (with --emit) or auto. A CPU name is checked against LLVM later.
extern const CLI::Validator kCompileTarget;

// --precision fp32|tf32|bf16|fp16 on `command`, into `precision` (left
// empty when not given: the train block's precision, else fp32).
CLI::Option* addPrecisionOption(CLI::App& command, std::string& precision);

// Parses the command line. nullopt to go on; else the exit status after
// CLI11 printed the help (0) or a usage error (kUsageError, 2).
std::optional<int> parseCommandLine(CLI::App& app, int argc, char** argv);

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_VALIDATORS_H_
