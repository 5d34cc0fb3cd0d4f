// What each op of the language accepts: how many tensor inputs, and which
// configuration arguments in which positional order. Layers (ops with
// parameters) are listed here; every other op's configuration comes from the
// IR op table, so an op's attributes are defined once.
#ifndef DLC_FRONTEND_SIGNATURES_H_
#define DLC_FRONTEND_SIGNATURES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/config.h"
#include "ir/op_table.h"

namespace dlc::frontend {

enum class LayerKind { kNone, kDense, kConv2d, kBatchnorm, kLayernorm, kEmbedding, kLstm };

struct Signature {
  std::string_view name;
  int tensor_inputs = 1;  // -1: one or more (concat)
  std::vector<ConfigParam> config;
  LayerKind layer = LayerKind::kNone;  // layers own parameters
  std::optional<ir::OpKind> op;        // the IR op of a non-layer
};

const Signature* findSignature(std::string_view name);

// The values `activation=` accepts: "linear" (no op), then the name of every
// op marked kActivation in ir/ops.def, in table order. Each names the IR op
// applied to the layer's result.
const std::vector<std::string>& activationNames();

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_SIGNATURES_H_
