// Shapes of the ops that gradients introduce: shape plumbing (sum_to,
// broadcast_to, slice, pad), the backward ops of layers, and assign.
//
// A backward op's `g` is the gradient of its forward op's result, so it must
// have the type the forward op's shape rule gives for the backward op's other
// operands: conv2d_grad_input(g, kernel, like) checks g against
// conv2d(like, kernel). Checking it here lets the verifier catch a wrong
// gradient graph, and keeps the evaluators from indexing past their operands.
#include <cmath>

#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {
namespace {

// A backward op and the forward op whose result `g` is the gradient of.
struct GradOf {
  std::string_view op;
  ShapeRule forward;
  std::string_view call;       // for messages: "conv2d(like, kernel)"
  size_t g;                    // index of g
  size_t forward_operands[4];  // indices into the backward op's operands
  size_t count;                // of forward_operands
};

const GradOf* findGradOf(std::string_view op) {
  static const GradOf kTable[] = {
      {"conv2d_grad_input", inferConv2d, "conv2d(like, kernel)", 0, {2, 1}, 2},
      {"conv2d_grad_kernel", inferConv2d, "conv2d(x, like)", 1, {0, 2}, 2},
      {"maxpool2d_grad", inferPool2d, "maxpool2d(x)", 1, {0}, 1},
      {"avgpool2d_grad", inferPool2d, "avgpool2d(x)", 1, {0}, 1},
      {"reduce_max_grad", inferReduce, "reduce_max(x)", 1, {0}, 1},
      {"embedding_grad", inferEmbedding, "embedding(ids, like)", 1, {0, 2}, 2},
      {"random_crop_grad", inferRandomCrop, "random_crop(like)", 0, {1}, 1},
  };
  for (const GradOf& entry : kTable)
    if (entry.op == op) return &entry;
  return nullptr;
}

// Applies the forward op's rule (with the backward op's attributes, which
// include the forward op's) and checks g against its result.
absl::Status checkGradOf(const GradOf& entry, const ShapeContext& c) {
  std::vector<TensorType> operands;
  for (size_t i = 0; i < entry.count; ++i) {
    size_t index = entry.forward_operands[i];
    if (index >= c.operands.size() || entry.g >= c.operands.size())
      return shapeError(entry.op, "expects more than ", c.operands.size(), " operands");
    operands.push_back(c.operands[index]);
  }
  ASSIGN_OR_RETURN(std::vector<TensorType> forward, entry.forward(ShapeContext{operands, c.attrs, {}, entry.op}));
  return requireType(entry.op, "g", c.operands[entry.g], forward[0], strCat("to match ", entry.call));
}

// Checks g when the context names a backward op this file knows.
absl::Status checkGradOf(std::string_view op, const ShapeContext& c) {
  const GradOf* entry = findGradOf(op);
  return entry ? checkGradOf(*entry, c) : absl::OkStatus();
}

}  // namespace

// (x, like) -> like's dims with x's dtype. sum_to: like must broadcast to x
// (x is summed down to it); broadcast_to: x must broadcast to like;
// random_crop_grad: x is the gradient of random_crop(like).
ShapeResult inferLike(const ShapeContext& c) {
  std::string_view op = opName(c, c.attrs.find("height") ? "random_crop_grad" : "sum_to/broadcast_to");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  const TensorType& like = c.operands[1];
  if (const GradOf* entry = findGradOf(op)) {
    RETURN_IF_ERROR(checkGradOf(*entry, c));
    return makeResult(op, x.dtype, like.dims);
  }
  RETURN_IF_ERROR(requireNumeric(op, "x", x));
  std::optional<std::vector<Dim>> dims = broadcastDims(x.dims, like.dims);
  bool x_to_like = dims && x.rank() <= like.rank() && *dims == like.dims;
  bool like_to_x = dims && like.rank() <= x.rank() && *dims == x.dims;
  if (op == "sum_to" && !like_to_x) return shapeError(op, "cannot sum x ", x.str(), " down to like ", like.str());
  if (op == "broadcast_to" && !x_to_like)
    return shapeError(op, "cannot broadcast x ", x.str(), " to like ", like.str());
  if (!x_to_like && !like_to_x)
    return shapeError(op, "x ", x.str(), " and like ", like.str(), " are not broadcast-compatible");
  return makeResult(op, x.dtype, like.dims);
}

// The last operand's type: conv2d_grad_input, conv2d_grad_kernel,
// embedding_grad (the gradient has the type of `like`).
ShapeResult inferLast(const ShapeContext& c) {
  std::string_view op = opName(c, "backward op");
  RETURN_IF_ERROR(checkOperands(op, c));
  if (c.operands.empty()) return shapeError(op, "expects at least one operand");
  RETURN_IF_ERROR(checkGradOf(op, c));
  return std::vector<TensorType>{c.operands.back()};
}

