// Statements, loops, outlining of parallel loops, memory accesses, and the
// public entry points of emitter.h.
#include <algorithm>
#include <set>

#include "codegen/llvm/emitter.h"
#include "codegen/llvm/kernel_emitter.h"
#include "ir/kernel/walk.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

// Loops with more iterations than this are not unrolled by the emitter but
// left to LLVM with llvm.loop.unroll.full.
constexpr int64_t kMaxEmitterUnroll = 256;

// Variables an expression or statement list reads (to capture them when a
// parallel loop is outlined).
class FreeVars {
 public:
  void add(const kir::ExprRef& e) {
    if (!e || !seen_.insert(e.get()).second) return;
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, kir::VarExpr>) {
            ids.insert(n.var.id);
          } else if constexpr (std::is_same_v<T, kir::LoadExpr>) {
            add(n.index);
          } else if constexpr (std::is_same_v<T, kir::UnaryExpr>) {
            add(n.x);
          } else if constexpr (std::is_same_v<T, kir::BinaryExpr>) {
            add(n.lhs), add(n.rhs);
          } else if constexpr (std::is_same_v<T, kir::SelectExpr>) {
            add(n.cond), add(n.if_true), add(n.if_false);
          } else if constexpr (std::is_same_v<T, kir::CastExpr>) {
            add(n.x);
          } else if constexpr (std::is_same_v<T, kir::ReduceExpr>) {
            add(n.init), add(n.body);
          }
        },
        e->node);
  }
  void add(const kir::StmtList& body) {
    for (const kir::Stmt& s : body) {
      if (auto* f = s.as<kir::ForStmt>()) add(f->body);
      if (auto* l = s.as<kir::LetStmt>()) add(l->value);
      if (auto* st = s.as<kir::StoreStmt>()) add(st->index), add(st->value);
      if (auto* i = s.as<kir::IfStmt>()) add(i->cond), add(i->then_body);
    }
  }
  std::set<int> ids;  // ordered, so the context layout is deterministic

 private:
  std::set<const kir::Expr*> seen_;
};

}  // namespace

KernelEmitter::KernelEmitter(const kir::Kernel& kernel, const EmitOptions& options, llvm::Module& module)
    : kernel_(kernel), options_(options), module_(module), ctx_(module.getContext()), b_(ctx_) {}

llvm::Function* KernelEmitter::newFunction(const std::string& name, llvm::FunctionType* type) {
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module_);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  if (!options_.cpu.empty()) fn->addFnAttr("target-cpu", options_.cpu);
  if (!options_.features.empty()) {
    fn->addFnAttr("target-features", options_.features);
    // Kernels are throughput code: let the vectorizer use zmm registers
    // (LLVM prefers 256 bits on some AVX-512 CPUs by default).
    if (options_.features.find("+avx512f") != std::string::npos) fn->addFnAttr("prefer-vector-width", "512");
  }
  return fn;
}

// Starts filling `function`: loads the buffer pointers, allocates locals.
void KernelEmitter::enterFrame(llvm::Function* function, llvm::Value* buffers, bool in_parallel) {
  frame_ = Frame{function, buffers, {}, in_parallel};
  llvm::Type* ptr = b_.getPtrTy();
  for (size_t i = 0; i < kernel_.buffers.size(); ++i) {
    const kir::Buffer& buf = kernel_.buffers[i];
    if (buf.role == kir::BufferRole::kLocal) {
      llvm::Type* array = llvm::ArrayType::get(memoryType(buf.dtype), buf.size);
      frame_.buffer_ptrs.push_back(b_.CreateAlloca(array, nullptr, buf.name));
      continue;
    }
    llvm::Value* slot = b_.CreateConstInBoundsGEP1_64(ptr, buffers, i);
    auto* p = b_.CreateLoad(ptr, slot, buf.name);
    p->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ctx_, {}));
    p->setMetadata(llvm::LLVMContext::MD_nonnull, llvm::MDNode::get(ctx_, {}));
    frame_.buffer_ptrs.push_back(p);
  }
}

