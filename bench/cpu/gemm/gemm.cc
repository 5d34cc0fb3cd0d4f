#include "bench/cpu/gemm/gemm.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "support/int_math.h"

namespace dlc::codegen {
namespace {

using kir::BinaryOp;
using kir::ExprRef;
using kir::LoopKind;
using kir::ScalarType;
using kir::Stmt;
using kir::StmtList;

ExprRef idx(int64_t v) { return kir::index(v); }
ExprRef add(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kAdd, std::move(a), std::move(b)); }
ExprRef mul(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kMul, std::move(a), std::move(b)); }
ExprRef lt(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kLt, std::move(a), std::move(b)); }
ExprRef eq(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kEq, std::move(a), std::move(b)); }
ExprRef boolean(bool v) { return kir::constant(ScalarType::kBool, v ? 1 : 0); }
ExprRef f32(double v) { return kir::constant(ScalarType::kF32, v); }

Stmt loop(const kir::Var& v, int64_t hi, LoopKind kind, StmtList body) {
  return Stmt{kir::ForStmt{v, 0, hi, kind, std::move(body)}};
}
Stmt let(const kir::Var& v, ExprRef value) { return Stmt{kir::LetStmt{v, std::move(value)}}; }
Stmt store(kir::BufferId b, ExprRef index, ExprRef value, bool accumulate = false) {
  return Stmt{kir::StoreStmt{b, std::move(index), std::move(value), accumulate}};
}
// `body` under `cond`, or unguarded when the guard is statically true.
StmtList guarded(bool needed, ExprRef cond, StmtList body) {
  if (!needed) return body;
  return {Stmt{kir::IfStmt{std::move(cond), std::move(body)}}};
}

class GemmBuilder {
 public:
  GemmBuilder(std::string name, int64_t m, int64_t n, int64_t k, const GemmOptions& o)
      : m_(m), n_(n), k_(k), o_(o), m_panels_(ceilDiv(m, o.mr)) {
    kernel_.name = std::move(name);
    kernel_.origin = "matmul";
    int64_t kc = std::min(o.kc, k), nc = std::min(o.nc, n);
    a_ = kernel_.addBuffer({"a", ScalarType::kF32, m * k, kir::BufferRole::kIn});
    b_ = kernel_.addBuffer({"b", ScalarType::kF32, k * n, kir::BufferRole::kIn});
    if (o.bias) bias_ = kernel_.addBuffer({"bias", ScalarType::kF32, n, kir::BufferRole::kIn});
    c_ = kernel_.addBuffer(
        {"c", ScalarType::kF32, m * n, o.accumulate ? kir::BufferRole::kInOut : kir::BufferRole::kOut});
    a_pack_ = kernel_.addBuffer({"a_pack", ScalarType::kF32, m_panels_ * o.mr * kc, kir::BufferRole::kScratch});
    b_pack_ = kernel_.addBuffer({"b_pack", ScalarType::kF32, ceilDiv(nc, o.nr) * o.nr * kc, kir::BufferRole::kScratch});
    acc_ = kernel_.addBuffer({"acc", ScalarType::kF32, o.mr * o.nr, kir::BufferRole::kLocal});
  }

  kir::Kernel build() {
    // Full NC blocks in a loop, then the partial one.
    int64_t full = n_ / o_.nc, rest = n_ % o_.nc;
    if (full > 0) {
      kir::Var jq = var("jq");
      kernel_.body.push_back(loop(jq, full, LoopKind::kSerial, kBlocks(mul(kir::var(jq), idx(o_.nc)), o_.nc)));
    }
    if (rest > 0) appendAll(kernel_.body, kBlocks(idx(full * o_.nc), rest));
    return std::move(kernel_);
  }

 private:
  kir::Var var(const char* name) { return kernel_.newVar(ScalarType::kI64, name); }
  static void appendAll(StmtList& to, StmtList from) {
    for (Stmt& s : from) to.push_back(std::move(s));
  }

