#include "ir/kernel/printer.h"

#include <cmath>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ir/attribute.h"
#include "ir/printer.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c) || c == '.'; }

// Floats print in the shortest form that reads back as the same double, with
// a '.' or an exponent so that they do not look like integers.
std::string floatLiteral(double value, ScalarType type) {
  std::string_view suffix = ir::dtypeName(type);
  if (std::isnan(value)) return strCat("nan:", suffix);
  if (std::isinf(value)) return strCat(value < 0 ? "-inf:" : "inf:", suffix);
  std::string digits = strCat(value);
  if (digits.find_first_of(".e") == std::string::npos) digits += ".0";
  return strCat(digits, ":", suffix);
}

// ` gpu(KIND, key=value...)` with the keys that KIND takes.
std::string gpuMark(const GpuMark& m) {
  std::string out = strCat(" gpu(", gpuKindName(m.kind));
  if (m.kind == GpuKind::kVector || m.kind == GpuKind::kRowGroups) strAppend(&out, ", width=", m.width);
  if (m.kind == GpuKind::kRowGroups) strAppend(&out, ", group=", m.group);
  if (m.kind == GpuKind::kSplit) strAppend(&out, ", tile=", m.tile, ", chunk=", m.chunk, ", chunks=", m.chunks);
  if (m.kind != GpuKind::kOneThread) strAppend(&out, ", threads=", m.threads);
  if (isLoopGpuKind(m.kind)) strAppend(&out, ", blocks=", m.blocks);
  return out + ")";
}

std::string constLiteral(const ConstExpr& c, ScalarType type) {
  switch (type) {
    case ScalarType::kI64: return strCat(c.bits);
    case ScalarType::kI32: return strCat(c.bits, ":i32");
    case ScalarType::kBool: return c.bits != 0 ? "true" : "false";
    case ScalarType::kF32:
    case ScalarType::kF16:
    case ScalarType::kBF16:
    case ScalarType::kF64: return floatLiteral(c.value, type);
  }
  return "?";
}

// Prints one kernel. Vars are named in lexical scopes: a var keeps its own
// name unless that name is visible where it is defined (or names a buffer),
// and is then renamed NAME_ID, so the text never shadows and parses back to
// the same structure.
class Printer {
 public:
  // `rename` false: every var prints under its own name (for messages).
  Printer(const Kernel& kernel, bool rename) : kernel_(kernel), rename_(rename) {
    for (size_t i = 0; i < kernel.buffers.size(); ++i) {
      std::string name = printableName(kernel.buffers[i].name);
      if (rename_ && buffer_set_.contains(name)) {
        name = strCat(name, "_", i);
        while (buffer_set_.contains(name)) name += "_";
      }
      buffer_set_.insert(name);
      buffer_names_.push_back(std::move(name));
    }
  }

  std::string kernel() {
    out_ = strCat("kernel ", ir::symbolRef(kernel_.name));
    if (!kernel_.origin.empty()) strAppend(&out_, " origin ", ir::quoteString(kernel_.origin));
    if (kernel_.gpu) out_ += gpuMark(*kernel_.gpu);
    out_ += " {\n";
    for (size_t i = 0; i < kernel_.buffers.size(); ++i) {
      const Buffer& b = kernel_.buffers[i];
      strAppend(&out_, "  ", bufferRoleName(b.role), " %", buffer_names_[i], ": ", ir::dtypeName(b.dtype), "[", b.size,
                "]\n");
    }
    block(kernel_.body, 1);
    out_ += "}\n";
    return std::move(out_);
  }

  std::string expr(const Expr& e) {
    if (const auto* c = e.as<ConstExpr>()) return constLiteral(*c, e.type);
    if (const auto* v = e.as<VarExpr>()) return varName(v->var);
    if (const auto* l = e.as<LoadExpr>()) return strCat(bufferName(l->buffer), "[", expr(*l->index), "]");
    if (const auto* u = e.as<UnaryExpr>()) return strCat(unaryOpName(u->op), "(", expr(*u->x), ")");
    if (const auto* b = e.as<BinaryExpr>())
      return strCat(binaryOpName(b->op), "(", expr(*b->lhs), ", ", expr(*b->rhs), ")");
    if (const auto* s = e.as<SelectExpr>())
      return strCat("select(", expr(*s->cond), ", ", expr(*s->if_true), ", ", expr(*s->if_false), ")");
    if (const auto* c = e.as<CastExpr>()) return strCat("cast<", ir::dtypeName(e.type), ">(", expr(*c->x), ")");
    if (const auto* r = e.as<ReduceExpr>()) {
      std::string init = expr(*r->init);
      size_t mark = scope_.size();
      std::string name = define(r->var);
      std::string body = expr(*r->body);
      popTo(mark);
      return strCat("reduce ", reduceOpName(r->op), " ", name, " in ", r->lo, " to ", r->hi, " init ", init, " (", body,
                    ")");
    }
    return "?";
  }

