// describeArtifact: what `dlc inspect` prints.
#include <algorithm>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/container.h"
#include "runtime/artifact/plan_check.h"
#include "runtime/artifact/serialize.h"
#include "support/strings.h"

namespace dlc::runtime::artifact {
namespace {

std::string_view roleName(FunctionRole role) {
  switch (role) {
    case FunctionRole::kInference: return "inference";
    case FunctionRole::kGrad: return "grad";
    case FunctionRole::kTrainStep: return "train step";
  }
  return "?";
}

void describeTensors(std::string* out, std::string_view what, const std::vector<TensorSignature>& tensors) {
  if (tensors.empty()) return;
  strAppend(out, what, ":\n");
  for (const TensorSignature& t : tensors) {
    strAppend(out, "  ", t.name, " ", typeString(t));
    if (what == "parameters" && !t.trainable) strAppend(out, " (not trainable)");
    strAppend(out, "\n");
  }
}

void describeFunction(std::string* out, size_t index, const CompiledFunction& f) {
  const runtime::Executable& e = f.executable;
  std::vector<std::string> shapes;
  for (const std::vector<int64_t>& shape : f.input_shapes) shapes.push_back(strCat("[", strJoin(shape, ", "), "]"));
  strAppend(out, "function ", index, ": ", f.name, " (", roleName(f.role), ", ", f.target, "), inputs ",
            shapes.empty() ? "none" : strJoin(shapes, " "), "\n");
  size_t constant_bytes = 0;
  for (const runtime::Tensor& t : e.constants) constant_bytes += t.byteSize();
  strAppend(out, "  plan: ", e.kernels.size(), " kernels, ", e.library_calls.size(), " library calls, ", e.steps.size(),
            " steps, ", e.slots.size(), " slots, ", e.constants.size(), " constants (", constant_bytes,
            " bytes), arena ", e.arena_bytes, " bytes (", e.unshared_bytes, " without reuse)\n");
  if (!e.writes.empty()) strAppend(out, "  writes ", e.writes.size(), " parameters\n");
  if (f.target == "cpu") {
    strAppend(out, "  code: ", f.cpu.triple.empty() ? "?" : f.cpu.triple, ", cpu ",
              f.cpu.cpu.empty() ? "?" : f.cpu.cpu);
    if (!f.cpu.features.empty()) strAppend(out, ", features ", strJoin(f.cpu.features, " "));
    strAppend(out, "; shared object ", f.cpu.shared_object.size(), " bytes\n");
  } else {
    std::vector<std::string> code;
    for (const auto& [arch, cubin] : f.cuda.cubins)
      code.push_back(strCat("cubin ", arch, " (", cubin.size(), " bytes)"));
    if (!f.cuda.ptx.empty()) code.push_back(strCat("PTX ", f.cuda.ptx_arch, " (", f.cuda.ptx.size(), " bytes)"));
    size_t launches = 0;
    for (const CudaKernelLaunches& k : f.cuda.kernels) launches += k.launches.size();
    code.push_back(strCat(launches, " launches"));
    strAppend(out, "  code: ", strJoin(code, ", "), "\n");
  }
}

std::string padded(std::string s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string describeArtifact(const Artifact& a) {
  std::string out;
  std::string version = a.dlc_version.empty() ? std::string(dlcVersion()) : a.dlc_version;
  strAppend(&out, "dlc artifact: model ", a.signature.model, ", format version ", a.format_version, ", written by dlc ",
            version, "\n");
  strAppend(&out, "content sha256: ", a.content_hash.empty() ? "(not written yet)" : a.content_hash, "\n");
  strAppend(&out, "source sha256: ", a.source_hash.empty() ? "(unknown)" : a.source_hash, "\n");
  describeTensors(&out, "inputs", a.signature.inputs);
  describeTensors(&out, "outputs", a.signature.outputs);
  describeTensors(&out, "parameters", a.signature.parameters);
  describeTensors(&out, "optimizer state", a.signature.optimizer_state);
  if (a.weights.empty()) {
    strAppend(&out, "weights: not embedded (given at run time)\n");
  } else {
    size_t bytes = 0;
    for (const auto& [name, t] : a.weights) bytes += t.byteSize();
    strAppend(&out, "weights: ", a.weights.size(), " tensors embedded, ", bytes, " bytes\n");
  }
  for (size_t i = 0; i < a.functions.size(); ++i) describeFunction(&out, i, a.functions[i]);

  absl::StatusOr<ArtifactSections> sections = artifactSections(a, version);
  if (!sections.ok()) {
    strAppend(&out, "sections: cannot be laid out: ", sections.status().message(), "\n");
    return out;
  }
  std::vector<Section> list = sections->sections();
  std::vector<SectionEntry> table = layoutContainer(version, list);
  size_t width = 7;
  for (const SectionEntry& s : table) width = std::max(width, s.name.size());
  strAppend(&out, "sections:\n  ", padded("name", width), "  ", padded("kind", 13), "  ", padded("offset", 10, true),
            "  ", padded("size", 10, true), "\n");
  uint64_t end = 0;
  for (const SectionEntry& s : table) {
    strAppend(&out, "  ", padded(s.name, width), "  ", padded(std::string(sectionKindName(s.kind)), 13), "  ",
              padded(std::to_string(s.offset), 10, true), "  ", padded(std::to_string(s.size), 10, true), "\n");
    end = s.offset + s.size;
  }
  strAppend(&out, "file: ", end, " bytes\n");
  return out;
}

}  // namespace dlc::runtime::artifact
