#include "frontend/signatures.h"

#include "absl/container/flat_hash_map.h"

namespace dlc::frontend {

const std::vector<std::string>& activationNames() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>{"linear"};
    for (const ir::OpDef& def : ir::allOps())
      if (def.has(ir::kActivation)) v->emplace_back(def.name);
    return v;
  }();
  return *names;
}

namespace {

using ir::Attribute;
using ir::AttrKind;

ConfigParam required(std::string name, AttrKind kind, int list_length = 0) {
  return {std::move(name), kind, std::nullopt, {}, list_length};
}
ConfigParam optional(std::string name, Attribute value, int list_length = 0) {
  AttrKind kind = value.kind();
  return {std::move(name), kind, std::move(value), {}, list_length};
}
ConfigParam choice(std::string name, std::string value, std::vector<std::string> choices) {
  return {std::move(name), AttrKind::kString, Attribute::string(std::move(value)), std::move(choices), 0};
}
ConfigParam activation() { return choice("activation", "linear", activationNames()); }

// Layers, with the positional order of ../shared/spec/dsl.md §4.
std::vector<Signature> layerSignatures() {
  return {
      {"dense",
       1,
       {required("units", AttrKind::kInt), activation(), optional("use_bias", Attribute::boolean(true))},
       LayerKind::kDense,
       std::nullopt},
      {"conv2d",
       1,
       {required("filters", AttrKind::kInt), required("kernel", AttrKind::kIntList, 2),
        optional("strides", Attribute::intList({1, 1}), 2), choice("padding", "valid", {"valid", "same"}),
        optional("dilation", Attribute::intList({1, 1}), 2), optional("groups", Attribute::integer(1)), activation(),
        optional("use_bias", Attribute::boolean(true))},
       LayerKind::kConv2d,
       std::nullopt},
      {"batchnorm",
       1,
       {optional("axis", Attribute::integer(-1)), optional("momentum", Attribute::real(0.99)),
        optional("epsilon", Attribute::real(0.001))},
       LayerKind::kBatchnorm,
       std::nullopt},
      {"layernorm",
       1,
       {optional("axis", Attribute::integer(-1)), optional("epsilon", Attribute::real(0.001))},
       LayerKind::kLayernorm,
       std::nullopt},
      {"embedding",
       1,
       {required("input_dim", AttrKind::kInt), required("output_dim", AttrKind::kInt)},
       LayerKind::kEmbedding,
       std::nullopt},
      {"lstm",
       1,
       {required("units", AttrKind::kInt), optional("return_sequences", Attribute::boolean(false))},
       LayerKind::kLstm,
       std::nullopt},
  };
}

// A non-layer op's configuration is its IR attributes, minus `training`
// (set by the compiler) and with the language's conveniences: a single
// number for a pair, pool strides defaulting to the pool size.
Signature fromOpTable(const ir::OpDef& def) {
  Signature sig{def.name, def.max_operands < 0 ? -1 : def.min_operands, {}, LayerKind::kNone, def.kind};
  bool pooling = def.kind == ir::OpKind::kMaxpool2d || def.kind == ir::OpKind::kAvgpool2d;
  for (const ir::AttrSpec& spec : def.attrs) {
    if (spec.name == "training") continue;
    ConfigParam p{spec.name, spec.kind, spec.default_value, spec.choices, 0};
    if (pooling && (spec.name == "pool" || spec.name == "strides")) p.list_length = 2;
    // An empty list stands for "the pool size" and is replaced in lowering.
    if (pooling && spec.name == "strides") p.default_value = Attribute::intList({});
    sig.config.push_back(std::move(p));
  }
  return sig;
}

}  // namespace

const Signature* findSignature(std::string_view name) {
  static const auto* table = [] {
    auto* m = new absl::flat_hash_map<std::string_view, Signature>();
    for (Signature& s : layerSignatures()) {
      std::string_view key = s.name;
      m->emplace(key, std::move(s));
    }
    for (const ir::OpDef& def : ir::allOps()) {
      // Constants and params are the compiler's, not the language's; the
      // language's layers shadow the IR ops of the same name.
      if (def.kind == ir::OpKind::kConstant || def.kind == ir::OpKind::kParam) continue;
      if (m->contains(def.name)) continue;
      m->emplace(def.name, fromOpTable(def));
    }
    return m;
  }();
  auto it = table->find(name);
  return it == table->end() ? nullptr : &it->second;
}

}  // namespace dlc::frontend
