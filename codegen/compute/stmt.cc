#include "codegen/compute/stmt.h"

#include <utility>

#include "support/strings.h"

namespace dlc::codegen::cx {

void loop(kir::Kernel& kernel, StmtList& list, int64_t n, kir::LoopKind kind, std::string name,
          const std::function<void(ExprRef v, StmtList& body)>& body) {
  kir::ForStmt f;
  f.var = kernel.newVar(ScalarType::kI64, std::move(name));
  f.lo = 0;
  f.hi = n;
  f.kind = kind;
  body(kir::var(f.var), f.body);
  list.push_back(kir::Stmt{std::move(f)});
}

void loopNest(kir::Kernel& kernel, StmtList& list, std::span<const int64_t> shape,
              const std::function<void(const Index& index, StmtList& body)>& body) {
  std::function<void(size_t, Index, StmtList&)> nest = [&](size_t d, Index index, StmtList& into) {
    if (d == shape.size()) {
      body(index, into);
      return;
    }
    kir::LoopKind kind = d == 0 ? kir::LoopKind::kParallel : kir::LoopKind::kSerial;
    loop(kernel, into, shape[d], kind, strCat("i", d), [&](ExprRef v, StmtList& inner) {
      index.push_back(v);
      nest(d + 1, index, inner);
    });
  };
  nest(0, {}, list);
}

void rowProduct(kir::Kernel& kernel, StmtList& list, ScalarType type, const RowProduct& p) {
  int64_t block = p.block > 0 ? p.block : p.cols;
  kir::BufferId acc =
      kernel.addBuffer(kir::Buffer{strCat("acc", kernel.buffers.size()), type, block, kir::BufferRole::kLocal});
  auto at = [&](ExprRef j) { return kir::load(acc, type, std::move(j)); };
  auto columns = [&](ExprRef r, ExprRef first, StmtList& body) {
    auto column = [&](const ExprRef& j) { return block == p.cols ? j : add(first, j); };
    loop(kernel, body, block, kir::LoopKind::kVector, "j",
         [&](ExprRef j, StmtList& lanes) { store(lanes, acc, j, convert(p.init(r, column(j)), type)); });
    loop(kernel, body, p.depth, kir::LoopKind::kSerial, "k", [&](ExprRef k, StmtList& step) {
      ExprRef ak = p.a(r, k);
      loop(kernel, step, block, kir::LoopKind::kVector, "j", [&](ExprRef j, StmtList& lanes) {
        store(lanes, acc, j,
              kir::binary(kir::BinaryOp::kAdd, at(j), mul(convert(ak, type), convert(p.b(k, column(j)), type))));
      });
    });
    p.epilogue(r, first, at, body);
  };
  loop(kernel, list, p.rows, p.row_kind, "r", [&](ExprRef r, StmtList& row) {
    if (block == p.cols) return columns(r, idx(0), row);
    loop(kernel, row, p.cols / block, kir::LoopKind::kSerial, "jb",
         [&](ExprRef jb, StmtList& body) { columns(r, mul(jb, idx(block)), body); });
  });
}

ExprRef let(kir::Kernel& kernel, StmtList& list, std::string name, ExprRef value) {
  kir::Var v = kernel.newVar(value->type, std::move(name));
  list.push_back(kir::Stmt{kir::LetStmt{v, std::move(value)}});
  return kir::var(v);
}

void store(StmtList& list, kir::BufferId buffer, ExprRef index, ExprRef value, bool accumulate) {
  // Built in place: a temporary Stmt trips GCC's -Wmaybe-uninitialized.
  list.emplace_back().node.emplace<kir::StoreStmt>(
      kir::StoreStmt{buffer, std::move(index), std::move(value), accumulate});
}

View operandOf(const BuildContext& ctx, size_t i) {
  return View{ctx.operands[i], ctx.types.operand_dtypes[i], ctx.types.operand_shapes[i]};
}

View resultOf(const BuildContext& ctx, size_t i) {
  return View{ctx.results[i], ctx.types.result_dtypes[i], ctx.types.result_shapes[i]};
}

View scratch(BuildContext& ctx, std::string name, ScalarType type, int64_t size) {
  kir::BufferId id = ctx.kernel.addBuffer(kir::Buffer{std::move(name), type, size, kir::BufferRole::kScratch});
  return View{id, type, {size}};
}

View saved(BuildContext& ctx, std::string name, ScalarType type, std::vector<int64_t> shape) {
  kir::BufferRole role = ctx.saved == BuildContext::Saved::kRead ? kir::BufferRole::kIn : kir::BufferRole::kOut;
  kir::BufferId id = ctx.kernel.addBuffer(kir::Buffer{std::move(name), type, product(shape), role});
  ctx.saved_buffers.push_back(id);
  return View{id, type, std::move(shape)};
}

ExprRef roundTo(ExprRef v, ir::DType dtype) {
  if (v->type == dtype) return v;
  return kir::cast(v->type, convert(v, dtype));
}

}  // namespace dlc::codegen::cx
