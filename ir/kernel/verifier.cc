#include "ir/kernel/verifier.h"

#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/type_rules.h"
#include "ir/printer.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

constexpr size_t kMaxProblems = 20;

std::string typeName(ScalarType t) { return std::string(ir::dtypeName(t)); }

std::string shortened(std::string text) {
  constexpr size_t kLimit = 60;
  if (text.size() > kLimit) text = strCat(text.substr(0, kLimit), "...");
  return text;
}

class Verifier {
 public:
  explicit Verifier(const Kernel& kernel) : kernel_(kernel) {}

  std::vector<KernelProblem> run() {
    for (BufferId i = 0; i < static_cast<BufferId>(kernel_.buffers.size()); ++i) {
      const Buffer& b = kernel_.buffers[i];
      if (b.size < 0) report(strCat("buffer %", b.name, " has a negative size ", b.size), i);
      if (b.role == BufferRole::kLocal && b.size > kMaxLocalElements)
        report(strCat("local buffer %", b.name, " has ", b.size, " elements (the limit is ", kMaxLocalElements, ")"),
               i);
    }
    if (kernel_.gpu) gpuMark(*kernel_.gpu, false);
    block(kernel_.body, false);
    return std::move(problems_);
  }

 private:
  struct Definition {
    ScalarType type;
    const void* definer;  // the statement or reduction that binds the var
  };

  void report(std::string message, BufferId buffer = -1) {
    if (problems_.size() < kMaxProblems) problems_.push_back({stmt_, std::move(message), buffer});
  }

  void block(const StmtList& body, bool in_vector) {
    size_t mark = scope_.size();
    ++depth_;
    for (const Stmt& s : body) stmt(s, in_vector);
    --depth_;
    popTo(mark);
  }

  // A GPU mark's kind where it stands, and the keys that kind takes.
  void gpuMark(const GpuMark& m, bool on_loop) {
    std::string_view kind = gpuKindName(m.kind);
    if (on_loop ? !isLoopGpuKind(m.kind) : !isKernelGpuKind(m.kind))
      report(strCat("gpu(", kind, ") marks ", on_loop ? "a kernel, not a loop" : "a loop, not a kernel"));
    if (m.threads < 1 || m.threads > kMaxGpuThreads)
      report(strCat("gpu(", kind, ") has ", m.threads, " threads a block (1 to ", kMaxGpuThreads, ")"));
    if (m.blocks < 1 || m.blocks > kMaxGpuBlocks)
      report(strCat("gpu(", kind, ") has ", m.blocks, " blocks (1 to ", kMaxGpuBlocks, ")"));
    if (m.kind == GpuKind::kOneThread && m.threads != 1) report("gpu(one_thread) takes no threads");
    if (!isLoopGpuKind(m.kind) && m.blocks != 1) report(strCat("gpu(", kind, ") takes no blocks"));
    if (m.kind == GpuKind::kSplit && m.chunks > kMaxGpuBlocks)
      report(strCat("gpu(split) has ", m.chunks, " chunks (1 to ", kMaxGpuBlocks, ")"));
    if (m.kind == GpuKind::kVector && m.width < 2) report("gpu(vector) needs a width of 2 or more");
    if (m.kind != GpuKind::kVector && m.kind != GpuKind::kRowGroups && m.width != 1)
      report(strCat("gpu(", kind, ") takes no width"));
    if (m.kind == GpuKind::kRowGroups && (m.group < 1 || m.threads % m.group != 0))
      report(strCat("gpu(row_groups) has groups of ", m.group, " threads, not dividing its ", m.threads));
    if (m.kind != GpuKind::kRowGroups && m.group != 1) report(strCat("gpu(", kind, ") takes no group"));
    if (m.kind == GpuKind::kSplit && (m.tile < 1 || m.threads % m.tile != 0 || m.chunk < 1 || m.chunks < 1))
      report(strCat("gpu(split) needs a tile dividing its ", m.threads, " threads, a chunk and chunks"));
    if (m.kind != GpuKind::kSplit && (m.tile != 1 || m.chunk != 1 || m.chunks != 1))
      report(strCat("gpu(", kind, ") takes no tile, chunk or chunks"));
  }

