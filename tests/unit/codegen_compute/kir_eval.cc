#include "tests/unit/codegen_compute/kir_eval.h"

#include <cmath>
#include <limits>

#include "runtime/tensor.h"
#include "support/strings.h"

namespace dlc::codegen::testing {
namespace {

using kir::BinaryOp;
using kir::ScalarType;
using kir::UnaryOp;

double roundFloat(double v, ScalarType t) {
  switch (t) {
    case ScalarType::kF64: return v;
    case ScalarType::kF32: return static_cast<double>(static_cast<float>(v));
    case ScalarType::kF16: return runtime::halfToFloat(runtime::floatToHalf(static_cast<float>(v)));
    case ScalarType::kBF16: return runtime::bfloat16ToFloat(runtime::floatToBFloat16(static_cast<float>(v)));
    case ScalarType::kI32:
    case ScalarType::kI64:
    case ScalarType::kBool: return v;
  }
  return v;
}

int64_t wrapInt(uint64_t v, ScalarType t) {
  if (t == ScalarType::kI32) return static_cast<int32_t>(static_cast<uint32_t>(v));
  if (t == ScalarType::kBool) return v != 0;
  return static_cast<int64_t>(v);
}

Scalar floatScalar(double v, ScalarType t) { return Scalar{roundFloat(v, t), 0}; }
Scalar intScalar(uint64_t v, ScalarType t) { return Scalar{0, wrapInt(v, t)}; }

template <typename T>
bool compare(BinaryOp op, T x, T y) {
  switch (op) {
    case BinaryOp::kLt: return x < y;
    case BinaryOp::kLe: return x <= y;
    case BinaryOp::kGt: return x > y;
    case BinaryOp::kGe: return x >= y;
    case BinaryOp::kEq: return x == y;
    case BinaryOp::kNe: return x != y;
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kRem:
    case BinaryOp::kMin:
    case BinaryOp::kMax:
    case BinaryOp::kPow:
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
    case BinaryOp::kXor:
    case BinaryOp::kShl:
    case BinaryOp::kShr: return false;  // not comparisons
  }
  return false;
}

}  // namespace

double toDouble(const Scalar& s, ScalarType type) { return ir::isFloat(type) ? s.f : static_cast<double>(s.i); }

Scalar fromDouble(double value, ScalarType type) {
  if (ir::isFloat(type)) return floatScalar(value, type);
  if (type == ScalarType::kBool) return Scalar{0, value != 0.0};
  // Truncation toward zero, NaN to 0, saturating at the i64 range (then
  // wrapping for i32), as reference::roundToDType.
  if (std::isnan(value)) return Scalar{};
  double t = std::trunc(value);
  int64_t v;
  if (t >= 0x1p63)
    v = std::numeric_limits<int64_t>::max();
  else if (t < -0x1p63)
    v = std::numeric_limits<int64_t>::min();
  else
    v = static_cast<int64_t>(t);
  return intScalar(static_cast<uint64_t>(v), type);
}

KirEval::KirEval(const kir::Kernel& kernel) : kernel_(kernel) {
  for (const kir::Buffer& b : kernel.buffers) buffers_.emplace_back(static_cast<size_t>(b.size));
}

void KirEval::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
}

bool KirEval::checkIndex(kir::BufferId buffer, int64_t index, const char* what) {
  if (buffer < 0 || static_cast<size_t>(buffer) >= buffers_.size()) {
    fail(strCat(what, " of unknown buffer ", buffer));
    return false;
  }
  int64_t size = static_cast<int64_t>(buffers_[static_cast<size_t>(buffer)].size());
  if (index < 0 || index >= size) {
    fail(strCat(what, " of ", kernel_.buffers[static_cast<size_t>(buffer)].name, "[", index, "] outside [0, ", size,
                ")"));
    return false;
  }
  return true;
}

