// The rule: every op the source names adds its weight, one unit being the
// rounding of one float32 op (~1e-7 relative, times a margin of 10 for the
// different orders of summation and vectorized math functions the targets
// use):
//   - shape ops, relu, abs, neg, casts, comparisons: 0 (exact);
//   - other elementwise ops: 1;
//   - transcendental ones (exp, log, sqrt, sigmoid, tanh, gelu, softplus),
//     softmax and log_softmax, and division: 3 (approximated differently);
//   - reductions, dense, matmul, conv2d, pooling: 4 (sums over up to a
//     few hundred elements in another order);
//   - batchnorm, layernorm: 4, and the whole tolerance times 32 each (they
//     divide by a standard deviation that, over a row of (near-)equal
//     values, is the rounding of x - mean: up to 1/sqrt(epsilon) times it);
//   - lstm: 16 (a recurrence over the sequence).
// forward = 1e-6 * (10 + sum), at least a rounding of the narrowest
// float type the source names (f16, bf16). Gradients run each op backwards as well,
// and through sums of products: 4x. A few training steps compound the
// gradients through the optimizer (Adam divides by sqrt(v)): 10x.
// Errors are measured against the tensor's own scale (compare.h), so a
// rule that adds rather than multiplies is enough for these small models.
#include "tools/difffuzz/tolerance.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace dlc::difffuzz {

Tolerance toleranceFor(const std::string& source) {
  static const std::map<std::string, double> kWeights = {{"sigmoid", 3},
                                                         {"tanh", 3},
                                                         {"gelu", 3},
                                                         {"softplus", 3},
                                                         {"exp", 3},
                                                         {"log", 3},
                                                         {"sqrt", 3},
                                                         {"softmax", 3},
                                                         {"log_softmax", 3},
                                                         {"div", 3},
                                                         {"add", 1},
                                                         {"sub", 1},
                                                         {"mul", 1},
                                                         {"rescaling", 1},
                                                         {"leaky_relu", 1},
                                                         {"dropout", 1},
                                                         {"dense", 4},
                                                         {"matmul", 4},
                                                         {"conv2d", 4},
                                                         {"maxpool2d", 1},
                                                         {"avgpool2d", 4},
                                                         {"global_avgpool2d", 4},
                                                         {"reduce_sum", 4},
                                                         {"reduce_mean", 4},
                                                         {"reduce_max", 1},
                                                         {"sum_to", 4},
                                                         {"batchnorm", 4},
                                                         {"layernorm", 4},
                                                         {"lstm", 16},
                                                         {"gelu_grad", 3},
                                                         {"softplus_grad", 3},
                                                         {"avgpool2d_grad", 4},
                                                         {"maxpool2d_grad", 1},
                                                         {"embedding", 1}};
  double sum = 0;
  int normalizations = 0;
  bool comment = false;
  std::string word;
  auto flush = [&] {
    if (auto it = kWeights.find(word); it != kWeights.end()) sum += it->second;
    if (word == "layernorm" || word == "batchnorm") ++normalizations;
    word.clear();
  };
  for (char c : source) {
    if (c == '#') comment = true;
    if (c == '\n') comment = false;
    if (comment) continue;
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += c;
      continue;
    }
    flush();
    // Infix operators: `/` divides, `@` multiplies matrices.
    if (c == '/') sum += 3;
    if (c == '@') sum += 4;
    if (c == '+' || c == '-' || c == '*') sum += 1;
  }
  flush();
  Tolerance t;
  t.forward = 1e-6 * (10 + sum);
  // A normalization of a row of (near-)equal values divides its rounding
  // by sqrt(epsilon) (~30x for Keras's 1e-3), and normalizations in a chain
  // compound it (seeds 1018386: layernorm of a row a broadcast made equal;
  // 1016494: two in a row). Capped at 1e-2: a wrong kernel is wrong by the
  // values themselves.
  for (int i = 0; i < normalizations && t.forward < 1e-2; ++i) t.forward = std::min(1e-2, t.forward * 32);
  // Half-precision values round at 2^-11 (f16) and 2^-8 (bf16) relative:
  // one rounding done differently (from f32 or from the interpreter's
  // double) is one unit of it.
  if (source.find("bf16") != std::string::npos)
    t.forward = std::max(t.forward, 8e-3);
  else if (source.find("f16") != std::string::npos)
    t.forward = std::max(t.forward, 1e-3);
  t.gradient = 4 * t.forward;
  t.train = 10 * t.forward;
  // Normalizing a row of (near-)equal values multiplies the rounding of
  // x - mean, which is relative to x, by 1/sqrt(epsilon) (up to ~30x), while
  // the output's own scale is set by beta and gamma and may be far smaller:
  // the output floor (0.1, tolerance.h) covers it too (seed 1002300).
  return t;
}

}  // namespace dlc::difffuzz
