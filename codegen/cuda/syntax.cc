#include "codegen/cuda/syntax.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "ir/precision.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::BinaryOp;
using kir::UnaryOp;

bool isReal(ScalarType t) { return t == ScalarType::kF32 || t == ScalarType::kF64; }

// The shortest literal that reads back as `v` in the type (f32 or f64).
std::string realLiteral(double v, bool single) {
  if (std::isnan(v)) return single ? "__int_as_float(0x7fc00000)" : "__longlong_as_double(0x7ff8000000000000LL)";
  if (std::isinf(v)) {
    std::string inf = single ? "__int_as_float(0x7f800000)" : "__longlong_as_double(0x7ff0000000000000LL)";
    return v > 0 ? inf : strCat("(-", inf, ")");
  }
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    double back = std::strtod(buf, nullptr);
    if (single ? static_cast<float>(back) == static_cast<float>(v) : back == v) break;
  }
  std::string text = buf;
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  if (single) text += "f";
  return v < 0 ? strCat("(", text, ")") : text;
}

std::string integerLiteral(int64_t bits, bool wide) {
  // The most negative value has no literal: -(max) - 1.
  if (wide && bits == std::numeric_limits<int64_t>::min()) return "(-9223372036854775807LL - 1LL)";
  if (!wide && bits == std::numeric_limits<int32_t>::min()) return "(-2147483647 - 1)";
  std::string text = strCat(bits, wide ? "LL" : "");
  return bits < 0 ? strCat("(", text, ")") : text;
}

std::string call(std::string_view f, const std::string& x) { return strCat(f, "(", x, ")"); }
std::string call(std::string_view f, const std::string& a, const std::string& b) {
  return strCat(f, "(", a, ", ", b, ")");
}
std::string infix(std::string_view op, const std::string& a, const std::string& b) {
  return strCat("(", a, " ", op, " ", b, ")");
}

absl::Status typeError(std::string_view what, std::string_view op, ScalarType type) {
  return absl::InvalidArgumentError(strCat("cuda: ", what, " '", op, "' is not defined on ", ir::dtypeName(type)));
}

// Math functions: expf for f32, exp for f64.
std::string math(std::string_view f, ScalarType type, const std::string& x) {
  return type == ScalarType::kF32 ? call(strCat(f, "f"), x) : call(f, x);
}
std::string math(std::string_view f, ScalarType type, const std::string& a, const std::string& b) {
  return type == ScalarType::kF32 ? call(strCat(f, "f"), a, b) : call(f, a, b);
}

absl::StatusOr<std::string> realUnary(UnaryOp op, ScalarType t, const std::string& x) {
  switch (op) {
    case UnaryOp::kNeg: return strCat("(-", x, ")");
    case UnaryOp::kAbs: return math("fabs", t, x);
    case UnaryOp::kExp: return math("exp", t, x);
    case UnaryOp::kLog: return math("log", t, x);
    case UnaryOp::kSqrt: return math("sqrt", t, x);
    case UnaryOp::kRsqrt: return math("rsqrt", t, x);
    case UnaryOp::kTanh: return math("tanh", t, x);
    case UnaryOp::kErf: return math("erf", t, x);
    case UnaryOp::kFloor: return math("floor", t, x);
    case UnaryOp::kNot: break;
  }
  return typeError("op", kir::unaryOpName(op), t);
}

absl::StatusOr<std::string> realBinary(BinaryOp op, ScalarType t, const std::string& a, const std::string& b) {
  switch (op) {
    case BinaryOp::kAdd: return infix("+", a, b);
    case BinaryOp::kSub: return infix("-", a, b);
    case BinaryOp::kMul: return infix("*", a, b);
    case BinaryOp::kDiv: return infix("/", a, b);
    case BinaryOp::kRem: return math("fmod", t, a, b);
    case BinaryOp::kMin: return math("fmin", t, a, b);
    case BinaryOp::kMax: return math("fmax", t, a, b);
    case BinaryOp::kPow: return math("pow", t, a, b);
    case BinaryOp::kLt: return infix("<", a, b);
    case BinaryOp::kLe: return infix("<=", a, b);
    case BinaryOp::kGt: return infix(">", a, b);
    case BinaryOp::kGe: return infix(">=", a, b);
    case BinaryOp::kEq: return infix("==", a, b);
    case BinaryOp::kNe: return infix("!=", a, b);
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
    case BinaryOp::kXor:
    case BinaryOp::kShl:
    case BinaryOp::kShr: break;
  }
  return typeError("op", kir::binaryOpName(op), t);
}

