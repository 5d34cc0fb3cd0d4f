#include "runtime/executable.h"

#include "support/strings.h"

namespace dlc::runtime {

std::string describeExecutable(const Executable& e) {
  auto slotName = [&](int s) -> std::string {
    if (s < 0) return "local";  // private to the kernel
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
  std::string out = strCat("// plan: ", e.steps.size() - e.library_calls.size(), " kernel calls, ");
  if (!e.library_calls.empty()) strAppend(&out, e.library_calls.size(), " library calls, ");
  strAppend(&out, "arena ", e.arena_bytes, " bytes (", e.unshared_bytes, " without reuse)\n");
  for (const Step& step : e.steps) {
    std::vector<std::string> slots;
    for (int s : step.slots) slots.push_back(slotName(s));
    if (step.isLibraryCall()) {
      strAppend(&out, "library ", stepName(e, step), " (", strJoin(slots, ", "), ")\n");
    } else {
      strAppend(&out, "call @", e.kernels[step.kernel], "(", strJoin(slots, ", "), ")\n");
    }
  }
  for (const ParamWrite& w : e.writes) strAppend(&out, "write @", w.name, " = ", slotName(w.slot), "\n");
  std::vector<std::string> outputs;
  for (int s : e.outputs) outputs.push_back(slotName(s));
  strAppend(&out, "return ", strJoin(outputs, ", "), "\n");
  return out;
}

std::string stepName(const Executable& e, const Step& step) {
  if (!step.isLibraryCall()) return e.kernels[step.kernel];
  return describeLibraryCall(e.library_calls[step.library]);
}

absl::StatusOr<std::vector<const void*>> hostAddresses(const Executable& executable, std::span<const Tensor> inputs,
                                                       const TensorMap& params) {
  std::vector<const void*> host(executable.slots.size(), nullptr);
  for (size_t s = 0; s < executable.slots.size(); ++s) {
    const Slot& slot = executable.slots[s];
    if (slot.kind == Slot::Kind::kInput) {
      if (static_cast<size_t>(slot.index) >= inputs.size())
        return absl::InvalidArgumentError(strCat("input ", slot.index, " is missing"));
      const Tensor& t = inputs[slot.index];
      if (t.dtype() != slot.dtype || static_cast<int64_t>(t.byteSize()) != slot.bytes)
        return absl::InvalidArgumentError(
            strCat("input ", slot.index, " is ", t.typeString(), ", but the function was compiled for another type"));
      host[s] = t.data();
    } else if (slot.kind == Slot::Kind::kParam) {
      const std::string& name = executable.params[slot.index];
      auto it = params.find(name);
      if (it == params.end()) return absl::FailedPreconditionError(strCat("parameter '", name, "' has no value"));
      if (it->second.dtype() != slot.dtype || static_cast<int64_t>(it->second.byteSize()) != slot.bytes)
        return absl::InvalidArgumentError(
            strCat("parameter '", name, "' is ", it->second.typeString(), ", which is not its declared type"));
      host[s] = it->second.data();
    } else if (slot.kind == Slot::Kind::kConstant) {
      host[s] = executable.constants[slot.index].data();
    }
  }
  return host;
}

MemoryNeed hostCallNeed(const Executable& executable, bool workspace_held) {
  MemoryNeed need;
  if (!workspace_held) need.add("workspace", executable.arena_bytes);
  int64_t outputs = 0, writes = 0;
  for (int s : executable.outputs) outputs += executable.slots[s].bytes;
  for (const ParamWrite& w : executable.writes) writes += executable.slots[w.slot].bytes;
  need.add("outputs", outputs);
  need.add("parameter writes", writes);
  return need;
}

absl::Status checkIndices(const Executable& executable, const std::vector<const void*>& data) {
  for (const IndexCheck& check : executable.index_checks) {
    const Slot& slot = executable.slots[check.slot];
    int64_t count = 1;
    for (int64_t d : slot.shape) count *= d;
    for (int64_t i = 0; i < count; ++i) {
      int64_t id = 0;
      if (slot.dtype == ir::DType::kI32)
        id = static_cast<const int32_t*>(data[check.slot])[i];
      else if (slot.dtype == ir::DType::kI64)
        id = static_cast<const int64_t*>(data[check.slot])[i];
      else
        break;  // float ids are not checked here
      if (id >= 0 && id < check.limit) continue;
      std::vector<int64_t> index(slot.shape.size());
      for (size_t d = slot.shape.size(), rest = static_cast<size_t>(i); d-- > 0;) {
        index[d] = static_cast<int64_t>(rest % static_cast<size_t>(slot.shape[d]));
        rest /= static_cast<size_t>(slot.shape[d]);
      }
      return absl::InvalidArgumentError(
          strCat(check.what, ": id ", id, " at index [", strJoin(index, ", "), "] is outside [0, ", check.limit, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace dlc::runtime
