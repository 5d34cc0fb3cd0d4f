// Copies of kernel-IR statements for transforms that duplicate a loop body
// (register_tiling.h): some vars replaced, every var the copy binds given a
// fresh id, and the reads and writes of some local buffers moved to another
// slice of the buffer or to another buffer.
#ifndef DLC_IR_KERNEL_COPY_H_
#define DLC_IR_KERNEL_COPY_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

class Copier {
 public:
  // Vars the copy binds are named NAME.suffix.
  Copier(Kernel& kernel, std::string suffix) : kernel_(kernel), suffix_(std::move(suffix)) {}

  // Uses of `id` in what is copied next read `with`.
  void replace(int id, const Var& with) { vars_[id] = with; }
  // Indices of `buffer` in what is copied next move by `by` elements.
  void shift(BufferId buffer, int64_t by) { shifts_[buffer] = by; }
  // What is copied next reads and writes `to` where it reads and writes `from`.
  void move(BufferId from, BufferId to) { moves_[from] = to; }

  Stmt copy(const Stmt& s);
  StmtList copy(const StmtList& body);
  // Subtrees that need no change stay shared with the original.
  ExprRef copy(const ExprRef& e);

  // A fresh var for `v` (named NAME.suffix), replacing it from now on.
  Var fresh(const Var& v);

 private:
  ExprRef copyReduce(const ExprRef& e, const ReduceExpr& r);
  ExprRef shifted(BufferId buffer, const ExprRef& index) const;
  BufferId moved(BufferId buffer) const;

  Kernel& kernel_;
  std::string suffix_;
  absl::flat_hash_map<int, Var> vars_;
  absl::flat_hash_map<BufferId, int64_t> shifts_;
  absl::flat_hash_map<BufferId, BufferId> moves_;
  // Copies of the original's nodes; valid because each var is replaced
  // once, before the statements that read it are copied.
  absl::flat_hash_map<const Expr*, ExprRef> copies_;
};

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_COPY_H_
