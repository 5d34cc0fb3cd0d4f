// The state of translating one kir::Kernel (private to codegen/llvm). The
// statement half lives in emit_stmt.cc, the expression half in emit_expr.cc.
#ifndef DLC_CODEGEN_LLVM_KERNEL_EMITTER_H_
#define DLC_CODEGEN_LLVM_KERNEL_EMITTER_H_

#include <functional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "codegen/llvm/emitter.h"
#include "ir/kernel/kernel_ir.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace dlc::codegen {

class KernelEmitter {
 public:
  KernelEmitter(const kir::Kernel& kernel, const EmitOptions& options, llvm::Module& module);
  absl::Status emit();

 private:
  // One LLVM function being filled: the kernel itself or an outlined
  // parallel body.
  struct Frame {
    llvm::Function* function = nullptr;
    llvm::Value* buffers = nullptr;         // the void** holding the buffer pointers
    std::vector<llvm::Value*> buffer_ptrs;  // per kernel buffer; allocas for locals
    bool in_parallel = false;               // inside an outlined parallel body
  };
  struct LoopAttrs {
    bool vectorize = false;          // llvm.loop.vectorize.enable
    bool parallel_accesses = false;  // iterations independent: tag accesses
    bool unroll_full = false;        // llvm.loop.unroll.full
    bool no_unroll = false;          // llvm.loop.unroll.disable
    bool no_vectorize = false;       // llvm.loop.vectorize.enable = false
  };
  using LoopBody = std::function<absl::Status(llvm::Value* index)>;

  // ---- emit_stmt.cc
  llvm::Function* newFunction(const std::string& name, llvm::FunctionType* type);
  void enterFrame(llvm::Function* function, llvm::Value* buffers, bool in_parallel);
  absl::Status emitBlock(const kir::StmtList& body);
  absl::Status emitStmt(const kir::Stmt& stmt);
  absl::Status emitFor(const kir::ForStmt& loop);
  absl::Status emitParallelFor(const kir::ForStmt& loop);
  absl::Status emitStore(const kir::StoreStmt& store);
  absl::Status emitAtomicAdd(kir::BufferId buffer, llvm::Value* ptr, llvm::Value* value);
  absl::Status emitIf(const kir::IfStmt& stmt);
  // Runs `body` for index in [lo, hi); the caller guarantees lo < hi.
  absl::Status emitLoop(llvm::Value* lo, llvm::Value* hi, const LoopAttrs& attrs, const LoopBody& body);

  // ---- emit_expr.cc
  // Emits a statement's expression; shared subtrees are emitted once.
  absl::StatusOr<llvm::Value*> emitRoot(const kir::ExprRef& expr);
  absl::StatusOr<llvm::Value*> emitExpr(const kir::ExprRef& expr);
  absl::StatusOr<llvm::Value*> emitNode(const kir::Expr& expr);
  absl::StatusOr<llvm::Value*> emitConst(const kir::Expr& expr, const kir::ConstExpr& c);
  absl::StatusOr<llvm::Value*> emitUnary(const kir::Expr& expr, const kir::UnaryExpr& u);
  absl::StatusOr<llvm::Value*> emitBinary(const kir::Expr& expr, const kir::BinaryExpr& b);
  absl::StatusOr<llvm::Value*> emitSelect(const kir::Expr& expr, const kir::SelectExpr& s);
  absl::StatusOr<llvm::Value*> emitReduce(const kir::Expr& expr, const kir::ReduceExpr& r);
  llvm::Value* emitFloatUnary(kir::UnaryOp op, llvm::Value* x);  // x is f32 or f64
  llvm::Value* emitFloatBinary(kir::BinaryOp op, llvm::Value* a, llvm::Value* b);
  absl::StatusOr<llvm::Value*> emitIntBinary(kir::BinaryOp op, kir::ScalarType type, llvm::Value* a, llvm::Value* b);
  absl::StatusOr<llvm::Value*> emitBoolBinary(kir::BinaryOp op, llvm::Value* a, llvm::Value* b);
  bool containsLoad(const kir::Expr* expr);

 public:  // shared with the helpers of both files
  // ---- types and conversions (emit_expr.cc)
  llvm::Type* valueType(kir::ScalarType type);   // bool is i1
  llvm::Type* memoryType(kir::ScalarType type);  // bool is i8
  // The type arithmetic on `type` is done in: f32 for f16/bf16, else itself.
  llvm::Type* computeType(kir::ScalarType type);
  llvm::Value* widen(llvm::Value* v, kir::ScalarType type);   // to computeType
  llvm::Value* widenHalf(llvm::Value* v);                     // f16 to f32 with integer ops
  llvm::Value* narrow(llvm::Value* v, kir::ScalarType type);  // from computeType, rounding
  llvm::Value* convert(llvm::Value* v, kir::ScalarType from, kir::ScalarType to);

 private:
  // ---- memory (emit_stmt.cc)
  llvm::Value* elementPtr(kir::BufferId buffer, llvm::Value* index);
  void tagAccess(llvm::Instruction* access, kir::BufferId buffer);
  llvm::Value* emitLoad(kir::BufferId buffer, llvm::Value* index);

  const kir::Kernel& kernel_;
  const EmitOptions& options_;
  llvm::Module& module_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  Frame frame_;
  int outlined_count_ = 0;
  // Loop indices and lets in scope, by variable id.
  absl::flat_hash_map<int, llvm::Value*> env_;
  // Expressions already emitted, innermost scope last (a reduction body or a
  // select arm opens a scope: its values do not dominate what follows).
  std::vector<absl::flat_hash_map<const kir::Expr*, llvm::Value*>> cache_;
  absl::flat_hash_map<const kir::Expr*, bool> has_load_;
  // Alias scopes: buffer b's accesses are in scope b and noalias with the rest.
  std::vector<llvm::MDNode*> alias_scope_, noalias_;
  // Access groups of the enclosing loops whose iterations are independent.
  std::vector<llvm::MDNode*> access_groups_;
};

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_KERNEL_EMITTER_H_
