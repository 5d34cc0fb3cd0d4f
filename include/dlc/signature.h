// The shapes of a model as the public APIs show it (dlc.h for the JIT,
// runtime.h for compiled artifacts): inputs, outputs, parameters, and the
// metrics of one training step.
#ifndef DLC_SIGNATURE_H_
#define DLC_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "dlc/dtype.h"

namespace dlc {

using ir::DType;

// A model input or output: name, dtype and shape, where symbolic dims
// (`batch`) are -1 and named in `symbols`.
struct TensorSpec {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<std::string> symbols;  // per dim: the symbol, or "" when static
};

// One batch's loss and accuracy. The accuracy is always computed (as Keras
// picks it for the loss: binary, sparse or categorical); show it when
// trainConfig().hasMetric("accuracy").
struct StepMetrics {
  double loss = 0;
  double accuracy = 0;
};

struct ParameterSpec {
  std::string name;  // LAYER.PARAM
  DType dtype;
  std::vector<int64_t> shape;
  bool trainable;
};

}  // namespace dlc

#endif  // DLC_SIGNATURE_H_
