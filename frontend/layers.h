// Layers of the language lowered to graph-IR ops: each layer declares its
// parameters (named and shaped as Keras does, ../shared/spec/dsl.md §3) and
// emits its ops, activation included.
#ifndef DLC_FRONTEND_LAYERS_H_
#define DLC_FRONTEND_LAYERS_H_

#include <string_view>
#include <vector>

#include "frontend/config.h"
#include "frontend/signatures.h"
#include "ir/ir.h"

namespace dlc::frontend {

// What a layer needs from the model being lowered. Every method reports its
// own errors at the layer's call and returns null on failure.
class LayerBuilder {
 public:
  virtual ~LayerBuilder() = default;
  // Declares LAYER.local with an initializer (Keras's defaults) and reads it.
  virtual ir::Value* param(std::string_view local, ir::TensorType type, ir::Attrs init, bool trainable) = 0;
  virtual ir::Value* op(ir::OpKind kind, std::vector<ir::Value*> operands, ir::Attrs attrs) = 0;
  virtual void error(std::string message) = 0;
  virtual bool training() const = 0;
};

ir::Value* lowerLayer(LayerKind kind, LayerBuilder& b, ir::Value* x, const BoundConfig& config);

// Applies `activation=`: "linear" or an op marked kActivation in ir/ops.def
// (signatures.h: activationNames).
ir::Value* applyActivation(LayerBuilder& b, ir::Value* x, const std::string& activation);

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_LAYERS_H_
