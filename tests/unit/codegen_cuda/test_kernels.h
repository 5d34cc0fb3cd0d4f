// Kernels in the shapes fusion produces, built with the kernel IR builders,
// for the CUDA emitter's tests.
#ifndef DLC_TESTS_UNIT_CODEGEN_CUDA_TEST_KERNELS_H_
#define DLC_TESTS_UNIT_CODEGEN_CUDA_TEST_KERNELS_H_

#include <cstdint>
#include <string>
#include <utility>

#include "ir/kernel/kernel_ir.h"

namespace dlc::testing_kernels {

using namespace dlc::kir;  // NOLINT: builders read like the IR's text
using T = ScalarType;

inline ExprRef op(BinaryOp o, ExprRef a, ExprRef b) { return binary(o, std::move(a), std::move(b)); }
inline ExprRef add(ExprRef a, ExprRef b) { return op(BinaryOp::kAdd, a, b); }
inline ExprRef sub(ExprRef a, ExprRef b) { return op(BinaryOp::kSub, a, b); }
inline ExprRef mul(ExprRef a, ExprRef b) { return op(BinaryOp::kMul, a, b); }
inline ExprRef div(ExprRef a, ExprRef b) { return op(BinaryOp::kDiv, a, b); }
inline ExprRef f32(double v) { return constant(T::kF32, v); }
// row * width + col
inline ExprRef at(const Var& row, int64_t width, const Var& col) { return add(mul(var(row), index(width)), var(col)); }

inline Stmt forLoop(Var v, int64_t lo, int64_t hi, LoopKind kind, StmtList body) {
  return Stmt{ForStmt{std::move(v), lo, hi, kind, std::move(body)}};
}
inline Stmt let(Var v, ExprRef value) { return Stmt{LetStmt{std::move(v), std::move(value)}}; }
inline Stmt store(BufferId b, ExprRef index, ExprRef value, bool accumulate = false) {
  return Stmt{StoreStmt{b, std::move(index), std::move(value), accumulate}};
}

// y = relu(tanh(x * 2 + b[col]) * x) over [rows, cols], b broadcast on rows.
inline Kernel elementwiseChain(int64_t rows = 64, int64_t cols = 12) {
  Kernel k{"fused_bias_relu", "add, tanh, mul, relu at m.dl:7", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, rows * cols, BufferRole::kIn});
  BufferId b = k.addBuffer({"b", T::kF32, cols, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF32, rows * cols, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i"), j = k.newVar(T::kI64, "j"), t = k.newVar(T::kF32, "t");
  ExprRef xv = load(x, T::kF32, at(i, cols, j));
  StmtList inner = {let(t, unary(UnaryOp::kTanh, add(mul(xv, f32(2.0)), load(b, T::kF32, var(j))))),
                    store(y, at(i, cols, j), op(BinaryOp::kMax, mul(var(t), xv), f32(0.0)))};
  k.body.push_back(forLoop(i, 0, rows, LoopKind::kParallel, {forLoop(j, 0, cols, LoopKind::kVector, inner)}));
  return k;
}

// Softmax over the rows of x[rows, cols]: max, sum of exp, then normalize.
inline Kernel softmaxRows(int64_t rows = 32, int64_t cols = 1000) {
  Kernel k{"softmax", "softmax at m.dl:9", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, rows * cols, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF32, rows * cols, BufferRole::kOut});
  Var r = k.newVar(T::kI64, "r"), m = k.newVar(T::kF32, "m"), s = k.newVar(T::kF32, "s");
  Var k1 = k.newVar(T::kI64, "k"), k2 = k.newVar(T::kI64, "k"), j = k.newVar(T::kI64, "j");
  auto shifted = [&](const Var& c) { return unary(UnaryOp::kExp, sub(load(x, T::kF32, at(r, cols, c)), var(m))); };
  StmtList row = {let(m, reduce(ReduceOp::kMax, k1, 0, cols, reduceIdentity(ReduceOp::kMax, T::kF32),
                                load(x, T::kF32, at(r, cols, k1)))),
                  let(s, reduce(ReduceOp::kAdd, k2, 0, cols, f32(0.0), shifted(k2))),
                  forLoop(j, 0, cols, LoopKind::kVector, {store(y, at(r, cols, j), div(shifted(j), var(s)))})};
  k.body.push_back(forLoop(r, 0, rows, LoopKind::kParallel, row));
  return k;
}

// Layer normalization of x[rows, cols] with gamma, beta; also stores each
// row's mean (a row-level store).
inline Kernel layernorm(int64_t rows = 16, int64_t cols = 768) {
  Kernel k{"layernorm", "layernorm at m.dl:12", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, rows * cols, BufferRole::kIn});
  BufferId g = k.addBuffer({"gamma", T::kF32, cols, BufferRole::kIn});
  BufferId b = k.addBuffer({"beta", T::kF32, cols, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF32, rows * cols, BufferRole::kOut});
  BufferId means = k.addBuffer({"mean", T::kF32, rows, BufferRole::kOut});
  Var r = k.newVar(T::kI64, "r"), mean = k.newVar(T::kF32, "mean"), var_ = k.newVar(T::kF32, "var");
  Var k1 = k.newVar(T::kI64, "k"), k2 = k.newVar(T::kI64, "k"), j = k.newVar(T::kI64, "j");
  auto xv = [&](const Var& c) { return load(x, T::kF32, at(r, cols, c)); };
  ExprRef n = f32(static_cast<double>(cols));
  ExprRef d2 = sub(xv(k2), var(mean));
  StmtList row = {let(mean, div(reduce(ReduceOp::kAdd, k1, 0, cols, f32(0.0), xv(k1)), n)),
                  let(var_, div(reduce(ReduceOp::kAdd, k2, 0, cols, f32(0.0), mul(d2, d2)), n)),
                  store(means, var(r), var(mean)),
                  forLoop(j, 0, cols, LoopKind::kParallel,
                          {store(y, at(r, cols, j),
                                 add(mul(mul(sub(xv(j), var(mean)), unary(UnaryOp::kRsqrt, add(var(var_), f32(1e-5)))),
                                         load(g, T::kF32, var(j))),
                                     load(b, T::kF32, var(j))))})};
  k.body.push_back(forLoop(r, 0, rows, LoopKind::kParallel, row));
  return k;
}

