#include "runtime/artifact/plan_codec.h"

#include <array>
#include <utility>

#include "runtime/tensor_file.h"
#include "support/status_macros.h"

namespace dlc::runtime::artifact {
namespace {

using runtime::ConvCall;
using runtime::Executable;
using runtime::GemmCall;
using runtime::LibraryCall;
using runtime::Slot;
using runtime::Step;

constexpr std::pair<std::string_view, Slot::Kind> kSlotKinds[] = {
    {"input", Slot::Kind::kInput},       {"param", Slot::Kind::kParam},        {"arena", Slot::Kind::kArena},
    {"constant", Slot::Kind::kConstant}, {"run_state", Slot::Kind::kRunState},
};
constexpr std::pair<std::string_view, LibraryCall::Kind> kCallKinds[] = {
    {"gemm", LibraryCall::Kind::kGemm},
    {"conv2d", LibraryCall::Kind::kConv2d},
};
constexpr std::pair<std::string_view, GemmCall::Activation> kActivations[] = {
    {"none", GemmCall::Activation::kNone},
    {"relu", GemmCall::Activation::kRelu},
};
constexpr std::pair<std::string_view, ConvCall::Direction> kDirections[] = {
    {"forward", ConvCall::Direction::kForward},
    {"backward_data", ConvCall::Direction::kBackwardData},
    {"backward_filter", ConvCall::Direction::kBackwardFilter},
};

template <typename E, size_t N>
std::string name(const std::pair<std::string_view, E> (&names)[N], E e) {
  return std::string(enumName(names, e));
}

Json encodeLibraryCall(const LibraryCall& call) {
  Json j = Json::object();
  j["kind"] = name(kCallKinds, call.kind);
  j["dtype"] = std::string(ir::dtypeName(call.dtype));
  if (call.allow_tf32) j["allow_tf32"] = true;  // absent: exact f32 (artifacts from before it)
  switch (call.kind) {
    case LibraryCall::Kind::kGemm:
      j["m"] = call.gemm.m, j["n"] = call.gemm.n, j["k"] = call.gemm.k;
      j["bias"] = call.gemm.bias;
      j["activation"] = name(kActivations, call.gemm.activation);
      break;
    case LibraryCall::Kind::kConv2d: {
      const ConvCall& c = call.conv;
      j["direction"] = name(kDirections, c.direction);
      j["batch"] = c.batch;
      j["in"] = {c.in_h, c.in_w, c.in_c};
      j["out"] = {c.out_h, c.out_w, c.out_c};
      j["kernel"] = {c.kernel_h, c.kernel_w};
      j["stride"] = c.stride, j["pad"] = c.pad, j["dilation"] = c.dilation;
      break;
    }
  }
  return j;
}

// A fixed-length array of integers.
template <size_t N>
absl::Status readFixed(JsonObject& o, std::string_view key, std::array<int64_t, N>& out) {
  std::vector<int64_t> values;
  RETURN_IF_ERROR(o.read(key, values));
  if (values.size() != N) return jsonError(o.pathOf(key), "must hold ", N, " integers");
  std::copy(values.begin(), values.end(), out.begin());
  return absl::OkStatus();
}

absl::Status decodeLibraryCall(const Json& value, const std::string& path, LibraryCall& call) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.readEnum("kind", kCallKinds, call.kind));
  RETURN_IF_ERROR(o.read("dtype", call.dtype));
  RETURN_IF_ERROR(o.readOptional("allow_tf32", call.allow_tf32));
  switch (call.kind) {
    case LibraryCall::Kind::kGemm:
      RETURN_IF_ERROR(o.read("m", call.gemm.m));
      RETURN_IF_ERROR(o.read("n", call.gemm.n));
      RETURN_IF_ERROR(o.read("k", call.gemm.k));
      RETURN_IF_ERROR(o.read("bias", call.gemm.bias));
      RETURN_IF_ERROR(o.readEnum("activation", kActivations, call.gemm.activation));
      break;
    case LibraryCall::Kind::kConv2d: {
      ConvCall& c = call.conv;
      std::array<int64_t, 3> in{}, out{};
      std::array<int64_t, 2> kernel{};
      RETURN_IF_ERROR(o.readEnum("direction", kDirections, c.direction));
      RETURN_IF_ERROR(o.read("batch", c.batch));
      RETURN_IF_ERROR(readFixed(o, "in", in));
      RETURN_IF_ERROR(readFixed(o, "out", out));
      RETURN_IF_ERROR(readFixed(o, "kernel", kernel));
      RETURN_IF_ERROR(readFixed(o, "stride", c.stride));
      RETURN_IF_ERROR(readFixed(o, "pad", c.pad));
      RETURN_IF_ERROR(readFixed(o, "dilation", c.dilation));
      c.in_h = in[0], c.in_w = in[1], c.in_c = in[2];
      c.out_h = out[0], c.out_w = out[1], c.out_c = out[2];
      c.kernel_h = kernel[0], c.kernel_w = kernel[1];
      break;
    }
  }
  return o.finish();
}

Json encodeSlot(const Slot& slot) {
  Json j = Json::object();
  j["kind"] = name(kSlotKinds, slot.kind);
  j["index"] = slot.index;
  j["offset"] = slot.offset;
  j["bytes"] = slot.bytes;
  j["dtype"] = std::string(ir::dtypeName(slot.dtype));
  j["shape"] = slot.shape;
  return j;
}

