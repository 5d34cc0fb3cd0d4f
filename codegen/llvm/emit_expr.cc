// Expressions: scalar ops, conversions between the kernel IR's types, loads,
// selects and reductions.
#include "codegen/llvm/kernel_emitter.h"
#include "codegen/llvm/math_functions.h"
#include "ir/kernel/walk.h"
#include "ir/precision.h"
#include "llvm/IR/Intrinsics.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using kir::BinaryOp;
using kir::ScalarType;
using kir::UnaryOp;

absl::Status unsupported(std::string_view op, ScalarType type) {
  return absl::InvalidArgumentError(strCat("'", op, "' is not defined on ", ir::dtypeName(type)));
}

}  // namespace

// ---- Types and conversions.

llvm::Type* KernelEmitter::valueType(ScalarType type) {
  switch (type) {
    case ScalarType::kF32: return b_.getFloatTy();
    case ScalarType::kF16: return b_.getHalfTy();
    case ScalarType::kBF16: return b_.getBFloatTy();
    case ScalarType::kF64: return b_.getDoubleTy();
    case ScalarType::kI32: return b_.getInt32Ty();
    case ScalarType::kI64: return b_.getInt64Ty();
    case ScalarType::kBool: return b_.getInt1Ty();
  }
  return nullptr;
}

llvm::Type* KernelEmitter::memoryType(ScalarType type) {
  return type == ScalarType::kBool ? b_.getInt8Ty() : valueType(type);
}

llvm::Type* KernelEmitter::computeType(ScalarType type) {
  return ir::isHalfFloat(type) ? b_.getFloatTy() : valueType(type);
}

// bf16 is widened and rounded with integer ops (exact, vectorizable, and
// with no dependence on AVX512-BF16 or on libgcc's __truncsfbf2). f16 is
// widened with integer ops too: from an fpext, InstCombine narrows compares
// and selects back to half, which x86 without AVX512-FP16 scalarizes (a
// max-pool gradient took 36 ms instead of 1).
llvm::Value* KernelEmitter::widen(llvm::Value* v, ScalarType type) {
  if (type == ScalarType::kF16) return widenHalf(v);
  if (type != ScalarType::kBF16) return v;
  llvm::Value* bits = b_.CreateZExt(b_.CreateBitCast(v, b_.getInt16Ty()), b_.getInt32Ty());
  return b_.CreateBitCast(b_.CreateShl(bits, 16), b_.getFloatTy());
}

// The f16 bits' exponent and mantissa moved to f32's places with the
// exponent rebiased by an integer add (+112); f16's infinities and NaNs
// (exponent 31) get 112 more, to f32's 255; a subnormal m * 2^-24 becomes
// 2^-14 * (1 + m/1024) - 2^-14, an exact subtraction of normal numbers (a
// multiply by 2^112 would be exact too, but x86 takes microcode assists on
// subnormal operands); then the sign.
llvm::Value* KernelEmitter::widenHalf(llvm::Value* v) {
  llvm::Value* bits = b_.CreateZExt(b_.CreateBitCast(v, b_.getInt16Ty()), b_.getInt32Ty());
  llvm::Value* sign = b_.CreateShl(b_.CreateAnd(bits, 0x8000), 16);
  llvm::Value* magnitude = b_.CreateShl(b_.CreateAnd(bits, 0x7fff), 13);
  llvm::Value* exponent = b_.CreateAnd(magnitude, 0x0f800000);
  llvm::Value* rebiased = b_.CreateAdd(magnitude, b_.getInt32(112 << 23));
  llvm::Value* special = b_.CreateICmpEQ(exponent, b_.getInt32(0x0f800000));
  llvm::Value* normal = b_.CreateSelect(special, b_.CreateAdd(rebiased, b_.getInt32(112 << 23)), rebiased);
  llvm::Value* lifted = b_.CreateBitCast(b_.CreateAdd(rebiased, b_.getInt32(1 << 23)), b_.getFloatTy());
  llvm::Value* subnormal =
      b_.CreateBitCast(b_.CreateFSub(lifted, llvm::ConstantFP::get(b_.getFloatTy(), 0x1p-14)), b_.getInt32Ty());
  llvm::Value* value = b_.CreateSelect(b_.CreateICmpEQ(exponent, b_.getInt32(0)), subnormal, normal);
  return b_.CreateBitCast(b_.CreateOr(value, sign), b_.getFloatTy());
}

