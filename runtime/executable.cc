#include "runtime/executable.h"

#include "support/strings.h"

namespace dlc::runtime {

std::string describeExecutable(const Executable& e) {
  auto slotName = [&](int s) -> std::string {
    const Slot& slot = e.slots[s];
    switch (slot.kind) {
      case Slot::Kind::kInput: return strCat("input", slot.index);
      case Slot::Kind::kParam: return strCat("@", e.params[slot.index]);
      case Slot::Kind::kArena: return strCat("arena+", slot.offset);
      case Slot::Kind::kConstant: return strCat("const", slot.index);
      case Slot::Kind::kRunState: return "run_state";
    }
    return "";
  };
  std::string out = strCat("// plan: ", e.steps.size(), " kernel calls, arena ", e.arena_bytes,
                           " bytes (", e.unshared_bytes, " without reuse)\n");
  for (const Step& step : e.steps) {
    std::vector<std::string> slots;
    for (int s : step.slots) slots.push_back(slotName(s));
    strAppend(&out, "call @", e.kernels[step.kernel], "(", strJoin(slots, ", "), ")\n");
  }
  for (const ParamWrite& w : e.writes) strAppend(&out, "write @", w.name, " = ", slotName(w.slot), "\n");
  std::vector<std::string> outputs;
  for (int s : e.outputs) outputs.push_back(slotName(s));
  strAppend(&out, "return ", strJoin(outputs, ", "), "\n");
  return out;
}

}  // namespace dlc::runtime
