// Parameter initialisation with Keras's defaults (../shared/spec/dsl.md §3),
// deterministic for a given seed on every platform: each parameter draws from
// its own counter-based stream keyed by (seed, parameter name).
#ifndef DLC_RUNTIME_INITIALIZERS_H_
#define DLC_RUNTIME_INITIALIZERS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "runtime/tensor.h"

namespace dlc::runtime {

// `init` attributes: init = "glorot_uniform" | "zeros" | "ones" | "orthogonal"
// | "uniform" (minval, maxval) | "unit_forget_bias" (zeros, with the second
// quarter — the LSTM forget gate — set to 1) | "constant" (value).
absl::StatusOr<Tensor> initializeParameter(std::string_view name, DType dtype, const std::vector<int64_t>& shape,
                                           const ir::Attrs& attrs, uint64_t seed);

// A small deterministic generator: splitmix64 over a counter.
class Random {
 public:
  Random(uint64_t seed, std::string_view stream);
  uint64_t next();
  double uniform();  // [0, 1), 53 random bits
  double normal();   // standard normal (Box-Muller)

 private:
  uint64_t state_;
};

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_INITIALIZERS_H_
