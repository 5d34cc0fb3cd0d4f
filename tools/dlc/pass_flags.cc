#include "tools/dlc/pass_flags.h"

namespace dlc::tool {

void PassFlags::addTo(CLI::App& command) {
  command.add_flag("--print-ir-after-all", print_ir_after_all, "print the IR to stderr after every pass");
  command.add_option("--print-ir-before", print_ir_before, "print the IR before PASS")
      ->delimiter(',')
      ->type_name("PASS");
  command.add_option("--print-ir-after", print_ir_after, "print the IR after PASS")->delimiter(',')->type_name("PASS");
  command.add_option("--disable-pass", disable_pass, "skip PASS in the pipeline")->delimiter(',')->type_name("PASS");
  command.add_flag("--verify-each", verify_each, "run the IR verifier after every pass");
}

passes::PassOptions PassFlags::options() const {
  passes::PassOptions o;
  o.print_ir_after_all = print_ir_after_all;
  o.print_ir_before.insert(print_ir_before.begin(), print_ir_before.end());
  o.print_ir_after.insert(print_ir_after.begin(), print_ir_after.end());
  o.disabled.insert(disable_pass.begin(), disable_pass.end());
  if (verify_each) o.verify_each = true;
  return o;
}

}  // namespace dlc::tool
