// Random models in the dlc language, valid by construction: from a 64-bit
// seed, a file of one main model (sequential or functional, with models
// used as layers defined before it) and, most of the time, a train block.
// The generator tracks every value's shape, so each op gets inputs it
// accepts; see docs/ARCHITECTURE.md, "Differential fuzzing".
#ifndef DLC_TOOLS_DIFFFUZZ_GENERATOR_H_
#define DLC_TOOLS_DIFFFUZZ_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::difffuzz {

struct GeneratorOptions {
  int max_ops = 8;                    // ops of the main model, before the train block's head
  double train_probability = 0.6;     // how often a train block follows
  std::vector<std::string> excluded;  // op families not to generate (emitterNames())
};

struct GeneratedModel {
  std::string source;  // the whole .dl file
  bool trains = false;
};

GeneratedModel generateModel(uint64_t seed, const GeneratorOptions& options = {});

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_GENERATOR_H_