  // Under gpu(one_thread) every top-level parallel loop has a mark; a mark
  // stands nowhere else.
  void loopGpuMark(const ForStmt& f) {
    bool top = depth_ == 1 && (f.kind == LoopKind::kParallel || f.kind == LoopKind::kVector);
    bool by_loop = kernel_.gpu && kernel_.gpu->kind == GpuKind::kOneThread;
    if (f.gpu && !(top && by_loop))
      report("a gpu mark on a loop that is not a top-level parallel loop of a gpu(one_thread) kernel");
    else if (f.gpu)
      gpuMark(*f.gpu, true);
    else if (top && by_loop)
      report("a top-level parallel loop of a gpu(one_thread) kernel has no gpu mark");
  }

  void stmt(const Stmt& s, bool in_vector) {
    stmt_ = &s;
    checked_.clear();
    if (const auto* f = s.as<ForStmt>()) {
      if (f->lo > f->hi) report(strCat("loop bounds are reversed (", f->lo, " > ", f->hi, ")"));
      if (in_vector) report("a vector loop contains a nested loop");
      if (f->var.type != ScalarType::kI64)
        report(strCat("loop var %", f->var.name, " is ", typeName(f->var.type), ", not i64"));
      loopGpuMark(*f);
      size_t mark = scope_.size();
      define(f->var, &s);
      block(f->body, in_vector || f->kind == LoopKind::kVector);
      popTo(mark);
    } else if (const auto* let = s.as<LetStmt>()) {
      expr(*let->value);
      if (let->value->type != let->var.type)
        report(strCat("%", let->var.name, " is declared ", typeName(let->var.type), " but its value is ",
                      typeName(let->value->type)));
      define(let->var, &s);
    } else if (const auto* store = s.as<StoreStmt>()) {
      indexExpr(*store->index);
      expr(*store->value);
      if (const Buffer* b = buffer(store->buffer)) {
        if (b->role == BufferRole::kIn) report(strCat("stores to input buffer %", b->name));
        if (store->value->type != b->dtype)
          report(strCat("stores ", typeName(store->value->type), " into %", b->name, " of ", typeName(b->dtype)));
      }
    } else if (const auto* branch = s.as<IfStmt>()) {
      expr(*branch->cond);
      if (branch->cond->type != ScalarType::kBool)
        report(strCat("the condition is ", typeName(branch->cond->type), ", not bool"));
      block(branch->then_body, in_vector);
      stmt_ = &s;
    }
  }

  const Buffer* buffer(BufferId id) {
    if (id >= 0 && static_cast<size_t>(id) < kernel_.buffers.size()) return &kernel_.buffers[id];
    report(strCat("buffer id ", id, " is out of range (the kernel has ", kernel_.buffers.size(), " buffers)"));
    return nullptr;
  }

  void indexExpr(const Expr& index) {
    expr(index);
    if (index.type != ScalarType::kI64) report(strCat("an index is ", typeName(index.type), ", not i64"));
  }

  void expectType(const Expr& e, ScalarType want) {
    if (e.type != want)
      report(strCat("'", shortened(printExpr(e, kernel_)), "' has type ", typeName(e.type), " but should be ",
                    typeName(want)));
  }

  void typeError(const std::optional<std::string>& error) {
    if (error) report(*error);
  }

  void expr(const Expr& e) {
    if (!checked_.insert(&e).second) return;  // a shared subtree, already checked here
    if (const auto* c = e.as<ConstExpr>()) {
      if (e.type == ScalarType::kI32 &&
          (c->bits < std::numeric_limits<int32_t>::min() || c->bits > std::numeric_limits<int32_t>::max()))
        report(strCat("i32 constant ", c->bits, " is out of range"));
      if (e.type == ScalarType::kBool && c->bits != 0 && c->bits != 1)
        report(strCat("bool constant has bits ", c->bits));
    } else if (const auto* v = e.as<VarExpr>()) {
      use(v->var);
      expectType(e, v->var.type);
    } else if (const auto* l = e.as<LoadExpr>()) {
      indexExpr(*l->index);
      if (const Buffer* b = buffer(l->buffer)) expectType(e, b->dtype);
    } else if (const auto* u = e.as<UnaryExpr>()) {
      expr(*u->x);
      typeError(unaryTypeError(u->op, u->x->type));
      expectType(e, u->x->type);
    } else if (const auto* b = e.as<BinaryExpr>()) {
      expr(*b->lhs);
      expr(*b->rhs);
      typeError(binaryTypeError(b->op, b->lhs->type, b->rhs->type));
      expectType(e, binaryResultType(b->op, b->lhs->type));
    } else if (const auto* s = e.as<SelectExpr>()) {
      expr(*s->cond);
      expr(*s->if_true);
      expr(*s->if_false);
      typeError(selectTypeError(s->cond->type, s->if_true->type, s->if_false->type));
      expectType(e, s->if_true->type);
    } else if (const auto* c = e.as<CastExpr>()) {
      expr(*c->x);
    } else if (const auto* r = e.as<ReduceExpr>()) {
      reduction(e, *r);
    }
  }

