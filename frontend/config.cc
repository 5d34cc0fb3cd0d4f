#include "frontend/config.h"

#include <algorithm>

#include "support/strings.h"

namespace dlc::frontend {
namespace {

using ir::Attribute;
using ir::AttrKind;

// An integer literal, with an optional unary minus in front.
std::optional<int64_t> integerLiteral(const ast::Expr& e) {
  if (const auto* n = e.as<ast::NumberExpr>()) {
    if (n->is_integer) return n->int_value;
    return std::nullopt;
  }
  if (const auto* u = e.as<ast::UnaryExpr>()) {
    auto v = integerLiteral(*u->operand);
    if (v && *v != INT64_MIN) return -*v;
  }
  if (const auto* p = e.as<ast::ParenExpr>()) return integerLiteral(*p->inner);
  return std::nullopt;
}

std::optional<double> numberLiteral(const ast::Expr& e) {
  if (const auto* n = e.as<ast::NumberExpr>()) return n->float_value;
  if (const auto* u = e.as<ast::UnaryExpr>()) {
    auto v = numberLiteral(*u->operand);
    if (v) return -*v;
  }
  if (const auto* p = e.as<ast::ParenExpr>()) return numberLiteral(*p->inner);
  return std::nullopt;
}

// An identifier or a string literal: `same` and "same" mean the same.
std::optional<std::string> wordLiteral(const ast::Expr& e) {
  if (const auto* n = e.as<ast::NameExpr>()) return n->name;
  if (const auto* s = e.as<ast::StringExpr>()) return s->value;
  return std::nullopt;
}

std::string describe(const ConfigParam& p) {
  switch (p.kind) {
    case AttrKind::kBool: return "true or false";
    case AttrKind::kInt: return "an integer";
    case AttrKind::kFloat: return "a number";
    case AttrKind::kString:
      return p.choices.empty() ? "a name" : strCat("one of ", strJoin(p.choices, ", "));
    case AttrKind::kDType: return "a dtype (f32, f16, bf16, f64, i32, i64, bool)";
    case AttrKind::kIntList:
      return p.list_length ? strCat("an integer or a list of ", p.list_length, " integers")
                           : "an integer or a list of integers";
    case AttrKind::kFloatList: return "a list of numbers";
    case AttrKind::kStringList: return "a list of names";
    case AttrKind::kShape: return "a list of sizes, names and at most one -1";
  }
  return "a value";
}

}  // namespace

std::optional<Attribute> configValue(std::string_view op, const ConfigParam& param,
                                     const ast::Expr& value, DiagnosticEngine& diags) {
  auto fail = [&]() -> std::optional<Attribute> {
    diags.error(value.loc, strCat("'", param.name, "' of '", op, "' must be ", describe(param)));
    return std::nullopt;
  };
  switch (param.kind) {
    case AttrKind::kBool:
      if (const auto* b = value.as<ast::BoolExpr>()) return Attribute::boolean(b->value);
      return fail();
    case AttrKind::kInt:
      if (auto v = integerLiteral(value)) return Attribute::integer(*v);
      return fail();
    case AttrKind::kFloat:
      if (auto v = numberLiteral(value)) return Attribute::real(*v);
      return fail();
    case AttrKind::kString: {
      auto w = wordLiteral(value);
      if (!w) return fail();
      if (!param.choices.empty() &&
          std::find(param.choices.begin(), param.choices.end(), *w) == param.choices.end()) {
        diags.error(value.loc, strCat("unknown ", param.name, " '", *w, "' for '", op,
                                            "'; expected one of ", strJoin(param.choices, ", ")));
        return std::nullopt;
      }
      return Attribute::string(*w);
    }
    case AttrKind::kDType: {
      auto w = wordLiteral(value);
      if (!w) return fail();
      auto d = ir::parseDType(*w);
      if (!d) return fail();
      return Attribute::dtype(*d);
    }
    case AttrKind::kIntList: {
      if (auto v = integerLiteral(value))
        return Attribute::intList(std::vector<int64_t>(std::max(param.list_length, 1), *v));
      const auto* list = value.as<ast::ListExpr>();
      if (!list) return fail();
      std::vector<int64_t> items;
      for (const auto& e : list->elements) {
        auto v = integerLiteral(*e);
        if (!v) return fail();
        items.push_back(*v);
      }
      if (param.list_length && static_cast<int>(items.size()) != param.list_length) return fail();
      return Attribute::intList(std::move(items));
    }
    case AttrKind::kShape: {
      const auto* list = value.as<ast::ListExpr>();
      if (!list) return fail();
      std::vector<ir::Dim> dims;
      for (const auto& e : list->elements) {
        if (auto v = integerLiteral(*e)) {
          dims.push_back(ir::Dim::fixed(*v));
        } else if (const auto* n = e->as<ast::NameExpr>()) {
          dims.push_back(ir::Dim::symbolic(n->name));
        } else {
          return fail();
        }
      }
      return Attribute::shape(std::move(dims));
    }
    case AttrKind::kStringList: {
      const auto* list = value.as<ast::ListExpr>();
      if (!list) {
        if (auto w = wordLiteral(value)) return Attribute::stringList({*w});
        return fail();
      }
      std::vector<std::string> items;
      for (const auto& e : list->elements) {
        auto w = wordLiteral(*e);
        if (!w) return fail();
        items.push_back(*w);
      }
      return Attribute::stringList(std::move(items));
    }
    case AttrKind::kFloatList: {
      const auto* list = value.as<ast::ListExpr>();
      if (!list) return fail();
      std::vector<double> items;
      for (const auto& e : list->elements) {
        auto v = numberLiteral(*e);
        if (!v) return fail();
        items.push_back(*v);
      }
      return Attribute::floatList(std::move(items));
    }
  }
  return fail();
}

Location BoundConfig::locationOf(std::string_view param, Location fallback) const {
  for (const auto& [name, loc] : locations)
    if (name == param) return loc;
  return fallback;
}

std::optional<BoundConfig> bindConfig(std::string_view op, std::span<const ConfigParam> params,
                                      std::span<const ast::Expr* const> positional,
                                      std::span<const ast::KeywordArg> keywords,
                                      bool allow_trainable, Location call_loc,
                                      DiagnosticEngine& diags) {
  BoundConfig bound;
  bool ok = true;
  if (positional.size() > params.size()) {
    diags.error(positional[params.size()]->loc,
                params.empty()
                    ? strCat("'", op, "' takes no positional configuration")
                    : strCat("'", op, "' takes at most ", params.size(),
                                   " positional configuration arguments (",
                                   strJoin(params, ", ", [](std::string* out, const ConfigParam& p) {
                                     out->append(p.name);
                                   }),
                                   ")"));
    return std::nullopt;
  }
  for (size_t i = 0; i < positional.size(); ++i) {
    auto v = configValue(op, params[i], *positional[i], diags);
    if (!v) { ok = false; continue; }
    bound.attrs.set(params[i].name, std::move(*v));
    bound.locations.emplace_back(params[i].name, positional[i]->loc);
  }
  for (const ast::KeywordArg& kw : keywords) {
    if (std::any_of(bound.locations.begin(), bound.locations.end(),
                    [&](const auto& e) { return e.first == kw.name; }) ||
        ((kw.name == "name" && bound.name) )) {
      diags.error(kw.loc, strCat("'", kw.name, "' of '", op, "' is given twice"));
      ok = false;
      continue;
    }
    if (kw.name == "name") {
      auto w = kw.value->as<ast::StringExpr>();
      auto n = kw.value->as<ast::NameExpr>();
      if (!w && !n) {
        diags.error(kw.value->loc, strCat("'name' of '", op, "' must be a string"));
        ok = false;
        continue;
      }
      bound.name = w ? w->value : n->name;
      bound.name_loc = kw.value->loc;
      continue;
    }
    if (kw.name == "trainable") {
      if (!allow_trainable) {
        diags.error(kw.loc, strCat("'", op, "' has no parameters, so it takes no 'trainable'"));
        ok = false;
        continue;
      }
      auto b = kw.value->as<ast::BoolExpr>();
      if (!b) {
        diags.error(kw.value->loc, strCat("'trainable' of '", op, "' must be true or false"));
        ok = false;
        continue;
      }
      bound.trainable = b->value;
      bound.locations.emplace_back("trainable", kw.loc);
      continue;
    }
    auto param = std::find_if(params.begin(), params.end(),
                              [&](const ConfigParam& p) { return p.name == kw.name; });
    if (param == params.end()) {
      std::string known = strJoin(params, ", ", [](std::string* out, const ConfigParam& p) {
        out->append(p.name);
      });
      diags.error(kw.loc, strCat("'", op, "' has no configuration '", kw.name, "'",
                                       known.empty() ? "" : strCat(" (it takes ", known, ")")));
      ok = false;
      continue;
    }
    auto v = configValue(op, *param, *kw.value, diags);
    if (!v) { ok = false; continue; }
    bound.attrs.set(param->name, std::move(*v));
    bound.locations.emplace_back(param->name, kw.value->loc);
  }
  for (const ConfigParam& p : params) {
    if (bound.attrs.find(p.name)) continue;
    if (!p.default_value) {
      diags.error(call_loc, strCat("'", op, "' needs '", p.name, "'"));
      ok = false;
      continue;
    }
  }
  if (!ok) return std::nullopt;
  // Defaults last, so that the attribute order is the parameter order.
  ir::Attrs ordered;
  for (const ConfigParam& p : params) {
    const ir::Attribute* given = bound.attrs.find(p.name);
    ordered.set(p.name, given ? *given : *p.default_value);
  }
  bound.attrs = std::move(ordered);
  return bound;
}

}  // namespace dlc::frontend
