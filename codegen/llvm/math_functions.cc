#include "codegen/llvm/math_functions.h"

#include <initializer_list>

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

namespace dlc::codegen {
namespace {

// Coefficients, lowest degree first.
// (tanh(x)/x - 1)/t for t = x^2 in [0, 0.390625], in u = t/0.1953125 - 1.
constexpr float kTanhSmall[] = {-3.091993928e-01F, 2.236590348e-02F, -1.638156944e-03F, 1.209536276e-04F,
                                -8.871887076e-06F};
// erf(x)/x for t = x^2 in [0, 1], in u = 2t - 1.
constexpr float kErfSmall[] = {9.654687643e-01F, -1.405360997e-01F, 1.985249668e-02F, -2.285419498e-03F,
                               2.175135451e-04F, -1.766906826e-05F, 1.230605449e-06F};
// erfc(x) e^(x^2) for x in [1, 4], in u = (x - 2.5)/1.5.
constexpr float kErfcScaled[] = {2.108063549e-01F, -1.115210205e-01F, 5.611094832e-02F, -2.700545825e-02F,
                                 1.248412300e-02F, -5.568837747e-03F, 2.425638959e-03F, -1.013662550e-03F,
                                 3.681510861e-04F, -1.474161400e-04F, 9.629120177e-05F, -3.566417945e-05F};
// Cephes expf on r in [-ln2/2, ln2/2], highest degree first.
constexpr float kExpPoly[] = {1.9875691500e-4F, 1.3981999507e-3F, 8.3334519073e-3F,
                              4.1665795894e-2F, 1.6666665459e-1F, 5.0000001201e-1F};

class MathBuilder {
 public:
  explicit MathBuilder(llvm::IRBuilder<>& b) : b_(b) {}

  llvm::Value* c(float v) { return llvm::ConstantFP::get(b_.getFloatTy(), v); }
  llvm::Value* fma(llvm::Value* a, llvm::Value* x, llvm::Value* y) {
    return b_.CreateIntrinsic(llvm::Intrinsic::fmuladd, {b_.getFloatTy()}, {a, x, y});
  }
  // Horner's rule; `coeffs` lowest degree first.
  template <size_t N>
  llvm::Value* poly(llvm::Value* u, const float (&coeffs)[N]) {
    llvm::Value* p = c(coeffs[N - 1]);
    for (size_t i = N - 1; i-- > 0;) p = fma(p, u, c(coeffs[i]));
    return p;
  }
  // min/max by compare and select: a NaN x passes through.
  llvm::Value* clamp(llvm::Value* x, float lo, float hi) {
    x = b_.CreateSelect(b_.CreateFCmpOGT(x, c(hi)), c(hi), x);
    return b_.CreateSelect(b_.CreateFCmpOLT(x, c(lo)), c(lo), x);
  }
  llvm::Value* fabs(llvm::Value* x) { return b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x); }
  llvm::Value* copysign(llvm::Value* mag, llvm::Value* sign) {
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, mag, sign);
  }
  // 2^n for n in [-126, 127].
  llvm::Value* pow2(llvm::Value* n) {
    llvm::Value* bits = b_.CreateShl(b_.CreateAdd(n, b_.getInt32(127)), 23);
    return b_.CreateBitCast(bits, b_.getFloatTy());
  }

  llvm::Value* exp(llvm::Value* x) {
    llvm::Value* xc = clamp(x, -104.0F, 88.8F);
    llvm::Value* fx = b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, fma(xc, c(1.44269504088896341F), c(0.5F)));
    llvm::Value* r = fma(fx, c(-0.693359375F), xc);
    r = fma(fx, c(2.12194440e-4F), r);
    llvm::Value* p = c(kExpPoly[0]);
    for (size_t i = 1; i < std::size(kExpPoly); ++i) p = fma(p, r, c(kExpPoly[i]));
    llvm::Value* y = b_.CreateFAdd(fma(p, b_.CreateFMul(r, r), r), c(1.0F));
    // n in [-150, 128]: scale by 2^(n/2) twice so each factor is normal.
    llvm::Value* n = b_.CreateFPToSI(fx, b_.getInt32Ty());
    llvm::Value* half = b_.CreateAShr(n, 1);
    llvm::Value* result = b_.CreateFMul(b_.CreateFMul(y, pow2(half)), pow2(b_.CreateSub(n, half)));
    return b_.CreateSelect(b_.CreateFCmpUNO(x, x), x, result);
  }

  llvm::Value* tanh(llvm::Value* x) {
    // On |x|, with the sign put back at the end (so tanh(-0) = -0).
    llvm::Value* a = fabs(x);
    llvm::Value* t = b_.CreateFMul(a, a);
    llvm::Value* p = poly(fma(t, c(5.12F), c(-1.0F)), kTanhSmall);
    llvm::Value* small = fma(b_.CreateFMul(a, t), p, a);
    llvm::Value* e = exp(b_.CreateFAdd(a, a));
    llvm::Value* big = b_.CreateFSub(c(1.0F), b_.CreateFDiv(c(2.0F), b_.CreateFAdd(e, c(1.0F))));
    return copysign(b_.CreateSelect(b_.CreateFCmpOLT(a, c(0.625F)), small, big), x);
  }

  llvm::Value* erf(llvm::Value* x) {
    llvm::Value* a = fabs(x);
    llvm::Value* t = b_.CreateFMul(x, x);
    llvm::Value* small = b_.CreateFMul(x, poly(fma(t, c(2.0F), c(-1.0F)), kErfSmall));
    llvm::Value* ac = clamp(a, 1.0F, 4.0F);
    llvm::Value* g = poly(fma(ac, c(1.0F / 1.5F), c(-2.5F / 1.5F)), kErfcScaled);
    llvm::Value* e = exp(b_.CreateFNeg(b_.CreateFMul(ac, ac)));
    llvm::Value* big = b_.CreateFSub(c(1.0F), b_.CreateFMul(e, g));
    return b_.CreateSelect(b_.CreateFCmpOLT(a, c(1.0F)), small, copysign(big, x));
  }

 private:
  llvm::IRBuilder<>& b_;
};

}  // namespace

llvm::Function* mathFunction(llvm::Module& module, MathFunction fn) {
  const char* name = "";
  switch (fn) {
    case MathFunction::kExp: name = "dlc.expf"; break;
    case MathFunction::kTanh: name = "dlc.tanhf"; break;
    case MathFunction::kErf: name = "dlc.erff"; break;
  }
  if (llvm::Function* existing = module.getFunction(name)) return existing;
  llvm::LLVMContext& ctx = module.getContext();
  llvm::Type* f32 = llvm::Type::getFloatTy(ctx);
  auto* function =
      llvm::Function::Create(llvm::FunctionType::get(f32, {f32}, false), llvm::Function::InternalLinkage, name, module);
  function->addFnAttr(llvm::Attribute::AlwaysInline);
  function->addFnAttr(llvm::Attribute::NoUnwind);
  function->setDoesNotAccessMemory();
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", function));
  MathBuilder m(b);
  llvm::Value* x = function->getArg(0);
  llvm::Value* result = nullptr;
  switch (fn) {
    case MathFunction::kExp: result = m.exp(x); break;
    case MathFunction::kTanh: result = m.tanh(x); break;
    case MathFunction::kErf: result = m.erf(x); break;
  }
  b.CreateRet(result);
  return function;
}

}  // namespace dlc::codegen
