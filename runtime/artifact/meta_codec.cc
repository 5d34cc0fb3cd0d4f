#include "runtime/artifact/meta_codec.h"

#include <utility>

#include "runtime/artifact/plan_codec.h"
#include "runtime/tensor_file.h"
#include "support/status_macros.h"

namespace dlc::runtime::artifact {
namespace {

constexpr std::pair<std::string_view, FunctionRole> kRoles[] = {
    {"inference", FunctionRole::kInference},
    {"grad", FunctionRole::kGrad},
    {"train_step", FunctionRole::kTrainStep},
};
constexpr std::string_view kTargets[] = {"cpu", "cuda"};

std::span<const std::byte> asBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// ---------------------------------------------------------------------------
// Writing

Json encodeTensor(const TensorSignature& t) {
  Json j = Json::object();
  j["name"] = t.name;
  j["dtype"] = std::string(ir::dtypeName(t.dtype));
  j["shape"] = t.shape;
  j["symbols"] = t.symbols;
  j["trainable"] = t.trainable;
  j["init"] = t.init;
  Json args = Json::object();
  for (const auto& [key, value] : t.init_args) args[key] = value;
  j["init_args"] = std::move(args);
  return j;
}

Json encodeTensors(const std::vector<TensorSignature>& tensors) {
  Json j = Json::array();
  for (const TensorSignature& t : tensors) j.push_back(encodeTensor(t));
  return j;
}

Json encodeSignature(const Signature& s) {
  Json j = Json::object();
  j["model"] = s.model;
  j["inputs"] = encodeTensors(s.inputs);
  j["outputs"] = encodeTensors(s.outputs);
  j["parameters"] = encodeTensors(s.parameters);
  j["optimizer_state"] = encodeTensors(s.optimizer_state);
  return j;
}

class Encoder {
 public:
  absl::StatusOr<EncodedArtifact> encode(const Artifact& a) {
    out_.meta = Json::object();
    out_.meta["source_hash"] = a.source_hash;
    out_.meta["signature"] = encodeSignature(a.signature);
    Json functions = Json::array();
    for (size_t i = 0; i < a.functions.size(); ++i) {
      absl::StatusOr<Json> f = encodeFunction(a.functions[i], i);
      if (!f.ok()) return f.status();
      functions.push_back(*std::move(f));
    }
    out_.meta["functions"] = std::move(functions);
    if (!a.weights.empty()) {
      absl::StatusOr<std::string> weights = runtime::serializeSafetensors(a.weights);
      if (!weights.ok()) return absl::InvalidArgumentError(strCat("weights: ", weights.status().message()));
      out_.meta["weights"] = add("weights", SectionKind::kWeights, *std::move(weights));
    }
    return std::move(out_);
  }

 private:
  absl::StatusOr<Json> encodeFunction(const CompiledFunction& f, size_t index) {
    Json j = Json::object();
    j["name"] = f.name;
    j["role"] = std::string(enumName(kRoles, f.role));
    j["target"] = f.target;
    j["input_shapes"] = f.input_shapes;
    j["plan"] = encodePlan(f.executable);
    if (!f.executable.constants.empty()) {
      absl::StatusOr<std::string> constants = encodeConstants(f.executable.constants);
      if (!constants.ok())
        return absl::InvalidArgumentError(
            strCat("function ", index, " ('", f.name, "'): constants: ", constants.status().message()));
      j["constants"] = add(strCat("constants.", index), SectionKind::kConstants, *std::move(constants));
    }
    if (f.target == "cpu") {
      Json cpu = Json::object();
      cpu["triple"] = f.cpu.triple;
      cpu["cpu"] = f.cpu.cpu;
      cpu["features"] = f.cpu.features;
      cpu["shared_object"] = refer(strCat("cpu.", index), SectionKind::kSharedObject, f.cpu.shared_object);
      j["cpu"] = std::move(cpu);
    } else {
      Json cuda = Json::object();
      Json kernels = Json::array();
      for (const CudaKernelLaunches& k : f.cuda.kernels) {
        Json launches = Json::array();
        for (const CudaLaunch& l : k.launches)
          launches.push_back(Json{{"name", l.name},
                                  {"grid_x", l.grid_x},
                                  {"grid_y", l.grid_y},
                                  {"block_x", l.block_x},
                                  {"shared_bytes", l.shared_bytes}});
        kernels.push_back(Json{{"kernel", k.kernel}, {"launches", std::move(launches)}});
      }
      cuda["kernels"] = std::move(kernels);
      Json cubins = Json::object();
      for (const auto& [arch, cubin] : f.cuda.cubins)
        cubins[arch] = refer(strCat("cuda.", index, ".", arch), SectionKind::kCubin, cubin);
      cuda["cubins"] = std::move(cubins);
      cuda["ptx_arch"] = f.cuda.ptx_arch;
      if (!f.cuda.ptx.empty()) cuda["ptx"] = refer(strCat("ptx.", index), SectionKind::kPtx, f.cuda.ptx);
      j["cuda"] = std::move(cuda);
    }
    return j;
  }

