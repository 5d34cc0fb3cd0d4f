#include "tools/difffuzz/compare.h"

#include <cmath>
#include <sstream>

namespace dlc::difffuzz {

double maxAbs(const Tensor& t) {
  double m = 0;
  for (int64_t i = 0; i < t.numElements(); ++i)
    if (std::isfinite(t.get(i))) m = std::max(m, std::abs(t.get(i)));
  return m;
}

Difference compareTensors(const Tensor& expected, const Tensor& actual, double tol, double floor,
                          const std::string& target, const Tensor* slack) {
  Difference d;
  if (expected.shape() != actual.shape() || expected.dtype() != actual.dtype()) {
    d.ok = false;
    d.why = "reference gives " + expected.typeString() + ", " + target + " " + actual.typeString();
    return d;
  }
  bool integer = !ir::isFloat(expected.dtype());
  double scale = std::max(0.1 * maxAbs(expected), floor);
  double worst = -1;
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    double e = expected.get(i), a = actual.get(i);
    if ((std::isnan(e) && std::isnan(a)) || e == a || (slack && std::isinf(slack->get(i)))) continue;
    double err = std::abs(e - a);
    double rel = std::isfinite(err) ? err / (std::abs(e) + scale + 1e-30) : INFINITY;
    double allowed = integer ? 0 : tol * (std::abs(e) + scale) + (slack ? slack->get(i) : 0.0);
    d.max_abs = std::max(d.max_abs, std::isfinite(err) ? err : INFINITY);
    d.max_rel = std::max(d.max_rel, rel);
    if (!(err <= allowed) && rel > worst) {
      worst = rel;
      std::ostringstream why;
      why.precision(9);
      why << "element " << i << ": reference " << e << ", " << target << " " << a;
      d.why = why.str();
      d.ok = false;
    }
  }
  return d;
}

}  // namespace dlc::difffuzz
