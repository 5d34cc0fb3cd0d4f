// The --print-ir-* and --disable-pass flags shared by `compile` and `opt`.
#ifndef DLC_TOOLS_DLC_PASS_FLAGS_H_
#define DLC_TOOLS_DLC_PASS_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "passes/pass_manager.h"

namespace dlc::tool {

struct PassFlags {
  bool print_ir_after_all = false;
  std::vector<std::string> print_ir_before;
  std::vector<std::string> print_ir_after;
  std::vector<std::string> disable_pass;
  bool verify_each = false;

  void addTo(CLI::App& command);
  passes::PassOptions options() const;
};

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_PASS_FLAGS_H_
