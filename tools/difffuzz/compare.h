// Element-wise comparison of a target's tensor with the reference's.
#ifndef DLC_TOOLS_DIFFFUZZ_COMPARE_H_
#define DLC_TOOLS_DIFFFUZZ_COMPARE_H_

#include <cstdint>
#include <string>

#include "dlc/dlc.h"

namespace dlc::difffuzz {

struct Difference {
  bool ok = true;
  std::string why;     // shape/dtype, or the worst element: "element 5: reference 0.1, cpu 0.2"
  double max_abs = 0;  // over all elements
  double max_rel = 0;  // |e - a| / (|e| + scale), the quantity held to the tolerance
};

// Close when, for every element, |e - a| <= tol * (|e| + scale), where
// scale = max(0.1 * max |e| over the tensor, floor) (errors of a sum are
// relative to its terms, not its result; `floor` is the magnitude of the
// tensor's neighbours, e.g. of all the gradients, for tensors that are
// zero up to rounding). NaN matches NaN and infinities match
// themselves. Integer tensors must be equal. `slack(i)`, when given, is an
// absolute allowance added for element i (training: see runner.cc).
Difference compareTensors(const Tensor& expected, const Tensor& actual, double tol, double floor,
                          const std::string& target, const Tensor* slack = nullptr);
// max |e| over the finite elements.
double maxAbs(const Tensor& t);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_COMPARE_H_