  // A section whose payload is made here.
  std::string add(std::string name, SectionKind kind, std::string payload) {
    out_.storage.push_back(std::move(payload));
    return refer(std::move(name), kind, out_.storage.back());
  }
  // A section whose payload the artifact holds.
  std::string refer(std::string name, SectionKind kind, std::string_view payload) {
    out_.sections.push_back(Section{name, kind, payload});
    return name;
  }

  EncodedArtifact out_;
};

// ---------------------------------------------------------------------------
// Reading

absl::Status decodeTensor(const Json& value, const std::string& path, TensorSignature& t) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("name", t.name));
  RETURN_IF_ERROR(o.read("dtype", t.dtype));
  RETURN_IF_ERROR(o.read("shape", t.shape));
  RETURN_IF_ERROR(o.read("symbols", t.symbols));
  RETURN_IF_ERROR(o.read("trainable", t.trainable));
  RETURN_IF_ERROR(o.read("init", t.init));
  ASSIGN_OR_RETURN(const Json* args, o.field("init_args"));
  ASSIGN_OR_RETURN(JsonObject args_object, JsonObject::open(*args, o.pathOf("init_args")));
  for (auto it = args->begin(); it != args->end(); ++it) {
    double value = 0;
    RETURN_IF_ERROR(args_object.read(it.key(), value));
    t.init_args.emplace(it.key(), value);
  }
  return o.finish();
}

absl::Status readTensors(JsonObject& o, std::string_view key, std::vector<TensorSignature>& out) {
  ASSIGN_OR_RETURN(const Json* value, o.field(key));
  return decodeArray(*value, o.pathOf(key), out, decodeTensor);
}

absl::Status decodeSignature(const Json& value, const std::string& path, Signature& s) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("model", s.model));
  RETURN_IF_ERROR(readTensors(o, "inputs", s.inputs));
  RETURN_IF_ERROR(readTensors(o, "outputs", s.outputs));
  RETURN_IF_ERROR(readTensors(o, "parameters", s.parameters));
  RETURN_IF_ERROR(readTensors(o, "optimizer_state", s.optimizer_state));
  return o.finish();
}

// The payload of the section named by `key`.
absl::StatusOr<std::string> readSection(JsonObject& o, std::string_view key, SectionKind kind, SectionTable& sections) {
  std::string name;
  RETURN_IF_ERROR(o.read(key, name));
  ASSIGN_OR_RETURN(std::string_view payload, sections.take(name, kind, o.pathOf(key)));
  return std::string(payload);
}

absl::Status decodeCpu(const Json& value, const std::string& path, SectionTable& sections, CpuCode& cpu) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("triple", cpu.triple));
  RETURN_IF_ERROR(o.read("cpu", cpu.cpu));
  RETURN_IF_ERROR(o.read("features", cpu.features));
  ASSIGN_OR_RETURN(cpu.shared_object, readSection(o, "shared_object", SectionKind::kSharedObject, sections));
  return o.finish();
}

absl::Status decodeLaunch(const Json& value, const std::string& path, CudaLaunch& launch) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("name", launch.name));
  RETURN_IF_ERROR(o.read("grid_x", launch.grid_x));
  RETURN_IF_ERROR(o.read("grid_y", launch.grid_y));
  RETURN_IF_ERROR(o.read("block_x", launch.block_x));
  RETURN_IF_ERROR(o.read("shared_bytes", launch.shared_bytes));
  return o.finish();
}

absl::Status decodeKernelLaunches(const Json& value, const std::string& path, CudaKernelLaunches& kernel) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("kernel", kernel.kernel));
  ASSIGN_OR_RETURN(const Json* launches, o.field("launches"));
  RETURN_IF_ERROR(decodeArray(*launches, o.pathOf("launches"), kernel.launches, decodeLaunch));
  return o.finish();
}

