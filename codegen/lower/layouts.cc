#include "codegen/lower/layouts.h"

#include <algorithm>

#include "codegen/compute/windows.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

// HWIO -> HWOI: the filter's input channels innermost.
const std::vector<int> kFilterHwoi = {0, 1, 3, 2};

std::string dims(const std::vector<int64_t>& shape) {
  std::vector<std::string> parts;
  for (int64_t d : shape) parts.push_back(strCat(d));
  return strCat("[", strJoin(parts, ", "), "]");
}

// The zeros g needs on each side of a spatial axis for every tap of a
// stride-1 input gradient to read inside it: output y = h + before - tap *
// dilation for h in [0, in) and tap in [0, window).
std::pair<int64_t, int64_t> gMargins(const cx::WindowAxis& a) {
  int64_t lowest = a.before - (a.window - 1) * a.dilation;
  int64_t highest = a.in - 1 + a.before;
  return {std::max<int64_t>(0, -lowest), std::max<int64_t>(0, highest - (a.out - 1))};
}

void addLayout(FusionGroup& group, const ir::Value* v, OperandLayout layout, int& count) {
  if (group.input_layouts.emplace(v, std::move(layout)).second) ++count;
}

// The zeros x needs on each side of a spatial axis for every tap of a
// forward convolution to read inside it: input at * stride - before + tap *
// dilation for at in [0, out) and tap in [0, window).
std::pair<int64_t, int64_t> xMargins(const cx::WindowAxis& a) {
  int64_t highest = (a.out - 1) * a.stride - a.before + (a.window - 1) * a.dilation;
  return {std::max<int64_t>(0, a.before), std::max<int64_t>(0, highest - (a.in - 1))};
}

// A forward convolution whose taps reach into the padding reads x from a
// zero-padded copy (one copy of x against a test per tap of every output).
void padConvolutionInput(FusionGroup& group, const ir::Operation& op, const ConcreteTypes& types, int& copied) {
  const ir::Value* x = op.operand(0);
  const std::vector<int64_t>& y = types.at(op.result(0)).shape;
  if (group.computes(x) || y.size() != 4 || y[0] * y[1] * y[2] < 2) return;
  cx::ConvGeometry k = cx::convGeometry(op.attrs(), types.at(x).shape, types.at(op.operand(1)).shape, y);
  auto [top, bottom] = xMargins(k.rows);
  auto [left, right] = xMargins(k.cols);
  if (top + bottom + left + right == 0) return;
  addLayout(group, x, {"x", {0, 1, 2, 3}, {0, top, left, 0}, {0, bottom, right, 0}}, copied);
}

}  // namespace

std::vector<int64_t> OperandLayout::shapeOf(const std::vector<int64_t>& shape) const {
  std::vector<int64_t> out;
  for (size_t d = 0; d < dims.size(); ++d)
    out.push_back(shape[static_cast<size_t>(dims[d])] + (padded() ? before[d] + after[d] : 0));
  return out;
}

int selectLayouts(FusionPlan& plan, const ConcreteTypes& types) {
  int copied = 0;
  for (FusionGroup& group : plan.groups) {
    if (group.built || group.library) continue;
    for (const ir::Operation* op : group.ops) {
      if (op->kind() == ir::OpKind::kConv2d && op != group.winograd) padConvolutionInput(group, *op, types, copied);
      if (op->kind() != ir::OpKind::kConv2dGradInput || op->attrs().getInt("groups") != 1 || op == group.winograd)
        continue;
      const ir::Value* g = op->operand(0);
      const ir::Value* filter = op->operand(1);
      const std::vector<int64_t>& dx = types.at(op->result(0)).shape;
      const std::vector<int64_t>& filter_shape = types.at(filter).shape;
      if (dx.size() != 4 || filter_shape.size() != 4 || dx[0] * dx[1] * dx[2] < 2) continue;
      if (!group.computes(filter)) addLayout(group, filter, {"filter", kFilterHwoi, {}, {}}, copied);
      cx::ConvGeometry k = cx::convGeometry(op->attrs(), dx, filter_shape, types.at(g).shape);
      if (group.computes(g) || k.rows.stride != 1 || k.cols.stride != 1 || k.rows.window * k.cols.window < 2) continue;
      auto [top, bottom] = gMargins(k.rows);
      auto [left, right] = gMargins(k.cols);
      if (top + bottom + left + right == 0) continue;  // every tap is inside g already
      addLayout(group, g, {"g", {0, 1, 2, 3}, {0, top, left, 0}, {0, bottom, right, 0}}, copied);
    }
  }
  return copied;
}