llvm::Value* KernelEmitter::narrow(llvm::Value* v, ScalarType type) {
  if (type == ScalarType::kF16) return b_.CreateFPTrunc(v, b_.getHalfTy());
  if (type != ScalarType::kBF16) return v;
  // Round to nearest even: add 0x7fff plus the lowest kept bit; NaN stays a
  // quiet NaN.
  llvm::Value* bits = b_.CreateBitCast(v, b_.getInt32Ty());
  llvm::Value* odd = b_.CreateAnd(b_.CreateLShr(bits, 16), 1);
  llvm::Value* rounded = b_.CreateLShr(b_.CreateAdd(bits, b_.CreateAdd(odd, b_.getInt32(0x7fff))), 16);
  llvm::Value* nan = b_.CreateOr(b_.CreateLShr(bits, 16), 0x40);
  llvm::Value* r = b_.CreateSelect(b_.CreateFCmpUNO(v, v), nan, rounded);
  return b_.CreateBitCast(b_.CreateTrunc(r, b_.getInt16Ty()), b_.getBFloatTy());
}

llvm::Value* KernelEmitter::convert(llvm::Value* v, ScalarType from, ScalarType to) {
  if (from == to) return v;
  if (from == ScalarType::kBool) {
    if (ir::isFloat(to)) return narrow(b_.CreateUIToFP(v, computeType(to)), to);
    return b_.CreateZExt(v, valueType(to));
  }
  if (to == ScalarType::kBool) {
    if (ir::isFloat(from)) return b_.CreateFCmpUNE(widen(v, from), llvm::ConstantFP::get(computeType(from), 0.0));
    return b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  }
  if (ir::isFloat(from) && ir::isFloat(to)) {
    // Through f32 (or f64): f64 -> f16 rounds twice rather than calling
    // libgcc's __truncdfhf2.
    llvm::Value* w = widen(v, from);
    llvm::Type* target = computeType(to);
    if (w->getType() != target) w = target->isDoubleTy() ? b_.CreateFPExt(w, target) : b_.CreateFPTrunc(w, target);
    return narrow(w, to);
  }
  if (ir::isFloat(from)) {
    llvm::Value* w = widen(v, from);
    return b_.CreateIntrinsic(llvm::Intrinsic::fptosi_sat, {valueType(to), w->getType()}, {w});
  }
  if (ir::isFloat(to)) return narrow(b_.CreateSIToFP(v, computeType(to)), to);
  return b_.CreateSExtOrTrunc(v, valueType(to));
}

// ---- Expressions.

