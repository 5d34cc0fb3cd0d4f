#include "ir/kernel/kernel_ir.h"

#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <utility>

namespace dlc::kir {
namespace {

constexpr std::array<std::string_view, 10> kUnaryNames = {"neg",   "abs",  "exp", "log",   "sqrt",
                                                          "rsqrt", "tanh", "erf", "floor", "not"};
constexpr std::array<std::string_view, 19> kBinaryNames = {"add", "sub", "mul", "div", "rem", "min", "max",
                                                           "pow", "lt",  "le",  "gt",  "ge",  "eq",  "ne",
                                                           "and", "or",  "xor", "shl", "shr"};
constexpr std::array<std::string_view, 4> kReduceNames = {"add", "mul", "min", "max"};

template <typename Enum, size_t N>
std::optional<Enum> lookup(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  return std::nullopt;
}

ExprRef make(ScalarType type, decltype(Expr::node) node) {
  return std::make_shared<const Expr>(Expr{type, std::move(node)});
}

}  // namespace

std::string_view unaryOpName(UnaryOp op) { return kUnaryNames[static_cast<size_t>(op)]; }
std::string_view binaryOpName(BinaryOp op) { return kBinaryNames[static_cast<size_t>(op)]; }
std::string_view reduceOpName(ReduceOp op) { return kReduceNames[static_cast<size_t>(op)]; }
std::optional<UnaryOp> parseUnaryOp(std::string_view name) { return lookup<UnaryOp>(kUnaryNames, name); }
std::optional<BinaryOp> parseBinaryOp(std::string_view name) { return lookup<BinaryOp>(kBinaryNames, name); }
std::optional<ReduceOp> parseReduceOp(std::string_view name) { return lookup<ReduceOp>(kReduceNames, name); }

bool isComparison(BinaryOp op) { return op >= BinaryOp::kLt && op <= BinaryOp::kNe; }

std::string_view loopKindName(LoopKind kind) {
  switch (kind) {
    case LoopKind::kSerial: return "";
    case LoopKind::kParallel: return "parallel";
    case LoopKind::kVector: return "vector";
    case LoopKind::kUnroll: return "unroll";
  }
  return "";
}

std::string_view gpuKindName(GpuKind kind) {
  switch (kind) {
    case GpuKind::kOneThread: return "one_thread";
    case GpuKind::kOneBlock: return "one_block";
    case GpuKind::kGridStride: return "grid_stride";
    case GpuKind::kVector: return "vector";
    case GpuKind::kBlockPerRow: return "block_per_row";
    case GpuKind::kRowGroups: return "row_groups";
    case GpuKind::kSplit: return "split";
  }
  return "";
}

std::optional<GpuKind> parseGpuKind(std::string_view name) {
  for (GpuKind kind : {GpuKind::kOneThread, GpuKind::kOneBlock, GpuKind::kGridStride, GpuKind::kVector,
                       GpuKind::kBlockPerRow, GpuKind::kRowGroups, GpuKind::kSplit})
    if (gpuKindName(kind) == name) return kind;
  return std::nullopt;
}

bool isLoopGpuKind(GpuKind kind) { return kind != GpuKind::kOneThread && kind != GpuKind::kOneBlock; }
bool isKernelGpuKind(GpuKind kind) { return !isLoopGpuKind(kind) || kind == GpuKind::kSplit; }

std::string_view bufferRoleName(BufferRole role) {
  switch (role) {
    case BufferRole::kIn: return "in";
    case BufferRole::kOut: return "out";
    case BufferRole::kInOut: return "inout";
    case BufferRole::kScratch: return "scratch";
    case BufferRole::kLocal: return "local";
  }
  return "";
}

ExprRef constant(ScalarType type, double value) {
  ConstExpr c{value, 0};
  if (ir::isInteger(type) || type == ScalarType::kBool) c.bits = static_cast<int64_t>(value);
  return make(type, c);
}

ExprRef index(int64_t value) { return make(ScalarType::kI64, ConstExpr{static_cast<double>(value), value}); }

ExprRef var(const Var& v) { return make(v.type, VarExpr{v}); }

ExprRef load(BufferId buffer, ScalarType element, ExprRef idx) {
  assert(idx->type == ScalarType::kI64 && "load index must be i64");
  return make(element, LoadExpr{buffer, std::move(idx)});
}

ExprRef unary(UnaryOp op, ExprRef x) {
  ScalarType type = x->type;
  return make(type, UnaryExpr{op, std::move(x)});
}

ExprRef binary(BinaryOp op, ExprRef lhs, ExprRef rhs) {
  assert(lhs->type == rhs->type && "binary operands must have one type");
  ScalarType type = isComparison(op) ? ScalarType::kBool : lhs->type;
  return make(type, BinaryExpr{op, std::move(lhs), std::move(rhs)});
}

ExprRef select(ExprRef cond, ExprRef if_true, ExprRef if_false) {
  assert(cond->type == ScalarType::kBool && if_true->type == if_false->type);
  ScalarType type = if_true->type;
  return make(type, SelectExpr{std::move(cond), std::move(if_true), std::move(if_false)});
}

ExprRef cast(ScalarType type, ExprRef x) {
  if (x->type == type) return x;
  return make(type, CastExpr{std::move(x)});
}

ExprRef reduce(ReduceOp op, const Var& v, int64_t lo, int64_t hi, ExprRef init, ExprRef body) {
  assert(init->type == body->type && v.type == ScalarType::kI64);
  ScalarType type = body->type;
  return make(type, ReduceExpr{op, v, lo, hi, std::move(init), std::move(body)});
}

ExprRef reduceIdentity(ReduceOp op, ScalarType type) {
  bool is_float = ir::isFloat(type);
  switch (op) {
    case ReduceOp::kAdd: return constant(type, 0.0);
    case ReduceOp::kMul: return constant(type, 1.0);
    case ReduceOp::kMin:
      if (is_float) return constant(type, std::numeric_limits<double>::infinity());
      if (type == ScalarType::kI32) return constant(type, std::numeric_limits<int32_t>::max());
      return make(type, ConstExpr{9.2233720368547758e18, std::numeric_limits<int64_t>::max()});
    case ReduceOp::kMax:
      if (is_float) return constant(type, -std::numeric_limits<double>::infinity());
      if (type == ScalarType::kI32) return constant(type, std::numeric_limits<int32_t>::min());
      return make(type, ConstExpr{-9.2233720368547758e18, std::numeric_limits<int64_t>::min()});
  }
  return constant(type, 0.0);
}

bool isReduceIdentity(const ExprRef& e, ReduceOp op) {
  const auto* c = e->as<ConstExpr>();
  if (!c) return false;
  // Held by name: a pointer into the temporary would dangle (ASan found it).
  ExprRef identity = reduceIdentity(op, e->type);
  const auto* id = identity->as<ConstExpr>();
  return c->value == id->value && c->bits == id->bits;
}

BinaryOp reduceCombiner(ReduceOp op) {
  switch (op) {
    case ReduceOp::kAdd: return BinaryOp::kAdd;
    case ReduceOp::kMul: return BinaryOp::kMul;
    case ReduceOp::kMin: return BinaryOp::kMin;
    case ReduceOp::kMax: return BinaryOp::kMax;
  }
  return BinaryOp::kAdd;
}

const Kernel* KernelModule::find(std::string_view name) const {
  for (const Kernel& kernel : kernels)
    if (kernel.name == name) return &kernel;
  return nullptr;
}

}  // namespace dlc::kir
