// Runs one model on the reference interpreter and on each target, with the
// same weights, inputs and labels, and compares what comes back: run()'s
// outputs, gradients(), and every weight and optimizer-state tensor after a
// few trainStep()s. In-process; sandbox.h runs it in a child process.
#ifndef DLC_TOOLS_DIFFFUZZ_RUNNER_H_
#define DLC_TOOLS_DIFFFUZZ_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::difffuzz {

struct RunOptions {
  std::vector<std::string> targets = {"cpu"};  // each compared with `reference`; cuda skipped where none opens
  uint64_t data_seed = 0;                      // weights, inputs, labels, batch size, dropout masks
  int train_steps = 3;
};

// What one model gave. `kind` is one of
//   ok        every target agreed with the reference;
//   rejected  every target (the reference included) refused the model;
//   status    a target and the reference disagree on success (one errors);
//   output, gradient, train   a tensor differs beyond the tolerance;
// and, from the sandbox, crash and timeout. The last five are findings.
struct Outcome {
  std::string kind = "ok";
  std::string target;  // the target that differed
  std::string detail;  // what differed, for the finding's header
  bool trained = false;
};

bool isFinding(const std::string& kind);

Outcome runModel(const std::string& source, const RunOptions& options);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_RUNNER_H_
