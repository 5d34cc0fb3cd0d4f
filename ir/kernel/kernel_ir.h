// The kernel IR: the loop-level IR that fused groups lower to and that both
// code generators (LLVM for the CPU, CUDA C++ for NVRTC) consume. It is small
// on purpose: loops with schedule marks, index arithmetic, loads, stores,
// scalar ops and reductions. Backends translate these constructs, never graph
// ops. Library calls (cuBLASLt, cuDNN) are not kernel IR: they are steps of
// the executable (runtime/library_call.h) between kernels.
//
// A kernel works on flat buffers of a static number of elements (shapes are
// concrete here: a compiled function is specialised per input shape).
// Expressions are immutable trees shared through ExprRef, so fusion can
// substitute a producer's expression into its consumers without copying;
// `let` names a value used more than once.
//
// Text form (ir/kernel/printer.h, parser.h), one kernel:
//
//   kernel @fused_add_relu origin "add, relu at mnist_cnn.dl:7" {
//     in %x: f32[640]
//     in %b: f32[10]
//     out %y: f32[640]
//     parallel for %i = 0 to 64 {
//       vector for %j = 0 to 10 {
//         let %t: f32 = add(%x[add(mul(%i, 10), %j)], %b[%j])
//         store %y[add(mul(%i, 10), %j)] = max(%t, 0.0:f32)
//       }
//     }
//   }
//
// A kernel starts `kernel @name origin "text" {` (no origin when empty) and
// declares its buffers first, `ROLE %name: DTYPE[SIZE]` with ROLE one of in,
// out, inout, scratch, local. Statements: `[parallel|vector|unroll] for %i =
// LO to HI { ... }` (plain `for` is serial), `let %t: TYPE = EXPR`,
// `store %y[EXPR] = EXPR` (`+=` when accumulating) and `if EXPR { ... }`. Kernels of a module are separated
// by a blank line; `//` starts a comment.
//
// Expressions are written as calls `op(a, b)` with the names of
// unaryOpName/binaryOpName; loads are `%buffer[index]`; `select(c, a, b)`,
// `cast<f16>(x)`, and reductions `reduce add %k in 0 to 784 init 0.0:f32
// (body)` (%k is visible in the body only). Literals carry their type after
// a colon except i64 integers (`10`, `-3`) and bools (`true`, `false`):
// `1:i32`, `1.5:f32`, `inf:f32`, `-inf:f32`, `nan:f32`. Floats print in the
// shortest decimal form that reads back as the same double.
//
// Vars are lexically scoped: a loop var in its body, a let until the end of
// its block. A name may not shadow a visible var or name a buffer; the
// printer renames a var that would (`%i` -> `%i_7`, its id), so printed text
// always parses back and prints identically.
#ifndef DLC_IR_KERNEL_KERNEL_IR_H_
#define DLC_IR_KERNEL_KERNEL_IR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ir/dtype.h"

namespace dlc::kir {

// Scalar types: the graph IR's dtypes (bool is the type of comparisons). Index
// arithmetic is i64; integer ops wrap (two's complement), so hashes for
// keyed randomness can be written with mul/xor/shifts.
using ScalarType = ir::DType;

// A scalar variable: a loop index, a `let`, or a reduction's index.
// Ids are unique within a kernel; names are for printing only.
struct Var {
  int id = -1;
  ScalarType type = ScalarType::kI64;
  std::string name;
};

enum class UnaryOp : uint8_t {
  kNeg,
  kAbs,
  kExp,
  kLog,
  kSqrt,
  kRsqrt,
  kTanh,
  kErf,
  kFloor,
  kNot,
};
enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,  // integer division truncates
  kRem,
  kMin,
  kMax,
  kPow,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,  // result bool
  kAnd,
  kOr,
  kXor,  // bool or integer
  kShl,
  kShr,  // integer; kShr is a logical shift
};
// Combiners of a reduction.
enum class ReduceOp : uint8_t { kAdd, kMul, kMin, kMax };

