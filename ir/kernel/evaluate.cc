#include "ir/kernel/evaluate.h"

#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

bool isIntegral(ScalarType t) { return ir::isInteger(t) || t == ScalarType::kBool; }

// `v` as an i64 bit pattern (NaN as 0, saturating), for bitwise ops.
int64_t toBits(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 0x1p63) return std::numeric_limits<int64_t>::max();
  if (v < -0x1p63) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

// An i64 bit pattern as a value of `type` (i32 wraps).
double fromBits(int64_t v, ScalarType type) {
  if (type == ScalarType::kI32) return static_cast<int32_t>(static_cast<uint32_t>(v));
  if (type == ScalarType::kBool) return v != 0 ? 1.0 : 0.0;
  return static_cast<double>(v);
}

}  // namespace

void ScalarEvaluator::bind(const Var& v, double value) {
  for (auto& [id, bound] : vars_)
    if (id == v.id) {
      bound = value;
      return;
    }
  vars_.emplace_back(v.id, value);
}

double ScalarEvaluator::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return std::numeric_limits<double>::quiet_NaN();
}

absl::StatusOr<double> ScalarEvaluator::evaluate(const ExprRef& e) {
  error_.clear();
  double v = eval(*e);
  if (!error_.empty()) return absl::InvalidArgumentError(error_);
  return v;
}

double ScalarEvaluator::eval(const Expr& e) {
  if (!error_.empty()) return 0.0;
  if (const auto* c = e.as<ConstExpr>()) return isIntegral(e.type) ? static_cast<double>(c->bits) : c->value;
  if (const auto* v = e.as<VarExpr>()) {
    for (const auto& [id, value] : vars_)
      if (id == v->var.id) return value;
    return fail(strCat("unbound variable %", v->var.name));
  }
  if (const auto* l = e.as<LoadExpr>()) {
    if (!load_) return fail("a load outside a kernel");
    return load_(l->buffer, toBits(eval(*l->index)));
  }
  if (const auto* u = e.as<UnaryExpr>()) return evalUnary(e, *u);
  if (const auto* b = e.as<BinaryExpr>()) return evalBinary(*b);
  if (const auto* s = e.as<SelectExpr>()) return eval(*s->cond) != 0.0 ? eval(*s->if_true) : eval(*s->if_false);
  if (const auto* c = e.as<CastExpr>()) {
    double x = eval(*c->x);
    if (e.type == ScalarType::kBool) return x != 0.0 ? 1.0 : 0.0;
    if (ir::isInteger(e.type)) return std::trunc(x);  // NaN and inf stay
    return x;
  }
  if (const auto* r = e.as<ReduceExpr>()) return evalReduce(e, *r);
  return fail("unknown expression");
}

double ScalarEvaluator::evalUnary(const Expr& e, const UnaryExpr& u) {
  double x = eval(*u.x);
  switch (u.op) {
    case UnaryOp::kNeg: return -x;
    case UnaryOp::kAbs: return std::fabs(x);
    case UnaryOp::kExp: return std::exp(x);
    case UnaryOp::kLog: return std::log(x);
    case UnaryOp::kSqrt: return std::sqrt(x);
    case UnaryOp::kRsqrt: return 1.0 / std::sqrt(x);
    case UnaryOp::kTanh: return std::tanh(x);
    case UnaryOp::kErf: return std::erf(x);
    case UnaryOp::kFloor: return std::floor(x);
    case UnaryOp::kNot:
      if (e.type == ScalarType::kBool) return x != 0.0 ? 0.0 : 1.0;
      return fromBits(~toBits(x), e.type);
  }
  return fail("unknown unary op");
}

double ScalarEvaluator::combine(BinaryOp op, ScalarType type, double x, double y) {
  bool integral = isIntegral(type);
  switch (op) {
    case BinaryOp::kAdd: return x + y;
    case BinaryOp::kSub: return x - y;
    case BinaryOp::kMul: return x * y;
    case BinaryOp::kDiv: return integral && y != 0.0 ? std::trunc(x / y) : x / y;
    case BinaryOp::kRem: return integral && y == 0.0 ? x / y : std::fmod(x, y);
    case BinaryOp::kMin: return std::fmin(x, y);
    case BinaryOp::kMax: return std::fmax(x, y);
    case BinaryOp::kPow: return std::pow(x, y);
    case BinaryOp::kLt: return x < y ? 1.0 : 0.0;
    case BinaryOp::kLe: return x <= y ? 1.0 : 0.0;
    case BinaryOp::kGt: return x > y ? 1.0 : 0.0;
    case BinaryOp::kGe: return x >= y ? 1.0 : 0.0;
    case BinaryOp::kEq: return x == y ? 1.0 : 0.0;
    case BinaryOp::kNe: return x != y ? 1.0 : 0.0;
    case BinaryOp::kAnd: return fromBits(toBits(x) & toBits(y), type);
    case BinaryOp::kOr: return fromBits(toBits(x) | toBits(y), type);
    case BinaryOp::kXor: return fromBits(toBits(x) ^ toBits(y), type);
    case BinaryOp::kShl:
    case BinaryOp::kShr: {
      int bits = type == ScalarType::kI32 ? 32 : 64;
      int64_t shift = toBits(y);
      if (shift < 0 || shift >= bits) return fail(strCat("shift by ", shift));
      uint64_t pattern = static_cast<uint64_t>(toBits(x));
      if (bits == 32) pattern = static_cast<uint32_t>(pattern);
      uint64_t r = op == BinaryOp::kShl ? pattern << shift : pattern >> shift;  // logical
      return fromBits(static_cast<int64_t>(r), type);
    }
  }
  return fail("unknown binary op");
}

double ScalarEvaluator::evalBinary(const BinaryExpr& b) {
  double x = eval(*b.lhs), y = eval(*b.rhs);
  return combine(b.op, b.lhs->type, x, y);
}

double ScalarEvaluator::evalReduce(const Expr& e, const ReduceExpr& r) {
  BinaryOp op = BinaryOp::kAdd;
  switch (r.op) {
    case ReduceOp::kAdd: op = BinaryOp::kAdd; break;
    case ReduceOp::kMul: op = BinaryOp::kMul; break;
    case ReduceOp::kMin: op = BinaryOp::kMin; break;
    case ReduceOp::kMax: op = BinaryOp::kMax; break;
  }
  double acc = eval(*r.init);
  for (int64_t v = r.lo; v < r.hi && error_.empty(); ++v) {
    bind(r.var, static_cast<double>(v));
    acc = combine(op, e.type, acc, eval(*r.body));
  }
  return acc;
}

}  // namespace dlc::kir