absl::Status KernelEmitter::emit() {
  // One alias scope per buffer: distinct buffers never overlap.
  llvm::MDBuilder md(ctx_);
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain(kernel_.name);
  std::vector<llvm::Metadata*> scopes;
  for (const kir::Buffer& buf : kernel_.buffers) scopes.push_back(md.createAnonymousAliasScope(domain, buf.name));
  for (size_t i = 0; i < scopes.size(); ++i) {
    alias_scope_.push_back(llvm::MDNode::get(ctx_, {scopes[i]}));
    std::vector<llvm::Metadata*> others;
    for (size_t j = 0; j < scopes.size(); ++j)
      if (j != i) others.push_back(scopes[j]);
    noalias_.push_back(llvm::MDNode::get(ctx_, others));
  }

  auto* type = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy()}, false);
  llvm::Function* fn = newFunction(kernel_.name, type);
  if (fn->getName() != kernel_.name)
    return absl::InvalidArgumentError(strCat("duplicate kernel name '", kernel_.name, "'"));
  fn->getArg(0)->setName("buffers");
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", fn));
  enterFrame(fn, fn->getArg(0), /*in_parallel=*/false);
  RETURN_IF_ERROR(emitBlock(kernel_.body));
  b_.CreateRetVoid();
  return absl::OkStatus();
}

absl::Status KernelEmitter::emitBlock(const kir::StmtList& body) {
  for (const kir::Stmt& stmt : body) RETURN_IF_ERROR(emitStmt(stmt));
  return absl::OkStatus();
}

absl::Status KernelEmitter::emitStmt(const kir::Stmt& stmt) {
  if (auto* f = stmt.as<kir::ForStmt>()) return emitFor(*f);
  if (auto* l = stmt.as<kir::LetStmt>()) {
    ASSIGN_OR_RETURN(llvm::Value * v, emitRoot(l->value));
    v->setName(l->var.name);
    env_[l->var.id] = v;
    return absl::OkStatus();
  }
  if (auto* s = stmt.as<kir::StoreStmt>()) return emitStore(*s);
  if (auto* i = stmt.as<kir::IfStmt>()) return emitIf(*i);
  return absl::InternalError("unknown kernel statement");
}