std::string_view unaryOpName(UnaryOp op);
std::string_view binaryOpName(BinaryOp op);
std::string_view reduceOpName(ReduceOp op);
std::optional<UnaryOp> parseUnaryOp(std::string_view name);
std::optional<BinaryOp> parseBinaryOp(std::string_view name);
std::optional<ReduceOp> parseReduceOp(std::string_view name);
bool isComparison(BinaryOp op);

struct Expr;
using ExprRef = std::shared_ptr<const Expr>;

// Index of a buffer in its kernel's buffer list.
using BufferId = int;

struct ConstExpr {
  double value;      // integers up to 2^53 are exact; larger i64 constants use `bits`
  int64_t bits = 0;  // the exact value for integer types
};
struct VarExpr {
  Var var;
};
struct LoadExpr {
  BufferId buffer;
  ExprRef index;  // i64, in elements
};
struct UnaryExpr {
  UnaryOp op;
  ExprRef x;
};
struct BinaryExpr {
  BinaryOp op;
  ExprRef lhs, rhs;
};
struct SelectExpr {
  ExprRef cond, if_true, if_false;
};
struct CastExpr {
  ExprRef x;  // to the node's type
};
// `combine(init, body[var = lo], ..., body[var = hi - 1])`; the order of
// combination is unspecified (backends may reassociate).
struct ReduceExpr {
  ReduceOp op;
  Var var;
  int64_t lo, hi;
  ExprRef init;
  ExprRef body;
};

struct Expr {
  ScalarType type;
  std::variant<ConstExpr, VarExpr, LoadExpr, UnaryExpr, BinaryExpr, SelectExpr, CastExpr, ReduceExpr> node;

