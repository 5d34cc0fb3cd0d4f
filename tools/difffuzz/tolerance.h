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
  // rather than its own scale (compare.h's `floor`).
  double output_floor = 1e-3;
};

Tolerance toleranceFor(const std::string& source);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_TOLERANCE_H_