absl::Status decodeCuda(const Json& value, const std::string& path, SectionTable& sections, CudaCode& cuda) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  ASSIGN_OR_RETURN(const Json* kernels, o.field("kernels"));
  RETURN_IF_ERROR(decodeArray(*kernels, o.pathOf("kernels"), cuda.kernels, decodeKernelLaunches));
  ASSIGN_OR_RETURN(const Json* cubins_value, o.field("cubins"));
  ASSIGN_OR_RETURN(JsonObject cubins, JsonObject::open(*cubins_value, o.pathOf("cubins")));
  for (auto it = cubins_value->begin(); it != cubins_value->end(); ++it) {
    ASSIGN_OR_RETURN(std::string cubin, readSection(cubins, it.key(), SectionKind::kCubin, sections));
    cuda.cubins.emplace(it.key(), std::move(cubin));
  }
  RETURN_IF_ERROR(o.read("ptx_arch", cuda.ptx_arch));
  if (o.has("ptx")) {
    ASSIGN_OR_RETURN(cuda.ptx, readSection(o, "ptx", SectionKind::kPtx, sections));
  }
  return o.finish();
}

absl::Status decodeFunction(const Json& value, const std::string& path, SectionTable& sections, CompiledFunction& f) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("name", f.name));
  RETURN_IF_ERROR(o.readEnum("role", kRoles, f.role));
  RETURN_IF_ERROR(o.read("target", f.target));
  if (std::find(std::begin(kTargets), std::end(kTargets), f.target) == std::end(kTargets))
    return jsonError(o.pathOf("target"), "unknown target '", f.target.substr(0, 64), "' (expected cpu or cuda)");
  RETURN_IF_ERROR(o.read("input_shapes", f.input_shapes));
  ASSIGN_OR_RETURN(const Json* plan, o.field("plan"));
  ASSIGN_OR_RETURN(f.executable, decodePlan(*plan, o.pathOf("plan")));
  if (o.has("constants")) {
    std::string name;
    RETURN_IF_ERROR(o.read("constants", name));
    ASSIGN_OR_RETURN(std::string_view bytes, sections.take(name, SectionKind::kConstants, o.pathOf("constants")));
    ASSIGN_OR_RETURN(f.executable.constants, decodeConstants(bytes, strCat("section '", name, "'")));
  }
  if (f.target == "cpu") {
    ASSIGN_OR_RETURN(const Json* cpu, o.field("cpu"));
    RETURN_IF_ERROR(decodeCpu(*cpu, o.pathOf("cpu"), sections, f.cpu));
  } else {
    ASSIGN_OR_RETURN(const Json* cuda, o.field("cuda"));
    RETURN_IF_ERROR(decodeCuda(*cuda, o.pathOf("cuda"), sections, f.cuda));
  }
  return o.finish();
}

}  // namespace

absl::StatusOr<EncodedArtifact> encodeArtifact(const Artifact& artifact) { return Encoder().encode(artifact); }

SectionTable::SectionTable(const Container& container) {
  for (size_t i = 0; i < container.table.size(); ++i)
    sections_.emplace(container.table[i].name, Entry{container.table[i].kind, container.payloads[i]});
}

absl::StatusOr<std::string_view> SectionTable::take(std::string_view name, SectionKind kind, std::string_view path) {
  auto it = sections_.find(name);
  if (it == sections_.end()) return jsonError(path, "names section '", name.substr(0, 64), "', which the file lacks");
  if (it->second.kind != kind)
    return jsonError(path, "names section '", name, "', which holds ", sectionKindName(it->second.kind), ", not ",
                     sectionKindName(kind));
  it->second.used = true;
  return it->second.payload;
}

absl::Status SectionTable::checkAllUsed() const {
  for (const auto& [name, entry] : sections_)
    if (!entry.used)
      return absl::InvalidArgumentError(
          strCat("section '", name, "' (", sectionKindName(entry.kind), ") is not named by the metadata"));
  return absl::OkStatus();
}

absl::Status decodeArtifact(const Json& meta, SectionTable& sections, Artifact& artifact) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(meta, "meta"));
  RETURN_IF_ERROR(o.read("source_hash", artifact.source_hash));
  ASSIGN_OR_RETURN(const Json* signature, o.field("signature"));
  RETURN_IF_ERROR(decodeSignature(*signature, o.pathOf("signature"), artifact.signature));
  ASSIGN_OR_RETURN(const Json* functions, o.field("functions"));
  RETURN_IF_ERROR(decodeArray(*functions, o.pathOf("functions"), artifact.functions,
                              [&](const Json& v, const std::string& path, CompiledFunction& f) {
                                return decodeFunction(v, path, sections, f);
                              }));
  if (o.has("weights")) {
    std::string name;
    RETURN_IF_ERROR(o.read("weights", name));
    ASSIGN_OR_RETURN(std::string_view bytes, sections.take(name, SectionKind::kWeights, o.pathOf("weights")));
    ASSIGN_OR_RETURN(artifact.weights, runtime::parseSafetensors(asBytes(bytes), strCat("section '", name, "'")));
  }
  return o.finish();
}

}  // namespace dlc::runtime::artifact