Scalar KirEval::eval(const kir::ExprRef& ref) {
  const kir::Expr& e = *ref;
  if (const auto* c = e.as<kir::ConstExpr>())
    return ir::isFloat(e.type) ? floatScalar(c->value, e.type) : intScalar(static_cast<uint64_t>(c->bits), e.type);
  if (const auto* v = e.as<kir::VarExpr>()) {
    auto it = env_.find(v->var.id);
    if (it == env_.end()) {
      fail(strCat("unbound variable %", v->var.name, " (", v->var.id, ")"));
      return Scalar{};
    }
    return it->second;
  }
  if (const auto* l = e.as<kir::LoadExpr>()) {
    int64_t index = eval(l->index).i;
    if (!checkIndex(l->buffer, index, "load")) return Scalar{};
    if (kernel_.buffers[static_cast<size_t>(l->buffer)].dtype != e.type)
      fail(strCat("load of ", kernel_.buffers[static_cast<size_t>(l->buffer)].name, " as ", ir::dtypeName(e.type)));
    return buffers_[static_cast<size_t>(l->buffer)][static_cast<size_t>(index)];
  }
  if (const auto* u = e.as<kir::UnaryExpr>()) return evalUnary(e, *u);
  if (const auto* b = e.as<kir::BinaryExpr>()) return evalBinary(e, *b);
  if (const auto* s = e.as<kir::SelectExpr>()) {
    // Both sides are evaluated, as a backend may: each must be safe to compute.
    Scalar cond = eval(s->cond);
    Scalar a = eval(s->if_true), b = eval(s->if_false);
    return cond.i ? a : b;
  }
  if (const auto* c = e.as<kir::CastExpr>()) {
    Scalar x = eval(c->x);
    return fromDouble(toDouble(x, c->x->type), e.type);
  }
  if (const auto* r = e.as<kir::ReduceExpr>()) return evalReduce(e, *r);
  fail("unknown expression");
  return Scalar{};
}

Scalar KirEval::evalUnary(const kir::Expr& e, const kir::UnaryExpr& u) {
  Scalar x = eval(u.x);
  ScalarType t = e.type;
  if (!ir::isFloat(t)) {
    switch (u.op) {
      case UnaryOp::kNeg: return intScalar(0 - static_cast<uint64_t>(x.i), t);
      case UnaryOp::kAbs: return intScalar(static_cast<uint64_t>(x.i < 0 ? -x.i : x.i), t);
      case UnaryOp::kNot: return t == ScalarType::kBool ? Scalar{0, !x.i} : intScalar(~static_cast<uint64_t>(x.i), t);
      case UnaryOp::kExp:
      case UnaryOp::kLog:
      case UnaryOp::kSqrt:
      case UnaryOp::kRsqrt:
      case UnaryOp::kTanh:
      case UnaryOp::kErf:
      case UnaryOp::kFloor: fail(strCat(kir::unaryOpName(u.op), " of an integer")); return Scalar{};
    }
  }
  double v = x.f;
  switch (u.op) {
    case UnaryOp::kNeg: return floatScalar(-v, t);
    case UnaryOp::kAbs: return floatScalar(std::fabs(v), t);
    case UnaryOp::kExp: return floatScalar(std::exp(v), t);
    case UnaryOp::kLog: return floatScalar(std::log(v), t);
    case UnaryOp::kSqrt: return floatScalar(std::sqrt(v), t);
    case UnaryOp::kRsqrt: return floatScalar(1.0 / std::sqrt(v), t);
    case UnaryOp::kTanh: return floatScalar(std::tanh(v), t);
    case UnaryOp::kErf: return floatScalar(std::erf(v), t);
    case UnaryOp::kFloor: return floatScalar(std::floor(v), t);
    case UnaryOp::kNot: fail("not of a float"); return Scalar{};
  }
  return Scalar{};
}

