// f32 math written as LLVM IR (polynomials, selects, bit tricks; no calls and
// no branches), so loops that use it vectorize. Each is an internal
// always-inline function `float dlc.NAME(float)`, added to a module once.
//
//   exp   Cephes expf: x = n ln2 + r, a degree-6 polynomial in r, 2^n built
//         from exponent bits in two halves (so results down to the
//         denormals are right).
//   tanh  |x| < 0.625: x + x t P(t), t = x^2; else sign(x) (1 - 2 / (e^2|x| + 1)).
//   erf   |x| < 1: x P(x^2); else sign(x) (1 - e^-x^2 G(|x|)) with |x| clamped
//         to 4 (beyond, erf rounds to 1 in f32).
//
// P and G are Chebyshev interpolants (computed in long double, rounded to
// f32); tests/unit/codegen_llvm/math_test.cc measures the errors in ulp.
#ifndef DLC_CODEGEN_LLVM_MATH_FUNCTIONS_H_
#define DLC_CODEGEN_LLVM_MATH_FUNCTIONS_H_

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace dlc::codegen {

enum class MathFunction { kExp, kTanh, kErf };

llvm::Function* mathFunction(llvm::Module& module, MathFunction fn);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_MATH_FUNCTIONS_H_
