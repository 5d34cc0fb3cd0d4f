#include "codegen/cuda/body_writer.h"

#include <algorithm>

#include "codegen/cuda/syntax.h"
#include "ir/precision.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::Expr;
using kir::ForStmt;
using kir::LoopKind;
using kir::Stmt;

bool isSplitLoop(const ForStmt& f) { return f.kind == LoopKind::kParallel || f.kind == LoopKind::kVector; }
// f16/bf16 values are computed in f32 and rounded back after each op.
std::string widen(ScalarType t, std::string s) { return ir::isHalfFloat(t) ? toWider(t, std::move(s)) : s; }
std::string narrow(ScalarType t, std::string s) { return ir::isHalfFloat(t) ? fromWider(t, std::move(s)) : s; }

}  // namespace

std::string BodyWriter::temp(std::string_view prefix) { return strCat(prefix, next_temp_++); }

std::string BodyWriter::varName(const kir::Var& var) const {
  return strCat(identifier(var.name.empty() ? "v" : var.name), "_", var.id);
}

std::string BodyWriter::bufferName(kir::BufferId id) const {
  return strCat("b", id, "_", identifier(kernel_.buffers[id].name));
}

void BodyWriter::line(int indent, std::string_view text) {
  out_.append(2 * indent, ' ');
  out_.append(text);
  out_.push_back('\n');
}

absl::StatusOr<std::string> BodyWriter::expr(const Expr& e, int indent, bool split) {
  if (auto* c = e.as<kir::ConstExpr>()) return constant(e.type, *c);
  if (auto* v = e.as<kir::VarExpr>()) return varName(v->var);
  if (overrides_.value)
    if (std::optional<std::string> held = overrides_.value(e)) return *held;
  if (auto* l = e.as<kir::LoadExpr>()) {
    ASSIGN_OR_RETURN(std::string index, expr(*l->index, indent, split));
    return strCat(bufferName(l->buffer), "[", index, "]");
  }
  if (auto* u = e.as<kir::UnaryExpr>()) {
    ASSIGN_OR_RETURN(std::string x, expr(*u->x, indent, split));
    ASSIGN_OR_RETURN(std::string r, unary(u->op, computeType(e.type), widen(e.type, x)));
    return narrow(e.type, r);
  }
  if (auto* b = e.as<kir::BinaryExpr>()) {
    ASSIGN_OR_RETURN(std::string lhs, expr(*b->lhs, indent, split));
    ASSIGN_OR_RETURN(std::string rhs, expr(*b->rhs, indent, split));
    ScalarType t = b->lhs->type;
    ASSIGN_OR_RETURN(std::string r, binary(b->op, computeType(t), widen(t, lhs), widen(t, rhs)));
    return kir::isComparison(b->op) ? r : narrow(t, r);
  }
  if (auto* s = e.as<kir::SelectExpr>()) {
    // A conditional expression, so a guarded load (padding) is not made.
    ASSIGN_OR_RETURN(std::string c, expr(*s->cond, indent, split));
    ASSIGN_OR_RETURN(std::string a, expr(*s->if_true, indent, split));
    ASSIGN_OR_RETURN(std::string b, expr(*s->if_false, indent, split));
    return strCat("(", c, " ? ", a, " : ", b, ")");
  }
  if (auto* c = e.as<kir::CastExpr>()) {
    ASSIGN_OR_RETURN(std::string x, expr(*c->x, indent, split));
    return cast(c->x->type, e.type, x);
  }
  if (auto* r = e.as<kir::ReduceExpr>()) return reduction(e, *r, indent, split);
  return absl::InternalError("cuda: unknown expression");
}

absl::StatusOr<std::string> BodyWriter::reduction(const Expr& e, const kir::ReduceExpr& r, int indent, bool split) {
  if (split && overrides_.reduce) {
    ASSIGN_OR_RETURN(std::optional<std::string> done, overrides_.reduce(e, r, indent));
    if (done) return *done;
  }
  ScalarType acc_type = accumulatorType(e.type);
  std::string identity = identityText(r.op, e.type);
  std::string acc = temp("acc");
  std::string k = varName(r.var);
  std::string combine(combiner(r.op));
  line(indent, strCat(cudaType(acc_type), " ", acc, " = ", identity, ";"));
  if (split)
    line(indent, strCat("for (long long ", k, " = ", r.lo, "LL + (long long)threadIdx.x; ", k, " < ", r.hi, "LL; ", k,
                        " += blockDim.x) {"));
  else
    line(indent, strCat("for (long long ", k, " = ", r.lo, "LL; ", k, " < ", r.hi, "LL; ++", k, ") {"));
  // The body is per thread: reductions inside it are sequential.
  ASSIGN_OR_RETURN(std::string body, expr(*r.body, indent + 1, false));
  line(indent + 1, strCat(acc, " = ", combine, "(", acc, ", ", toWider(e.type, body), ");"));
  line(indent, "}");
  if (split)
    line(indent, strCat(acc, " = dlc_block_reduce<", static_cast<int>(r.op), ">(", acc, ", (", cudaType(acc_type), ")",
                        identity, ");"));
  ASSIGN_OR_RETURN(std::string init, expr(*r.init, indent, split));
  line(indent, strCat(acc, " = ", combine, "(", toWider(e.type, init), ", ", acc, ");"));
  return fromWider(e.type, acc);
}