std::string printLayouts(const FusionPlan& plan, const ConcreteTypes& types) {
  std::string out;
  for (const FusionGroup& group : plan.groups) {
    std::vector<std::string> lines;  // sorted: the map's order is not stable
    for (const auto& [value, layout] : group.input_layouts) {
      const std::vector<int64_t>& shape = types.at(value).shape;
      const ir::Operation* root = group.root();
      std::string line = strCat("group ", group.id, " (", root->name());
      if (root->location().valid()) strAppend(&line, " at line ", root->location().line);
      strAppend(&line, "): ", layout.role, value->nameHint().empty() ? std::string() : strCat(" %", value->nameHint()),
                " ", dims(shape), " read as ", dims(layout.shapeOf(shape)));
      std::vector<std::string> order;
      for (int d : layout.dims) order.push_back(strCat(d));
      if (!std::is_sorted(layout.dims.begin(), layout.dims.end()))
        strAppend(&line, " (dims ", strJoin(order, ", "), ")");
      if (layout.padded())
        strAppend(&line, " (zeros before ", dims(layout.before), ", after ", dims(layout.after), ")");
      lines.push_back(line + "\n");
    }
    std::sort(lines.begin(), lines.end());
    for (const std::string& line : lines) out += line;
  }
  if (out.empty()) out = "no operand changes layout\n";
  return out;
}

kir::Kernel copyKernel(std::string name, std::string origin, ir::DType dtype, const std::vector<int64_t>& shape,
                       const OperandLayout& layout) {
  using kir::BinaryOp;
  kir::Kernel k;
  k.name = std::move(name);
  k.origin = std::move(origin);
  std::vector<int64_t> out_shape = layout.shapeOf(shape);
  int64_t in_total = 1, out_total = 1;
  for (int64_t d : shape) in_total *= d;
  for (int64_t d : out_shape) out_total *= d;
  kir::BufferId in = k.addBuffer(kir::Buffer{"in", dtype, in_total, kir::BufferRole::kIn});
  kir::BufferId out = k.addBuffer(kir::Buffer{"out", dtype, out_total, kir::BufferRole::kOut});
  std::vector<int64_t> in_strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) in_strides[d - 1] = in_strides[d] * shape[d];
  size_t rank = out_shape.size();
  int64_t row = out_shape.back(), rows = out_total / std::max<int64_t>(row, 1);
  kir::Var p = k.newVar(ir::DType::kI64, "p"), l = k.newVar(ir::DType::kI64, "l");
  // The copy's coordinates: the row's from p, the last from l.
  std::vector<kir::ExprRef> coord(rank);
  int64_t stride = rows;
  for (size_t d = 0; d + 1 < rank; ++d) {
    stride /= out_shape[d];
    kir::ExprRef c = kir::var(p);
    if (stride > 1) c = kir::binary(BinaryOp::kDiv, c, kir::index(stride));
    if (d > 0) c = kir::binary(BinaryOp::kRem, c, kir::index(out_shape[d]));
    coord[d] = c;
  }
  coord[rank - 1] = kir::var(l);
  kir::ExprRef source = kir::index(0), inside;
  for (size_t d = 0; d < rank; ++d) {
    size_t from = static_cast<size_t>(layout.dims[d]);
    kir::ExprRef c = coord[d];
    if (layout.padded() && layout.before[d] != 0) c = kir::binary(BinaryOp::kSub, c, kir::index(layout.before[d]));
    if (layout.padded() && (layout.before[d] != 0 || layout.after[d] != 0)) {
      kir::ExprRef in_range = kir::binary(BinaryOp::kAnd, kir::binary(BinaryOp::kGe, c, kir::index(0)),
                                          kir::binary(BinaryOp::kLt, c, kir::index(shape[from])));
      inside = inside ? kir::binary(BinaryOp::kAnd, inside, in_range) : in_range;
      c = kir::binary(BinaryOp::kMax, kir::binary(BinaryOp::kMin, c, kir::index(shape[from] - 1)), kir::index(0));
    }
    if (in_strides[from] != 1) c = kir::binary(BinaryOp::kMul, c, kir::index(in_strides[from]));
    source = d == 0 ? c : kir::binary(BinaryOp::kAdd, source, c);
  }
  kir::ExprRef value = kir::load(in, dtype, source);
  if (inside) value = kir::select(inside, value, kir::constant(dtype, 0));
  kir::ExprRef at = kir::binary(BinaryOp::kAdd, kir::binary(BinaryOp::kMul, kir::var(p), kir::index(row)), kir::var(l));
  kir::StmtList lanes;
  lanes.push_back(kir::Stmt{kir::StoreStmt{out, at, value, false}});
  kir::StmtList body;
  body.push_back(kir::Stmt{kir::ForStmt{l, 0, row, kir::LoopKind::kVector, std::move(lanes)}});
  k.body.push_back(kir::Stmt{kir::ForStmt{p, 0, rows, kir::LoopKind::kParallel, std::move(body)}});
  return k;
}

}  // namespace dlc::codegen