// out[0] = sum of x: no loop at all, one reduction over the whole tensor.
inline Kernel wholeSum(int64_t n = 100000) {
  Kernel k{"sum_all", "reduce_sum at m.dl:3", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, n, BufferRole::kIn});
  BufferId out = k.addBuffer({"out", T::kF32, 1, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i");
  k.body.push_back(store(out, index(0), reduce(ReduceOp::kAdd, i, 0, n, f32(0.0), load(x, T::kF32, var(i)))));
  return k;
}

// Embedding gradient: zero the table, then table[ids[t]] += g[t] (rows of
// width dim), a scatter whose rows collide.
inline Kernel scatterAccumulate(int64_t tokens = 300, int64_t vocab = 50, int64_t dim = 16) {
  Kernel k{"embedding_grad", "embedding_grad at m.dl:5", {}, {}, 0};
  BufferId ids = k.addBuffer({"ids", T::kI64, tokens, BufferRole::kIn});
  BufferId g = k.addBuffer({"g", T::kF32, tokens * dim, BufferRole::kIn});
  BufferId table = k.addBuffer({"table", T::kF32, vocab * dim, BufferRole::kOut});
  Var z = k.newVar(T::kI64, "z"), t = k.newVar(T::kI64, "t"), d = k.newVar(T::kI64, "d");
  k.body.push_back(forLoop(z, 0, vocab * dim, LoopKind::kParallel, {store(table, var(z), f32(0.0))}));
  ExprRef row = load(ids, T::kI64, var(t));
  k.body.push_back(
      forLoop(t, 0, tokens, LoopKind::kParallel,
              {forLoop(d, 0, dim, LoopKind::kVector,
                       {store(table, add(mul(row, index(dim)), var(d)), load(g, T::kF32, at(t, dim, d)), true)})}));
  return k;
}

// y(f16) = f16(f32(x) * 0.5 + f32(w(bf16))); also a bf16 copy.
inline Kernel halfCasts(int64_t n = 1024) {
  Kernel k{"half_casts", "cast at m.dl:4", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF16, n, BufferRole::kIn});
  BufferId w = k.addBuffer({"w", T::kBF16, n, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF16, n, BufferRole::kOut});
  BufferId z = k.addBuffer({"z", T::kBF16, n, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i");
  ExprRef xv = cast(T::kF32, load(x, T::kF16, var(i)));
  ExprRef h = mul(load(x, T::kF16, var(i)), constant(T::kF16, 0.5));  // f16 arithmetic
  k.body.push_back(
      forLoop(i, 0, n, LoopKind::kParallel,
              {store(y, var(i), cast(T::kF16, add(mul(xv, f32(0.5)), cast(T::kF32, load(w, T::kBF16, var(i)))))),
               store(z, var(i), cast(T::kBF16, add(cast(T::kF32, h), f32(1.0))))}));
  return k;
}

// Keyed-randomness hash: wrapping i64 multiply, xor and logical shifts.
inline Kernel hashBits(int64_t n = 4096) {
  Kernel k{"hash", "dropout at m.dl:6", {}, {}, 0};
  BufferId seed = k.addBuffer({"state", T::kI64, 2, BufferRole::kIn});
  BufferId out = k.addBuffer({"bits", T::kI64, n, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i"), h = k.newVar(T::kI64, "h");
  ExprRef x = op(BinaryOp::kXor, var(i), load(seed, T::kI64, index(0)));
  ExprRef mixed =
      mul(op(BinaryOp::kXor, x, op(BinaryOp::kShr, x, index(33))), index(static_cast<int64_t>(0xff51afd7ed558ccdULL)));
  k.body.push_back(
      forLoop(i, 0, n, LoopKind::kParallel,
              {let(h, mixed), store(out, var(i), op(BinaryOp::kXor, var(h), op(BinaryOp::kShl, var(h), index(7))))}));
  return k;
}

// A per-iteration local array: reverse each group of 4.
inline Kernel localReverse(int64_t groups = 256) {
  Kernel k{"reverse4", "reverse at m.dl:2", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, groups * 4, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF32, groups * 4, BufferRole::kOut});
  BufferId tmp = k.addBuffer({"tmp", T::kF32, 4, BufferRole::kLocal});
  Var g = k.newVar(T::kI64, "g"), a = k.newVar(T::kI64, "a"), c = k.newVar(T::kI64, "c");
  k.body.push_back(forLoop(
      g, 0, groups, LoopKind::kParallel,
      {forLoop(a, 0, 4, LoopKind::kUnroll, {store(tmp, var(a), load(x, T::kF32, at(g, 4, a)))}),
       forLoop(c, 0, 4, LoopKind::kSerial, {store(y, at(g, 4, c), load(tmp, T::kF32, sub(index(3), var(c))))})}));
  return k;
}

// c[i, j] = sum_k a[i, k] * b[k, j]: a reduction in a perfect nest stays
// sequential per thread; includes an `if`.
inline Kernel matmulReduce(int64_t m = 32, int64_t n = 24, int64_t kk = 20) {
  Kernel k{"matmul", "matmul at m.dl:8", {}, {}, 0};
  BufferId a = k.addBuffer({"a", T::kF32, m * kk, BufferRole::kIn});
  BufferId b = k.addBuffer({"b", T::kF32, kk * n, BufferRole::kIn});
  BufferId c = k.addBuffer({"c", T::kF32, m * n, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i"), j = k.newVar(T::kI64, "j"), r = k.newVar(T::kI64, "k");
  ExprRef body = mul(load(a, T::kF32, at(i, kk, r)), load(b, T::kF32, at(r, n, j)));
  ExprRef sum = reduce(ReduceOp::kAdd, r, 0, kk, f32(0.0), body);
  StmtList inner = {Stmt{IfStmt{op(BinaryOp::kLt, var(j), index(n)), {store(c, at(i, n, j), sum)}}}};
  k.body.push_back(forLoop(i, 0, m, LoopKind::kParallel, {forLoop(j, 0, n, LoopKind::kParallel, inner)}));
  return k;
}

// A recurrence: a serial loop over steps around a parallel loop.
inline Kernel recurrence(int64_t steps = 8, int64_t width = 64) {
  Kernel k{"scan_steps", "lstm at m.dl:11", {}, {}, 0};
  BufferId h = k.addBuffer({"h", T::kF32, (steps + 1) * width, BufferRole::kInOut});
  Var t = k.newVar(T::kI64, "t"), j = k.newVar(T::kI64, "j");
  ExprRef prev = load(h, T::kF32, add(mul(var(t), index(width)), var(j)));
  k.body.push_back(forLoop(
      t, 0, steps, LoopKind::kSerial,
      {forLoop(j, 0, width, LoopKind::kParallel,
               {store(h, add(mul(add(var(t), index(1)), index(width)), var(j)), unary(UnaryOp::kTanh, prev))})}));
  return k;
}

// Softmax through a row-sized local array: exp once, then sum and divide.
// The local is shared by the block that works on the row.
inline Kernel softmaxLocal(int64_t rows = 8, int64_t cols = 500) {
  Kernel k{"softmax_local", "softmax at m.dl:10", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, rows * cols, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF32, rows * cols, BufferRole::kOut});
  BufferId e = k.addBuffer({"e", T::kF32, cols, BufferRole::kLocal});
  Var r = k.newVar(T::kI64, "r"), m = k.newVar(T::kF32, "m"), s = k.newVar(T::kF32, "s");
  Var k1 = k.newVar(T::kI64, "k"), k2 = k.newVar(T::kI64, "k"), j = k.newVar(T::kI64, "j"), j2 = k.newVar(T::kI64, "j");
  StmtList row = {
      let(m, reduce(ReduceOp::kMax, k1, 0, cols, reduceIdentity(ReduceOp::kMax, T::kF32),
                    load(x, T::kF32, at(r, cols, k1)))),
      forLoop(j, 0, cols, LoopKind::kParallel,
              {store(e, var(j), unary(UnaryOp::kExp, sub(load(x, T::kF32, at(r, cols, j)), var(m))))}),
      let(s, reduce(ReduceOp::kAdd, k2, 0, cols, f32(0.0), load(e, T::kF32, var(k2)))),
      forLoop(j2, 0, cols, LoopKind::kParallel, {store(y, at(r, cols, j2), div(load(e, T::kF32, var(j2)), var(s)))})};
  k.body.push_back(forLoop(r, 0, rows, LoopKind::kParallel, row));
  return k;
}

// y[i] = x[i + 1]: a contiguous read that no pack can start aligned.
inline Kernel shiftedCopy(int64_t n = 1001) {
  Kernel k{"shifted_copy", "slice at m.dl:3", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, n + 1, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", T::kF32, n, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i");
  k.body.push_back(forLoop(i, 0, n, LoopKind::kParallel, {store(y, var(i), load(x, T::kF32, add(var(i), index(1))))}));
  return k;
}

// dx = x > 0 ? g : 0: the read of g is in a select's branch.
inline Kernel reluGrad(int64_t n = 1027) {
  Kernel k{"relu_grad", "relu gradient at m.dl:8", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, n, BufferRole::kIn});
  BufferId g = k.addBuffer({"g", T::kF32, n, BufferRole::kIn});
  BufferId dx = k.addBuffer({"dx", T::kF32, n, BufferRole::kOut});
  Var i = k.newVar(T::kI64, "i");
  ExprRef positive = op(BinaryOp::kGt, load(x, T::kF32, var(i)), f32(0.0));
  k.body.push_back(
      forLoop(i, 0, n, LoopKind::kParallel, {store(dx, var(i), select(positive, load(g, T::kF32, var(i)), f32(0.0)))}));
  return k;
}

// out[c] = sum over rows of x[r, c] (NHWC: the channel moves fastest), the
// shape of a bias gradient.
inline Kernel channelSum(int64_t rows = 300000, int64_t channels = 64) {
  Kernel k{"channel_sum", "reduce_sum at m.dl:4", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, rows * channels, BufferRole::kIn});
  BufferId out = k.addBuffer({"out", T::kF32, channels, BufferRole::kOut});
  Var c = k.newVar(T::kI64, "c"), r = k.newVar(T::kI64, "r"), s = k.newVar(T::kF32, "s");
  k.body.push_back(forLoop(c, 0, channels, LoopKind::kParallel,
                           {let(s, reduce(ReduceOp::kAdd, r, 0, rows, f32(0.0), load(x, T::kF32, at(r, channels, c)))),
                            store(out, var(c), var(s))}));
  return k;
}

// Per-channel mean and variance of x[rows, channels], the variance reading
// the mean: batchnorm's statistics, in two reduction stages.
inline Kernel channelMoments(int64_t rows = 5000, int64_t channels = 24) {
  Kernel k{"channel_moments", "batchnorm statistics at m.dl:6", {}, {}, 0};
  BufferId x = k.addBuffer({"x", T::kF32, rows * channels, BufferRole::kIn});
  BufferId mean_out = k.addBuffer({"mean", T::kF32, channels, BufferRole::kOut});
  BufferId var_out = k.addBuffer({"var", T::kF32, channels, BufferRole::kOut});
  Var c = k.newVar(T::kI64, "c"), mean = k.newVar(T::kF32, "mean"), variance = k.newVar(T::kF32, "variance");
  Var r1 = k.newVar(T::kI64, "r"), r2 = k.newVar(T::kI64, "r");
  ExprRef n = f32(static_cast<double>(rows));
  ExprRef d = sub(load(x, T::kF32, at(r2, channels, c)), var(mean));
  k.body.push_back(
      forLoop(c, 0, channels, LoopKind::kParallel,
              {let(mean, div(reduce(ReduceOp::kAdd, r1, 0, rows, f32(0.0), load(x, T::kF32, at(r1, channels, c))), n)),
               let(variance, div(reduce(ReduceOp::kAdd, r2, 0, rows, f32(0.0), mul(d, d)), n)),
               store(mean_out, var(c), var(mean)), store(var_out, var(c), var(variance))}));
  return k;
}

inline Kernel named(Kernel k, std::string name) {
  k.name = std::move(name);
  return k;
}

inline KernelModule allKernels() {
  KernelModule m;
  for (Kernel k : {elementwiseChain(),
                   softmaxRows(),
                   layernorm(),
                   wholeSum(),
                   scatterAccumulate(),
                   halfCasts(),
                   hashBits(),
                   localReverse(),
                   matmulReduce(),
                   recurrence(),
                   softmaxLocal(),
                   named(elementwiseChain(5, 7), "chain_tail"),
                   shiftedCopy(),
                   reluGrad(),
                   named(softmaxRows(70, 10), "softmax_short"),
                   named(softmaxRows(9, 1001), "softmax_odd"),
                   named(softmaxRows(16, 1024), "softmax_1024"),
                   named(layernorm(70, 10), "layernorm_short"),
                   named(layernorm(9, 1000), "layernorm_1000"),
                   named(layernorm(12, 1024), "layernorm_1024"),
                   channelSum(),
                   channelMoments(),
                   named(wholeSum(100001), "sum_odd")})
    m.kernels.push_back(std::move(k));
  return m;
}

}  // namespace dlc::testing_kernels

#endif  // DLC_TESTS_UNIT_CODEGEN_CUDA_TEST_KERNELS_H_