// Wrapping ops go through the prelude's dlc_* helpers (unsigned arithmetic).
absl::StatusOr<std::string> intBinary(BinaryOp op, ScalarType t, const std::string& a, const std::string& b) {
  switch (op) {
    case BinaryOp::kAdd: return call("dlc_add", a, b);
    case BinaryOp::kSub: return call("dlc_sub", a, b);
    case BinaryOp::kMul: return call("dlc_mul", a, b);
    case BinaryOp::kDiv: return infix("/", a, b);
    case BinaryOp::kRem: return infix("%", a, b);
    case BinaryOp::kMin: return call("dlc_min", a, b);
    case BinaryOp::kMax: return call("dlc_max", a, b);
    case BinaryOp::kLt: return infix("<", a, b);
    case BinaryOp::kLe: return infix("<=", a, b);
    case BinaryOp::kGt: return infix(">", a, b);
    case BinaryOp::kGe: return infix(">=", a, b);
    case BinaryOp::kEq: return infix("==", a, b);
    case BinaryOp::kNe: return infix("!=", a, b);
    case BinaryOp::kAnd: return infix("&", a, b);
    case BinaryOp::kOr: return infix("|", a, b);
    case BinaryOp::kXor: return infix("^", a, b);
    case BinaryOp::kShl: return call("dlc_shl", a, b);
    case BinaryOp::kShr: return call("dlc_shr", a, b);
    case BinaryOp::kPow: break;
  }
  return typeError("op", kir::binaryOpName(op), t);
}

absl::StatusOr<std::string> boolBinary(BinaryOp op, const std::string& a, const std::string& b) {
  switch (op) {
    case BinaryOp::kAnd:
    case BinaryOp::kMin: return infix("&&", a, b);
    case BinaryOp::kOr:
    case BinaryOp::kMax: return infix("||", a, b);
    case BinaryOp::kXor:
    case BinaryOp::kNe: return infix("!=", a, b);
    case BinaryOp::kEq: return infix("==", a, b);
    case BinaryOp::kLt: return infix("<", a, b);
    case BinaryOp::kLe: return infix("<=", a, b);
    case BinaryOp::kGt: return infix(">", a, b);
    case BinaryOp::kGe: return infix(">=", a, b);
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kRem:
    case BinaryOp::kPow:
    case BinaryOp::kShl:
    case BinaryOp::kShr: break;
  }
  return typeError("op", kir::binaryOpName(op), ScalarType::kBool);
}

}  // namespace

std::string_view cudaType(ScalarType type) {
  switch (type) {
    case ScalarType::kF32: return "float";
    case ScalarType::kF16: return "__half";
    case ScalarType::kBF16: return "__nv_bfloat16";
    case ScalarType::kF64: return "double";
    case ScalarType::kI32: return "int";
    case ScalarType::kI64: return "long long";
    case ScalarType::kBool: return "bool";
  }
  return "void";
}

ScalarType computeType(ScalarType type) { return ir::isHalfFloat(type) ? ScalarType::kF32 : type; }

ScalarType accumulatorType(ScalarType type) { return type == ScalarType::kBool ? ScalarType::kI32 : computeType(type); }

