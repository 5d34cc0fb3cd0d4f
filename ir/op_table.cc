#include "ir/op_table.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ir/gradients/rules.h"
#include "ir/semantics/rules.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

AttrSpec req(std::string name, AttrKind kind) { return {std::move(name), kind, std::nullopt, {}}; }

AttrSpec opt(std::string name, Attribute value) {
  AttrKind kind = value.kind();
  return {std::move(name), kind, std::move(value), {}};
}

AttrSpec oneOf(std::string name, std::string value, std::vector<std::string> choices) {
  return {std::move(name), AttrKind::kString, Attribute::string(std::move(value)), std::move(choices)};
}

// "an integer", "a float": for messages.
std::string withArticle(AttrKind kind) {
  std::string_view name = attrKindName(kind);
  return strCat(std::string_view("aeiou").find(name[0]) == std::string_view::npos ? "a " : "an ", name);
}

OpDef makeDef(OpKind kind, std::string_view name, std::string_view operands, int results, uint32_t flags,
              ShapeRule infer, GradFn grad, std::vector<AttrSpec> attrs) {
  OpDef def{kind, name, {}, 0, 0, results, flags, infer, grad, std::move(attrs), std::nullopt};
  for (std::string_view part : splitTrimmed(operands, ',')) {
    if (part.ends_with("...")) {
      part.remove_suffix(3);
      def.max_operands = -1;
    } else if (part.ends_with("?")) {
      part.remove_suffix(1);
      ++def.max_operands;
    } else {
      ++def.min_operands;
      ++def.max_operands;
    }
    def.operand_names.emplace_back(part);
  }
  if (def.max_operands == -1) def.min_operands = std::max(def.min_operands, 1);
  return def;
}

std::vector<OpDef> buildTable() {
  std::vector<OpDef> table;
#define OP(Id, Name, Operands, Results, Flags, Infer, Grad, ...) \
  table.push_back(makeDef(OpKind::k##Id, Name, Operands, Results, Flags, Infer, Grad, {__VA_ARGS__}));
#include "ir/ops.def"
#undef OP
  // An ELEMENTWISE_WITH_DERIVATIVE row is followed by its `<name>_grad`.
  for (size_t i = 0; i + 1 < table.size(); ++i)
    if (table[i].grad == gradByDerivative) table[i].derivative = table[i + 1].kind;
  return table;
}

const std::vector<OpDef>& table() {
  static const std::vector<OpDef>* t = new std::vector<OpDef>(buildTable());
  return *t;
}

}  // namespace

const AttrSpec* OpDef::findAttr(std::string_view attr) const {
  for (const AttrSpec& spec : attrs)
    if (spec.name == attr) return &spec;
  return nullptr;
}

const OpDef& opDef(OpKind kind) { return table()[static_cast<size_t>(kind)]; }

std::span<const OpDef> allOps() { return table(); }

std::optional<OpKind> lookupOp(std::string_view name) {
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<std::string_view, OpKind>();
    for (const OpDef& def : table()) (*m)[def.name] = def.kind;
    return m;
  }();
  auto it = index->find(name);
  if (it == index->end()) return std::nullopt;
  return it->second;
}

absl::Status normalizeAttrs(const OpDef& def, Attrs& attrs) {
  for (const auto& [name, value] : attrs.entries())
    if (!def.findAttr(name))
      return absl::InvalidArgumentError(strCat("'", def.name, "' has no attribute '", name, "'"));
  Attrs ordered;
  for (const AttrSpec& spec : def.attrs) {
    const Attribute* given = attrs.find(spec.name);
    if (!given) {
      if (!spec.default_value)
        return absl::InvalidArgumentError(strCat("'", def.name, "' needs attribute '", spec.name, "'"));
      ordered.set(spec.name, *spec.default_value);
      continue;
    }
    Attribute value = *given;
    if (!value.convertTo(spec.kind))
      return absl::InvalidArgumentError(strCat("attribute '", spec.name, "' of '", def.name, "' must be ",
                                               withArticle(spec.kind), ", not ", withArticle(given->kind())));
    if (!spec.choices.empty() &&
        std::find(spec.choices.begin(), spec.choices.end(), value.asString()) == spec.choices.end())
      return absl::InvalidArgumentError(strCat("attribute '", spec.name, "' of '", def.name, "' must be one of ",
                                               strJoin(spec.choices, ", "), ", not '", value.asString(), "'"));
    ordered.set(spec.name, std::move(value));
  }
  attrs = std::move(ordered);
  return absl::OkStatus();
}

}  // namespace dlc::ir
