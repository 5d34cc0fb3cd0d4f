// Shrinks a model that gave a finding while the same kind of finding
// persists: drops the train block, whole models used as layers, single
// statements and configuration arguments, and shrinks integers (dims,
// units, kernel sizes). Candidates that dlc rejects simply fail the test.
#ifndef DLC_TOOLS_DIFFFUZZ_MINIMIZER_H_
#define DLC_TOOLS_DIFFFUZZ_MINIMIZER_H_

#include <functional>
#include <string>

namespace dlc::difffuzz {

// `reproduces(candidate)` says whether the candidate still shows the
// finding; it is called at most `budget` times.
std::string minimizeSource(const std::string& source, const std::function<bool(const std::string&)>& reproduces,
                           int budget);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_MINIMIZER_H_
