#include "runtime/artifact/validate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "runtime/artifact/plan_check.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::artifact {
namespace {

template <typename... Args>
absl::Status invalid(const Args&... parts) {
  return absl::InvalidArgumentError(strCat(parts...));
}

bool knownDType(ir::DType dtype) { return ir::dtypeSize(dtype) != 0; }

bool isHex64(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "sm_90", "sm_90a" (prefix "sm_"), "compute_90" (prefix "compute_").
bool isArch(std::string_view s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  if (!s.empty() && s.back() >= 'a' && s.back() <= 'z') s.remove_suffix(1);
  return !s.empty() && s.size() <= 4 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

absl::Status checkTensor(const TensorSignature& t) {
  if (t.name.empty()) return invalid("has no name");
  if (!knownDType(t.dtype)) return invalid("has an unknown dtype");
  if (!t.symbols.empty() && t.symbols.size() != t.shape.size())
    return invalid("has ", t.symbols.size(), " symbols for ", t.shape.size(), " dims");
  std::vector<int64_t> sizes = t.shape;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] != -1) continue;
    if (d >= t.symbols.size() || t.symbols[d].empty()) return invalid("dim ", d, " is -1 without a symbol");
    sizes[d] = 1;
  }
  if (!runtime::checkedElementCount(sizes).ok())
    return invalid("shape [", strJoin(t.shape, ", "), "] has a negative dimension or too many elements");
  for (const auto& [key, value] : t.init_args)
    if (!std::isfinite(value)) return invalid("initialiser argument '", key, "' is not a finite number");
  return absl::OkStatus();
}

absl::Status checkTensors(const std::vector<TensorSignature>& tensors, std::string_view what,
                          std::set<std::string_view>& names) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSignature& t = tensors[i];
    if (absl::Status s = checkTensor(t); !s.ok())
      return invalid("signature: ", what, " ", i, " ('", t.name, "') ", s.message());
    if (!names.insert(t.name).second) return invalid("signature: ", what, " '", t.name, "' appears twice");
  }
  return absl::OkStatus();
}

// Each kernel of the plan has its launches, within CUDA's limits.
absl::Status checkLaunches(const CompiledFunction& f) {
  std::set<std::string_view> kernels(f.executable.kernels.begin(), f.executable.kernels.end()), launched;
  for (const CudaKernelLaunches& k : f.cuda.kernels) {
    if (!kernels.contains(k.kernel))
      return invalid("has launches for '", k.kernel, "', which is not a kernel of its plan");
    if (!launched.insert(k.kernel).second) return invalid("has launches for kernel '", k.kernel, "' twice");
    for (const CudaLaunch& l : k.launches) {
      if (l.name.empty()) return invalid("kernel '", k.kernel, "' has a launch without a name");
      if (l.grid_x < 1 || l.grid_x > 0x7fffffff || l.grid_y < 1 || l.grid_y > 65535 || l.block_x < 1 ||
          l.block_x > 1024 || l.shared_bytes < 0)
        return invalid("launch '", l.name, "' of kernel '", k.kernel, "' has grid (", l.grid_x, ", ", l.grid_y,
                       "), block ", l.block_x, " and ", l.shared_bytes,
                       " bytes of shared memory, outside CUDA's limits");
    }
  }
  for (const std::string& kernel : f.executable.kernels)
    if (!launched.contains(kernel)) return invalid("kernel '", kernel, "' of its plan has no launches");
  return absl::OkStatus();
}