absl::StatusOr<llvm::Value*> KernelEmitter::emitRoot(const kir::ExprRef& expr) {
  cache_.clear();
  cache_.emplace_back();
  return emitExpr(expr);
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitExpr(const kir::ExprRef& expr) {
  for (auto scope = cache_.rbegin(); scope != cache_.rend(); ++scope)
    if (auto it = scope->find(expr.get()); it != scope->end()) return it->second;
  ASSIGN_OR_RETURN(llvm::Value * v, emitNode(*expr));
  cache_.back()[expr.get()] = v;
  return v;
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitNode(const kir::Expr& e) {
  if (auto* c = e.as<kir::ConstExpr>()) return emitConst(e, *c);
  if (auto* v = e.as<kir::VarExpr>()) {
    auto it = env_.find(v->var.id);
    if (it == env_.end()) return absl::InvalidArgumentError(strCat("variable %", v->var.name, " is not in scope"));
    return it->second;
  }
  if (auto* l = e.as<kir::LoadExpr>()) {
    if (l->buffer < 0 || l->buffer >= static_cast<int>(kernel_.buffers.size()))
      return absl::InvalidArgumentError(strCat("load from unknown buffer ", l->buffer));
    ASSIGN_OR_RETURN(llvm::Value * index, emitExpr(l->index));
    return convert(emitLoad(l->buffer, index), kernel_.buffers[l->buffer].dtype, e.type);
  }
  if (auto* u = e.as<kir::UnaryExpr>()) return emitUnary(e, *u);
  if (auto* bin = e.as<kir::BinaryExpr>()) return emitBinary(e, *bin);
  if (auto* s = e.as<kir::SelectExpr>()) return emitSelect(e, *s);
  if (auto* c = e.as<kir::CastExpr>()) {
    ASSIGN_OR_RETURN(llvm::Value * x, emitExpr(c->x));
    return convert(x, c->x->type, e.type);
  }
  if (auto* r = e.as<kir::ReduceExpr>()) return emitReduce(e, *r);
  return absl::InternalError("unknown kernel expression");
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitConst(const kir::Expr& e, const kir::ConstExpr& c) {
  switch (e.type) {
    case ScalarType::kF32:
    case ScalarType::kF16:
    case ScalarType::kBF16:
    case ScalarType::kF64: return llvm::ConstantFP::get(valueType(e.type), c.value);
    case ScalarType::kI32:
    case ScalarType::kI64: return llvm::ConstantInt::get(valueType(e.type), c.bits, /*IsSigned=*/true);
    case ScalarType::kBool: return b_.getInt1(c.bits != 0);
  }
  return absl::InternalError("constant of unknown type");
}

llvm::Value* KernelEmitter::emitFloatUnary(UnaryOp op, llvm::Value* x) {
  bool f32 = x->getType()->isFloatTy();
  auto intrinsic = [&](llvm::Intrinsic::ID id) { return b_.CreateUnaryIntrinsic(id, x); };
  auto libm = [&](const char* name) {
    auto* type = llvm::FunctionType::get(x->getType(), {x->getType()}, false);
    auto* call = b_.CreateCall(module_.getOrInsertFunction(name, type), {x});
    call->setDoesNotAccessMemory();
    return call;
  };
  switch (op) {
    case UnaryOp::kNeg: return b_.CreateFNeg(x);
    case UnaryOp::kAbs: return intrinsic(llvm::Intrinsic::fabs);
    case UnaryOp::kExp:
      return f32 ? b_.CreateCall(mathFunction(module_, MathFunction::kExp), {x}) : intrinsic(llvm::Intrinsic::exp);
    case UnaryOp::kLog: return intrinsic(llvm::Intrinsic::log);
    case UnaryOp::kSqrt: return intrinsic(llvm::Intrinsic::sqrt);
    case UnaryOp::kRsqrt:
      return b_.CreateFDiv(llvm::ConstantFP::get(x->getType(), 1.0), intrinsic(llvm::Intrinsic::sqrt));
    case UnaryOp::kTanh: return f32 ? b_.CreateCall(mathFunction(module_, MathFunction::kTanh), {x}) : libm("tanh");
    case UnaryOp::kErf: return f32 ? b_.CreateCall(mathFunction(module_, MathFunction::kErf), {x}) : libm("erf");
    case UnaryOp::kFloor: return intrinsic(llvm::Intrinsic::floor);
    case UnaryOp::kNot: return nullptr;
  }
  return nullptr;
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitUnary(const kir::Expr& e, const kir::UnaryExpr& u) {
  ASSIGN_OR_RETURN(llvm::Value * x, emitExpr(u.x));
  ScalarType type = u.x->type;
  if (ir::isFloat(type)) {
    if (u.op == UnaryOp::kNot) return unsupported(kir::unaryOpName(u.op), type);
    if (u.op == UnaryOp::kNeg || u.op == UnaryOp::kAbs) return emitFloatUnary(u.op, x);  // exact
    return narrow(emitFloatUnary(u.op, widen(x, type)), type);
  }
  switch (u.op) {
    case UnaryOp::kNot: return b_.CreateNot(x);
    case UnaryOp::kNeg:
      if (type == ScalarType::kBool) break;
      return b_.CreateNeg(x);
    case UnaryOp::kAbs:
      if (type == ScalarType::kBool) return x;
      return b_.CreateBinaryIntrinsic(llvm::Intrinsic::abs, x, b_.getFalse());
    case UnaryOp::kExp:
    case UnaryOp::kLog:
    case UnaryOp::kSqrt:
    case UnaryOp::kRsqrt:
    case UnaryOp::kTanh:
    case UnaryOp::kErf:
    case UnaryOp::kFloor: break;
  }
  return unsupported(kir::unaryOpName(u.op), type);
}

llvm::Value* KernelEmitter::emitFloatBinary(BinaryOp op, llvm::Value* a, llvm::Value* c) {
  // `contract` lets a*b+c become one FMA, as C compilers do by default.
  llvm::FastMathFlags contract;
  contract.setAllowContract(true);
  llvm::IRBuilderBase::FastMathFlagGuard guard(b_);
  b_.setFastMathFlags(contract);
  switch (op) {
    case BinaryOp::kAdd: return b_.CreateFAdd(a, c);
    case BinaryOp::kSub: return b_.CreateFSub(a, c);
    case BinaryOp::kMul: return b_.CreateFMul(a, c);
    case BinaryOp::kDiv: return b_.CreateFDiv(a, c);
    case BinaryOp::kRem: return b_.CreateFRem(a, c);
    case BinaryOp::kMin: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, a, c);
    case BinaryOp::kMax: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, a, c);
    case BinaryOp::kPow: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, a, c);
    case BinaryOp::kLt: return b_.CreateFCmpOLT(a, c);
    case BinaryOp::kLe: return b_.CreateFCmpOLE(a, c);
    case BinaryOp::kGt: return b_.CreateFCmpOGT(a, c);
    case BinaryOp::kGe: return b_.CreateFCmpOGE(a, c);
    case BinaryOp::kEq: return b_.CreateFCmpOEQ(a, c);
    case BinaryOp::kNe: return b_.CreateFCmpUNE(a, c);
    case BinaryOp::kAnd:
    case BinaryOp::kOr:
    case BinaryOp::kXor:
    case BinaryOp::kShl:
    case BinaryOp::kShr: return nullptr;
  }
  return nullptr;
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitIntBinary(BinaryOp op, ScalarType type, llvm::Value* a,
                                                          llvm::Value* c) {
  // Shift amounts wrap to the bit width (LLVM makes larger ones poison).
  auto amount = [&] {
    return b_.CreateAnd(c, llvm::ConstantInt::get(c->getType(), type == ScalarType::kI32 ? 31 : 63));
  };
  switch (op) {
    case BinaryOp::kAdd: return b_.CreateAdd(a, c);
    case BinaryOp::kSub: return b_.CreateSub(a, c);
    case BinaryOp::kMul: return b_.CreateMul(a, c);
    case BinaryOp::kDiv: return b_.CreateSDiv(a, c);
    case BinaryOp::kRem: return b_.CreateSRem(a, c);
    case BinaryOp::kMin: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, a, c);
    case BinaryOp::kMax: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, a, c);
    case BinaryOp::kLt: return b_.CreateICmpSLT(a, c);
    case BinaryOp::kLe: return b_.CreateICmpSLE(a, c);
    case BinaryOp::kGt: return b_.CreateICmpSGT(a, c);
    case BinaryOp::kGe: return b_.CreateICmpSGE(a, c);
    case BinaryOp::kEq: return b_.CreateICmpEQ(a, c);
    case BinaryOp::kNe: return b_.CreateICmpNE(a, c);
    case BinaryOp::kAnd: return b_.CreateAnd(a, c);
    case BinaryOp::kOr: return b_.CreateOr(a, c);
    case BinaryOp::kXor: return b_.CreateXor(a, c);
    case BinaryOp::kShl: return b_.CreateShl(a, amount());
    case BinaryOp::kShr: return b_.CreateLShr(a, amount());
    case BinaryOp::kPow: break;
  }
  return unsupported(kir::binaryOpName(op), type);
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitBoolBinary(BinaryOp op, llvm::Value* a, llvm::Value* c) {
  // false < true, as unsigned integers.
  switch (op) {
    case BinaryOp::kAnd:
    case BinaryOp::kMin: return b_.CreateAnd(a, c);
    case BinaryOp::kOr:
    case BinaryOp::kMax: return b_.CreateOr(a, c);
    case BinaryOp::kXor:
    case BinaryOp::kNe: return b_.CreateXor(a, c);
    case BinaryOp::kEq: return b_.CreateICmpEQ(a, c);
    case BinaryOp::kLt: return b_.CreateICmpULT(a, c);
    case BinaryOp::kLe: return b_.CreateICmpULE(a, c);
    case BinaryOp::kGt: return b_.CreateICmpUGT(a, c);
    case BinaryOp::kGe: return b_.CreateICmpUGE(a, c);
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kRem:
    case BinaryOp::kPow:
    case BinaryOp::kShl:
    case BinaryOp::kShr: break;
  }
  return unsupported(kir::binaryOpName(op), ScalarType::kBool);
}

absl::StatusOr<llvm::Value*> KernelEmitter::emitBinary(const kir::Expr& e, const kir::BinaryExpr& bin) {
  ASSIGN_OR_RETURN(llvm::Value * a, emitExpr(bin.lhs));
  ASSIGN_OR_RETURN(llvm::Value * c, emitExpr(bin.rhs));
  ScalarType type = bin.lhs->type;
  if (ir::isFloat(type)) {
    llvm::Value* r = emitFloatBinary(bin.op, widen(a, type), widen(c, type));
    if (!r) return unsupported(kir::binaryOpName(bin.op), type);
    return kir::isComparison(bin.op) ? r : narrow(r, type);
  }
  if (type == ScalarType::kBool) return emitBoolBinary(bin.op, a, c);
  return emitIntBinary(bin.op, type, a, c);
}

bool KernelEmitter::containsLoad(const kir::Expr* e) {
  if (auto it = has_load_.find(e); it != has_load_.end()) return it->second;
  bool result = std::visit(
      [&](const auto& n) -> bool {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, kir::LoadExpr>) return true;
        if constexpr (std::is_same_v<T, kir::UnaryExpr> || std::is_same_v<T, kir::CastExpr>)
          return containsLoad(n.x.get());
        if constexpr (std::is_same_v<T, kir::BinaryExpr>) return containsLoad(n.lhs.get()) || containsLoad(n.rhs.get());
        if constexpr (std::is_same_v<T, kir::SelectExpr>)
          return containsLoad(n.cond.get()) || containsLoad(n.if_true.get()) || containsLoad(n.if_false.get());
        if constexpr (std::is_same_v<T, kir::ReduceExpr>)
          return containsLoad(n.init.get()) || containsLoad(n.body.get());
        return false;
      },
      e->node);
  has_load_[e] = result;
  return result;
}

