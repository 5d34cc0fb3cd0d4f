// Writes the statements and expressions of one kernel as CUDA C++, in one of
// two modes: a thread running statements for its own work item, or a whole
// block running statements together (a row of a softmax), where reductions
// and parallel loops are split over the block's threads.
#ifndef DLC_CODEGEN_CUDA_BODY_WRITER_H_
#define DLC_CODEGEN_CUDA_BODY_WRITER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/kernel/gpu_mapping.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen::cuda {

// What needs a block's threads (ir/kernel/gpu_mapping.h).
using kir::blockWorkExtent;
using kir::hasBlockWork;
using kir::hasLoad;
using kir::hasReduce;

class BodyWriter {
 public:
  // What a mapping substitutes while the writer prints: an expression's
  // value (a register or pack lane that already holds a load or a costly
  // value), a reduction that the mapping splits its own way (`split`
  // reductions only), the target of a plain store (a pack lane). Each
  // returns nullopt to leave it to the writer.
  struct Overrides {
    std::function<std::optional<std::string>(const kir::Expr& e)> value;
    std::function<absl::StatusOr<std::optional<std::string>>(const kir::Expr& e, const kir::ReduceExpr& r, int indent)>
        reduce;
    std::function<std::optional<std::string>(const kir::StoreStmt& store)> store_target;
    // Lets may go unread (they computed an index whose access was packed).
    bool lets_maybe_unused = false;
  };

  BodyWriter(const kir::Kernel& kernel, std::string* out) : kernel_(kernel), out_(*out) {}
  void setOverrides(Overrides overrides) { overrides_ = std::move(overrides); }

  std::string varName(const kir::Var& var) const;
  std::string bufferName(kir::BufferId id) const;
  void line(int indent, std::string_view text);

  // One thread runs `stmts`. `concurrent`: other threads may store to the
  // same elements, so accumulating stores are atomic.
  absl::Status thread(std::span<const kir::Stmt> stmts, int indent, bool concurrent);
  // All threads of a block run `stmts`, with block-uniform scalars.
  // `other_blocks`: other blocks run concurrently (accumulations are atomic).
  absl::Status block(std::span<const kir::Stmt> stmts, int indent, bool other_blocks);

  // The value of `expr`, after writing the lines its reductions need. With
  // `split`, reductions outside other reductions are split over the block.
  absl::StatusOr<std::string> expr(const kir::Expr& expr, int indent, bool split);
  // `buffer[index] = value` (or `+=`, atomic when `atomic`).
  absl::Status store(const kir::StoreStmt& store, const std::string& index, const std::string& value, int indent,
                     bool atomic);
  // A fresh C++ name starting with `prefix`.
  std::string temp(std::string_view prefix);

 private:
  absl::StatusOr<std::string> reduction(const kir::Expr& expr, const kir::ReduceExpr& r, int indent, bool split);

  const kir::Kernel& kernel_;
  std::string& out_;
  int next_temp_ = 0;
  Overrides overrides_;
};

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_BODY_WRITER_H_
