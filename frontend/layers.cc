#include "frontend/layers.h"

#include "frontend/token.h"
#include "support/strings.h"

namespace dlc::frontend {
namespace {

using ir::Attribute;
using ir::Attrs;
using ir::Dim;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

Attrs init(std::string_view name) {
  Attrs a;
  a.set("init", Attribute::string(std::string(name)));
  return a;
}

TensorType paramType(const Value* x, std::vector<int64_t> dims) {
  TensorType t{x->type().dtype, {}};
  if (!ir::isFloat(t.dtype)) t.dtype = ir::DType::kF32;
  for (int64_t d : dims) t.dims.push_back(Dim::fixed(d));
  return t;
}

// The static size of x's dim `axis` (negative counts from the end), or an
// error naming the layer and what the size is for.
std::optional<int64_t> staticDim(LayerBuilder& b, const Value* x, int64_t axis, std::string_view layer,
                                 std::string_view what) {
  int64_t rank = x->type().rank();
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    b.error(strCat(layer, ": axis ", axis, " is out of range for input ", x->type().str()));
    return std::nullopt;
  }
  const Dim& d = x->type().dims[a];
  if (!d.isStatic()) {
    b.error(
        strCat(layer, ": the ", what, " of input ", x->type().str(), " must be a fixed size, not ", quote(d.symbol())));
    return std::nullopt;
  }
  return d.size();
}

bool positive(LayerBuilder& b, std::string_view layer, std::string_view what, int64_t v) {
  if (v >= 1 && v <= ir::kMaxDimSize) return true;
  b.error(strCat(layer, ": ", what, " must be between 1 and ", ir::kMaxDimSize, ", not ", v));
  return false;
}

Value* lowerDense(LayerBuilder& b, Value* x, const BoundConfig& c) {
  int64_t units = c.attrs.getInt("units");
  if (!positive(b, "dense", "units", units)) return nullptr;
  auto in = staticDim(b, x, -1, "dense", "last dimension");
  if (!in) return nullptr;
  std::vector<Value*> operands = {x,
                                  b.param("kernel", paramType(x, {*in, units}), init("glorot_uniform"), c.trainable)};
  if (c.attrs.getBool("use_bias"))
    operands.push_back(b.param("bias", paramType(x, {units}), init("zeros"), c.trainable));
  for (Value* v : operands)
    if (!v) return nullptr;
  Value* y = b.op(OpKind::kDense, operands, {});
  return y ? applyActivation(b, y, c.attrs.getString("activation")) : nullptr;
}

Value* lowerConv2d(LayerBuilder& b, Value* x, const BoundConfig& c) {
  int64_t filters = c.attrs.getInt("filters");
  int64_t groups = c.attrs.getInt("groups");
  const std::vector<int64_t>& k = c.attrs.getIntList("kernel");
  if (!positive(b, "conv2d", "filters", filters) || !positive(b, "conv2d", "groups", groups) ||
      !positive(b, "conv2d", "kernel height", k[0]) || !positive(b, "conv2d", "kernel width", k[1]))
    return nullptr;
  if (x->type().rank() != 4) {
    b.error(strCat("conv2d: input must be [batch, height, width, channels], not ", x->type().str()));
    return nullptr;
  }
  auto channels = staticDim(b, x, -1, "conv2d", "channel dimension");
  if (!channels) return nullptr;
  if (*channels % groups != 0 || filters % groups != 0) {
    b.error(strCat("conv2d: groups=", groups, " must divide the input channels (", *channels, ") and the filters (",
                   filters, ")"));
    return nullptr;
  }
  std::vector<Value*> operands = {x, b.param("kernel", paramType(x, {k[0], k[1], *channels / groups, filters}),
                                             init("glorot_uniform"), c.trainable)};
  if (c.attrs.getBool("use_bias"))
    operands.push_back(b.param("bias", paramType(x, {filters}), init("zeros"), c.trainable));
  for (Value* v : operands)
    if (!v) return nullptr;
  Attrs attrs;
  for (std::string_view name : {"strides", "padding", "dilation", "groups"}) attrs.set(name, *c.attrs.find(name));
  Value* y = b.op(OpKind::kConv2d, operands, attrs);
  return y ? applyActivation(b, y, c.attrs.getString("activation")) : nullptr;
}

Value* lowerNormalization(LayerBuilder& b, Value* x, const BoundConfig& c, bool batch) {
  std::string_view layer = batch ? "batchnorm" : "layernorm";
  auto channels = staticDim(b, x, c.attrs.getInt("axis"), layer, "normalized dimension");
  if (!channels) return nullptr;
  TensorType t = paramType(x, {*channels});
  std::vector<Value*> operands = {x, b.param("gamma", t, init("ones"), c.trainable),
                                  b.param("beta", t, init("zeros"), c.trainable)};
  if (batch) {
    // Moving statistics are state, never trained by gradient.
    operands.push_back(b.param("moving_mean", t, init("zeros"), false));
    operands.push_back(b.param("moving_variance", t, init("ones"), false));
  }
  for (Value* v : operands)
    if (!v) return nullptr;
  Attrs attrs = c.attrs;
  if (batch) attrs.set("training", Attribute::boolean(b.training()));
  return b.op(batch ? OpKind::kBatchnorm : OpKind::kLayernorm, operands, attrs);
}

Value* lowerEmbedding(LayerBuilder& b, Value* x, const BoundConfig& c) {
  int64_t input_dim = c.attrs.getInt("input_dim"), output_dim = c.attrs.getInt("output_dim");
  if (!positive(b, "embedding", "input_dim", input_dim) || !positive(b, "embedding", "output_dim", output_dim))
    return nullptr;
  Attrs uniform = init("uniform");
  uniform.set("minval", Attribute::real(-0.05));
  uniform.set("maxval", Attribute::real(0.05));
  TensorType t{ir::DType::kF32, {Dim::fixed(input_dim), Dim::fixed(output_dim)}};
  Value* table = b.param("embeddings", t, uniform, c.trainable);
  return table ? b.op(OpKind::kEmbedding, {x, table}, {}) : nullptr;
}

Value* lowerLstm(LayerBuilder& b, Value* x, const BoundConfig& c) {
  int64_t units = c.attrs.getInt("units");
  if (!positive(b, "lstm", "units", units)) return nullptr;
  if (x->type().rank() != 3) {
    b.error(strCat("lstm: input must be [batch, time, features], not ", x->type().str()));
    return nullptr;
  }
  auto features = staticDim(b, x, -1, "lstm", "feature dimension");
  if (!features) return nullptr;
  if (units > ir::kMaxDimSize / 4) {
    b.error(strCat("lstm: units ", units, " is too large"));
    return nullptr;
  }
  std::vector<Value*> operands = {
      x, b.param("kernel", paramType(x, {*features, 4 * units}), init("glorot_uniform"), c.trainable),
      b.param("recurrent_kernel", paramType(x, {units, 4 * units}), init("orthogonal"), c.trainable),
      // Keras's unit_forget_bias: zeros, with the forget gate's quarter at 1.
      b.param("bias", paramType(x, {4 * units}), init("unit_forget_bias"), c.trainable)};
  for (Value* v : operands)
    if (!v) return nullptr;
  return b.op(OpKind::kLstm, operands, c.attrs);
}

}  // namespace

Value* applyActivation(LayerBuilder& b, Value* x, const std::string& activation) {
  if (activation == "linear") return x;
  // Every op marked kActivation in ir/ops.def, by its name.
  std::optional<OpKind> kind = ir::lookupOp(activation);
  if (kind && ir::opDef(*kind).has(ir::kActivation)) return b.op(*kind, {x}, {});
  b.error(strCat("unknown activation ", quote(activation)));
  return nullptr;
}

Value* lowerLayer(LayerKind kind, LayerBuilder& b, Value* x, const BoundConfig& config) {
  switch (kind) {
    case LayerKind::kDense: return lowerDense(b, x, config);
    case LayerKind::kConv2d: return lowerConv2d(b, x, config);
    case LayerKind::kBatchnorm: return lowerNormalization(b, x, config, true);
    case LayerKind::kLayernorm: return lowerNormalization(b, x, config, false);
    case LayerKind::kEmbedding: return lowerEmbedding(b, x, config);
    case LayerKind::kLstm: return lowerLstm(b, x, config);
    case LayerKind::kNone: break;
  }
  b.error("internal error: not a layer");
  return nullptr;
}

}  // namespace dlc::frontend