absl::Status decodeSlot(const Json& value, const std::string& path, Slot& slot) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.readEnum("kind", kSlotKinds, slot.kind));
  RETURN_IF_ERROR(o.read("index", slot.index));
  RETURN_IF_ERROR(o.read("offset", slot.offset));
  RETURN_IF_ERROR(o.read("bytes", slot.bytes));
  RETURN_IF_ERROR(o.read("dtype", slot.dtype));
  RETURN_IF_ERROR(o.read("shape", slot.shape));
  return o.finish();
}

absl::Status decodeStep(const Json& value, const std::string& path, Step& step) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("kernel", step.kernel));
  RETURN_IF_ERROR(o.read("library", step.library));
  RETURN_IF_ERROR(o.read("slots", step.slots));
  return o.finish();
}

absl::Status decodeWrite(const Json& value, const std::string& path, runtime::ParamWrite& write) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("name", write.name));
  RETURN_IF_ERROR(o.read("slot", write.slot));
  return o.finish();
}

absl::Status decodeIndexCheck(const Json& value, const std::string& path, runtime::IndexCheck& check) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(value, path));
  RETURN_IF_ERROR(o.read("slot", check.slot));
  RETURN_IF_ERROR(o.read("limit", check.limit));
  RETURN_IF_ERROR(o.read("what", check.what));
  return o.finish();
}

template <typename T, typename F>
absl::Status readArray(JsonObject& o, std::string_view key, std::vector<T>& out, F element) {
  ASSIGN_OR_RETURN(const Json* value, o.field(key));
  return decodeArray(*value, o.pathOf(key), out, element);
}

}  // namespace

Json encodePlan(const Executable& e) {
  Json j = Json::object();
  j["kernels"] = e.kernels;
  Json calls = Json::array();
  for (const LibraryCall& call : e.library_calls) calls.push_back(encodeLibraryCall(call));
  j["library_calls"] = std::move(calls);
  Json slots = Json::array();
  for (const Slot& slot : e.slots) slots.push_back(encodeSlot(slot));
  j["slots"] = std::move(slots);
  Json steps = Json::array();
  for (const Step& step : e.steps)
    steps.push_back(Json{{"kernel", step.kernel}, {"library", step.library}, {"slots", step.slots}});
  j["steps"] = std::move(steps);
  j["params"] = e.params;
  j["outputs"] = e.outputs;
  Json writes = Json::array();
  for (const runtime::ParamWrite& w : e.writes) writes.push_back(Json{{"name", w.name}, {"slot", w.slot}});
  j["writes"] = std::move(writes);
  Json checks = Json::array();
  for (const runtime::IndexCheck& c : e.index_checks)
    checks.push_back(Json{{"slot", c.slot}, {"limit", c.limit}, {"what", c.what}});
  j["index_checks"] = std::move(checks);
  j["arena_bytes"] = e.arena_bytes;
  j["unshared_bytes"] = e.unshared_bytes;
  return j;
}

absl::StatusOr<Executable> decodePlan(const Json& plan, const std::string& path) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::open(plan, path));
  Executable e;
  RETURN_IF_ERROR(o.read("kernels", e.kernels));
  RETURN_IF_ERROR(readArray(o, "library_calls", e.library_calls, decodeLibraryCall));
  RETURN_IF_ERROR(readArray(o, "slots", e.slots, decodeSlot));
  RETURN_IF_ERROR(readArray(o, "steps", e.steps, decodeStep));
  RETURN_IF_ERROR(o.read("params", e.params));
  RETURN_IF_ERROR(o.read("outputs", e.outputs));
  RETURN_IF_ERROR(readArray(o, "writes", e.writes, decodeWrite));
  RETURN_IF_ERROR(readArray(o, "index_checks", e.index_checks, decodeIndexCheck));
  RETURN_IF_ERROR(o.read("arena_bytes", e.arena_bytes));
  RETURN_IF_ERROR(o.read("unshared_bytes", e.unshared_bytes));
  RETURN_IF_ERROR(o.finish());
  return e;
}

}  // namespace dlc::runtime::artifact

namespace dlc::runtime::artifact {

absl::StatusOr<std::string> encodeConstants(const std::vector<runtime::Tensor>& constants) {
  runtime::NamedTensors named;
  named.reserve(constants.size());
  for (size_t i = 0; i < constants.size(); ++i) named.emplace_back(std::to_string(i), constants[i].clone());
  return runtime::serializeSafetensors(named);
}

absl::StatusOr<std::vector<runtime::Tensor>> decodeConstants(std::string_view bytes, std::string_view name) {
  std::span<const std::byte> span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
  ASSIGN_OR_RETURN(runtime::NamedTensors named, runtime::parseSafetensors(span, name));
  std::vector<runtime::Tensor> out(named.size());
  std::vector<bool> seen(named.size());
  for (auto& [key, tensor] : named) {
    // "0", "1", ...: canonical decimal indices, each once.
    size_t index = 0;
    bool canonical = !key.empty() && key.size() <= 9 && (key == "0" || key[0] != '0');
    for (char c : key) {
      canonical = canonical && c >= '0' && c <= '9';
      if (canonical) index = index * 10 + static_cast<size_t>(c - '0');
    }
    if (!canonical || index >= named.size() || seen[index])
      return absl::InvalidArgumentError(
          strCat(name, ": constant '", key.substr(0, 64), "' is not an index below ", named.size()));
    seen[index] = true;
    out[index] = std::move(tensor);
  }
  return out;
}

}  // namespace dlc::runtime::artifact