absl::Status KernelEmitter::emitLoop(llvm::Value* lo, llvm::Value* hi, const LoopAttrs& attrs, const LoopBody& body) {
  // Bottom-tested (already rotated): the trip count is known to be positive.
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  auto* header = llvm::BasicBlock::Create(ctx_, "loop", fn);
  auto* exit = llvm::BasicBlock::Create(ctx_, "loop.end", fn);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  llvm::PHINode* iv = b_.CreatePHI(b_.getInt64Ty(), 2, "i");
  iv->addIncoming(lo, pre);

  llvm::MDNode* group = nullptr;
  if (attrs.parallel_accesses) {
    group = llvm::MDNode::getDistinct(ctx_, {});
    access_groups_.push_back(group);
  }
  absl::Status status = body(iv);
  if (group) access_groups_.pop_back();
  RETURN_IF_ERROR(status);

  llvm::Value* next = b_.CreateAdd(iv, b_.getInt64(1), "i.next", /*HasNUW=*/true, /*HasNSW=*/true);
  iv->addIncoming(next, b_.GetInsertBlock());
  auto* br = b_.CreateCondBr(b_.CreateICmpSLT(next, hi), header, exit);

  std::vector<llvm::Metadata*> props = {nullptr};  // slot 0: the self reference
  auto flag = [&](const char* name) {
    props.push_back(
        llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, name), llvm::ConstantAsMetadata::get(b_.getTrue())}));
  };
  if (attrs.vectorize) flag("llvm.loop.vectorize.enable");
  if (attrs.no_vectorize)
    props.push_back(llvm::MDNode::get(
        ctx_, {llvm::MDString::get(ctx_, "llvm.loop.vectorize.enable"), llvm::ConstantAsMetadata::get(b_.getFalse())}));
  if (attrs.unroll_full) props.push_back(llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.unroll.full")}));
  if (attrs.no_unroll)
    props.push_back(llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.unroll.disable")}));
  if (group)
    props.push_back(llvm::MDNode::get(ctx_, {llvm::MDString::get(ctx_, "llvm.loop.parallel_accesses"), group}));
  if (props.size() > 1) {
    llvm::MDNode* loop_id = llvm::MDNode::getDistinct(ctx_, props);
    loop_id->replaceOperandWith(0, loop_id);
    br->setMetadata(llvm::LLVMContext::MD_loop, loop_id);
  }
  b_.SetInsertPoint(exit);
  return absl::OkStatus();
}

namespace {

bool containsVectorLoop(const kir::StmtList& body) {
  bool found = false;
  kir::forEachStmt(body, [&](const kir::Stmt& s) {
    const auto* f = s.as<kir::ForStmt>();
    found = found || (f && f->kind == kir::LoopKind::kVector);
  });
  return found;
}

}  // namespace

absl::Status KernelEmitter::emitFor(const kir::ForStmt& loop) {
  if (loop.hi <= loop.lo) return absl::OkStatus();
  int64_t trips = loop.hi - loop.lo;
  auto bodyAt = [&](llvm::Value* index) {
    env_[loop.var.id] = index;
    return emitBlock(loop.body);
  };
  switch (loop.kind) {
    case kir::LoopKind::kParallel:
      if (!frame_.in_parallel && trips > 1) return emitParallelFor(loop);
      break;  // nested parallelism only oversubscribes: run it serially
    case kir::LoopKind::kUnroll:
      if (trips <= kMaxEmitterUnroll) {
        for (int64_t i = loop.lo; i < loop.hi; ++i) RETURN_IF_ERROR(bodyAt(b_.getInt64(i)));
        return absl::OkStatus();
      }
      return emitLoop(b_.getInt64(loop.lo), b_.getInt64(loop.hi), {.unroll_full = true}, bodyAt);
    case kir::LoopKind::kVector:
      return emitLoop(b_.getInt64(loop.lo), b_.getInt64(loop.hi), {.vectorize = true, .parallel_accesses = true},
                      bodyAt);
    case kir::LoopKind::kSerial: break;
  }
  // A loop around a vector loop (a reduction step of a register tile) is
  // not LLVM's to vectorize: once the vector loop is unrolled, LLVM would
  // take the reduction as the vector dimension and gather its operands.
  return emitLoop(b_.getInt64(loop.lo), b_.getInt64(loop.hi), {.no_vectorize = containsVectorLoop(loop.body)}, bodyAt);
}

// for i in [lo, hi) parallel { body }  becomes
//   ctx = {buffers, captured...}; dlc_cpu_parallel_for(NAME.parallelK, &ctx, hi - lo)
// and NAME.parallelK(ctx, begin, end) runs i in [lo + begin, lo + end).
absl::Status KernelEmitter::emitParallelFor(const kir::ForStmt& loop) {
  FreeVars free;
  free.add(loop.body);
  std::vector<int> captured;
  for (int id : free.ids)
    if (env_.contains(id)) captured.push_back(id);

  std::vector<llvm::Type*> fields = {b_.getPtrTy()};
  for (int id : captured) fields.push_back(env_[id]->getType());
  auto* ctx_type = llvm::StructType::get(ctx_, fields);

  // The caller's side: fill the context (allocated in the entry block) and call.
  llvm::IRBuilderBase::InsertPoint resume = b_.saveIP();
  b_.SetInsertPoint(&frame_.function->getEntryBlock(), frame_.function->getEntryBlock().begin());
  llvm::Value* ctx = b_.CreateAlloca(ctx_type, nullptr, "par.ctx");
  b_.restoreIP(resume);
  b_.CreateStore(frame_.buffers, b_.CreateStructGEP(ctx_type, ctx, 0));
  for (size_t i = 0; i < captured.size(); ++i)
    b_.CreateStore(env_[captured[i]], b_.CreateStructGEP(ctx_type, ctx, i + 1));

  auto* i64 = b_.getInt64Ty();
  auto* body_type = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), i64, i64}, false);
  llvm::Function* body = newFunction(strCat(kernel_.name, ".parallel", outlined_count_++), body_type);
  body->setLinkage(llvm::Function::InternalLinkage);
  auto* runtime_type = llvm::FunctionType::get(b_.getVoidTy(), {b_.getPtrTy(), b_.getPtrTy(), i64}, false);
  // Through the pointer the loader sets (native_code.h): the shared object
  // imports nothing from the process that loads it.
  llvm::GlobalVariable* pointer = parallelForPointer(module_, options_.define_runtime_globals);
  llvm::Value* parallel_for = b_.CreateLoad(b_.getPtrTy(), pointer, "parallel_for");
  b_.CreateCall(runtime_type, parallel_for, {body, ctx, b_.getInt64(loop.hi - loop.lo)});
  resume = b_.saveIP();

  // The body's side, in a frame of its own.
  Frame saved_frame = std::move(frame_);
  absl::flat_hash_map<int, llvm::Value*> saved_env = std::move(env_);
  env_.clear();
  b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", body));
  llvm::Value* body_ctx = body->getArg(0);
  auto* buffers = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(ctx_type, body_ctx, 0), "buffers");
  for (size_t i = 0; i < captured.size(); ++i)
    env_[captured[i]] = b_.CreateLoad(fields[i + 1], b_.CreateStructGEP(ctx_type, body_ctx, i + 1));
  enterFrame(body, buffers, /*in_parallel=*/true);
  llvm::Value* lo = b_.getInt64(loop.lo);
  absl::Status status =
      emitLoop(b_.CreateAdd(body->getArg(1), lo), b_.CreateAdd(body->getArg(2), lo), {}, [&](llvm::Value* index) {
        env_[loop.var.id] = index;
        return emitBlock(loop.body);
      });
  if (status.ok()) b_.CreateRetVoid();

  frame_ = std::move(saved_frame);
  env_ = std::move(saved_env);
  b_.restoreIP(resume);
  return status;
}

