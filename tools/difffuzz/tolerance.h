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
  // of order 1, so a sum of n of their products that cancels to nearly 0
  // still carries the rounding of its terms, ~n * 6e-8 absolute (campaign
  // seeds 1013174, a row sum of x @ z under gelu; 1015518, the sum of
  // x - mean(x) over 11 values; 1015892). Against 0.1, a tolerance of 2e-5
  // allows 2e-6: the rounding of a few dozen terms, far below what a wrong
  // kernel does to order-1 data.
  double output_floor = 0.1;
};

Tolerance toleranceFor(const std::string& source);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_TOLERANCE_H_
