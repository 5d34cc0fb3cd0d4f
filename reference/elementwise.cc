// Elementwise ops: unary maths (with the derivatives `<op>_grad(x, g)` of
// gelu and leaky_relu), cast, and the binary ops and select with NumPy
// broadcasting.
// Written out here as plain scalar code, independent of codegen/compute's
// computes (which are also the constant folds), so that the oracle does not
// share their mistakes.
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "reference/evaluators.h"
#include "support/strings.h"

namespace dlc::reference {
namespace {

template <typename F>
Array mapUnary(const OpContext& c, F f) {
  Array out = c.result();
  const Array& x = c.operand(0);
  for (int64_t i = 0; i < x.size(); ++i) out[i] = f(x[i]);
  return out;
}

// out[i] = f(lhs[i'], rhs[i'']) where i' and i'' are i broadcast back onto
// each operand's shape.
template <typename F>
Array mapBinary(const OpContext& c, F f) {
  Array out = c.result();
  const Array& lhs = c.operand(0);
  const Array& rhs = c.operand(1);
  IndexWalker walk(out.shape, {broadcastStrides(lhs.shape, out.shape), broadcastStrides(rhs.shape, out.shape)});
  for (int64_t i = 0; i < out.size(); ++i, walk.next()) out[i] = f(lhs[walk.offset(0)], rhs[walk.offset(1)]);
  return out;
}

}  // namespace

absl::StatusOr<Results> evalRelu(const OpContext& c) {
  return mapUnary(c, [](double x) { return x < 0 ? 0.0 : x; });  // NaN stays NaN
}

absl::StatusOr<Results> evalSigmoid(const OpContext& c) { return mapUnary(c, sigmoid); }

absl::StatusOr<Results> evalTanh(const OpContext& c) {
  return mapUnary(c, [](double x) { return std::tanh(x); });
}

// The exact form: x * Phi(x) with Phi the standard normal CDF.
absl::StatusOr<Results> evalGelu(const OpContext& c) {
  return mapUnary(c, [](double x) { return 0.5 * x * (1.0 + std::erf(x * M_SQRT1_2)); });
}

// g * gelu'(x) with gelu(x) = x * Phi(x): gelu'(x) = Phi(x) + x * phi(x),
// Phi and phi the standard normal CDF and density.
absl::StatusOr<Results> evalGeluGrad(const OpContext& c) {
  return mapBinary(c, [](double x, double g) {
    double cdf = 0.5 * (1.0 + std::erf(x * M_SQRT1_2));
    double density = std::exp(-0.5 * x * x) * (0.5 * M_2_SQRTPI * M_SQRT1_2);
    double slope = cdf + (density == 0.0 ? 0.0 : x * density);  // x * phi(x) -> 0 at +-inf
    return g * slope;
  });
}

// log(1 + e^x), written so that neither exp overflows.
absl::StatusOr<Results> evalSoftplus(const OpContext& c) {
  return mapUnary(c, [](double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); });
}

// g * softplus'(x) = g / (1 + e^-x).
absl::StatusOr<Results> evalSoftplusGrad(const OpContext& c) {
  return mapBinary(c, [](double x, double g) { return g * sigmoid(x); });
}

absl::StatusOr<Results> evalExp(const OpContext& c) {
  return mapUnary(c, [](double x) { return std::exp(x); });
}

absl::StatusOr<Results> evalLog(const OpContext& c) {
  return mapUnary(c, [](double x) { return std::log(x); });
}

absl::StatusOr<Results> evalSqrt(const OpContext& c) {
  return mapUnary(c, [](double x) { return std::sqrt(x); });
}

absl::StatusOr<Results> evalAbs(const OpContext& c) {
  return mapUnary(c, [](double x) { return std::fabs(x); });
}

absl::StatusOr<Results> evalNeg(const OpContext& c) {
  return mapUnary(c, [](double x) { return -x; });
}

absl::StatusOr<Results> evalLeakyRelu(const OpContext& c) {
  double alpha = c.attrs().getFloat("alpha");
  return mapUnary(c, [alpha](double x) { return x < 0 ? alpha * x : x; });
}

// g where x > 0, alpha * g elsewhere (so alpha * g at x = 0, as PyTorch);
// NaN where x is NaN.
absl::StatusOr<Results> evalLeakyReluGrad(const OpContext& c) {
  double alpha = c.attrs().getFloat("alpha");
  return mapBinary(c, [alpha](double x, double g) {
    if (std::isnan(x)) return x;
    return x > 0 ? g : alpha * g;
  });
}

absl::StatusOr<Results> evalRescaling(const OpContext& c) {
  double scale = c.attrs().getFloat("scale"), offset = c.attrs().getFloat("offset");
  return mapUnary(c, [scale, offset](double x) { return x * scale + offset; });
}

// The conversion itself is the rounding to the result dtype that follows
// every op.
absl::StatusOr<Results> evalCast(const OpContext& c) {
  return mapUnary(c, [](double x) { return x; });
}

absl::StatusOr<Results> evalAdd(const OpContext& c) {
  return mapBinary(c, [](double a, double b) { return a + b; });
}

absl::StatusOr<Results> evalSub(const OpContext& c) {
  return mapBinary(c, [](double a, double b) { return a - b; });
}

absl::StatusOr<Results> evalMul(const OpContext& c) {
  return mapBinary(c, [](double a, double b) { return a * b; });
}

// Floats: IEEE division. Integers: truncation toward zero (C, CUDA and
// tf.truncatediv); a zero divisor is an error rather than a silent value.
absl::StatusOr<Results> evalDiv(const OpContext& c) {
  if (ir::isFloat(c.dtype)) return mapBinary(c, [](double a, double b) { return a / b; });
  bool zero = false;
  Array out = mapBinary(c, [&zero](double a, double b) {
    if (b == 0) {
      zero = true;
      return 0.0;
    }
    return std::trunc(a / b);
  });
  if (zero) return absl::InvalidArgumentError(strCat(c.describe(), ": integer division by zero"));
  return out;
}

// maximum/minimum propagate NaN from either side (NumPy's np.maximum).
absl::StatusOr<Results> evalMaximum(const OpContext& c) {
  return mapBinary(c, [](double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
    return a > b ? a : b;
  });
}

absl::StatusOr<Results> evalMinimum(const OpContext& c) {
  return mapBinary(c, [](double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::quiet_NaN();
    return a < b ? a : b;
  });
}

// cond ? x : y with the three broadcast; any nonzero cond is true, NaN
// included (NaN != 0).
absl::StatusOr<Results> evalSelect(const OpContext& c) {
  Array out = c.result();
  const Array& cond = c.operand(0);
  const Array& x = c.operand(1);
  const Array& y = c.operand(2);
  IndexWalker walk(out.shape, {broadcastStrides(cond.shape, out.shape), broadcastStrides(x.shape, out.shape),
                               broadcastStrides(y.shape, out.shape)});
  for (int64_t i = 0; i < out.size(); ++i, walk.next())
    out[i] = cond[walk.offset(0)] != 0 ? x[walk.offset(1)] : y[walk.offset(2)];
  return out;
}

}  // namespace dlc::reference