std::string toWider(ScalarType type, std::string value) {
  switch (type) {
    case ScalarType::kF16: return call("__half2float", value);
    case ScalarType::kBF16: return call("__bfloat162float", value);
    case ScalarType::kBool: return strCat("(int)(", value, ")");
    case ScalarType::kF32:
    case ScalarType::kF64:
    case ScalarType::kI32:
    case ScalarType::kI64: break;
  }
  return value;
}

std::string fromWider(ScalarType type, std::string value) {
  switch (type) {
    case ScalarType::kF16: return call("__float2half", value);
    case ScalarType::kBF16: return call("__float2bfloat16", value);
    case ScalarType::kBool: return strCat("(", value, " != 0)");
    case ScalarType::kF32:
    case ScalarType::kF64:
    case ScalarType::kI32:
    case ScalarType::kI64: break;
  }
  return value;
}

std::string constant(ScalarType type, const kir::ConstExpr& c) {
  switch (type) {
    case ScalarType::kF32: return realLiteral(c.value, true);
    case ScalarType::kF64: return realLiteral(c.value, false);
    case ScalarType::kF16:
    case ScalarType::kBF16: return fromWider(type, realLiteral(c.value, true));
    case ScalarType::kI32: return integerLiteral(c.bits, false);
    case ScalarType::kI64: return integerLiteral(c.bits, true);
    case ScalarType::kBool: return c.bits != 0 ? "true" : "false";
  }
  return "0";
}

std::string cast(ScalarType from, ScalarType to, std::string value) {
  if (from == to) return value;
  if (to == ScalarType::kBool) return strCat("(", toWider(from, std::move(value)), " != 0)");
  bool half_to = ir::isHalfFloat(to);
  if (half_to && from == ScalarType::kF64)
    return call(to == ScalarType::kF16 ? "__double2half" : "__double2bfloat16", value);
  if (half_to) return fromWider(to, strCat("(float)(", toWider(from, std::move(value)), ")"));
  return strCat("(", cudaType(to), ")(", toWider(from, std::move(value)), ")");
}

absl::StatusOr<std::string> unary(kir::UnaryOp op, ScalarType type, std::string x) {
  if (isReal(type)) return realUnary(op, type, x);
  if (type == ScalarType::kBool) {
    if (op == UnaryOp::kNot) return strCat("(!", x, ")");
    return typeError("op", kir::unaryOpName(op), type);
  }
  switch (op) {
    case UnaryOp::kNeg: return call("dlc_neg", x);
    case UnaryOp::kAbs: return call("dlc_abs", x);
    case UnaryOp::kNot: return strCat("(~", x, ")");
    case UnaryOp::kExp:
    case UnaryOp::kLog:
    case UnaryOp::kSqrt:
    case UnaryOp::kRsqrt:
    case UnaryOp::kTanh:
    case UnaryOp::kErf:
    case UnaryOp::kFloor: break;
  }
  return typeError("op", kir::unaryOpName(op), type);
}

absl::StatusOr<std::string> binary(kir::BinaryOp op, ScalarType type, std::string a, std::string b) {
  if (isReal(type)) return realBinary(op, type, a, b);
  if (type == ScalarType::kBool) return boolBinary(op, a, b);
  return intBinary(op, type, a, b);
}

std::string_view combiner(kir::ReduceOp op) {
  switch (op) {
    case kir::ReduceOp::kAdd: return "dlc_add";
    case kir::ReduceOp::kMul: return "dlc_mul";
    case kir::ReduceOp::kMin: return "dlc_min";
    case kir::ReduceOp::kMax: return "dlc_max";
  }
  return "dlc_add";
}

std::string identityText(kir::ReduceOp op, ScalarType type) {
  if (type == ScalarType::kBool) return op == kir::ReduceOp::kMin || op == kir::ReduceOp::kMul ? "1" : "0";
  ScalarType acc = accumulatorType(type);
  return constant(acc, *kir::reduceIdentity(op, acc)->as<kir::ConstExpr>());
}

std::string identifier(std::string_view name) {
  std::string out;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "k" + out;
  return out;
}

}  // namespace dlc::codegen::cuda