Scalar KirEval::combine(BinaryOp op, ScalarType t, Scalar a, Scalar b) {
  if (kir::isComparison(op)) fail("comparison as a combiner");
  if (ir::isFloat(t)) {
    double x = a.f, y = b.f;
    switch (op) {
      case BinaryOp::kAdd: return floatScalar(x + y, t);
      case BinaryOp::kSub: return floatScalar(x - y, t);
      case BinaryOp::kMul: return floatScalar(x * y, t);
      case BinaryOp::kDiv: return floatScalar(x / y, t);
      case BinaryOp::kRem: return floatScalar(std::fmod(x, y), t);
      // The IR leaves NaN unspecified: the other operand (maxnum, fmaxf) or
      // NaN, as chosen.
      case BinaryOp::kMin:
        if (nan_wins_ && (std::isnan(x) || std::isnan(y))) return floatScalar(NAN, t);
        return floatScalar(std::fmin(x, y), t);
      case BinaryOp::kMax:
        if (nan_wins_ && (std::isnan(x) || std::isnan(y))) return floatScalar(NAN, t);
        return floatScalar(std::fmax(x, y), t);
      case BinaryOp::kPow: return floatScalar(std::pow(x, y), t);
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
      case BinaryOp::kShr: fail(strCat(kir::binaryOpName(op), " of floats")); return Scalar{};
    }
  }
  uint64_t x = static_cast<uint64_t>(a.i), y = static_cast<uint64_t>(b.i);
  int bits = t == ScalarType::kI32 ? 32 : 64;
  switch (op) {
    case BinaryOp::kAdd: return intScalar(x + y, t);
    case BinaryOp::kSub: return intScalar(x - y, t);
    case BinaryOp::kMul: return intScalar(x * y, t);
    case BinaryOp::kDiv:
    case BinaryOp::kRem: {
      if (b.i == 0) {
        fail("integer division by zero");
        return Scalar{};
      }
      if (b.i == -1) return op == BinaryOp::kDiv ? intScalar(0 - x, t) : Scalar{};
      return Scalar{0, op == BinaryOp::kDiv ? a.i / b.i : a.i % b.i};
    }
    case BinaryOp::kMin: return Scalar{0, std::min(a.i, b.i)};
    case BinaryOp::kMax: return Scalar{0, std::max(a.i, b.i)};
    case BinaryOp::kAnd: return intScalar(x & y, t);
    case BinaryOp::kOr: return intScalar(x | y, t);
    case BinaryOp::kXor: return intScalar(x ^ y, t);
    case BinaryOp::kShl:
    case BinaryOp::kShr: {
      if (b.i < 0 || b.i >= bits) {
        fail(strCat("shift by ", b.i));
        return Scalar{};
      }
      if (op == BinaryOp::kShl) return intScalar(x << y, t);
      uint64_t pattern = bits == 32 ? static_cast<uint32_t>(x) : x;  // logical
      return intScalar(pattern >> y, t);
    }
    case BinaryOp::kPow:
    case BinaryOp::kLt:
    case BinaryOp::kLe:
    case BinaryOp::kGt:
    case BinaryOp::kGe:
    case BinaryOp::kEq:
    case BinaryOp::kNe: fail(strCat(kir::binaryOpName(op), " of integers")); return Scalar{};
  }
  return Scalar{};
}

Scalar KirEval::evalBinary(const kir::Expr&, const kir::BinaryExpr& b) {
  Scalar x = eval(b.lhs), y = eval(b.rhs);
  ScalarType t = b.lhs->type;
  if (b.lhs->type != b.rhs->type) fail(strCat(kir::binaryOpName(b.op), " of mixed types"));
  if (!kir::isComparison(b.op)) return combine(b.op, t, x, y);
  bool r = ir::isFloat(t) ? compare(b.op, x.f, y.f) : compare(b.op, x.i, y.i);
  return Scalar{0, r};
}

Scalar KirEval::evalReduce(const kir::Expr& e, const kir::ReduceExpr& r) {
  if (r.init->type != e.type || r.body->type != e.type) fail("reduction of mixed types");
  Scalar acc = eval(r.init);
  BinaryOp op = BinaryOp::kAdd;
  switch (r.op) {
    case kir::ReduceOp::kAdd: op = BinaryOp::kAdd; break;
    case kir::ReduceOp::kMul: op = BinaryOp::kMul; break;
    case kir::ReduceOp::kMin: op = BinaryOp::kMin; break;
    case kir::ReduceOp::kMax: op = BinaryOp::kMax; break;
  }
  for (int64_t v = r.lo; v < r.hi && error_.empty(); ++v) {
    bind(r.var, Scalar{0, v});
    acc = combine(op, e.type, acc, eval(r.body));
  }
  return acc;
}

void KirEval::run(const kir::StmtList& body) {
  for (const kir::Stmt& s : body) {
    if (!error_.empty()) return;
    if (const auto* f = s.as<kir::ForStmt>()) {
      for (int64_t v = f->lo; v < f->hi && error_.empty(); ++v) {
        bind(f->var, Scalar{0, v});
        run(f->body);
      }
    } else if (const auto* l = s.as<kir::LetStmt>()) {
      if (l->var.type != l->value->type) fail(strCat("let %", l->var.name, " of another type"));
      bind(l->var, eval(l->value));
    } else if (const auto* st = s.as<kir::StoreStmt>()) {
      int64_t index = eval(st->index).i;
      Scalar value = eval(st->value);
      if (!checkIndex(st->buffer, index, "store")) return;
      ScalarType t = kernel_.buffers[static_cast<size_t>(st->buffer)].dtype;
      if (st->value->type != t)
        fail(strCat("store of ", ir::dtypeName(st->value->type), " into ",
                    kernel_.buffers[static_cast<size_t>(st->buffer)].name));
      Scalar& slot = buffers_[static_cast<size_t>(st->buffer)][static_cast<size_t>(index)];
      slot = st->accumulate ? combine(BinaryOp::kAdd, t, slot, value) : value;
    } else if (const auto* i = s.as<kir::IfStmt>()) {
      if (eval(i->cond).i) run(i->then_body);
    } else {
      fail("call statements are not evaluated");
    }
  }
}

}  // namespace dlc::codegen::testing