  void reduction(const Expr& e, const ReduceExpr& r) {
    expr(*r.init);
    if (r.lo > r.hi) report(strCat("reduction bounds are reversed (", r.lo, " > ", r.hi, ")"));
    if (r.var.type != ScalarType::kI64)
      report(strCat("reduction var %", r.var.name, " is ", typeName(r.var.type), ", not i64"));
    // The body sees one more var: what was checked outside it stays valid,
    // what is checked inside it does not carry out.
    absl::flat_hash_set<const Expr*> outside = checked_;
    size_t mark = scope_.size();
    define(r.var, &r);
    expr(*r.body);
    popTo(mark);
    checked_ = std::move(outside);
    typeError(reduceTypeError(r.op, r.init->type, r.body->type));
    expectType(e, r.body->type);
  }

  void define(const Var& v, const void* definer) {
    if (v.id < 0 || v.id >= kernel_.next_var_id) {
      report(strCat("var %", v.name, " has id ", v.id, ", outside [0, next_var_id = ", kernel_.next_var_id, ")"));
    }
    auto [it, inserted] = defined_.try_emplace(v.id, Definition{v.type, definer});
    if (!inserted && it->second.definer != definer)
      report(strCat("var %", v.name, " reuses id ", v.id, " of another var"));
    if (visible_.contains(v.id)) report(strCat("var %", v.name, " is already in scope"));
    scope_.push_back(v.id);
    ++visible_[v.id];
  }

  void use(const Var& v) {
    if (!visible_.contains(v.id)) {
      report(strCat("var %", v.name, " (id ", v.id, ") is used out of scope"));
      return;
    }
    if (ScalarType defined = defined_.at(v.id).type; defined != v.type)
      report(strCat("var %", v.name, " is used as ", typeName(v.type), " but defined as ", typeName(defined)));
  }

  void popTo(size_t mark) {
    while (scope_.size() > mark) {
      auto it = visible_.find(scope_.back());
      if (--it->second == 0) visible_.erase(it);
      scope_.pop_back();
    }
  }

  const Kernel& kernel_;
  std::vector<KernelProblem> problems_;
  const Stmt* stmt_ = nullptr;
  int depth_ = 0;  // of the statement's block: 1 at the top level
  absl::flat_hash_map<int, Definition> defined_;
  std::vector<int> scope_;
  absl::flat_hash_map<int, int> visible_;
  absl::flat_hash_set<const Expr*> checked_;  // in the current statement and scope
};

}  // namespace

std::vector<KernelProblem> checkKernel(const Kernel& kernel) { return Verifier(kernel).run(); }

absl::Status verifyKernel(const Kernel& kernel) {
  std::vector<KernelProblem> problems = checkKernel(kernel);
  if (problems.empty()) return absl::OkStatus();
  const KernelProblem& first = problems.front();
  std::string where = first.stmt ? strCat("in `", shortened(printStmtHead(*first.stmt, kernel)), "`: ") : std::string();
  return absl::InvalidArgumentError(strCat("kernel ", ir::symbolRef(kernel.name), ": ", where, first.message));
}

absl::Status verifyKernelModule(const KernelModule& module) {
  absl::flat_hash_set<std::string> names;
  for (const Kernel& kernel : module.kernels) {
    if (!names.insert(kernel.name).second)
      return absl::InvalidArgumentError(strCat("kernel ", ir::symbolRef(kernel.name), " is defined more than once"));
    if (absl::Status s = verifyKernel(kernel); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace dlc::kir
