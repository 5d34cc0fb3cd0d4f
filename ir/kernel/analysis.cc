#include "ir/kernel/analysis.h"

#include <cstring>
#include <type_traits>

#include "support/strings.h"

namespace dlc::kir {
namespace {

void collectFree(const ExprRef& expr, std::set<int>& bound, std::set<int>& out) {
  std::visit(
      [&](const auto& node) {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, VarExpr>) {
          if (!bound.count(node.var.id)) out.insert(node.var.id);
        } else if constexpr (std::is_same_v<T, LoadExpr>) {
          collectFree(node.index, bound, out);
        } else if constexpr (std::is_same_v<T, UnaryExpr>) {
          collectFree(node.x, bound, out);
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          collectFree(node.lhs, bound, out);
          collectFree(node.rhs, bound, out);
        } else if constexpr (std::is_same_v<T, SelectExpr>) {
          collectFree(node.cond, bound, out);
          collectFree(node.if_true, bound, out);
          collectFree(node.if_false, bound, out);
        } else if constexpr (std::is_same_v<T, CastExpr>) {
          collectFree(node.x, bound, out);
        } else if constexpr (std::is_same_v<T, ReduceExpr>) {
          collectFree(node.init, bound, out);
          bool added = bound.insert(node.var.id).second;
          collectFree(node.body, bound, out);
          if (added) bound.erase(node.var.id);
        }
      },
      expr->node);
}

void appendKey(const ExprRef& expr, std::string& out) {
  strAppend(&out, "(", static_cast<int>(expr->type), ":");
  std::visit(
      [&](const auto& node) {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, ConstExpr>) {
          uint64_t bits;
          std::memcpy(&bits, &node.value, sizeof bits);
          strAppend(&out, "c", bits, "/", node.bits);
        } else if constexpr (std::is_same_v<T, VarExpr>) {
          strAppend(&out, "v", node.var.id);
        } else if constexpr (std::is_same_v<T, LoadExpr>) {
          strAppend(&out, "ld", node.buffer);
          appendKey(node.index, out);
        } else if constexpr (std::is_same_v<T, UnaryExpr>) {
          strAppend(&out, "u", static_cast<int>(node.op));
          appendKey(node.x, out);
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          strAppend(&out, "b", static_cast<int>(node.op));
          appendKey(node.lhs, out);
          appendKey(node.rhs, out);
        } else if constexpr (std::is_same_v<T, SelectExpr>) {
          out += "s";
          appendKey(node.cond, out);
          appendKey(node.if_true, out);
          appendKey(node.if_false, out);
        } else if constexpr (std::is_same_v<T, CastExpr>) {
          out += "cast";
          appendKey(node.x, out);
        } else if constexpr (std::is_same_v<T, ReduceExpr>) {
          strAppend(&out, "r", static_cast<int>(node.op), ",", node.var.id, ",", node.lo, ",", node.hi);
          appendKey(node.init, out);
          appendKey(node.body, out);
        }
      },
      expr->node);
  out += ")";
}

}  // namespace

std::set<int> freeVars(const ExprRef& expr) {
  std::set<int> bound, out;
  collectFree(expr, bound, out);
  return out;
}

ExprRef rewrite(const ExprRef& expr, const std::function<ExprRef(const ExprRef&)>& replace) {
  if (ExprRef replaced = replace(expr)) return replaced;
  auto child = [&](const ExprRef& e) { return rewrite(e, replace); };
  return std::visit(
      [&](const auto& node) -> ExprRef {
        using T = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<T, ConstExpr> || std::is_same_v<T, VarExpr>) {
          return expr;
        } else if constexpr (std::is_same_v<T, LoadExpr>) {
          ExprRef i = child(node.index);
          return i == node.index ? expr : load(node.buffer, expr->type, i);
        } else if constexpr (std::is_same_v<T, UnaryExpr>) {
          ExprRef x = child(node.x);
          return x == node.x ? expr : unary(node.op, x);
        } else if constexpr (std::is_same_v<T, BinaryExpr>) {
          ExprRef l = child(node.lhs), r = child(node.rhs);
          return l == node.lhs && r == node.rhs ? expr : binary(node.op, l, r);
        } else if constexpr (std::is_same_v<T, SelectExpr>) {
          ExprRef c = child(node.cond), t = child(node.if_true), f = child(node.if_false);
          return c == node.cond && t == node.if_true && f == node.if_false ? expr : select(c, t, f);
        } else if constexpr (std::is_same_v<T, CastExpr>) {
          ExprRef x = child(node.x);
          return x == node.x ? expr : cast(expr->type, x);
        } else if constexpr (std::is_same_v<T, ReduceExpr>) {
          ExprRef init = child(node.init), body = child(node.body);
          return init == node.init && body == node.body ? expr
                                                        : reduce(node.op, node.var, node.lo, node.hi, init, body);
        }
      },
      expr->node);
}

std::optional<int64_t> indexStride(const ExprRef& e, int var) {
  if (!freeVars(e).contains(var)) return 0;
  if (const auto* v = e->as<VarExpr>()) return v->var.id == var ? 1 : 0;
  const auto* b = e->as<BinaryExpr>();
  if (!b) return std::nullopt;
  std::optional<int64_t> l = indexStride(b->lhs, var), r = indexStride(b->rhs, var);
  if (!l || !r) return std::nullopt;
  auto constant = [](const ExprRef& x) -> std::optional<int64_t> {
    const auto* c = x->as<ConstExpr>();
    if (!c || x->type != ir::DType::kI64) return std::nullopt;
    return c->bits;
  };
  if (b->op == BinaryOp::kAdd) return *l + *r;
  if (b->op == BinaryOp::kSub) return *l - *r;
  if (b->op == BinaryOp::kMul) {
    if (auto c = constant(b->rhs); c && *r == 0) return *l * *c;
    if (auto c = constant(b->lhs); c && *l == 0) return *r * *c;
  }
  return std::nullopt;
}

bool loadsContiguousIn(const ExprRef& expr, int var, bool require_contiguous) {
  bool ok = true, contiguous = false;
  rewrite(expr, [&](const ExprRef& node) -> ExprRef {
    if (const auto* load = node->as<LoadExpr>()) {
      std::optional<int64_t> stride = indexStride(load->index, var);
      if (!stride || (*stride != 0 && *stride != 1)) ok = false;
      if (stride == 1) contiguous = true;
    }
    return nullptr;
  });
  return ok && (contiguous || !require_contiguous);
}

std::string structuralKey(const ExprRef& expr) {
  std::string out;
  appendKey(expr, out);
  return out;
}

}  // namespace dlc::kir