// An arm that loads is evaluated only when selected: select(in_bounds,
// x[i], 0) guards an out-of-bounds index. The vectorizer turns the branch
// into a masked load.
absl::StatusOr<llvm::Value*> KernelEmitter::emitSelect(const kir::Expr& e, const kir::SelectExpr& s) {
  ASSIGN_OR_RETURN(llvm::Value * cond, emitExpr(s.cond));
  if (!containsLoad(s.if_true.get()) && !containsLoad(s.if_false.get())) {
    ASSIGN_OR_RETURN(llvm::Value * t, emitExpr(s.if_true));
    ASSIGN_OR_RETURN(llvm::Value * f, emitExpr(s.if_false));
    return b_.CreateSelect(cond, t, f);
  }
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  auto* then_block = llvm::BasicBlock::Create(ctx_, "select.true", fn);
  auto* else_block = llvm::BasicBlock::Create(ctx_, "select.false", fn);
  auto* merge = llvm::BasicBlock::Create(ctx_, "select.end", fn);
  b_.CreateCondBr(cond, then_block, else_block);
  auto arm = [&](llvm::BasicBlock* block,
                 const kir::ExprRef& x) -> absl::StatusOr<std::pair<llvm::Value*, llvm::BasicBlock*>> {
    b_.SetInsertPoint(block);
    cache_.emplace_back();
    absl::StatusOr<llvm::Value*> v = emitExpr(x);
    cache_.pop_back();
    if (!v.ok()) return v.status();
    llvm::BasicBlock* end = b_.GetInsertBlock();
    b_.CreateBr(merge);
    return std::make_pair(*v, end);
  };
  ASSIGN_OR_RETURN(auto t, arm(then_block, s.if_true));
  ASSIGN_OR_RETURN(auto f, arm(else_block, s.if_false));
  b_.SetInsertPoint(merge);
  llvm::PHINode* phi = b_.CreatePHI(valueType(e.type), 2);
  phi->addIncoming(t.first, t.second);
  phi->addIncoming(f.first, f.second);
  return phi;
}

