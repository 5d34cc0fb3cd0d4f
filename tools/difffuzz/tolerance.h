// How far a target may be from the reference interpreter on one model,
// derived from the ops its source names. See tolerance.cc for the rule.
#ifndef DLC_TOOLS_DIFFFUZZ_TOLERANCE_H_
#define DLC_TOOLS_DIFFFUZZ_TOLERANCE_H_

#include <string>

namespace dlc::difffuzz {

struct Tolerance {
  double forward = 0;   // outputs of run()
  double gradient = 0;  // gradients()
  double train = 0;     // weights and optimizer state after the training steps
  // The magnitude below which an output's errors are measured against this
  // rather than its own scale (compare.h's `floor`). Inputs and weights are
  // of order 1, so a sum of a few hundred of their products that cancels
  // to 1e-5 still carries the rounding of its terms, ~1e-7 absolute (seed
  // 1013174: a row sum of x @ z under gelu).
  double output_floor = 1e-2;
};

Tolerance toleranceFor(const std::string& source);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_TOLERANCE_H_