  // The KC blocks of one NC block (columns [jc, jc + ncols) of C).
  StmtList kBlocks(ExprRef jc, int64_t ncols) {
    StmtList out;
    int64_t full = k_ / o_.kc, rest = k_ % o_.kc;
    if (full > 0) {
      kir::Var q = var("pq");
      ExprRef first = eq(kir::var(q), idx(0));
      ExprRef last = rest > 0 ? boolean(false) : eq(kir::var(q), idx(full - 1));
      out.push_back(
          loop(q, full, LoopKind::kSerial, block(jc, ncols, mul(kir::var(q), idx(o_.kc)), o_.kc, first, last)));
    }
    if (rest > 0) appendAll(out, block(jc, ncols, idx(full * o_.kc), rest, boolean(full == 0), boolean(true)));
    return out;
  }

  // One (NC, KC) block: pack, then the parallel micro-kernel loops.
  StmtList block(ExprRef jc, int64_t ncols, ExprRef pc, int64_t kc, ExprRef first, ExprRef last) {
    StmtList out;
    out.push_back(packB(jc, ncols, pc, kc));
    out.push_back(packA(pc, kc));
    out.push_back(compute(jc, ncols, kc, std::move(first), std::move(last)));
    return out;
  }

  // b_pack[jp][p][j] = B[pc + p, jc + jp * NR + j], zero past the block.
  Stmt packB(ExprRef jc, int64_t ncols, ExprRef pc, int64_t kc) {
    kir::Var jp = var("jp"), p = var("p"), j = var("j");
    ExprRef local_col = add(mul(kir::var(jp), idx(o_.nr)), kir::var(j));
    ExprRef col = add(jc, local_col);
    ExprRef row = add(pc, kir::var(p));
    ExprRef at = o_.transpose_b ? add(mul(col, idx(k_)), row) : add(mul(row, idx(n_)), col);
    ExprRef value = kir::load(b_, ScalarType::kF32, at);
    if (ncols % o_.nr != 0) value = kir::select(lt(local_col, idx(ncols)), value, f32(0));
    ExprRef dst = add(add(mul(kir::var(jp), idx(kc * o_.nr)), mul(kir::var(p), idx(o_.nr))), kir::var(j));
    return loop(jp, ceilDiv(ncols, o_.nr), LoopKind::kParallel,
                {loop(p, kc, LoopKind::kSerial, {loop(j, o_.nr, LoopKind::kVector, {store(b_pack_, dst, value)})})});
  }

  // a_pack[ip][p][i] = A[ip * MR + i, pc + p], zero past M.
  Stmt packA(ExprRef pc, int64_t kc) {
    kir::Var ip = var("ip"), p = var("p"), i = var("i");
    ExprRef row = add(mul(kir::var(ip), idx(o_.mr)), kir::var(i));
    ExprRef col = add(pc, kir::var(p));
    ExprRef at = o_.transpose_a ? add(mul(col, idx(m_)), row) : add(mul(row, idx(k_)), col);
    ExprRef value = kir::load(a_, ScalarType::kF32, at);
    if (m_ % o_.mr != 0) value = kir::select(lt(row, idx(m_)), value, f32(0));
    ExprRef dst = add(add(mul(kir::var(ip), idx(kc * o_.mr)), mul(kir::var(p), idx(o_.mr))), kir::var(i));
    return loop(ip, m_panels_, LoopKind::kParallel,
                {loop(p, kc, LoopKind::kSerial, {loop(i, o_.mr, LoopKind::kUnroll, {store(a_pack_, dst, value)})})});
  }