llvm::Value* KernelEmitter::elementPtr(kir::BufferId buffer, llvm::Value* index) {
  const kir::Buffer& buf = kernel_.buffers[buffer];
  return b_.CreateInBoundsGEP(memoryType(buf.dtype), frame_.buffer_ptrs[buffer], index);
}

void KernelEmitter::tagAccess(llvm::Instruction* access, kir::BufferId buffer) {
  if (kernel_.buffers[buffer].role != kir::BufferRole::kLocal) {
    access->setMetadata(llvm::LLVMContext::MD_alias_scope, alias_scope_[buffer]);
    access->setMetadata(llvm::LLVMContext::MD_noalias, noalias_[buffer]);
  }
  if (access_groups_.size() == 1) {
    access->setMetadata(llvm::LLVMContext::MD_access_group, access_groups_[0]);
  } else if (!access_groups_.empty()) {
    std::vector<llvm::Metadata*> groups(access_groups_.begin(), access_groups_.end());
    access->setMetadata(llvm::LLVMContext::MD_access_group, llvm::MDNode::get(ctx_, groups));
  }
}

llvm::Value* KernelEmitter::emitLoad(kir::BufferId buffer, llvm::Value* index) {
  kir::ScalarType dtype = kernel_.buffers[buffer].dtype;
  auto* load = b_.CreateLoad(memoryType(dtype), elementPtr(buffer, index));
  tagAccess(load, buffer);
  if (dtype == kir::ScalarType::kBool) return b_.CreateICmpNE(load, b_.getInt8(0));
  return load;
}

absl::Status KernelEmitter::emitStore(const kir::StoreStmt& store) {
  if (store.buffer < 0 || store.buffer >= static_cast<int>(kernel_.buffers.size()))
    return absl::InvalidArgumentError(strCat("store to unknown buffer ", store.buffer));
  kir::ScalarType dtype = kernel_.buffers[store.buffer].dtype;
  ASSIGN_OR_RETURN(llvm::Value * index, emitRoot(store.index));
  ASSIGN_OR_RETURN(llvm::Value * value, emitExpr(store.value));
  value = convert(value, store.value->type, dtype);
  llvm::Value* ptr = elementPtr(store.buffer, index);
  bool is_local = kernel_.buffers[store.buffer].role == kir::BufferRole::kLocal;
  if (store.accumulate) {
    if (dtype == kir::ScalarType::kBool) return absl::InvalidArgumentError("accumulate store of bool");
    if (frame_.in_parallel && !is_local) return emitAtomicAdd(store.buffer, ptr, value);
    llvm::Value* old = emitLoad(store.buffer, index);
    if (ir::isFloat(dtype)) {
      // `contract`, as in emitFloatBinary: acc += a * b becomes one FMA.
      llvm::IRBuilderBase::FastMathFlagGuard guard(b_);
      llvm::FastMathFlags contract;
      contract.setAllowContract(true);
      b_.setFastMathFlags(contract);
      value = narrow(b_.CreateFAdd(widen(old, dtype), widen(value, dtype)), dtype);
    } else {
      value = b_.CreateAdd(old, value);
    }
  }
  if (dtype == kir::ScalarType::kBool) value = b_.CreateZExt(value, b_.getInt8Ty());
  tagAccess(b_.CreateStore(value, ptr), store.buffer);
  return absl::OkStatus();
}