// A loop with the accumulator in a phi. f16/bf16 accumulate in f32.
namespace {

// Whether `e` computes an exp, log, tanh or erf: each a polynomial of tens
// of instructions once inlined.
bool hasTranscendental(const kir::ExprRef& e) {
  if (const auto* u = e->as<kir::UnaryExpr>(); u && (u->op == kir::UnaryOp::kExp || u->op == kir::UnaryOp::kLog ||
                                                     u->op == kir::UnaryOp::kTanh || u->op == kir::UnaryOp::kErf))
    return true;
  bool found = false;
  kir::forEachChild(*e, [&](const kir::ExprRef& child) { found = found || hasTranscendental(child); });
  return found;
}

}  // namespace

absl::StatusOr<llvm::Value*> KernelEmitter::emitReduce(const kir::Expr& e, const kir::ReduceExpr& r) {
  ASSIGN_OR_RETURN(llvm::Value * init, emitExpr(r.init));
  if (r.hi <= r.lo) return init;
  ScalarType type = e.type;
  bool is_float = ir::isFloat(type);
  if (type == ScalarType::kBool) return unsupported(strCat("reduce ", kir::reduceOpName(r.op)), type);

  llvm::Value* acc_init = widen(init, type);
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  llvm::PHINode* acc = nullptr;
  llvm::Value* result = nullptr;
  // A reduction of transcendentals (softmax's sum of exps over a short row)
  // is not unrolled: LLVM would copy the inlined polynomial into every
  // unrolled step (1,700 instructions for a log_softmax over 10 classes),
  // code that costs compile time and saves nothing measurable.
  LoopAttrs attrs{.no_unroll = hasTranscendental(r.body)};
  absl::Status status = emitLoop(b_.getInt64(r.lo), b_.getInt64(r.hi), attrs, [&](llvm::Value* index) -> absl::Status {
    acc = b_.CreatePHI(acc_init->getType(), 2, "acc");
    acc->addIncoming(acc_init, pre);
    env_[r.var.id] = index;
    cache_.emplace_back();
    absl::StatusOr<llvm::Value*> body = emitExpr(r.body);
    cache_.pop_back();
    if (!body.ok()) return body.status();
    llvm::Value* x = widen(*body, type);
    if (is_float) {
      // The order of combination is unspecified: let LLVM reassociate.
      llvm::FastMathFlags fmf;
      fmf.setAllowReassoc(true);
      fmf.setAllowContract(true);
      llvm::IRBuilderBase::FastMathFlagGuard guard(b_);
      b_.setFastMathFlags(fmf);
      switch (r.op) {
        case kir::ReduceOp::kAdd: result = b_.CreateFAdd(acc, x); break;
        case kir::ReduceOp::kMul: result = b_.CreateFMul(acc, x); break;
        case kir::ReduceOp::kMin: result = b_.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, acc, x); break;
        case kir::ReduceOp::kMax: result = b_.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, acc, x); break;
      }
    } else {
      switch (r.op) {
        case kir::ReduceOp::kAdd: result = b_.CreateAdd(acc, x); break;
        case kir::ReduceOp::kMul: result = b_.CreateMul(acc, x); break;
        case kir::ReduceOp::kMin: result = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, acc, x); break;
        case kir::ReduceOp::kMax: result = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, acc, x); break;
      }
    }
    acc->addIncoming(result, b_.GetInsertBlock());
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(status);
  return narrow(result, type);
}

}  // namespace dlc::codegen
