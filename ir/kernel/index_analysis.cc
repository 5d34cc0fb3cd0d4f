#include "ir/kernel/index_analysis.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "ir/kernel/analysis.h"

namespace dlc::kir {
namespace {

using Kind = LaneStep::Kind;

std::optional<int64_t> intConstant(const ExprRef& e) {
  const auto* c = e->as<ConstExpr>();
  if (!c || (e->type != ScalarType::kI64 && e->type != ScalarType::kI32)) return std::nullopt;
  return c->bits;
}

std::optional<int64_t> mulChecked(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

int64_t gcd(int64_t a, int64_t b) {
  if (a == INT64_MIN || b == INT64_MIN) return 1;
  return std::gcd(a < 0 ? -a : a, b < 0 ? -b : b);
}

// `m` divides `x` (every number divides 0).
bool divides(int64_t m, int64_t x) { return m > 0 && x % m == 0; }

LaneStep invariant(int64_t divisor = 1, bool nonnegative = false) {
  return LaneStep{Kind::kInvariant, 0, divisor, nonnegative};
}
LaneStep unknown() { return LaneStep{}; }

LaneStep scaled(LaneStep s, int64_t c) {
  if (s.kind == Kind::kUnknown) return s;
  if (c == 0) return invariant(0, true);
  std::optional<int64_t> stride = mulChecked(s.stride, c), divisor = mulChecked(s.divisor, c < 0 ? -c : c);
  if (!stride) return unknown();
  return LaneStep{s.kind, *stride, divisor ? *divisor : 1, s.nonnegative && c > 0};
}

LaneStep sum(const LaneStep& a, const LaneStep& b, int sign) {
  if (a.kind == Kind::kUnknown || b.kind == Kind::kUnknown) return unknown();
  int64_t stride = a.stride + sign * b.stride;
  Kind kind = stride == 0 ? Kind::kInvariant : Kind::kAffine;
  return LaneStep{kind, stride, gcd(a.divisor, b.divisor), sign > 0 && a.nonnegative && b.nonnegative};
}

// A group of `a` stays inside one block of `c` consecutive values (so x / c
// is fixed and x % c moves with x) when its run of stride * width values
// starts at a multiple of it and c is a multiple of it too.
bool staysInBlock(const LaneStep& a, int64_t c, int64_t width) {
  std::optional<int64_t> run = mulChecked(a.stride, width);
  return a.kind == Kind::kAffine && a.stride > 0 && a.nonnegative && run && divides(*run, c) &&
         divides(*run, a.divisor);
}

LaneStep step(const ExprRef& e, int var, int64_t width);

LaneStep binaryStep(const BinaryExpr& b, int var, int64_t width) {
  LaneStep l = step(b.lhs, var, width), r = step(b.rhs, var, width);
  std::optional<int64_t> rc = intConstant(b.rhs), lc = intConstant(b.lhs);
  if (b.op == BinaryOp::kAdd) return sum(l, r, 1);
  if (b.op == BinaryOp::kSub) return sum(l, r, -1);
  if (b.op == BinaryOp::kMul) {
    if (rc) return scaled(l, *rc);
    if (lc) return scaled(r, *lc);
    if (l.kind == Kind::kInvariant && r.kind == Kind::kInvariant) {
      std::optional<int64_t> d = mulChecked(l.divisor, r.divisor);
      return invariant(d ? *d : 1, l.nonnegative && r.nonnegative);
    }
    return unknown();
  }
  if (b.op == BinaryOp::kDiv && rc && *rc > 0) {
    if (l.kind == Kind::kInvariant) return invariant(1, l.nonnegative);
    if (staysInBlock(l, *rc, width)) return invariant(1, true);
    return unknown();
  }
  if (b.op == BinaryOp::kRem && rc && *rc > 0) {
    if (l.kind == Kind::kInvariant) return invariant(gcd(l.divisor, *rc), l.nonnegative);
    if (staysInBlock(l, *rc, width)) return LaneStep{Kind::kAffine, l.stride, gcd(l.divisor, *rc), true};
    return unknown();
  }
  // Any other op (a division by a non-constant, min, max, pow, comparisons,
  // bit operations): only invariance carries through.
  return l.kind == Kind::kInvariant && r.kind == Kind::kInvariant ? invariant() : unknown();
}

LaneStep step(const ExprRef& e, int var, int64_t width) {
  if (e->as<ConstExpr>()) {
    std::optional<int64_t> v = intConstant(e);
    return v ? invariant(gcd(*v, 0), *v >= 0) : invariant();
  }
  if (const auto* v = e->as<VarExpr>()) return v->var.id == var ? LaneStep{Kind::kAffine, 1, width, true} : invariant();
  const auto* b = e->as<BinaryExpr>();
  if (b && e->type == ScalarType::kI64) return binaryStep(*b, var, width);
  // Anything else is fixed when what it reads is.
  return freeVars(e).contains(var) ? unknown() : invariant();
}

// ---- Folding mixed-radix sums.

// An index term `coef * (x / a % b)`; b == 0: no `% b`.
struct Term {
  int64_t coef;
  ExprRef x;
  std::string key;  // of x
  int64_t a = 1, b = 0;
};

ExprRef fold(const ExprRef& e);
ExprRef foldBelow(const ExprRef& e);

Term termOf(int64_t coef, const ExprRef& atom) {
  ExprRef x = atom;
  int64_t a = 1, b = 0;
  if (const auto* r = x->as<BinaryExpr>(); r && r->op == BinaryOp::kRem) {
    if (std::optional<int64_t> c = intConstant(r->rhs); c && *c > 0) b = *c, x = r->lhs;
  }
  if (const auto* d = x->as<BinaryExpr>(); d && d->op == BinaryOp::kDiv) {
    if (std::optional<int64_t> c = intConstant(d->rhs); c && *c > 0) a = *c, x = d->lhs;
  }
  return Term{coef, x, structuralKey(x), a, b};
}

// Splits an i64 sum into terms and a constant; false on overflow.
bool collect(const ExprRef& e, int64_t coef, std::vector<Term>& terms, int64_t& constant) {
  if (std::optional<int64_t> c = intConstant(e)) {
    std::optional<int64_t> p = mulChecked(*c, coef);
    return p && !__builtin_add_overflow(constant, *p, &constant);
  }
  if (const auto* b = e->as<BinaryExpr>()) {
    if (b->op == BinaryOp::kAdd)
      return collect(b->lhs, coef, terms, constant) && collect(b->rhs, coef, terms, constant);
    if (b->op == BinaryOp::kSub)
      return coef != INT64_MIN && collect(b->lhs, coef, terms, constant) && collect(b->rhs, -coef, terms, constant);
    if (b->op == BinaryOp::kMul) {
      std::optional<int64_t> rc = intConstant(b->rhs), lc = intConstant(b->lhs);
      if (rc || lc) {
        std::optional<int64_t> c = mulChecked(coef, rc ? *rc : *lc);
        return c && collect(rc ? b->lhs : b->rhs, *c, terms, constant);
      }
    }
  }
  terms.push_back(termOf(coef, foldBelow(e)));
  return true;
}

// hi * (x / a1 % b1) + lo * (x / a2 % b2) with a1 = a2 * b2 and hi = lo * b2
// is lo * (x / a2 % (b1 * b2)) (no `%` when b1 is none).
bool mergeOnce(std::vector<Term>& terms) {
  for (size_t h = 0; h < terms.size(); ++h)
    for (size_t l = 0; l < terms.size(); ++l) {
      Term& hi = terms[h];
      const Term& lo = terms[l];
      if (h == l || hi.key != lo.key || lo.b == 0) continue;
      std::optional<int64_t> a1 = mulChecked(lo.a, lo.b), c1 = mulChecked(lo.coef, lo.b);
      if (!a1 || !c1 || *a1 != hi.a || *c1 != hi.coef) continue;
      std::optional<int64_t> b = hi.b == 0 ? std::optional<int64_t>(0) : mulChecked(hi.b, lo.b);
      if (!b) continue;
      hi = Term{lo.coef, lo.x, lo.key, lo.a, *b};
      terms.erase(terms.begin() + static_cast<std::ptrdiff_t>(l));
      return true;
    }
  return false;
}

ExprRef rebuild(const std::vector<Term>& terms, int64_t constant) {
  ExprRef out;
  for (const Term& t : terms) {
    ExprRef atom = t.x;
    if (t.a != 1) atom = binary(BinaryOp::kDiv, atom, index(t.a));
    if (t.b != 0) atom = binary(BinaryOp::kRem, atom, index(t.b));
    if (t.coef != 1) atom = binary(BinaryOp::kMul, atom, index(t.coef));
    out = out ? binary(BinaryOp::kAdd, out, atom) : atom;
  }
  if (!out) return index(constant);
  return constant == 0 ? out : binary(BinaryOp::kAdd, out, index(constant));
}

bool isSum(const ExprRef& e) {
  const auto* b = e->as<BinaryExpr>();
  return e->type == ScalarType::kI64 && b &&
         (b->op == BinaryOp::kAdd || b->op == BinaryOp::kSub || b->op == BinaryOp::kMul);
}

// `e` with the sums below it folded (a division's dividend, a load's index).
ExprRef foldBelow(const ExprRef& e) {
  return rewrite(e, [&](const ExprRef& node) -> ExprRef { return node != e && isSum(node) ? fold(node) : nullptr; });
}

ExprRef fold(const ExprRef& e) {
  if (!isSum(e)) return foldBelow(e);
  std::vector<Term> terms;
  int64_t constant = 0;
  if (!collect(e, 1, terms, constant)) return e;
  // Equal digits add up first.
  for (size_t i = 0; i < terms.size(); ++i)
    for (size_t j = terms.size(); j-- > i + 1;)
      if (terms[j].key == terms[i].key && terms[j].a == terms[i].a && terms[j].b == terms[i].b &&
          !__builtin_add_overflow(terms[i].coef, terms[j].coef, &terms[i].coef))
        terms.erase(terms.begin() + static_cast<std::ptrdiff_t>(j));
  while (mergeOnce(terms)) {
  }
  std::erase_if(terms, [](const Term& t) { return t.coef == 0; });
  return rebuild(terms, constant);
}

ExprRef substitute(const ExprRef& e, const Bindings& bindings) {
  if (bindings.empty()) return e;
  return rewrite(e, [&](const ExprRef& node) -> ExprRef {
    const auto* v = node->as<VarExpr>();
    if (!v) return nullptr;
    auto it = bindings.find(v->var.id);
    return it == bindings.end() ? nullptr : substitute(it->second, bindings);
  });
}

std::optional<Range> rangeOf(const ExprRef& e, const std::map<int, Range>& vars) {
  if (std::optional<int64_t> c = intConstant(e)) return Range{*c, *c};
  if (const auto* v = e->as<VarExpr>()) {
    auto it = vars.find(v->var.id);
    return it == vars.end() ? std::nullopt : std::optional<Range>(it->second);
  }
  const auto* b = e->as<BinaryExpr>();
  if (!b || e->type != ScalarType::kI64) return std::nullopt;
  std::optional<Range> l = rangeOf(b->lhs, vars), r = rangeOf(b->rhs, vars);
  if (!l || !r) return std::nullopt;
  int64_t a, c, lo, hi;
  switch (b->op) {
    case BinaryOp::kAdd:
      if (__builtin_add_overflow(l->first, r->first, &lo) || __builtin_add_overflow(l->second, r->second, &hi)) break;
      return Range{lo, hi};
    case BinaryOp::kSub:
      if (__builtin_sub_overflow(l->first, r->second, &lo) || __builtin_sub_overflow(l->second, r->first, &hi)) break;
      return Range{lo, hi};
    case BinaryOp::kMul: {
      int64_t p[4];
      if (__builtin_mul_overflow(l->first, r->first, &p[0]) || __builtin_mul_overflow(l->first, r->second, &p[1]) ||
          __builtin_mul_overflow(l->second, r->first, &p[2]) || __builtin_mul_overflow(l->second, r->second, &p[3]))
        break;
      return Range{*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
    }
    case BinaryOp::kDiv:
      if (r->first != r->second || r->first <= 0 || l->first < 0) break;
      return Range{l->first / r->first, l->second / r->first};
    case BinaryOp::kRem:
      if (r->first != r->second || r->first <= 0 || l->first < 0) break;
      a = l->first / r->first, c = l->second / r->first;
      return a == c ? Range{l->first % r->first, l->second % r->first} : Range{0, r->first - 1};
    case BinaryOp::kMin: return Range{std::min(l->first, r->first), std::min(l->second, r->second)};
    case BinaryOp::kMax: return Range{std::max(l->first, r->first), std::max(l->second, r->second)};
    case BinaryOp::kPow:
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
    case BinaryOp::kEq:
    case BinaryOp::kNe:
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
    case BinaryOp::kXor:
    case BinaryOp::kShl:
    case BinaryOp::kShr: break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Range> indexRange(const ExprRef& index, const std::map<int, Range>& vars) { return rangeOf(index, vars); }

LaneStep laneStep(const ExprRef& index, int var, int64_t width) { return step(index, var, width); }

bool isAlignedRun(const LaneStep& s, int64_t width) {
  return s.kind == Kind::kAffine && s.stride == 1 && s.divisor % width == 0;
}

ExprRef simplifyIndex(const ExprRef& index, const Bindings& bindings) { return fold(substitute(index, bindings)); }

ExprRef digitOf(const Var& flat, int64_t lo, int64_t stride, int64_t extent, bool outermost) {
  ExprRef d = var(flat);
  if (stride != 1) d = binary(BinaryOp::kDiv, d, index(stride));
  if (!outermost) d = binary(BinaryOp::kRem, d, index(extent));
  return lo == 0 ? d : binary(BinaryOp::kAdd, index(lo), d);
}

bool readsMemory(const ExprRef& expr) {
  bool found = false;
  rewrite(expr, [&](const ExprRef& node) -> ExprRef {
    found = found || node->as<LoadExpr>() != nullptr;
    return nullptr;
  });
  return found;
}

}  // namespace dlc::kir