// Iterations of a parallel loop may add to one element: make the add atomic.
absl::Status KernelEmitter::emitAtomicAdd(kir::BufferId buffer, llvm::Value* ptr, llvm::Value* value) {
  kir::ScalarType dtype = kernel_.buffers[buffer].dtype;
  auto order = llvm::AtomicOrdering::Monotonic;
  if (dtype == kir::ScalarType::kF32 || dtype == kir::ScalarType::kF64) {
    b_.CreateAtomicRMW(llvm::AtomicRMWInst::FAdd, ptr, value, llvm::MaybeAlign(), order);
    return absl::OkStatus();
  }
  if (!ir::isFloat(dtype)) {
    b_.CreateAtomicRMW(llvm::AtomicRMWInst::Add, ptr, value, llvm::MaybeAlign(), order);
    return absl::OkStatus();
  }
  // f16/bf16: a compare-exchange loop on the 16 bits, adding in f32.
  llvm::Type* i16 = b_.getInt16Ty();
  llvm::Type* half = memoryType(dtype);
  llvm::BasicBlock* pre = b_.GetInsertBlock();
  auto* loop = llvm::BasicBlock::Create(ctx_, "atomic.add", pre->getParent());
  auto* done = llvm::BasicBlock::Create(ctx_, "atomic.done", pre->getParent());
  llvm::Value* initial = b_.CreateLoad(i16, ptr);
  b_.CreateBr(loop);
  b_.SetInsertPoint(loop);
  llvm::PHINode* seen = b_.CreatePHI(i16, 2);
  seen->addIncoming(initial, pre);
  llvm::Value* sum = b_.CreateFAdd(widen(b_.CreateBitCast(seen, half), dtype), widen(value, dtype));
  llvm::Value* desired = b_.CreateBitCast(narrow(sum, dtype), i16);
  llvm::Value* pair = b_.CreateAtomicCmpXchg(ptr, seen, desired, llvm::MaybeAlign(), order, order);
  seen->addIncoming(b_.CreateExtractValue(pair, 0), loop);
  b_.CreateCondBr(b_.CreateExtractValue(pair, 1), done, loop);
  b_.SetInsertPoint(done);
  return absl::OkStatus();
}

absl::Status KernelEmitter::emitIf(const kir::IfStmt& stmt) {
  ASSIGN_OR_RETURN(llvm::Value * cond, emitRoot(stmt.cond));
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  auto* then_block = llvm::BasicBlock::Create(ctx_, "if.then", fn);
  auto* merge = llvm::BasicBlock::Create(ctx_, "if.end", fn);
  b_.CreateCondBr(cond, then_block, merge);
  b_.SetInsertPoint(then_block);
  // Lets inside the branch go out of scope with it.
  absl::flat_hash_map<int, llvm::Value*> saved_env = env_;
  RETURN_IF_ERROR(emitBlock(stmt.then_body));
  env_ = std::move(saved_env);
  b_.CreateBr(merge);
  b_.SetInsertPoint(merge);
  return absl::OkStatus();
}

llvm::GlobalVariable* parallelForPointer(llvm::Module& module, bool define) {
  if (llvm::GlobalVariable* g = module.getGlobalVariable(runtime::cpu::kParallelForPointer)) return g;
  auto* ptr = llvm::PointerType::getUnqual(module.getContext());
  return new llvm::GlobalVariable(module, ptr, /*isConstant=*/false, llvm::GlobalValue::ExternalLinkage,
                                  define ? llvm::ConstantPointerNull::get(ptr) : nullptr,
                                  runtime::cpu::kParallelForPointer);
}

absl::Status emitKernel(const kir::Kernel& kernel, const EmitOptions& options, llvm::Module& module) {
  KernelEmitter emitter(kernel, options, module);
  absl::Status status = emitter.emit();
  if (!status.ok()) return absl::Status(status.code(), strCat("kernel @", kernel.name, ": ", status.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<llvm::Module>> emitModule(const kir::KernelModule& kernels, const EmitOptions& options,
                                                         llvm::LLVMContext& context) {
  auto module = std::make_unique<llvm::Module>("dlc_kernels", context);
  if (options.define_runtime_globals) parallelForPointer(*module, true);  // the loader sets it
  for (const kir::Kernel& kernel : kernels.kernels) RETURN_IF_ERROR(emitKernel(kernel, options, *module));
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(*module, &os))
    return absl::InternalError(strCat("emitted LLVM IR does not verify: ", os.str()));
  return module;
}

}  // namespace dlc::codegen