absl::Status BodyWriter::store(const kir::StoreStmt& s, const std::string& index, const std::string& value, int indent,
                               bool atomic) {
  const kir::Buffer& buffer = kernel_.buffers[s.buffer];
  std::string target = strCat(bufferName(s.buffer), "[", index, "]");
  if (!s.accumulate) {
    if (overrides_.store_target)
      if (std::optional<std::string> lane = overrides_.store_target(s)) target = *lane;
    line(indent, strCat(target, " = ", value, ";"));
    return absl::OkStatus();
  }
  ScalarType t = buffer.dtype;
  if (atomic && buffer.role != kir::BufferRole::kLocal) {
    if (t == ScalarType::kBool)
      return absl::InvalidArgumentError(strCat("cuda: accumulating store to bool buffer '", buffer.name, "'"));
    if (t == ScalarType::kI64)  // two's complement: unsigned addition is the same sum
      line(indent, strCat("atomicAdd(reinterpret_cast<unsigned long long*>(&", target, "), (unsigned long long)(",
                          value, "));"));
    else
      line(indent, strCat("atomicAdd(&", target, ", ", value, ");"));
    return absl::OkStatus();
  }
  std::string at = temp("at");
  std::string element = strCat(bufferName(s.buffer), "[", at, "]");
  ASSIGN_OR_RETURN(std::string sum, binary(kir::BinaryOp::kAdd, computeType(t), widen(t, element), widen(t, value)));
  line(indent, strCat("{ const long long ", at, " = ", index, "; ", element, " = ", narrow(t, sum), "; }"));
  return absl::OkStatus();
}

absl::Status BodyWriter::thread(std::span<const Stmt> stmts, int indent, bool concurrent) {
  for (const Stmt& stmt : stmts) {
    if (auto* f = stmt.as<ForStmt>()) {
      std::string v = varName(f->var);
      if (f->kind == LoopKind::kUnroll) line(indent, "#pragma unroll");
      line(indent, strCat("for (long long ", v, " = ", f->lo, "LL; ", v, " < ", f->hi, "LL; ++", v, ") {"));
      RETURN_IF_ERROR(thread(f->body, indent + 1, concurrent));
      line(indent, "}");
    } else if (auto* l = stmt.as<kir::LetStmt>()) {
      ASSIGN_OR_RETURN(std::string value, expr(*l->value, indent, false));
      line(indent, strCat(overrides_.lets_maybe_unused ? "[[maybe_unused]] " : "", "const ", cudaType(l->var.type), " ",
                          varName(l->var), " = ", value, ";"));
    } else if (auto* s = stmt.as<kir::StoreStmt>()) {
      ASSIGN_OR_RETURN(std::string index, expr(*s->index, indent, false));
      ASSIGN_OR_RETURN(std::string value, expr(*s->value, indent, false));
      RETURN_IF_ERROR(store(*s, index, value, indent, concurrent));
    } else if (auto* i = stmt.as<kir::IfStmt>()) {
      ASSIGN_OR_RETURN(std::string cond, expr(*i->cond, indent, false));
      line(indent, strCat("if (", cond, ") {"));
      RETURN_IF_ERROR(thread(i->then_body, indent + 1, concurrent));
      line(indent, "}");
    }
  }
  return absl::OkStatus();
}

// Statements without block work run on thread 0; a barrier then publishes
// what it wrote (to a shared local, say) to the block.
absl::Status BodyWriter::block(std::span<const Stmt> stmts, int indent, bool other_blocks) {
  auto on_thread0 = [&](const Stmt& stmt) -> absl::Status {
    line(indent, "if (threadIdx.x == 0) {");
    RETURN_IF_ERROR(thread(std::span(&stmt, 1), indent + 1, other_blocks));
    line(indent, "}");
    line(indent, "__syncthreads();");
    return absl::OkStatus();
  };
  for (const Stmt& stmt : stmts) {
    if (auto* f = stmt.as<ForStmt>()) {
      std::string v = varName(f->var);
      if (isSplitLoop(*f)) {
        line(indent, strCat("for (long long ", v, " = ", f->lo, "LL + (long long)threadIdx.x; ", v, " < ", f->hi,
                            "LL; ", v, " += blockDim.x) {"));
        RETURN_IF_ERROR(thread(f->body, indent + 1, true));
        line(indent, "}");
        line(indent, "__syncthreads();");
      } else if (hasBlockWork(stmt)) {  // a uniform serial loop around block work
        line(indent, strCat("for (long long ", v, " = ", f->lo, "LL; ", v, " < ", f->hi, "LL; ++", v, ") {"));
        RETURN_IF_ERROR(block(f->body, indent + 1, other_blocks));
        line(indent, "}");
      } else {
        RETURN_IF_ERROR(on_thread0(stmt));
      }
    } else if (auto* l = stmt.as<kir::LetStmt>()) {
      ASSIGN_OR_RETURN(std::string value, expr(*l->value, indent, true));
      line(indent, strCat("const ", cudaType(l->var.type), " ", varName(l->var), " = ", value, ";"));
    } else if (auto* s = stmt.as<kir::StoreStmt>()) {
      if (!hasBlockWork(stmt)) {
        RETURN_IF_ERROR(on_thread0(stmt));
        continue;
      }
      ASSIGN_OR_RETURN(std::string index, expr(*s->index, indent, true));
      ASSIGN_OR_RETURN(std::string value, expr(*s->value, indent, true));
      line(indent, "if (threadIdx.x == 0) {");
      RETURN_IF_ERROR(store(*s, index, value, indent + 1, other_blocks));
      line(indent, "}");
      line(indent, "__syncthreads();");
    } else if (auto* i = stmt.as<kir::IfStmt>()) {
      // Block-level scalars are uniform, so every thread takes the same branch.
      ASSIGN_OR_RETURN(std::string cond, expr(*i->cond, indent, true));
      line(indent, strCat("if (", cond, ") {"));
      RETURN_IF_ERROR(block(i->then_body, indent + 1, other_blocks));
      line(indent, "}");
    }
  }
  return absl::OkStatus();
}

}  // namespace dlc::codegen::cuda