absl::Status checkCode(const CompiledFunction& f) {
  const CpuCode& cpu = f.cpu;
  const CudaCode& cuda = f.cuda;
  bool has_cpu = !cpu.triple.empty() || !cpu.cpu.empty() || !cpu.features.empty() || !cpu.shared_object.empty();
  bool has_cuda = !cuda.kernels.empty() || !cuda.cubins.empty() || !cuda.ptx_arch.empty() || !cuda.ptx.empty();
  if (f.target == "cpu") {
    if (has_cuda) return invalid("targets cpu but holds CUDA code");
    if (cpu.shared_object.empty()) return invalid("targets cpu but has no shared object");
    for (const std::string& feature : cpu.features)
      if (feature.empty() || feature[0] == '+' || feature[0] == '-')
        return invalid("CPU feature '", feature, "' must be a name such as avx2 (without + or -)");
    return absl::OkStatus();
  }
  if (f.target == "cuda") {
    if (has_cpu) return invalid("targets cuda but holds CPU code");
    if (cuda.cubins.empty() && cuda.ptx.empty()) return invalid("targets cuda but has neither cubins nor PTX");
    for (const auto& [arch, cubin] : cuda.cubins) {
      if (!isArch(arch, "sm_")) return invalid("cubin architecture '", arch, "' is not of the form sm_90");
      if (cubin.empty()) return invalid("the cubin for ", arch, " is empty");
    }
    if (cuda.ptx.empty() != cuda.ptx_arch.empty())
      return invalid(cuda.ptx.empty() ? "names a PTX architecture but holds no PTX"
                                      : "holds PTX without its architecture");
    if (!cuda.ptx.empty() && !isArch(cuda.ptx_arch, "compute_"))
      return invalid("PTX architecture '", cuda.ptx_arch, "' is not of the form compute_90");
    return checkLaunches(f);
  }
  return invalid("has unknown target '", f.target, "' (expected cpu or cuda)");
}

absl::Status checkFunction(const CompiledFunction& f, const StateSignatures& state) {
  if (f.name.empty()) return invalid("has no name");
  if (f.role != FunctionRole::kInference && f.role != FunctionRole::kGrad && f.role != FunctionRole::kTrainStep)
    return invalid("has an unknown role");
  RETURN_IF_ERROR(checkCode(f));
  for (size_t i = 0; i < f.input_shapes.size(); ++i)
    if (!runtime::checkedElementCount(f.input_shapes[i]).ok())
      return invalid("input shape ", i, " [", strJoin(f.input_shapes[i], ", "),
                     "] has a negative dimension or too many elements");
  return checkPlan(f.executable, PlanContext{f.input_shapes, &state});
}

absl::Status checkWeights(const runtime::NamedTensors& weights, const Signature& signature,
                          const StateSignatures& state) {
  if (weights.empty()) return absl::OkStatus();
  std::set<std::string_view> names;
  for (const auto& [name, tensor] : weights) {
    auto it = state.find(name);
    if (it == state.end()) return invalid("weights: '", name, "' is not a parameter or optimizer state of the model");
    if (!names.insert(name).second) return invalid("weights: '", name, "' appears twice");
    if (!matchesSignature(*it->second, tensor.dtype(), tensor.shape()))
      return invalid("weights: '", name, "' is ", tensor.typeString(), ", but the signature says ",
                     typeString(*it->second));
  }
  for (const TensorSignature& p : signature.parameters)
    if (!names.contains(p.name)) return invalid("weights: parameter '", p.name, "' is missing");
  return absl::OkStatus();
}

}  // namespace

absl::Status checkArtifact(const Artifact& a) {
  if (!a.source_hash.empty() && !isHex64(a.source_hash))
    return invalid("source hash '", a.source_hash.substr(0, 80), "' is not 64 lower-case hex digits");
  const Signature& s = a.signature;
  if (s.model.empty()) return invalid("signature: the model has no name");
  std::set<std::string_view> inputs, outputs, state_names;
  RETURN_IF_ERROR(checkTensors(s.inputs, "input", inputs));
  RETURN_IF_ERROR(checkTensors(s.outputs, "output", outputs));
  RETURN_IF_ERROR(checkTensors(s.parameters, "parameter", state_names));
  RETURN_IF_ERROR(checkTensors(s.optimizer_state, "optimizer state", state_names));
  StateSignatures state;
  for (const TensorSignature& t : s.parameters) state.emplace(t.name, &t);
  for (const TensorSignature& t : s.optimizer_state) state.emplace(t.name, &t);

  std::map<std::tuple<std::string_view, std::string_view, const std::vector<std::vector<int64_t>>&>, size_t> seen;
  for (size_t i = 0; i < a.functions.size(); ++i) {
    const CompiledFunction& f = a.functions[i];
    if (absl::Status status = checkFunction(f, state); !status.ok())
      return invalid("function ", i, " ('", f.name, "', ", f.target, "): ", status.message());
    auto [it, inserted] = seen.emplace(std::forward_as_tuple(f.name, f.target, f.input_shapes), i);
    if (!inserted)
      return invalid("function ", i, " ('", f.name, "', ", f.target, ") repeats function ", it->second,
                     " for the same input shapes");
  }
  return checkWeights(a.weights, s, state);
}

}  // namespace dlc::runtime::artifact
