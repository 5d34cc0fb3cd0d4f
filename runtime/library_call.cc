#include "runtime/library_call.h"

#include "support/strings.h"

namespace dlc::runtime {

int LibraryCall::slotCount() const {
  switch (kind) {
    case Kind::kGemm: return gemm.bias ? 4 : 3;
    case Kind::kConv2d: return 3;
  }
  return 0;
}

std::string describeLibraryCall(const LibraryCall& call) {
  std::string type(ir::dtypeName(call.dtype));
  if (call.allow_tf32 && call.dtype == ir::DType::kF32) type += " tf32";
  switch (call.kind) {
    case LibraryCall::Kind::kGemm: {
      const GemmCall& g = call.gemm;
      std::string s = strCat("gemm ", type, " [", g.m, "x", g.k, "]x[", g.k, "x", g.n, "]");
      if (g.bias) s += " +bias";
      if (g.activation == GemmCall::Activation::kRelu) s += " relu";
      return s;
    }
    case LibraryCall::Kind::kConv2d: {
      const ConvCall& c = call.conv;
      const char* direction = "conv2d_forward";
      switch (c.direction) {
        case ConvCall::Direction::kForward: break;
        case ConvCall::Direction::kBackwardData: direction = "conv2d_backward_data"; break;
        case ConvCall::Direction::kBackwardFilter: direction = "conv2d_backward_filter"; break;
      }
      return strCat(direction, " ", type, " x[", c.batch, ",", c.in_h, ",", c.in_w, ",", c.in_c, "] w[", c.out_c, ",",
                    c.kernel_h, ",", c.kernel_w, ",", c.in_c, "] y[", c.batch, ",", c.out_h, ",", c.out_w, ",", c.out_c,
                    "] stride ", c.stride[0], "x", c.stride[1], " pad ", c.pad[0], "x", c.pad[1], " dilation ",
                    c.dilation[0], "x", c.dilation[1]);
    }
  }
  return "";
}

std::vector<int64_t> slotElements(const LibraryCall& call) {
  if (call.kind == LibraryCall::Kind::kGemm) {
    const GemmCall& g = call.gemm;
    std::vector<int64_t> sizes = {g.m * g.k, g.k * g.n};
    if (g.bias) sizes.push_back(g.n);
    sizes.push_back(g.m * g.n);
    return sizes;
  }
  const ConvCall& c = call.conv;
  int64_t x = c.batch * c.in_h * c.in_w * c.in_c, y = c.batch * c.out_h * c.out_w * c.out_c;
  int64_t w = c.out_c * c.kernel_h * c.kernel_w * c.in_c;
  switch (c.direction) {
    case ConvCall::Direction::kForward: return {x, w, y};
    case ConvCall::Direction::kBackwardData: return {y, w, x};
    case ConvCall::Direction::kBackwardFilter: return {x, y, w};
  }
  return {};
}

}  // namespace dlc::runtime
