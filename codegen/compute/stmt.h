// Statement shorthands for the kernel builders: loops, lets, stores, and the
// loads of a builder's operand buffers.
#ifndef DLC_CODEGEN_COMPUTE_STMT_H_
#define DLC_CODEGEN_COMPUTE_STMT_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "codegen/compute/compute.h"
#include "codegen/compute/expr.h"

namespace dlc::codegen::cx {

using kir::StmtList;

// Appends `for v in [0, n)` of `kind` to `list` and fills its body.
void loop(kir::Kernel& kernel, StmtList& list, int64_t n, kir::LoopKind kind, std::string name,
          const std::function<void(ExprRef v, StmtList& body)>& body);
// Nested loops over `shape` (the outermost parallel, the others serial),
// body(index, innermost body).
void loopNest(kir::Kernel& kernel, StmtList& list, std::span<const int64_t> shape,
              const std::function<void(const Index& index, StmtList& body)>& body);
// The rows of a matrix product with an epilogue, in the form the CPU
// schedule gives a dense layer (codegen/lower/schedule.h), so that it
// vectorizes along the columns and register tiling (ir/kernel/
// register_tiling.h) takes it when it is a top-level loop:
//   for r in [0, rows) (row_kind) {
//     vector for j in [0, cols) { acc[j] = init(r, j) }
//     for k in [0, depth) { vector for j in [0, cols) { acc[j] += a(r, k) * b(k, j) } }
//     epilogue(r, 0, acc, body)          (acc(j): the sum at column j)
//   }
// `acc` is a local buffer of `cols` elements of `type`. With `block` (a
// divisor of cols), the columns run in blocks of that many, each with its
// own reduction and epilogue(r, first column of the block, acc, body), acc
// then holding the block (what a row's accumulators need when the loop is
// not one that register tiling blocks itself: a product inside a loop over
// time steps). Every block's reduction then runs after the epilogues of the
// blocks before it.
struct RowProduct {
  int64_t rows = 0, depth = 0, cols = 0, block = 0;
  kir::LoopKind row_kind = kir::LoopKind::kParallel;
  std::function<ExprRef(ExprRef r, ExprRef j)> init;
  std::function<ExprRef(ExprRef r, ExprRef k)> a;
  std::function<ExprRef(ExprRef k, ExprRef j)> b;
  std::function<void(ExprRef r, ExprRef first, const std::function<ExprRef(ExprRef j)>& acc, StmtList& body)> epilogue;
};
void rowProduct(kir::Kernel& kernel, StmtList& list, ScalarType type, const RowProduct& p);

// `let` of value; returns the variable.
ExprRef let(kir::Kernel& kernel, StmtList& list, std::string name, ExprRef value);
void store(StmtList& list, kir::BufferId buffer, ExprRef index, ExprRef value, bool accumulate = false);

// A buffer seen as a row-major tensor: a builder's operand or result, or
// scratch given a shape.
struct View {
  kir::BufferId buffer;
  ir::DType dtype;
  std::vector<int64_t> shape;

  // The element at `index` (one expression per dim), in arithmetic type.
  ExprRef at(std::span<const ExprRef> index) const { return loadAt(buffer, dtype, shape, index); }
  ExprRef at(std::initializer_list<ExprRef> index) const { return at(std::span(index.begin(), index.size())); }
  // Stores `value` (any arithmetic type) converted to the dtype.
  void set(StmtList& list, std::span<const ExprRef> index, ExprRef value, bool accumulate = false) const {
    store(list, buffer, linearize(index, shape), convert(value, dtype), accumulate);
  }
  void set(StmtList& list, std::initializer_list<ExprRef> index, ExprRef value, bool accumulate = false) const {
    set(list, std::span(index.begin(), index.size()), value, accumulate);
  }
};
View operandOf(const BuildContext& ctx, size_t i);
View resultOf(const BuildContext& ctx, size_t i);
// A scratch buffer of `size` elements of `type`, one-dimensional.
View scratch(BuildContext& ctx, std::string name, ScalarType type, int64_t size);
// A buffer shared with the paired op's kernel (BuildContext::saved), found
// by its name: written here (kWrite) or read here (kRead).
View saved(BuildContext& ctx, std::string name, ScalarType type, std::vector<int64_t> shape);

// v rounded to dtype and back to its arithmetic type: what a state tensor of
// that dtype holds.
ExprRef roundTo(ExprRef v, ir::DType dtype);

}  // namespace dlc::codegen::cx

#endif  // DLC_CODEGEN_COMPUTE_STMT_H_