  Stmt compute(ExprRef jc, int64_t ncols, int64_t kc, ExprRef first, ExprRef last) {
    kir::Var ir = var("ir"), jr = var("jr");
    ExprRef ir_v = kir::var(ir), jr_v = kir::var(jr);
    StmtList tile;

    // acc = 0
    kir::Var i0 = var("i"), j0 = var("j");
    tile.push_back(loop(
        i0, o_.mr, LoopKind::kUnroll,
        {loop(j0, o_.nr, LoopKind::kVector, {store(acc_, add(mul(kir::var(i0), idx(o_.nr)), kir::var(j0)), f32(0))})}));

    // acc += a_pack panel (MR x kc) x b_pack panel (kc x NR)
    kir::Var p = var("p"), i = var("i"), j = var("j"), a = kernel_.newVar(ScalarType::kF32, "a");
    ExprRef a_at = add(add(mul(ir_v, idx(kc * o_.mr)), mul(kir::var(p), idx(o_.mr))), kir::var(i));
    ExprRef b_at = add(add(mul(jr_v, idx(kc * o_.nr)), mul(kir::var(p), idx(o_.nr))), kir::var(j));
    ExprRef product = mul(kir::var(a), kir::load(b_pack_, ScalarType::kF32, b_at));
    tile.push_back(loop(
        p, kc, LoopKind::kSerial,
        {loop(i, o_.mr, LoopKind::kUnroll,
              {
                  let(a, kir::load(a_pack_, ScalarType::kF32, a_at)),
                  loop(j, o_.nr, LoopKind::kVector,
                       {store(acc_, add(mul(kir::var(i), idx(o_.nr)), kir::var(j)), product, /*accumulate=*/true)}),
              })}));

    tile.push_back(writeBack(jc, ncols, ir_v, jr_v, std::move(first), std::move(last)));
    return loop(ir, m_panels_, LoopKind::kParallel,
                {loop(jr, ceilDiv(ncols, o_.nr), LoopKind::kSerial, std::move(tile))});
  }

  // C tile (+)= acc, then bias and relu after the last KC block.
  Stmt writeBack(ExprRef jc, int64_t ncols, ExprRef ir, ExprRef jr, ExprRef first, ExprRef last) {
    kir::Var i = var("i"), j = var("j");
    ExprRef row = add(mul(ir, idx(o_.mr)), kir::var(i));
    ExprRef local_col = add(mul(jr, idx(o_.nr)), kir::var(j));
    ExprRef col = add(jc, local_col);
    ExprRef at = add(mul(row, idx(n_)), col);
    ExprRef value = kir::load(acc_, ScalarType::kF32, add(mul(kir::var(i), idx(o_.nr)), kir::var(j)));
    ExprRef old = kir::load(c_, ScalarType::kF32, at);
    value = add(value, o_.accumulate ? old : kir::select(first, f32(0), old));
    if (o_.bias) value = kir::select(last, add(value, kir::load(bias_, ScalarType::kF32, col)), value);
    if (o_.relu) value = kir::select(last, kir::binary(BinaryOp::kMax, value, f32(0)), value);
    StmtList row_body = {loop(j, o_.nr, LoopKind::kVector,
                              guarded(ncols % o_.nr != 0, lt(local_col, idx(ncols)), {store(c_, at, value)}))};
    return loop(i, o_.mr, LoopKind::kUnroll, guarded(m_ % o_.mr != 0, lt(row, idx(m_)), std::move(row_body)));
  }

  int64_t m_, n_, k_;
  GemmOptions o_;
  int64_t m_panels_;
  kir::Kernel kernel_;
  kir::BufferId a_ = -1, b_ = -1, bias_ = -1, c_ = -1, a_pack_ = -1, b_pack_ = -1, acc_ = -1;
};

}  // namespace

kir::Kernel buildGemm(std::string name, int64_t m, int64_t n, int64_t k, const GemmOptions& options) {
  assert(m > 0 && n > 0 && k > 0 && options.mr > 0 && options.nr > 0 && options.kc > 0 && options.nc > 0);
  return GemmBuilder(std::move(name), m, n, k, options).build();
}

}  // namespace dlc::codegen
