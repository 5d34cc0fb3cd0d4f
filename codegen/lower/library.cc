#include "codegen/lower/library.h"

#include <cstdlib>
#include <limits>

#include "codegen/compute/windows.h"
#include "ir/precision.h"
#include "support/env.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using runtime::ConvCall;
using runtime::LibraryCall;

// HWIO ([kh, kw, in, out], dlc's conv kernels) as KRSC ([out, kh, kw, in],
// cuDNN's NHWC filters): dim d of KRSC is dim kHwioAsKrsc[d] of HWIO.
const std::vector<int> kHwioAsKrsc = {3, 0, 1, 2};
const std::vector<int> kSameNhwc = {0, 1, 2, 3};

// cuDNN's tensor-core convolutions in f16/bf16 take channels in multiples of
// 8 (16 bytes); with others it falls back to slower kernels. An image model's
// first convolution has 1 or 3.
constexpr int64_t kTensorCoreChannels = 8;

bool isLibraryFloat(ir::DType t) { return t == ir::DType::kF32 || t == ir::DType::kF16 || t == ir::DType::kBF16; }

// Every size a library takes as an int, and none empty.
bool fitsInt(const std::vector<int64_t>& dims) {
  for (int64_t d : dims)
    if (d <= 0 || d > std::numeric_limits<int>::max()) return false;
  return true;
}

// One dtype for every operand and the result.
std::optional<ir::DType> commonFloat(const ir::Operation& op, const ConcreteTypes& types) {
  ir::DType t = types.at(op.result(0)).dtype;
  if (!isLibraryFloat(t)) return std::nullopt;
  for (const ir::Value* v : op.operands())
    if (types.at(v).dtype != t) return std::nullopt;
  return t;
}

int64_t product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= dims[i];
  return p;
}

std::optional<LibraryPlan> planGemm(const ir::Operation& op, const ConcreteTypes& types,
                                    const LibraryOptions& options) {
  std::optional<ir::DType> dtype = commonFloat(op, types);
  const std::vector<int64_t>& a = types.at(op.operand(0)).shape;
  const std::vector<int64_t>& b = types.at(op.operand(1)).shape;
  // [..., m, k] @ [k, n]: the leading dims of A fold into m.
  if (!dtype || a.size() < 2 || b.size() != 2 || a.back() != b[0]) return std::nullopt;
  LibraryPlan plan;
  plan.call.kind = LibraryCall::Kind::kGemm;
  plan.call.dtype = *dtype;
  plan.call.allow_tf32 = options.allow_tf32 && *dtype == ir::DType::kF32;
  plan.call.gemm.m = product(a, 0, a.size() - 1);
  plan.call.gemm.k = a.back();
  plan.call.gemm.n = b[1];
  if (!fitsInt({plan.call.gemm.m, plan.call.gemm.n, plan.call.gemm.k})) return std::nullopt;
  plan.operands = {{op.operand(0), {}}, {op.operand(1), {}}};
  if (op.kind() == ir::OpKind::kDense && op.numOperands() == 3) {
    plan.call.gemm.bias = true;  // cuBLASLt's bias epilogue
    plan.operands.push_back({op.operand(2), {}});
  }
  plan.result_shape = types.at(op.result(0)).shape;
  return plan;
}

// cuDNN pads both sides by the same amount; dlc's `same` puts the smaller
// half before. The call matches when cuDNN's output size, padding `before`
// on both sides, is dlc's: every extra cell it pads after is never read.
bool symmetricPadding(const cx::WindowAxis& a) {
  if (a.before < 0 || a.stride <= 0) return false;
  int64_t span = (a.window - 1) * a.dilation + 1;
  return (a.in + 2 * a.before - span) / a.stride + 1 == a.out;
}

