// NHWC convolution, pooling and cropping.
//
// A window of extent k (after dilation) and stride s over an input of size n
// gives, with padding "valid", floor((n - k) / s) + 1 outputs (k <= n), and
// with padding "same", ceil(n / s) outputs (TensorFlow's rule).
#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {
namespace {

// The height and width of x[N, H, W, C], which must be static.
struct Image {
  int64_t h, w;
};

absl::StatusOr<Image> staticImage(std::string_view op, const TensorType& x) {
  RETURN_IF_ERROR(requireRank(op, "x", x, 4, "[N, H, W, C]"));
  Image img;
  ASSIGN_OR_RETURN(img.h, requireStaticDim(op, "x", x, 1, "height"));
  ASSIGN_OR_RETURN(img.w, requireStaticDim(op, "x", x, 2, "width"));
  return img;
}

absl::StatusOr<bool> isSamePadding(std::string_view op, const Attrs& attrs) {
  const std::string& padding = attrs.getString("padding");
  if (padding != "same" && padding != "valid")
    return shapeError(op, "padding must be \"valid\" or \"same\", not ", quoteString(padding));
  return padding == "same";
}

int64_t windowOutput(int64_t in, int64_t window, int64_t stride, bool same) {
  if (same) return in / stride + (in % stride != 0 ? 1 : 0);
  return (in - window) / stride + 1;
}

}  // namespace

// x[N, H, W, C] * kernel[kh, kw, C / groups, F] (+ bias[F]) -> [N, H', W', F].
ShapeResult inferConv2d(const ShapeContext& c) {
  std::string_view op = opName(c, "conv2d");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  const TensorType& kernel = c.operands[1];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  ASSIGN_OR_RETURN(Image img, staticImage(op, x));
  ASSIGN_OR_RETURN(int64_t channels, requireStaticDim(op, "x", x, 3, "channel count"));
  RETURN_IF_ERROR(requireRank(op, "kernel", kernel, 4, "[kh, kw, in/groups, filters]"));
  RETURN_IF_ERROR(requireSameDType(op, "x", x, "kernel", kernel));
  if (!kernel.isStatic()) return shapeError(op, "kernel ", kernel.str(), " must be static");
  ASSIGN_OR_RETURN(auto strides, positivePair(op, c.attrs, "strides"));
  ASSIGN_OR_RETURN(auto dilation, positivePair(op, c.attrs, "dilation"));
  ASSIGN_OR_RETURN(bool same, isSamePadding(op, c.attrs));
  int64_t groups = c.attrs.getInt("groups");
  if (groups < 1) return shapeError(op, "groups must be >= 1, not ", groups);

  int64_t kh = kernel.dims[0].size(), kw = kernel.dims[1].size();
  int64_t kc = kernel.dims[2].size(), filters = kernel.dims[3].size();
  if (kh < 1 || kw < 1) return shapeError(op, "kernel ", kernel.str(), " has an empty window");
  if (channels % groups != 0)
    return shapeError(op, "groups ", groups, " does not divide the ", channels, " channels of x ", x.str());
  if (kc != channels / groups) {
    if (groups == 1)
      return shapeError(op, "kernel ", kernel.str(), " expects ", kc, " input channels, but x is ", x.str());
    return shapeError(op, "kernel ", kernel.str(), " expects ", kc, " input channels per group, but x ", x.str(),
                      " has ", channels, " channels in ", groups, " groups");
  }
  if (filters % groups != 0)
    return shapeError(op, "groups ", groups, " does not divide the ", filters, " filters of kernel ", kernel.str());
  if (c.operands.size() > 2)
    RETURN_IF_ERROR(requireType(op, "bias", c.operands[2], TensorType{x.dtype, {kernel.dims[3]}},
                                strCat("for kernel ", kernel.str())));

  // The dilated extent (k - 1) * d + 1 of each window axis.
  std::optional<int64_t> eh = checkedMul(kh - 1, dilation[0]);
  std::optional<int64_t> ew = checkedMul(kw - 1, dilation[1]);
  if (!eh || !ew || *eh >= kMaxDimSize || *ew >= kMaxDimSize)
    return shapeError(op, "dilation [", dilation[0], ", ", dilation[1], "] of kernel ", windowString(kh, kw),
                      " gives a window larger than ", kMaxDimSize);
  int64_t dh = *eh + 1, dw = *ew + 1;
  if (!same && (dh > img.h || dw > img.w))
    return shapeError(op, "kernel ", windowString(kh, kw), " (dilated ", windowString(dh, dw),
                      ") is larger than the input ", windowString(img.h, img.w));
  return makeResult(op, x.dtype,
                    {x.dims[0], Dim::fixed(windowOutput(img.h, dh, strides[0], same)),
                     Dim::fixed(windowOutput(img.w, dw, strides[1], same)), kernel.dims[3]});
}

// maxpool2d, avgpool2d: x[N, H, W, C] -> [N, H', W', C].
ShapeResult inferPool2d(const ShapeContext& c) {
  std::string_view op = opName(c, "maxpool2d/avgpool2d");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  ASSIGN_OR_RETURN(Image img, staticImage(op, x));
  ASSIGN_OR_RETURN(auto pool, positivePair(op, c.attrs, "pool"));
  ASSIGN_OR_RETURN(auto strides, positivePair(op, c.attrs, "strides"));
  ASSIGN_OR_RETURN(bool same, isSamePadding(op, c.attrs));
  if (pool[0] > kMaxDimSize || pool[1] > kMaxDimSize)
    return shapeError(op, "pool ", windowString(pool[0], pool[1]), " is larger than ", kMaxDimSize);
  if (!same && (pool[0] > img.h || pool[1] > img.w))
    return shapeError(op, "pool ", windowString(pool[0], pool[1]), " is larger than the input ",
                      windowString(img.h, img.w));
  return makeResult(op, x.dtype,
                    {x.dims[0], Dim::fixed(windowOutput(img.h, pool[0], strides[0], same)),
                     Dim::fixed(windowOutput(img.w, pool[1], strides[1], same)), x.dims[3]});
}

// x[N, H, W, C] -> [N, C]; H and W may be symbolic.
ShapeResult inferGlobalPool2d(const ShapeContext& c) {
  std::string_view op = opName(c, "global_avgpool2d");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  RETURN_IF_ERROR(requireRank(op, "x", x, 4, "[N, H, W, C]"));
  return makeResult(op, x.dtype, {x.dims[0], x.dims[3]});
}

// x[N, H, W, C] -> [N, height, width, C], a window inside the input.
ShapeResult inferRandomCrop(const ShapeContext& c) {
  std::string_view op = opName(c, "random_crop");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  ASSIGN_OR_RETURN(Image img, staticImage(op, x));
  int64_t height = c.attrs.getInt("height"), width = c.attrs.getInt("width");
  if (height < 1 || width < 1)
    return shapeError(op, "height and width must be >= 1, not ", windowString(height, width));
  if (height > img.h || width > img.w)
    return shapeError(op, "crop ", windowString(height, width), " is larger than the input ",
                      windowString(img.h, img.w));
  return makeResult(op, x.dtype, {x.dims[0], Dim::fixed(height), Dim::fixed(width), x.dims[3]});
}

}  // namespace dlc::ir