// The first operand's type: maxpool2d_grad, avgpool2d_grad, reduce_max_grad.
ShapeResult inferFirst(const ShapeContext& c) {
  std::string_view op = opName(c, "backward op");
  RETURN_IF_ERROR(checkOperands(op, c));
  if (c.operands.empty()) return shapeError(op, "expects at least one operand");
  RETURN_IF_ERROR(checkGradOf(op, c));
  return std::vector<TensorType>{c.operands.front()};
}

// x -> x with dim `axis` replaced by `size`: the elements [start, start +
// size) on that axis, which must be static.
ShapeResult inferSlice(const ShapeContext& c) {
  std::string_view op = opName(c, "slice");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  int64_t axis_attr = c.attrs.getInt("axis");
  ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(op, "axis", axis_attr, "x", x));
  ASSIGN_OR_RETURN(int64_t dim, requireStaticDim(op, "x", x, axis, strCat("size on axis ", axis_attr)));
  int64_t start = c.attrs.getInt("start"), size = c.attrs.getInt("size");
  if (start < 0) return shapeError(op, "start must be >= 0, not ", start);
  if (size < 0) return shapeError(op, "size must be >= 0, not ", size);
  std::optional<int64_t> end = checkedAdd(start, size);
  if (!end || *end > dim)
    return shapeError(op, "start ", start, " + size ", size, " is past the ", dim, " elements of x ", x.str(),
                      " on axis ", axis_attr);
  std::vector<Dim> dims = x.dims;
  dims[static_cast<size_t>(axis)] = Dim::fixed(size);
  return makeResult(op, x.dtype, std::move(dims));
}

// x -> x with `before` zeros ahead of and `after` zeros behind the elements
// on `axis`; a padded axis must be static.
ShapeResult inferPad(const ShapeContext& c) {
  std::string_view op = opName(c, "pad");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  int64_t axis_attr = c.attrs.getInt("axis");
  ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(op, "axis", axis_attr, "x", x));
  int64_t before = c.attrs.getInt("before"), after = c.attrs.getInt("after");
  if (before < 0) return shapeError(op, "before must be >= 0, not ", before);
  if (after < 0) return shapeError(op, "after must be >= 0, not ", after);
  std::vector<Dim> dims = x.dims;
  if (before != 0 || after != 0) {
    ASSIGN_OR_RETURN(int64_t dim, requireStaticDim(op, "x", x, axis, strCat("size on axis ", axis_attr)));
    std::optional<int64_t> extra = checkedAdd(before, after);
    std::optional<int64_t> padded = extra ? checkedAdd(dim, *extra) : std::nullopt;
    if (!padded || *padded > kMaxDimSize)
      return shapeError(op, "padding ", before, " + ", after, " makes axis ", axis_attr, " of x ", x.str(),
                        " larger than ", kMaxDimSize);
    dims[static_cast<size_t>(axis)] = Dim::fixed(*padded);
  }
  return makeResult(op, x.dtype, std::move(dims));
}

// batchnorm_grad, layernorm_grad (x, gamma, g) -> (dx, dgamma, dbeta): the
// types of x, gamma and gamma. gamma is [C] for C the dim of x at `axis`.
ShapeResult inferNormGrad(const ShapeContext& c) {
  std::string_view op = opName(c, "batchnorm_grad/layernorm_grad");
  RETURN_IF_ERROR(checkOperands(op, c));
  if (c.operands.size() != 3) return shapeError(op, "expects 3 operands, not ", c.operands.size());
  const TensorType& x = c.operands[0];
  const TensorType& gamma = c.operands[1];
  std::vector<TensorType> forward = {x, gamma, gamma};
  RETURN_IF_ERROR(inferNormalization(ShapeContext{forward, c.attrs, {}, op}).status());
  RETURN_IF_ERROR(requireType(op, "g", c.operands[2], x, "to match x"));
  return std::vector<TensorType>{x, gamma, gamma};
}

// lstm_grad(x, kernel, recurrent_kernel, bias, g) -> (dx, dkernel,
// drecurrent_kernel, dbias), each with its operand's type; g has the type of
// the lstm's result.
ShapeResult inferLstmGrad(const ShapeContext& c) {
  std::string_view op = opName(c, "lstm_grad");
  RETURN_IF_ERROR(checkOperands(op, c));
  if (c.operands.size() != 5) return shapeError(op, "expects 5 operands, not ", c.operands.size());
  std::vector<TensorType> forward(c.operands.begin(), c.operands.begin() + 4);
  ASSIGN_OR_RETURN(std::vector<TensorType> y, inferLstm(ShapeContext{forward, c.attrs, {}, op}));
  RETURN_IF_ERROR(requireType(op, "g", c.operands[4], y[0], "to match lstm(x, kernel, recurrent_kernel, bias)"));
  return forward;
}

// assign: no results.
ShapeResult inferNothing(const ShapeContext& c) {
  RETURN_IF_ERROR(checkOperands(opName(c, "assign"), c));
  return std::vector<TensorType>{};
}

}  // namespace dlc::ir