// Zero input channels up to a multiple of kTensorCoreChannels on x (or dx)
// and the filter's C axis: the sums are unchanged, the extra dx or dw
// channels are never read. x and dx go through a copy (x's padded, dx read
// back through the result layout).
void padInputChannels(LibraryPlan& plan) {
  ConvCall& c = plan.call.conv;
  int64_t padded = (c.in_c + kTensorCoreChannels - 1) / kTensorCoreChannels * kTensorCoreChannels;
  switch (c.direction) {
    case ConvCall::Direction::kForward:  // x, w
      plan.operands[0].layout = kSameNhwc;
      plan.operands[0].padded_last = padded;
      plan.operands[1].padded_last = padded;
      break;
    case ConvCall::Direction::kBackwardData:  // dy, w -> dx
      plan.operands[1].padded_last = padded;
      plan.result_layout = kSameNhwc;
      plan.result_shape.back() = padded;
      break;
    case ConvCall::Direction::kBackwardFilter:  // x, dy -> dw (KRSC)
      plan.operands[0].layout = kSameNhwc;
      plan.operands[0].padded_last = padded;
      plan.result_shape.back() = padded;
      break;
  }
  c.in_c = padded;
}

std::optional<LibraryPlan> planConvolution(const ir::Operation& op, const ConcreteTypes& types,
                                           const LibraryOptions& options) {
  std::optional<ir::DType> dtype = commonFloat(op, types);
  if (!dtype) return std::nullopt;
  const std::vector<int64_t>& result = types.at(op.result(0)).shape;
  LibraryPlan plan;
  plan.call.kind = LibraryCall::Kind::kConv2d;
  plan.call.dtype = *dtype;
  plan.call.allow_tf32 = options.allow_tf32 && *dtype == ir::DType::kF32;
  ConvCall& c = plan.call.conv;
  std::vector<int64_t> x, kernel, y;
  if (op.kind() == ir::OpKind::kConv2d) {
    c.direction = ConvCall::Direction::kForward;
    x = types.at(op.operand(0)).shape, kernel = types.at(op.operand(1)).shape, y = result;
    plan.operands = {{op.operand(0), {}}, {op.operand(1), kHwioAsKrsc}};
    plan.bias_after = op.numOperands() == 3;
  } else if (op.kind() == ir::OpKind::kConv2dGradInput) {  // (g, kernel, like) -> dx
    c.direction = ConvCall::Direction::kBackwardData;
    x = result, kernel = types.at(op.operand(1)).shape, y = types.at(op.operand(0)).shape;
    plan.operands = {{op.operand(0), {}}, {op.operand(1), kHwioAsKrsc}};
  } else if (op.kind() == ir::OpKind::kConv2dGradKernel) {  // (x, g, like) -> dkernel
    c.direction = ConvCall::Direction::kBackwardFilter;
    x = types.at(op.operand(0)).shape, kernel = result, y = types.at(op.operand(1)).shape;
    plan.operands = {{op.operand(0), {}}, {op.operand(1), {}}};
    plan.result_layout = kHwioAsKrsc;
  } else {
    return std::nullopt;  // a convolution this planner does not know how to call
  }
  if (x.size() != 4 || kernel.size() != 4 || y.size() != 4) return std::nullopt;
  cx::ConvGeometry g = cx::convGeometry(op.attrs(), x, kernel, y);
  if (g.groups != 1 || g.cpg != g.channels || !symmetricPadding(g.rows) || !symmetricPadding(g.cols))
    return std::nullopt;
  c.batch = g.batch;
  c.in_h = g.rows.in, c.in_w = g.cols.in, c.in_c = g.channels;
  c.out_h = g.rows.out, c.out_w = g.cols.out, c.out_c = g.filters;
  c.kernel_h = g.rows.window, c.kernel_w = g.cols.window;
  c.stride = {g.rows.stride, g.cols.stride};
  c.pad = {g.rows.before, g.cols.before};
  c.dilation = {g.rows.dilation, g.cols.dilation};
  if (!fitsInt({c.batch, c.in_h, c.in_w, c.in_c, c.out_h, c.out_w, c.out_c, c.kernel_h, c.kernel_w}) ||
      !fitsInt({c.stride[0], c.stride[1], c.dilation[0], c.dilation[1]}))
    return std::nullopt;
  if (plan.result_layout.empty()) {
    plan.result_shape = result;
  } else {
    for (int d : plan.result_layout) plan.result_shape.push_back(result[static_cast<size_t>(d)]);
  }
  if (ir::isHalfFloat(*dtype) && c.in_c % kTensorCoreChannels != 0) padInputChannels(plan);
  return plan;
}

}  // namespace