  template <typename T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

// Builders: they compute the result type and check operand types with
// asserts (a type error here is a compiler bug, not a user error).
ExprRef constant(ScalarType type, double value);
ExprRef index(int64_t value);  // an i64 constant
ExprRef var(const Var& v);
ExprRef load(BufferId buffer, ScalarType element, ExprRef index);
ExprRef unary(UnaryOp op, ExprRef x);
ExprRef binary(BinaryOp op, ExprRef lhs, ExprRef rhs);
ExprRef select(ExprRef cond, ExprRef if_true, ExprRef if_false);
ExprRef cast(ScalarType type, ExprRef x);
ExprRef reduce(ReduceOp op, const Var& v, int64_t lo, int64_t hi, ExprRef init, ExprRef body);
// The identity of a combiner in `type` (0, 1, +inf/max, -inf/lowest).
ExprRef reduceIdentity(ReduceOp op, ScalarType type);
// Whether `e` is the constant reduceIdentity(op, e->type).
bool isReduceIdentity(const ExprRef& e, ReduceOp op);
// The binary op a reduction combines with (add for kAdd, ...).
BinaryOp reduceCombiner(ReduceOp op);

// ---- Statements.

enum class LoopKind : uint8_t {
  kSerial,
  kParallel,  // iterations are independent: CPU threads, GPU blocks/threads
  kVector,    // innermost and independent: SIMD lanes
  kUnroll,    // fully unrolled by the backend (small constant trip counts)
};
std::string_view loopKindName(LoopKind kind);  // "" for serial

// How a CUDA target runs a kernel: marks that the gpu-mapping stage
// (ir/kernel/gpu_mapping.h) sets and the CUDA emitter follows. A mapped
// kernel has a kernel mark saying how the top-level statements outside
// marked loops run; with `one_thread`, each top-level nest of parallel loops
// has a loop mark of its own (the nest flattened into one index) and is one
// launch, and each run of other statements between them is a launch of one
// thread. Text: `gpu(KIND, key=value...)` after a kernel's origin or a loop's
// bounds, with the keys that KIND takes:
//   gpu(one_thread)                           kernel: the rest on one thread
//   gpu(one_block, threads=T)                 kernel: all of it on one block
//   gpu(grid_stride, threads=T, blocks=B)     loop: an item a thread
//   gpu(vector, width=W, threads=T, blocks=B) loop: W items a thread, packed
//   gpu(block_per_row, threads=T, blocks=B)   loop: an item (a row) a block
//   gpu(row_groups, width=W, group=G, threads=T, blocks=B)
//       loop: a row to G threads (T / G rows a block), W columns a thread
//       at a time (ir/kernel/gpu_rows.h)
//   gpu(split, tile=N, chunk=C, chunks=K, threads=T, blocks=B)
//       loop or kernel: long reductions of few outputs in two launches per
//       stage, B x K blocks of N outputs and C steps each, then a combine
//       (ir/kernel/gpu_split.h)
// A grid-stride loop (over items or rows) covers what B blocks of T
// threads do not.
enum class GpuKind : uint8_t { kOneThread, kOneBlock, kGridStride, kVector, kBlockPerRow, kRowGroups, kSplit };
std::string_view gpuKindName(GpuKind kind);
std::optional<GpuKind> parseGpuKind(std::string_view name);
bool isLoopGpuKind(GpuKind kind);    // the kinds of loop marks
bool isKernelGpuKind(GpuKind kind);  // the kinds of kernel marks (split is both)

struct GpuMark {
  GpuKind kind = GpuKind::kOneThread;
  int threads = 1;     // per block
  int64_t blocks = 1;  // of the grid (along x)
  int width = 1;       // kVector, kRowGroups: consecutive items a thread takes at once
  int group = 1;       // kRowGroups: threads a row
  int tile = 1;        // kSplit: outputs a block
  int64_t chunk = 1;   // kSplit: steps of the reduced extent a block takes
  int64_t chunks = 1;  // kSplit: blocks along the reduced extent (the grid's y)
  bool operator==(const GpuMark&) const = default;
};

struct Stmt;
using StmtList = std::vector<Stmt>;

struct ForStmt {
  Var var;
  int64_t lo = 0, hi = 0;
  LoopKind kind = LoopKind::kSerial;
  StmtList body;
  std::optional<GpuMark> gpu;  // a top-level parallel loop of a mapped kernel
};
struct LetStmt {
  Var var;
  ExprRef value;
};
// buffer[index] = value, or buffer[index] += value when `accumulate` (which
// backends make atomic when the store is inside a parallel loop whose
// iterations may hit the same element).
struct StoreStmt {
  BufferId buffer;
  ExprRef index;
  ExprRef value;
  bool accumulate = false;
};
struct IfStmt {
  ExprRef cond;
  StmtList then_body;
};
struct Stmt {
  std::variant<ForStmt, LetStmt, StoreStmt, IfStmt> node;

  template <typename T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
  template <typename T>
  T* as() {
    return std::get_if<T>(&node);
  }
};

// ---- Kernels.

enum class BufferRole : uint8_t {
  kIn,       // read only
  kOut,      // written (and possibly read back)
  kInOut,    // read and updated in place
  kScratch,  // workspace owned by the launch (packing buffers)
  kLocal,    // small per-iteration array, private to each thread (registers)
};
std::string_view bufferRoleName(BufferRole role);  // in, out, inout, scratch, local

struct Buffer {
  std::string name;
  ScalarType dtype = ScalarType::kF32;
  int64_t size = 0;  // elements
  BufferRole role = BufferRole::kIn;
};

struct Kernel {
  std::string name;
  std::string origin;  // the graph ops it computes, for messages and comments
  std::vector<Buffer> buffers;
  StmtList body;
  int next_var_id = 0;
  std::optional<GpuMark> gpu;  // set by gpu-mapping (CUDA targets)

  Var newVar(ScalarType type, std::string name) { return Var{next_var_id++, type, std::move(name)}; }
  BufferId addBuffer(Buffer buffer) {
    buffers.push_back(std::move(buffer));
    return static_cast<BufferId>(buffers.size() - 1);
  }
};

struct KernelModule {
  std::vector<Kernel> kernels;
  const Kernel* find(std::string_view name) const;
};

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_KERNEL_IR_H_