  // The first line of `stmt` without indentation; defines what it defines.
  std::string head(const Stmt& stmt) {
    if (const auto* f = stmt.as<ForStmt>()) {
      std::string_view kind = loopKindName(f->kind);
      return strCat(kind, kind.empty() ? "" : " ", "for ", define(f->var), " = ", f->lo, " to ", f->hi,
                    f->gpu ? gpuMark(*f->gpu) : "", " {");
    }
    if (const auto* let = stmt.as<LetStmt>()) {
      std::string value = expr(*let->value);  // before the name is visible
      return strCat("let ", define(let->var), ": ", ir::dtypeName(let->var.type), " = ", value);
    }
    if (const auto* s = stmt.as<StoreStmt>())
      return strCat("store ", bufferName(s->buffer), "[", expr(*s->index), "] ", s->accumulate ? "+= " : "= ",
                    expr(*s->value));
    if (const auto* i = stmt.as<IfStmt>()) return strCat("if ", expr(*i->cond), " {");
    return "?";
  }

 private:
  void block(const StmtList& body, int depth) {
    size_t mark = scope_.size();
    std::string indent(2 * depth, ' ');
    for (const Stmt& stmt : body) {
      size_t loop_mark = scope_.size();
      strAppend(&out_, indent, head(stmt), "\n");
      const StmtList* nested = nullptr;
      if (const auto* f = stmt.as<ForStmt>()) nested = &f->body;
      if (const auto* i = stmt.as<IfStmt>()) nested = &i->then_body;
      if (!nested) continue;
      block(*nested, depth + 1);
      popTo(loop_mark);  // a loop's var is visible in its body only
      strAppend(&out_, indent, "}\n");
    }
    popTo(mark);
  }

  std::string bufferName(BufferId id) {
    if (id < 0 || static_cast<size_t>(id) >= buffer_names_.size()) return strCat("%buffer", id);
    return strCat("%", buffer_names_[id]);
  }

  bool taken(const std::string& name) const { return buffer_set_.contains(name) || visible_.contains(name); }

  std::string define(const Var& v) {
    std::string name = printableName(v.name);
    if (rename_ && taken(name)) {
      name = strCat(name, "_", v.id);
      while (taken(name)) name += "_";
    }
    scope_.emplace_back(v.id, name);
    ++visible_[name];
    return strCat("%", name);
  }

  std::string varName(const Var& v) const {
    if (rename_)
      for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
        if (it->first == v.id) return strCat("%", it->second);
    return strCat("%", printableName(v.name));  // not in scope: the verifier says so
  }

  void popTo(size_t mark) {
    while (scope_.size() > mark) {
      auto it = visible_.find(scope_.back().second);
      if (--it->second == 0) visible_.erase(it);
      scope_.pop_back();
    }
  }

  const Kernel& kernel_;
  bool rename_;
  std::vector<std::string> buffer_names_;
  absl::flat_hash_set<std::string> buffer_set_;
  std::vector<std::pair<int, std::string>> scope_;  // (var id, printed name), outer first
  absl::flat_hash_map<std::string, int> visible_;   // printed names in scope_
  std::string out_;
};

}  // namespace

std::string printableName(std::string_view name) {
  if (name.empty()) return "v";
  bool all_digits = true;
  for (char c : name) all_digits = all_digits && isDigit(c);
  if (all_digits) return std::string(name);
  std::string out = isIdentStart(name[0]) ? "" : "v";
  for (char c : name) out += isIdentChar(c) ? c : '_';
  return out;
}

std::string printKernel(const Kernel& kernel) { return Printer(kernel, true).kernel(); }

std::string printKernelModule(const KernelModule& module) {
  std::vector<std::string> kernels;
  for (const Kernel& kernel : module.kernels) kernels.push_back(printKernel(kernel));
  return strJoin(kernels, "\n");
}

std::string printExpr(const Expr& expr, const Kernel& kernel) { return Printer(kernel, false).expr(expr); }

std::string printStmtHead(const Stmt& stmt, const Kernel& kernel) { return Printer(kernel, false).head(stmt); }

}  // namespace dlc::kir