LibraryOptions LibraryOptions::forCudaFromEnvironment() {
  LibraryOptions options{true, true};
  std::optional<std::string> env = envString("DLC_CUDA_LIBRARIES");
  if (!env || *env == "all") return options;
  std::string_view list(*env);
  options.gemm = list.find("cublaslt") != std::string_view::npos;
  options.convolution = list.find("cudnn") != std::string_view::npos;
  return options;
}

std::optional<LibraryPlan> planLibraryCall(const ir::Operation& op, const ConcreteTypes& types,
                                           const LibraryOptions& options) {
  // Which ops may go to a library is the op table's (kLibraryGemm,
  // kLibraryConvolution); how each is called is planGemm's and
  // planConvolution's.
  if (op.numResults() != 1) return std::nullopt;
  if (op.def().has(ir::kLibraryGemm)) return options.gemm ? planGemm(op, types, options) : std::nullopt;
  if (op.def().has(ir::kLibraryConvolution))
    return options.convolution ? planConvolution(op, types, options) : std::nullopt;
  return std::nullopt;
}

kir::Kernel layoutKernel(std::string name, std::string origin, ir::DType dtype, const std::vector<int64_t>& in_shape,
                         const std::vector<int>& layout, int64_t padded_last) {
  kir::Kernel k;
  k.name = std::move(name);
  k.origin = std::move(origin);
  std::vector<int64_t> out_shape;
  for (int d : layout) out_shape.push_back(in_shape[static_cast<size_t>(d)]);
  const int64_t last_extent = out_shape.back();
  const bool padded = padded_last > last_extent;
  if (padded) out_shape.back() = padded_last;
  int64_t total = product(out_shape, 0, out_shape.size());
  kir::BufferId in = k.addBuffer(kir::Buffer{"in", dtype, product(in_shape, 0, in_shape.size()), kir::BufferRole::kIn});
  kir::BufferId out = k.addBuffer(kir::Buffer{"out", dtype, total, kir::BufferRole::kOut});
  // Element p of the result: its coordinates by division, then the source's
  // linear index from them.
  kir::Var p = k.newVar(ir::DType::kI64, "p");
  std::vector<int64_t> in_strides(in_shape.size(), 1);
  for (size_t d = in_shape.size(); d-- > 1;) in_strides[d - 1] = in_strides[d] * in_shape[d];
  kir::ExprRef source = kir::index(0);
  kir::ExprRef inside;  // padded: whether the last coordinate is the source's
  int64_t stride = total;
  for (size_t d = 0; d < layout.size(); ++d) {
    int64_t extent = out_shape[d];
    stride /= extent;
    kir::ExprRef coord = kir::var(p);
    if (stride > 1) coord = kir::binary(kir::BinaryOp::kDiv, coord, kir::index(stride));
    if (d > 0) coord = kir::binary(kir::BinaryOp::kRem, coord, kir::index(extent));
    if (padded && d + 1 == layout.size()) {
      // The load stays inside the source (clamped); the select zeroes it.
      inside = kir::binary(kir::BinaryOp::kLt, coord, kir::index(last_extent));
      coord = kir::binary(kir::BinaryOp::kMin, coord, kir::index(last_extent - 1));
    }
    int64_t in_stride = in_strides[static_cast<size_t>(layout[d])];
    if (in_stride != 1) coord = kir::binary(kir::BinaryOp::kMul, coord, kir::index(in_stride));
    source = d == 0 ? coord : kir::binary(kir::BinaryOp::kAdd, source, coord);
  }
  kir::ExprRef value = kir::load(in, dtype, source);
  if (inside) value = kir::select(inside, value, kir::constant(dtype, 0));
  kir::StmtList body;
  body.push_back(kir::Stmt{kir::StoreStmt{out, kir::var(p), value, false}});
  k.body.push_back(kir::Stmt{kir::ForStmt{p, 0, total, kir::LoopKind::kParallel, std::move(body)}});
  return k;
}

}  // namespace dlc::codegen
