#include "frontend/config.h"

#include <algorithm>
#include <cmath>

#include "frontend/token.h"
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

// A number, or arithmetic on numbers (`1 / 255`, `-0.5`); nullopt for
// anything else and for results that are not finite (`1 / 0`).
std::optional<double> numberLiteral(const ast::Expr& e) {
  if (const auto* n = e.as<ast::NumberExpr>()) return n->float_value;
  if (const auto* u = e.as<ast::UnaryExpr>()) {
    auto v = numberLiteral(*u->operand);
    if (v) return -*v;
  }
  if (const auto* p = e.as<ast::ParenExpr>()) return numberLiteral(*p->inner);
  if (const auto* b = e.as<ast::BinaryExpr>()) {
    auto l = numberLiteral(*b->lhs);
    auto r = l ? numberLiteral(*b->rhs) : std::nullopt;
    if (!r) return std::nullopt;
    double v = 0;
    switch (b->op) {
      case ast::BinaryOp::kAdd: v = *l + *r; break;
      case ast::BinaryOp::kSub: v = *l - *r; break;
      case ast::BinaryOp::kMul: v = *l * *r; break;
      case ast::BinaryOp::kDiv: v = *l / *r; break;
      case ast::BinaryOp::kMatMul: return std::nullopt;
    }
    if (std::isfinite(v)) return v;
  }
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
    case AttrKind::kFloat: return "a finite number";
    case AttrKind::kString: return p.choices.empty() ? "a name" : strCat("one of ", strJoin(p.choices, ", "));
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

// "'units' of 'dense'", or "'loss'" where there is no op (a train block).
std::string paramOf(std::string_view op, std::string_view param) {
  return op.empty() ? quote(param) : strCat(quote(param), " of ", quote(op));
}

}  // namespace

std::optional<Attribute> configValue(std::string_view op, const ConfigParam& param, const ast::Expr& value,
                                     DiagnosticEngine& diags) {
  auto fail = [&]() -> std::optional<Attribute> {
    diags.error(value.loc, strCat(paramOf(op, param.name), " must be ", describe(param)));
    return std::nullopt;
  };
  // A list is at most kMaxListLength long: no op needs more (a shape or a
  // permutation is as long as a rank), and longer ones only make huge
  // attributes and messages.
  if (const auto* list = value.as<ast::ListExpr>(); list && list->elements.size() > kMaxListLength) {
    diags.error(value.loc, strCat(paramOf(op, param.name), " is a list of ", list->elements.size(), " values; at most ",
                                  kMaxListLength, " are allowed"));
    return std::nullopt;
  }
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
      if (!param.choices.empty() && std::find(param.choices.begin(), param.choices.end(), *w) == param.choices.end()) {
        diags.error(value.loc,
                    strCat("unknown ", param.name, " ", quote(*w), op.empty() ? "" : strCat(" for ", quote(op)),
                           "; expected one of ", strJoin(param.choices, ", ")));
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
                                      std::span<const ast::KeywordArg> keywords, bool allow_trainable,
                                      Location call_loc, DiagnosticEngine& diags) {
  // One call reports at most this many errors: a call with 20,000 unknown
  // keywords is one mistake repeated.
  constexpr int kMaxErrors = 8;
  int errors_before = diags.errorCount();
  auto tooMany = [&] { return diags.errorCount() - errors_before >= kMaxErrors; };
  BoundConfig bound;
  bool ok = true;
  if (positional.size() > params.size()) {
    diags.error(
        positional[params.size()]->loc,
        params.empty()
            ? strCat(quote(op), " takes no positional configuration")
            : strCat(quote(op), " takes at most ", params.size(), " positional configuration argument",
                     params.size() == 1 ? "" : "s", " (",
                     strJoin(params, ", ", [](std::string* out, const ConfigParam& p) { out->append(p.name); }), ")"));
    return std::nullopt;
  }
  // Every argument written, valid or not: a bad value is one error, not also
  // a missing or repeated one.
  std::vector<std::pair<std::string_view, Location>> given;
  auto firstGiven = [&](std::string_view name) -> const Location* {
    for (const auto& [n, loc] : given)
      if (n == name) return &loc;
    return nullptr;
  };
  for (size_t i = 0; i < positional.size() && !tooMany(); ++i) {
    given.emplace_back(params[i].name, positional[i]->loc);
    auto v = configValue(op, params[i], *positional[i], diags);
    if (!v) {
      ok = false;
      continue;
    }
    bound.attrs.set(params[i].name, std::move(*v));
    bound.locations.emplace_back(params[i].name, positional[i]->loc);
  }
  for (const ast::KeywordArg& kw : keywords) {
    if (tooMany()) return std::nullopt;
    if (const Location* first = firstGiven(kw.name)) {
      diags.error(kw.loc, strCat(paramOf(op, kw.name), " is given twice"));
      diags.note(*first, "first given here");
      ok = false;
      continue;
    }
    given.emplace_back(kw.name, kw.loc);
    if (kw.name == "name") {
      auto w = kw.value->as<ast::StringExpr>();
      auto n = kw.value->as<ast::NameExpr>();
      if (!w && !n) {
        diags.error(kw.value->loc, strCat(paramOf(op, "name"), " must be a string"));
        ok = false;
        continue;
      }
      bound.name = w ? w->value : n->name;
      bound.name_loc = kw.value->loc;
      continue;
    }
    if (kw.name == "trainable") {
      if (!allow_trainable) {
        diags.error(kw.loc, strCat(quote(op), " has no parameters, so it takes no 'trainable'"));
        ok = false;
        continue;
      }
      auto b = kw.value->as<ast::BoolExpr>();
      if (!b) {
        diags.error(kw.value->loc, strCat(paramOf(op, "trainable"), " must be true or false"));
        ok = false;
        continue;
      }
      bound.trainable = b->value;
      bound.locations.emplace_back("trainable", kw.loc);
      continue;
    }
    auto param = std::find_if(params.begin(), params.end(), [&](const ConfigParam& p) { return p.name == kw.name; });
    if (param == params.end()) {
      std::string known = strJoin(params, ", ", [](std::string* out, const ConfigParam& p) { out->append(p.name); });
      diags.error(kw.loc, strCat(quote(op), " has no configuration ", quote(kw.name),
                                 known.empty() ? "" : strCat(" (it takes ", known, ")")));
      ok = false;
      continue;
    }
    auto v = configValue(op, *param, *kw.value, diags);
    if (!v) {
      ok = false;
      continue;
    }
    bound.attrs.set(param->name, std::move(*v));
    bound.locations.emplace_back(param->name, kw.value->loc);
  }
  // A missing argument is reported only when the rest is right: after a
  // misspelt keyword (`unit=10`), "needs 'units'" would say the same again.
  for (const ConfigParam& p : params) {
    if (!ok || p.default_value || firstGiven(p.name) || tooMany()) continue;
    diags.error(call_loc, strCat(quote(op), " needs ", quote(p.name)));
    ok = false;
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
