// Shape rules, through the op table: normalizeAttrs, then opDef(kind).infer.
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/op_table.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

// Whether ShapeContext names the op; rules shared by several ops (add, sub,
// ...) can only name the op in their messages when it does.
template <typename C>
constexpr bool kNamesOp = requires(C c, std::string_view name) { c.op = name; };
constexpr bool kContextNamesOp = kNamesOp<ShapeContext>;

template <typename C>
void setOpName(C& ctx, std::string_view name) {
  if constexpr (kNamesOp<C>) ctx.op = name;
}

constexpr int64_t k2p40 = int64_t{1} << 40;

// "f32[batch, 28, 28, 1]": numbers are static dims, names symbolic.
TensorType T(std::string_view text) {
  size_t open = text.find('[');
  TensorType t;
  t.dtype = *parseDType(text.substr(0, open));
  std::string_view body = text.substr(open + 1, text.size() - open - 2);
  for (std::string_view part : splitTrimmed(body, ',')) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    bool number = ec == std::errc() && end == part.data() + part.size();
    t.dims.push_back(number ? Dim::fixed(n) : Dim::symbolic(std::string(part)));
  }
  return t;
}

TensorType T(DType dtype, std::vector<Dim> dims) { return TensorType{dtype, std::move(dims)}; }

Attrs A(std::initializer_list<std::pair<std::string, Attribute>> entries = {}) {
  Attrs attrs;
  for (const auto& [name, value] : entries) attrs.set(name, value);
  return attrs;
}

absl::StatusOr<std::vector<TensorType>> infer(OpKind kind, std::vector<TensorType> operands, Attrs attrs = {},
                                              std::vector<TensorType> given = {}) {
  const OpDef& def = opDef(kind);
  if (absl::Status s = normalizeAttrs(def, attrs); !s.ok()) return s;
  ShapeContext ctx{operands, attrs, given};
  setOpName(ctx, def.name);
  return def.infer(ctx);
}

void expectType(const absl::StatusOr<std::vector<TensorType>>& r, std::string_view type) {
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].str(), type);
}

// The exact message; without an op name in the context, only the part after
// the op name is compared for rules shared by several ops.
void expectError(const absl::StatusOr<std::vector<TensorType>>& r, std::string_view message) {
  ASSERT_FALSE(r.ok()) << "expected error: " << message << "\ngot: " << (*r)[0].str();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  std::string got(r.status().message());
  if (got == message || kContextNamesOp) {
    EXPECT_EQ(got, message);
    return;
  }
  EXPECT_EQ(got.substr(got.find(": ")), message.substr(message.find(": "))) << got;
}

// ---------------------------------------------------------------- elementwise

TEST(Unary, KeepsTheType) {
  for (OpKind k : {OpKind::kRelu, OpKind::kSigmoid, OpKind::kTanh, OpKind::kGelu, OpKind::kExp, OpKind::kLog,
                   OpKind::kSqrt, OpKind::kAbs, OpKind::kNeg, OpKind::kLeakyRelu}) {
    SCOPED_TRACE(opDef(k).name);
    expectType(infer(k, {T("f32[batch, 3]")}), "f32[batch, 3]");
    expectType(infer(k, {T("f16[]")}), "f16[]");
  }
  expectType(infer(OpKind::kRescaling, {T("f32[batch, 32, 32, 3]")}, A({{"scale", Attribute::real(1.0 / 255)}})),
             "f32[batch, 32, 32, 3]");
}

TEST(Unary, NeedsFloat) {
  expectError(infer(OpKind::kRelu, {T("i32[batch, 3]")}), "relu: expects a float tensor, but x is i32[batch, 3]");
  expectError(infer(OpKind::kSigmoid, {T("bool[2]")}), "sigmoid: expects a float tensor, but x is bool[2]");
  expectError(infer(OpKind::kDropout, {T("i64[2]")}, A({{"rate", Attribute::real(0.5)}})),
              "dropout: expects a float tensor, but x is i64[2]");
}

TEST(Unary, ChecksAttributes) {
  expectError(infer(OpKind::kLeakyRelu, {T("f32[2]")}, A({{"alpha", Attribute::real(NAN)}})),
              "leaky_relu: alpha must be finite, not nan");
  expectError(infer(OpKind::kRescaling, {T("f32[2]")}, A({{"scale", Attribute::real(INFINITY)}})),
              "rescaling: scale must be finite, not inf");
  expectError(infer(OpKind::kRescaling, {T("f32[2]")},
                    A({{"scale", Attribute::real(1)}, {"offset", Attribute::real(-INFINITY)}})),
              "rescaling: offset must be finite, not -inf");
}

TEST(Dropout, RateInHalfOpenUnitInterval) {
  expectType(infer(OpKind::kDropout, {T("f32[batch, 8]")}, A({{"rate", Attribute::real(0.0)}})), "f32[batch, 8]");
  expectType(infer(OpKind::kDropout, {T("f32[batch, 8]")},
                   A({{"rate", Attribute::real(0.5)}, {"training", Attribute::boolean(true)}})),
             "f32[batch, 8]");
  expectError(infer(OpKind::kDropout, {T("f32[2]")}, A({{"rate", Attribute::real(1.0)}})),
              "dropout: rate 1.0 is outside [0, 1)");
  expectError(infer(OpKind::kDropout, {T("f32[2]")}, A({{"rate", Attribute::real(-0.1)}})),
              "dropout: rate -0.1 is outside [0, 1)");
  expectError(infer(OpKind::kDropout, {T("f32[2]")}, A({{"rate", Attribute::real(NAN)}})),
              "dropout: rate nan is outside [0, 1)");
}

TEST(RandomFlip, NeedsNhwc) {
  expectType(infer(OpKind::kRandomFlip, {T("f32[batch, 32, 32, 3]")}, A({{"mode", Attribute::string("vertical")}})),
             "f32[batch, 32, 32, 3]");
  expectError(infer(OpKind::kRandomFlip, {T("f32[32, 32, 3]")}),
              "random_flip: x must have rank 4 [N, H, W, C], but is f32[32, 32, 3]");
  EXPECT_FALSE(infer(OpKind::kRandomFlip, {T("f32[1, 2, 2, 1]")}, A({{"mode", Attribute::string("diagonal")}})).ok());
}

TEST(Cast, TakesTheAttributeDType) {
  expectType(infer(OpKind::kCast, {T("f32[batch, 3]")}, A({{"dtype", Attribute::dtype(DType::kI32)}})),
             "i32[batch, 3]");
  expectType(infer(OpKind::kCast, {T("bool[2]")}, A({{"dtype", Attribute::dtype(DType::kBF16)}})), "bf16[2]");
}

TEST(Broadcast, NumPyRules) {
  expectType(infer(OpKind::kAdd, {T("f32[batch, 3]"), T("f32[batch, 3]")}), "f32[batch, 3]");
  expectType(infer(OpKind::kSub, {T("f32[batch, 1, 3]"), T("f32[4, 1]")}), "f32[batch, 4, 3]");
  expectType(infer(OpKind::kMul, {T("f32[1, 3]"), T("f32[batch, 1]")}), "f32[batch, 3]");
  expectType(infer(OpKind::kDiv, {T("f32[]"), T("f32[2, 3]")}), "f32[2, 3]");
  expectType(infer(OpKind::kMaximum, {T("f32[batch, 1]"), T("f32[1]")}), "f32[batch, 1]");
  expectType(infer(OpKind::kMinimum, {T("i32[2, 0]"), T("i32[1]")}), "i32[2, 0]");
  expectType(infer(OpKind::kAdd, {T("f32[seq, batch]"), T("f32[seq, 1]")}), "f32[seq, batch]");
}

TEST(Broadcast, Mismatches) {
  expectError(infer(OpKind::kAdd, {T("f32[2, 3]"), T("f32[4]")}),
              "add: cannot broadcast lhs f32[2, 3] with rhs f32[4]");
  expectError(infer(OpKind::kSub, {T("f32[batch, 3]"), T("f32[seq, 3]")}),
              "sub: cannot broadcast lhs f32[batch, 3] with rhs f32[seq, 3]");
  expectError(infer(OpKind::kMul, {T("f32[batch]"), T("f32[4]")}),
              "mul: cannot broadcast lhs f32[batch] with rhs f32[4]");
  expectError(infer(OpKind::kAdd, {T("f32[2, 0]"), T("f32[2]")}),
              "add: cannot broadcast lhs f32[2, 0] with rhs f32[2]");
}

TEST(Broadcast, DTypes) {
  expectError(infer(OpKind::kAdd, {T("f32[2]"), T("f16[2]")}), "add: lhs f32[2] and rhs f16[2] have different dtypes");
  expectError(infer(OpKind::kMaximum, {T("bool[2]"), T("bool[2]")}),
              "maximum: expects a numeric tensor, but lhs is bool[2]");
  expectType(infer(OpKind::kAdd, {T("i64[batch]"), T("i64[]")}), "i64[batch]");
}

TEST(Broadcast, TooManyElements) {
  TensorType a = T(DType::kF32, {Dim::fixed(int64_t{1} << 26), Dim::fixed(1)});
  TensorType b = T(DType::kF32, {Dim::fixed(1), Dim::fixed(int64_t{1} << 27)});
  expectError(infer(OpKind::kAdd, {a, b}),
              "add: result f32[67108864, 134217728] has more than 4503599627370496 elements");
}

TEST(Select, BroadcastsAllThree) {
  expectType(infer(OpKind::kSelect, {T("f32[2, 3]"), T("f32[2, 3]"), T("f32[2, 3]")}), "f32[2, 3]");
  expectType(infer(OpKind::kSelect, {T("f32[batch, 1, 1]"), T("f32[4, 1]"), T("f32[3]")}), "f32[batch, 4, 3]");
  expectType(infer(OpKind::kSelect, {T("f32[]"), T("f32[]"), T("f32[]")}), "f32[]");
  expectType(infer(OpKind::kSelect, {T("f32[5, 1, 1]"), T("f32[]"), T("f32[2, 0]")}), "f32[5, 2, 0]");
}

// cond may be any dtype; the result has x's (and y's).
TEST(Select, CondOfAnyDType) {
  expectType(infer(OpKind::kSelect, {T("bool[batch, 3]"), T("f32[3]"), T("f32[1]")}), "f32[batch, 3]");
  expectType(infer(OpKind::kSelect, {T("f32[4]"), T("i32[4]"), T("i32[]")}), "i32[4]");
  expectType(infer(OpKind::kSelect, {T("i64[2, 1]"), T("f16[2]"), T("f16[2]")}), "f16[2, 2]");
}

TEST(Select, Errors) {
  expectError(infer(OpKind::kSelect, {T("f32[2]"), T("f32[2]"), T("f64[2]")}),
              "select: x f32[2] and y f64[2] have different dtypes");
  expectError(infer(OpKind::kSelect, {T("bool[2]"), T("bool[2]"), T("bool[2]")}),
              "select: expects a numeric tensor, but x is bool[2]");
  expectError(infer(OpKind::kSelect, {T("f32[3]"), T("f32[2, 3]"), T("f32[4]")}),
              "select: cannot broadcast x f32[2, 3] with y f32[4]");
  expectError(infer(OpKind::kSelect, {T("f32[4]"), T("f32[2, 3]"), T("f32[3]")}),
              "select: cannot broadcast cond f32[4] with x f32[2, 3] and y f32[3]");
  expectError(infer(OpKind::kSelect, {T("bool[seq]"), T("f32[batch]"), T("f32[1]")}),
              "select: cannot broadcast cond bool[seq] with x f32[batch] and y f32[1]");
  TensorType wide = T(DType::kF32, {Dim::fixed(int64_t{1} << 26), Dim::fixed(1)});
  TensorType tall = T(DType::kF32, {Dim::fixed(int64_t{1} << 27)});
  expectError(infer(OpKind::kSelect, {wide, tall, T("f32[]")}),
              "select: result f32[67108864, 134217728] has more than 4503599627370496 elements");
}

TEST(Operands, DimsOutOfRange) {
  expectError(infer(OpKind::kRelu, {T(DType::kF32, {Dim::fixed(-3)})}),
              "relu: operand 0 f32[-3] has dimension -3 out of range [0, 1099511627776]");
  expectError(infer(OpKind::kAdd, {T("f32[2]"), T(DType::kF32, {Dim::fixed(k2p40 + 1)})}),
              "add: operand 1 f32[1099511627777] has dimension 1099511627777 out of range "
              "[0, 1099511627776]");
}

// ------------------------------------------------------------ linear algebra

TEST(Matmul, Batched) {
  expectType(infer(OpKind::kMatmul, {T("f32[2, 3]"), T("f32[3, 4]")}), "f32[2, 4]");
  expectType(infer(OpKind::kMatmul, {T("f32[batch, 2, 3]"), T("f32[3, 4]")}), "f32[batch, 2, 4]");
  expectType(infer(OpKind::kMatmul, {T("f32[5, 1, 2, 3]"), T("f32[7, 3, 4]")}), "f32[5, 7, 2, 4]");
  expectType(infer(OpKind::kMatmul, {T("f32[m, k]"), T("f32[k, n]")}), "f32[m, n]");
}

TEST(Matmul, Errors) {
  expectError(infer(OpKind::kMatmul, {T("f32[2, 3]"), T("f32[4, 5]")}),
              "matmul: lhs f32[2, 3] has 3 columns, but rhs f32[4, 5] has 4 rows");
  expectError(infer(OpKind::kMatmul, {T("f32[2, k]"), T("f32[3, 5]")}),
              "matmul: lhs f32[2, k] has k columns, but rhs f32[3, 5] has 3 rows");
  expectError(infer(OpKind::kMatmul, {T("f32[3]"), T("f32[3, 4]")}),
              "matmul: operands must have rank >= 2, but lhs is f32[3] and rhs is f32[3, 4]");
  expectError(infer(OpKind::kMatmul, {T("f32[2, 2, 3]"), T("f32[5, 3, 4]")}),
              "matmul: batch dims of lhs f32[2, 2, 3] and rhs f32[5, 3, 4] do not broadcast");
  expectError(infer(OpKind::kMatmul, {T("f32[2, 3]"), T("f16[3, 4]")}),
              "matmul: lhs f32[2, 3] and rhs f16[3, 4] have different dtypes");
  expectError(infer(OpKind::kMatmul, {T("i32[2, 3]"), T("i32[3, 4]")}),
              "matmul: expects a float tensor, but lhs is i32[2, 3]");
  TensorType big = T(DType::kF32, {Dim::fixed(k2p40), Dim::fixed(1)});
  TensorType wide = T(DType::kF32, {Dim::fixed(1), Dim::fixed(k2p40)});
  expectError(infer(OpKind::kMatmul, {big, wide}),
              "matmul: result f32[1099511627776, 1099511627776] has more than 4503599627370496 "
              "elements");
}

TEST(Dense, AnyRank) {
  expectType(infer(OpKind::kDense, {T("f32[batch, 16]"), T("f32[16, 10]"), T("f32[10]")}), "f32[batch, 10]");
  expectType(infer(OpKind::kDense, {T("f32[batch, seq, 16]"), T("f32[16, 4]")}), "f32[batch, seq, 4]");
  expectType(infer(OpKind::kDense, {T("f32[16]"), T("f32[16, 4]")}), "f32[4]");
}

TEST(Dense, Errors) {
  expectError(infer(OpKind::kDense, {T("f32[batch, 16]"), T("f32[32, 10]")}),
              "dense: kernel f32[32, 10] expects 32 input features, but x is f32[batch, 16]");
  expectError(infer(OpKind::kDense, {T("f32[batch, 16]"), T("f32[16, 10]"), T("f32[16]")}),
              "dense: bias must be f32[10] for kernel f32[16, 10], but is f32[16]");
  expectError(infer(OpKind::kDense, {T("f32[batch, 16]"), T("f32[16, 10]"), T("f16[10]")}),
              "dense: bias must be f32[10] for kernel f32[16, 10], but is f16[10]");
  expectError(infer(OpKind::kDense, {T("f32[batch, 16]"), T("f32[16]")}),
              "dense: kernel must have rank 2 [in, units], but is f32[16]");
  expectError(infer(OpKind::kDense, {T("f32[]"), T("f32[1, 4]")}), "dense: x must have rank >= 1, but is f32[]");
  expectError(infer(OpKind::kDense, {T("f32[batch, 16]"), T("bf16[16, 4]")}),
              "dense: x f32[batch, 16] and kernel bf16[16, 4] have different dtypes");
  expectError(infer(OpKind::kDense, {T("i32[batch, 16]"), T("i32[16, 4]")}),
              "dense: expects a float tensor, but x is i32[batch, 16]");
}

// ---------------------------------------------------------------- convolution

Attrs conv(std::vector<int64_t> strides, std::string padding, std::vector<int64_t> dilation = {1, 1},
           int64_t groups = 1) {
  return A({{"strides", Attribute::intList(std::move(strides))},
            {"padding", Attribute::string(std::move(padding))},
            {"dilation", Attribute::intList(std::move(dilation))},
            {"groups", Attribute::integer(groups)}});
}

TEST(Conv2d, Valid) {
  expectType(infer(OpKind::kConv2d, {T("f32[batch, 28, 28, 1]"), T("f32[3, 3, 1, 32]"), T("f32[32]")}),
             "f32[batch, 26, 26, 32]");
  expectType(infer(OpKind::kConv2d, {T("f32[batch, 28, 28, 1]"), T("f32[3, 3, 1, 8]")}, conv({2, 2}, "valid")),
             "f32[batch, 13, 13, 8]");
  // Dilation 2 turns a 3x3 kernel into a 5x5 window.
  expectType(infer(OpKind::kConv2d, {T("f32[1, 28, 20, 3]"), T("f32[3, 3, 3, 4]")}, conv({1, 1}, "valid", {2, 1})),
             "f32[1, 24, 18, 4]");
  expectType(infer(OpKind::kConv2d, {T("f32[1, 5, 5, 1]"), T("f32[5, 5, 1, 1]")}), "f32[1, 1, 1, 1]");
}

TEST(Conv2d, Same) {
  expectType(infer(OpKind::kConv2d, {T("f32[batch, 28, 28, 1]"), T("f32[3, 3, 1, 32]")}, conv({1, 1}, "same")),
             "f32[batch, 28, 28, 32]");
  expectType(infer(OpKind::kConv2d, {T("f32[batch, 27, 28, 1]"), T("f32[3, 3, 1, 32]")}, conv({2, 3}, "same")),
             "f32[batch, 14, 10, 32]");
  // With "same", the kernel may be larger than the input.
  expectType(infer(OpKind::kConv2d, {T("f32[1, 3, 3, 1]"), T("f32[5, 5, 1, 2]")}, conv({1, 1}, "same", {4, 4})),
             "f32[1, 3, 3, 2]");
}

TEST(Conv2d, Groups) {
  expectType(infer(OpKind::kConv2d, {T("f32[batch, 8, 8, 4]"), T("f32[3, 3, 2, 6]")}, conv({1, 1}, "valid", {1, 1}, 2)),
             "f32[batch, 6, 6, 6]");
  expectError(
      infer(OpKind::kConv2d, {T("f32[batch, 8, 8, 4]"), T("f32[3, 3, 1, 6]")}, conv({1, 1}, "valid", {1, 1}, 3)),
      "conv2d: groups 3 does not divide the 4 channels of x f32[batch, 8, 8, 4]");
  expectError(
      infer(OpKind::kConv2d, {T("f32[batch, 8, 8, 4]"), T("f32[3, 3, 1, 6]")}, conv({1, 1}, "valid", {1, 1}, 2)),
      "conv2d: kernel f32[3, 3, 1, 6] expects 1 input channels per group, but x "
      "f32[batch, 8, 8, 4] has 4 channels in 2 groups");
  expectError(
      infer(OpKind::kConv2d, {T("f32[batch, 8, 8, 4]"), T("f32[3, 3, 2, 5]")}, conv({1, 1}, "valid", {1, 1}, 2)),
      "conv2d: groups 2 does not divide the 5 filters of kernel f32[3, 3, 2, 5]");
  expectError(
      infer(OpKind::kConv2d, {T("f32[batch, 8, 8, 4]"), T("f32[3, 3, 4, 4]")}, conv({1, 1}, "valid", {1, 1}, 0)),
      "conv2d: groups must be >= 1, not 0");
}

TEST(Conv2d, KernelLargerThanInput) {
  expectError(infer(OpKind::kConv2d, {T("f32[1, 3, 3, 1]"), T("f32[5, 5, 1, 1]")}),
              "conv2d: kernel 5x5 (dilated 5x5) is larger than the input 3x3");
  expectError(infer(OpKind::kConv2d, {T("f32[1, 4, 9, 1]"), T("f32[3, 3, 1, 1]")}, conv({1, 1}, "valid", {2, 2})),
              "conv2d: kernel 3x3 (dilated 5x5) is larger than the input 4x9");
}

TEST(Conv2d, AttributeErrors) {
  TensorType x = T("f32[1, 8, 8, 1]"), k = T("f32[3, 3, 1, 1]");
  expectError(infer(OpKind::kConv2d, {x, k}, conv({0, 1}, "valid")),
              "conv2d: strides must be two integers >= 1, not [0, 1]");
  expectError(infer(OpKind::kConv2d, {x, k}, conv({1}, "valid")), "conv2d: strides must be two integers >= 1, not [1]");
  expectError(infer(OpKind::kConv2d, {x, k}, conv({1, 1}, "valid", {1, -2})),
              "conv2d: dilation must be two integers >= 1, not [1, -2]");
  expectError(infer(OpKind::kConv2d, {x, k}, conv({1, 1}, "same", {int64_t{1} << 62, 1})),
              "conv2d: dilation [4611686018427387904, 1] of kernel 3x3 gives a window larger "
              "than 1099511627776");
  EXPECT_FALSE(infer(OpKind::kConv2d, {x, k}, conv({1, 1}, "full")).ok());
}

TEST(Conv2d, OperandErrors) {
  expectError(infer(OpKind::kConv2d, {T("f32[batch, h, 28, 1]"), T("f32[3, 3, 1, 1]")}),
              "conv2d: x f32[batch, h, 28, 1] must have a static height");
  expectError(infer(OpKind::kConv2d, {T("f32[batch, 28, 28, c]"), T("f32[3, 3, 1, 1]")}),
              "conv2d: x f32[batch, 28, 28, c] must have a static channel count");
  expectError(infer(OpKind::kConv2d, {T("f32[28, 28, 1]"), T("f32[3, 3, 1, 1]")}),
              "conv2d: x must have rank 4 [N, H, W, C], but is f32[28, 28, 1]");
  expectError(infer(OpKind::kConv2d, {T("f32[1, 28, 28, 1]"), T("f32[3, 3, 1]")}),
              "conv2d: kernel must have rank 4 [kh, kw, in/groups, filters], but is f32[3, 3, 1]");
  expectError(infer(OpKind::kConv2d, {T("f32[1, 28, 28, 3]"), T("f32[3, 3, 1, 8]")}),
              "conv2d: kernel f32[3, 3, 1, 8] expects 1 input channels, but x is f32[1, 28, 28, 3]");
  expectError(infer(OpKind::kConv2d, {T("f32[1, 28, 28, 1]"), T("f32[0, 3, 1, 8]")}),
              "conv2d: kernel f32[0, 3, 1, 8] has an empty window");
  expectError(infer(OpKind::kConv2d, {T("f32[1, 28, 28, 1]"), T("f32[3, 3, 1, f]")}),
              "conv2d: kernel f32[3, 3, 1, f] must be static");
  expectError(infer(OpKind::kConv2d, {T("f32[1, 28, 28, 1]"), T("f32[3, 3, 1, 8]"), T("f32[4]")}),
              "conv2d: bias must be f32[8] for kernel f32[3, 3, 1, 8], but is f32[4]");
  expectError(infer(OpKind::kConv2d, {T("f16[1, 28, 28, 1]"), T("f32[3, 3, 1, 8]")}),
              "conv2d: x f16[1, 28, 28, 1] and kernel f32[3, 3, 1, 8] have different dtypes");
}

TEST(Conv2d, HugeOutput) {
  TensorType x = T(DType::kF32, {Dim::fixed(1), Dim::fixed(k2p40), Dim::fixed(k2p40), Dim::fixed(1)});
  expectError(infer(OpKind::kConv2d, {x, T("f32[1, 1, 1, 1]")}),
              "conv2d: result f32[1, 1099511627776, 1099511627776, 1] has more than "
              "4503599627370496 elements");
}

Attrs pool(std::vector<int64_t> size, std::vector<int64_t> strides, std::string padding = "valid") {
  return A({{"pool", Attribute::intList(std::move(size))},
            {"strides", Attribute::intList(std::move(strides))},
            {"padding", Attribute::string(std::move(padding))}});
}

TEST(Pool2d, Shapes) {
  expectType(infer(OpKind::kMaxpool2d, {T("f32[batch, 26, 26, 32]")}, pool({2, 2}, {2, 2})), "f32[batch, 13, 13, 32]");
  expectType(infer(OpKind::kMaxpool2d, {T("f32[batch, 13, 13, c]")}, pool({2, 2}, {2, 2})), "f32[batch, 6, 6, c]");
  expectType(infer(OpKind::kAvgpool2d, {T("f32[batch, 13, 13, 8]")}, pool({2, 2}, {2, 2}, "same")),
             "f32[batch, 7, 7, 8]");
  expectType(infer(OpKind::kAvgpool2d, {T("f32[1, 10, 7, 8]")}, pool({3, 2}, {1, 3})), "f32[1, 8, 2, 8]");
  expectType(infer(OpKind::kMaxpool2d, {T("f32[1, 2, 2, 1]")}, pool({3, 3}, {1, 1}, "same")), "f32[1, 2, 2, 1]");
}

TEST(Pool2d, Errors) {
  expectError(infer(OpKind::kMaxpool2d, {T("f32[1, 2, 2, 1]")}, pool({3, 3}, {1, 1})),
              "maxpool2d: pool 3x3 is larger than the input 2x2");
  expectError(infer(OpKind::kAvgpool2d, {T("f32[1, 4, 4, 1]")}, pool({2, 2}, {0, 2})),
              "avgpool2d: strides must be two integers >= 1, not [0, 2]");
  expectError(infer(OpKind::kAvgpool2d, {T("f32[1, 4, 4, 1]")}, pool({2, 0}, {1, 1})),
              "avgpool2d: pool must be two integers >= 1, not [2, 0]");
  expectError(infer(OpKind::kMaxpool2d, {T("f32[1, 4, 4, 1]")}, pool({int64_t{1} << 50, 1}, {1, 1}, "same")),
              "maxpool2d: pool 1125899906842624x1 is larger than 1099511627776");
  expectError(infer(OpKind::kMaxpool2d, {T("f32[1, h, 4, 1]")}, pool({2, 2}, {2, 2})),
              "maxpool2d: x f32[1, h, 4, 1] must have a static height");
  expectError(infer(OpKind::kMaxpool2d, {T("f32[1, 4, 4]")}, pool({2, 2}, {2, 2})),
              "maxpool2d: x must have rank 4 [N, H, W, C], but is f32[1, 4, 4]");
  expectError(infer(OpKind::kMaxpool2d, {T("i32[1, 4, 4, 1]")}, pool({2, 2}, {2, 2})),
              "maxpool2d: expects a float tensor, but x is i32[1, 4, 4, 1]");
  // Required attributes are the table's business.
  EXPECT_FALSE(infer(OpKind::kMaxpool2d, {T("f32[1, 4, 4, 1]")}).ok());
}

TEST(GlobalAvgpool2d, Shapes) {
  expectType(infer(OpKind::kGlobalAvgpool2d, {T("f32[batch, 7, 7, 64]")}), "f32[batch, 64]");
  expectType(infer(OpKind::kGlobalAvgpool2d, {T("f32[batch, h, w, 64]")}), "f32[batch, 64]");
  expectError(infer(OpKind::kGlobalAvgpool2d, {T("f32[batch, 64]")}),
              "global_avgpool2d: x must have rank 4 [N, H, W, C], but is f32[batch, 64]");
}

Attrs crop(int64_t h, int64_t w) { return A({{"height", Attribute::integer(h)}, {"width", Attribute::integer(w)}}); }

TEST(RandomCrop, Shapes) {
  expectType(infer(OpKind::kRandomCrop, {T("f32[batch, 32, 32, 3]")}, crop(24, 20)), "f32[batch, 24, 20, 3]");
  expectType(infer(OpKind::kRandomCrop, {T("f32[batch, 32, 32, 3]")}, crop(32, 32)), "f32[batch, 32, 32, 3]");
  expectError(infer(OpKind::kRandomCrop, {T("f32[batch, 32, 32, 3]")}, crop(33, 8)),
              "random_crop: crop 33x8 is larger than the input 32x32");
  expectError(infer(OpKind::kRandomCrop, {T("f32[batch, 32, 32, 3]")}, crop(0, 8)),
              "random_crop: height and width must be >= 1, not 0x8");
  expectError(infer(OpKind::kRandomCrop, {T("f32[batch, 32, w, 3]")}, crop(8, 8)),
              "random_crop: x f32[batch, 32, w, 3] must have a static width");
}

// -------------------------------------------------------------- normalization

TEST(Softmax, Axis) {
  expectType(infer(OpKind::kSoftmax, {T("f32[batch, 10]")}), "f32[batch, 10]");
  expectType(infer(OpKind::kLogSoftmax, {T("f32[batch, 10]")}, A({{"axis", Attribute::integer(0)}})), "f32[batch, 10]");
  expectError(infer(OpKind::kSoftmax, {T("f32[batch, 10]")}, A({{"axis", Attribute::integer(2)}})),
              "softmax: axis 2 is out of range for x f32[batch, 10]");
  expectError(infer(OpKind::kLogSoftmax, {T("f32[batch, 10]")}, A({{"axis", Attribute::integer(-3)}})),
              "log_softmax: axis -3 is out of range for x f32[batch, 10]");
  expectError(infer(OpKind::kSoftmax, {T("f32[]")}), "softmax: axis -1 is out of range for x f32[]");
  expectError(infer(OpKind::kSoftmax, {T("i32[4]")}), "softmax: expects a float tensor, but x is i32[4]");
}

TEST(Batchnorm, Shapes) {
  TensorType c16 = T("f32[16]");
  expectType(infer(OpKind::kBatchnorm, {T("f32[batch, 8, 8, 16]"), c16, c16, c16, c16}), "f32[batch, 8, 8, 16]");
  TensorType c8 = T("f32[8]");
  expectType(infer(OpKind::kBatchnorm, {T("f32[batch, 8, 4, 16]"), c8, c8, c8, c8},
                   A({{"axis", Attribute::integer(1)},
                      {"momentum", Attribute::real(1.0)},
                      {"training", Attribute::boolean(true)}})),
             "f32[batch, 8, 4, 16]");
}

TEST(Batchnorm, Errors) {
  TensorType x = T("f32[batch, 8, 8, 16]"), c = T("f32[16]");
  expectError(infer(OpKind::kBatchnorm, {x, T("f32[8]"), c, c, c}),
              "batchnorm: gamma must be f32[16] for x f32[batch, 8, 8, 16] on axis -1, but is "
              "f32[8]");
  expectError(infer(OpKind::kBatchnorm, {x, c, c, c, T("f16[16]")}),
              "batchnorm: moving_variance must be f32[16] for x f32[batch, 8, 8, 16] on axis -1, "
              "but is f16[16]");
  expectError(infer(OpKind::kBatchnorm, {x, c, c, c, c}, A({{"momentum", Attribute::real(1.5)}})),
              "batchnorm: momentum 1.5 is outside [0, 1]");
  expectError(infer(OpKind::kBatchnorm, {x, c, c, c, c}, A({{"epsilon", Attribute::real(0.0)}})),
              "batchnorm: epsilon must be a finite number > 0, not 0.0");
  expectError(infer(OpKind::kBatchnorm, {x, c, c, c, c}, A({{"axis", Attribute::integer(4)}})),
              "batchnorm: axis 4 is out of range for x f32[batch, 8, 8, 16]");
}

TEST(Layernorm, ShapesAndErrors) {
  TensorType c = T("f32[16]");
  expectType(infer(OpKind::kLayernorm, {T("f32[batch, seq, 16]"), c, c}), "f32[batch, seq, 16]");
  expectError(infer(OpKind::kLayernorm, {T("f32[batch, seq, 16]"), c, T("f32[1, 16]")}),
              "layernorm: beta must be f32[16] for x f32[batch, seq, 16] on axis -1, but is "
              "f32[1, 16]");
  expectError(infer(OpKind::kLayernorm, {T("f32[batch, seq, 16]"), c, c}, A({{"epsilon", Attribute::real(-1e-3)}})),
              "layernorm: epsilon must be a finite number > 0, not -0.001");
  expectError(infer(OpKind::kLayernorm, {T("f32[batch, seq, 16]"), c, c}, A({{"axis", Attribute::integer(1)}})),
              "layernorm: gamma must be f32[seq] for x f32[batch, seq, 16] on axis 1, but is "
              "f32[16]");
}

// ------------------------------------------------------------------- sequence

TEST(Embedding, Shapes) {
  expectType(infer(OpKind::kEmbedding, {T("i32[batch, 20]"), T("f32[1000, 128]")}), "f32[batch, 20, 128]");
  expectType(infer(OpKind::kEmbedding, {T("i64[]"), T("bf16[10, 4]")}), "bf16[4]");
  expectError(infer(OpKind::kEmbedding, {T("f32[batch, 20]"), T("f32[1000, 128]")}),
              "embedding: ids must be i32 or i64, but is f32[batch, 20]");
  expectError(infer(OpKind::kEmbedding, {T("i32[batch, 20]"), T("f32[1000]")}),
              "embedding: embeddings must have rank 2 [input_dim, output_dim], but is f32[1000]");
  expectError(infer(OpKind::kEmbedding, {T("i32[batch, 20]"), T("i32[1000, 4]")}),
              "embedding: expects a float tensor, but embeddings is i32[1000, 4]");
}

Attrs lstm(int64_t units, bool sequences = false) {
  return A({{"units", Attribute::integer(units)}, {"return_sequences", Attribute::boolean(sequences)}});
}

TEST(Lstm, Shapes) {
  std::vector<TensorType> ops = {T("f32[batch, seq, 128]"), T("f32[128, 256]"), T("f32[64, 256]"), T("f32[256]")};
  expectType(infer(OpKind::kLstm, ops, lstm(64)), "f32[batch, 64]");
  expectType(infer(OpKind::kLstm, ops, lstm(64, true)), "f32[batch, seq, 64]");
}

TEST(Lstm, Errors) {
  TensorType x = T("f32[batch, 20, 128]");
  expectError(infer(OpKind::kLstm, {x, T("f32[64, 256]"), T("f32[64, 256]"), T("f32[256]")}, lstm(64)),
              "lstm: kernel must be f32[128, 256] for x f32[batch, 20, 128] and 64 units, but is "
              "f32[64, 256]");
  expectError(infer(OpKind::kLstm, {x, T("f32[128, 256]"), T("f32[256, 64]"), T("f32[256]")}, lstm(64)),
              "lstm: recurrent_kernel must be f32[64, 256] for x f32[batch, 20, 128] and 64 units, "
              "but is f32[256, 64]");
  expectError(infer(OpKind::kLstm, {x, T("f32[128, 256]"), T("f32[64, 256]"), T("f32[64]")}, lstm(64)),
              "lstm: bias must be f32[256] for x f32[batch, 20, 128] and 64 units, but is f32[64]");
  expectError(infer(OpKind::kLstm, {x, T("f32[128, 0]"), T("f32[0, 0]"), T("f32[0]")}, lstm(0)),
              "lstm: units must be in [1, 274877906944], not 0");
  expectError(infer(OpKind::kLstm, {x, T("f32[128, 4]"), T("f32[1, 4]"), T("f32[4]")}, lstm(k2p40)),
              "lstm: units must be in [1, 274877906944], not 1099511627776");
  expectError(infer(OpKind::kLstm, {T("f32[batch, 128]"), T("f32[128, 4]"), T("f32[1, 4]"), T("f32[4]")}, lstm(1)),
              "lstm: x must have rank 3 [N, T, F], but is f32[batch, 128]");
}

// ----------------------------------------------------------------- shape ops

TEST(Flatten, Shapes) {
  expectType(infer(OpKind::kFlatten, {T("f32[batch, 3, 3, 64]")}), "f32[batch, 576]");
  expectType(infer(OpKind::kFlatten, {T("i32[batch]")}), "i32[batch, 1]");
  expectType(infer(OpKind::kFlatten, {T("f32[4, 0, 3]")}), "f32[4, 0]");
  expectError(infer(OpKind::kFlatten, {T("f32[batch, seq, 8]")}),
              "flatten: x f32[batch, seq, 8] must be static after the first dim");
  expectError(infer(OpKind::kFlatten, {T("f32[]")}), "flatten: x must have rank >= 1, but is f32[]");
  TensorType big = T(DType::kF32, {Dim::symbolic("batch"), Dim::fixed(k2p40), Dim::fixed(k2p40)});
  expectError(infer(OpKind::kFlatten, {big}),
              "flatten: x f32[batch, 1099511627776, 1099511627776] has more than 1099511627776 "
              "elements after the first dim");
}

Attrs shape(std::vector<Dim> dims) { return A({{"shape", Attribute::shape(std::move(dims))}}); }
Dim S(std::string name) { return Dim::symbolic(std::move(name)); }
Dim F(int64_t n) { return Dim::fixed(n); }

TEST(Reshape, Shapes) {
  TensorType x = T("f32[batch, 4, 6]");
  expectType(infer(OpKind::kReshape, {x}, shape({S("batch"), F(24)})), "f32[batch, 24]");
  expectType(infer(OpKind::kReshape, {x}, shape({S("batch"), F(-1)})), "f32[batch, 24]");
  expectType(infer(OpKind::kReshape, {x}, shape({F(2), S("batch"), F(-1), F(3)})), "f32[2, batch, 4, 3]");
  expectType(infer(OpKind::kReshape, {T("f32[2, 3]")}, shape({F(3), F(-1)})), "f32[3, 2]");
  expectType(infer(OpKind::kReshape, {T("f32[1]")}, shape({})), "f32[]");
  expectType(infer(OpKind::kReshape, {T("f32[0, 3]")}, shape({F(3), F(0)})), "f32[3, 0]");
  // An int list converts to a shape attribute.
  expectType(infer(OpKind::kReshape, {T("f32[2, 3]")}, A({{"shape", Attribute::intList({6})}})), "f32[6]");
}

TEST(Reshape, Errors) {
  TensorType x = T("f32[batch, 4, 6]");
  expectError(infer(OpKind::kReshape, {x}, shape({S("batch"), F(5), F(5)})),
              "reshape: cannot reshape x f32[batch, 4, 6] to [batch, 5, 5]: 24 vs 25 elements");
  expectError(infer(OpKind::kReshape, {x}, shape({F(-1), F(-1)})), "reshape: shape [-1, -1] has more than one -1");
  expectError(infer(OpKind::kReshape, {x}, shape({S("seq"), F(24)})),
              "reshape: cannot reshape x f32[batch, 4, 6] to [seq, 24]: the symbolic dims differ");
  expectError(infer(OpKind::kReshape, {x}, shape({F(-1), F(24)})),
              "reshape: cannot reshape x f32[batch, 4, 6] to [-1, 24]: the symbolic dims differ");
  expectError(infer(OpKind::kReshape, {x}, shape({S("batch"), S("batch"), F(24)})),
              "reshape: cannot reshape x f32[batch, 4, 6] to [batch, batch, 24]: the symbolic "
              "dims differ");
  expectError(infer(OpKind::kReshape, {x}, shape({S("batch"), F(-1), F(5)})),
              "reshape: cannot reshape x f32[batch, 4, 6] to [batch, -1, 5]: 24 elements are not "
              "a multiple of 5");
  expectError(infer(OpKind::kReshape, {T("f32[0, 3]")}, shape({F(0), F(-1)})),
              "reshape: cannot infer the -1 in shape [0, -1] next to a zero-size dim");
  expectError(infer(OpKind::kReshape, {x}, shape({S("batch"), F(-2), F(-12)})),
              "reshape: shape [batch, -2, -12] has dimension -2 out of range [0, 1099511627776]");
  expectError(infer(OpKind::kReshape, {x}, shape({S("batch"), F(k2p40 * 2)})),
              "reshape: shape [batch, 2199023255552] has dimension 2199023255552 out of range "
              "[0, 1099511627776]");
  expectError(infer(OpKind::kReshape, {x}, shape({F(k2p40), F(k2p40)})),
              "reshape: shape [1099511627776, 1099511627776] has more than 4503599627370496 "
              "elements");
}

TEST(Transpose, Perm) {
  auto perm = [](std::vector<int64_t> p) { return A({{"perm", Attribute::intList(std::move(p))}}); };
  expectType(infer(OpKind::kTranspose, {T("f32[batch, 2, 3]")}, perm({0, 2, 1})), "f32[batch, 3, 2]");
  expectType(infer(OpKind::kTranspose, {T("f32[]")}, perm({})), "f32[]");
  expectError(infer(OpKind::kTranspose, {T("f32[2, 3]")}, perm({0})),
              "transpose: perm [0] is not a permutation of the 2 axes of x f32[2, 3]");
  expectError(infer(OpKind::kTranspose, {T("f32[2, 3]")}, perm({1, 1})),
              "transpose: perm [1, 1] is not a permutation of the 2 axes of x f32[2, 3]");
  expectError(infer(OpKind::kTranspose, {T("f32[2, 3]")}, perm({-1, 0})),
              "transpose: perm [-1, 0] is not a permutation of the 2 axes of x f32[2, 3]");
  expectError(infer(OpKind::kTranspose, {T("f32[2, 3]")}, perm({0, 2})),
              "transpose: perm [0, 2] is not a permutation of the 2 axes of x f32[2, 3]");
}

Attrs axis(int64_t a) { return A({{"axis", Attribute::integer(a)}}); }

TEST(Concat, Shapes) {
  expectType(infer(OpKind::kConcat, {T("f32[batch, 3]"), T("f32[batch, 5]")}), "f32[batch, 8]");
  expectType(infer(OpKind::kConcat, {T("f32[2, seq]"), T("f32[3, seq]"), T("f32[0, seq]")}, axis(0)), "f32[5, seq]");
  expectType(infer(OpKind::kConcat, {T("bool[batch, 3]")}, axis(0)), "bool[batch, 3]");
}

TEST(Concat, Errors) {
  expectError(infer(OpKind::kConcat, {T("f32[batch, 3]"), T("f32[batch, 3]")}, axis(0)),
              "concat: xs[0] f32[batch, 3] has a symbolic size on axis 0");
  expectError(infer(OpKind::kConcat, {T("f32[batch, 3, 5]"), T("f32[batch, 4, 4]")}, axis(1)),
              "concat: xs[1] f32[batch, 4, 4] does not match xs[0] f32[batch, 3, 5] outside axis 1");
  expectError(infer(OpKind::kConcat, {T("f32[2, 3]"), T("f32[2]")}, axis(0)),
              "concat: xs[1] f32[2] does not match xs[0] f32[2, 3] outside axis 0");
  expectError(infer(OpKind::kConcat, {T("f32[2, 3]"), T("f16[2, 3]")}),
              "concat: xs[0] f32[2, 3] and xs[1] f16[2, 3] have different dtypes");
  expectError(infer(OpKind::kConcat, {T("f32[2, 3]"), T("f32[2, 3]")}, axis(2)),
              "concat: axis 2 is out of range for xs[0] f32[2, 3]");
  expectError(infer(OpKind::kConcat, {T("f32[]"), T("f32[]")}), "concat: xs[0] must have rank >= 1, but is f32[]");
  TensorType big = T(DType::kF32, {Dim::fixed(k2p40)});
  expectError(infer(OpKind::kConcat, {big, T("f32[1]")}),
              "concat: the inputs add up to more than 1099511627776 on axis 0");
}

Attrs reduce(std::vector<int64_t> axes, bool keepdims = false) {
  return A({{"axes", Attribute::intList(std::move(axes))}, {"keepdims", Attribute::boolean(keepdims)}});
}

TEST(Reduce, Shapes) {
  TensorType x = T("f32[batch, 4, 5]");
  expectType(infer(OpKind::kReduceSum, {x}, reduce({1})), "f32[batch, 5]");
  expectType(infer(OpKind::kReduceMean, {x}, reduce({1}, true)), "f32[batch, 1, 5]");
  expectType(infer(OpKind::kReduceMax, {x}, reduce({-1, 0})), "f32[4]");
  expectType(infer(OpKind::kReduceSum, {x}, reduce({})), "f32[]");
  expectType(infer(OpKind::kReduceSum, {x}, reduce({}, true)), "f32[1, 1, 1]");
  expectType(infer(OpKind::kReduceMax, {T("i32[3]")}, reduce({0})), "i32[]");
  expectType(infer(OpKind::kReduceSum, {T("f32[]")}, reduce({})), "f32[]");
}

TEST(Reduce, Errors) {
  TensorType x = T("f32[batch, 4, 5]");
  expectError(infer(OpKind::kReduceSum, {x}, reduce({1, -2})), "reduce_sum: axes [1, -2] name axis 1 twice");
  expectError(infer(OpKind::kReduceMean, {x}, reduce({3})),
              "reduce_mean: axis 3 is out of range for x f32[batch, 4, 5]");
  expectError(infer(OpKind::kReduceMax, {T("bool[3]")}, reduce({0})),
              "reduce_max: expects a numeric tensor, but x is bool[3]");
  EXPECT_FALSE(infer(OpKind::kReduceSum, {x}).ok());  // axes is required
}

// -------------------------------------------------------------------- given

TEST(Given, Constant) {
  auto value = [](std::vector<double> v) { return A({{"value", Attribute::floatList(std::move(v))}}); };
  expectType(infer(OpKind::kConstant, {}, value({1.0}), {T("f32[2, 2]")}), "f32[2, 2]");
  expectType(infer(OpKind::kConstant, {}, value({1, 2, 3, 4}), {T("f32[2, 2]")}), "f32[2, 2]");
  expectType(infer(OpKind::kConstant, {}, value({0.5}), {T("f32[batch, 2]")}), "f32[batch, 2]");
  expectType(infer(OpKind::kConstant, {}, value({}), {T("f32[0]")}), "f32[0]");
  expectType(infer(OpKind::kConstant, {}, A({{"value", Attribute::intList({1, 2})}}), {T("i32[2]")}), "i32[2]");
  expectError(infer(OpKind::kConstant, {}, value({1, 2, 3}), {T("f32[2, 2]")}),
              "constant: 3 values do not fill f32[2, 2]: give 1 or 4");
  expectError(infer(OpKind::kConstant, {}, value({}), {T("f32[2]")}),
              "constant: 0 values do not fill f32[2]: give 1 or 2");
  expectError(infer(OpKind::kConstant, {}, value({1, 2}), {T("f32[batch, 2]")}),
              "constant: 2 values need a static type, but the type is f32[batch, 2]");
  expectError(infer(OpKind::kConstant, {}, value({1})), "constant: missing result type");
  expectError(infer(OpKind::kConstant, {}, value({1}), {T("f32[2]"), T("f32[2]")}), "constant: missing result type");
  TensorType huge = T(DType::kF32, {Dim::fixed(k2p40), Dim::fixed(k2p40)});
  expectError(infer(OpKind::kConstant, {}, value({1}), {huge}),
              "constant: result f32[1099511627776, 1099511627776] has more than "
              "4503599627370496 elements");
}

TEST(Given, Param) {
  Attrs name = A({{"name", Attribute::string("dense.kernel")}});
  expectType(infer(OpKind::kParam, {}, name, {T("f32[16, 10]")}), "f32[16, 10]");
  expectError(infer(OpKind::kParam, {}, name), "param: missing result type");
  expectError(infer(OpKind::kParam, {}, name, {T(DType::kF32, {Dim::fixed(-1)})}),
              "param: result f32[-1] has a dimension outside [0, 1099511627776]");
}

// ------------------------------------------------------------- shared rules

// Rules shared by several ops name the op they check once the context says
// which it is.
TEST(SharedRules, NameTheOp) {
  if constexpr (!kContextNamesOp) GTEST_SKIP() << "ShapeContext has no op member";
  auto message = [](const absl::StatusOr<std::vector<TensorType>>& r) {
    return r.ok() ? std::string("ok") : std::string(r.status().message());
  };
  EXPECT_EQ(message(infer(OpKind::kDiv, {T("f32[2]"), T("f32[3]")})),
            "div: cannot broadcast lhs f32[2] with rhs f32[3]");
  EXPECT_EQ(message(infer(OpKind::kExp, {T("i32[2]")})), "exp: expects a float tensor, but x is i32[2]");
  EXPECT_EQ(message(infer(OpKind::kAvgpool2d, {T("f32[1, 1, 1, 1]")}, pool({2, 2}, {1, 1}))),
            "avgpool2d: pool 2x2 is larger than the input 1x1");
  EXPECT_EQ(message(infer(OpKind::kLogSoftmax, {T("f32[2]")}, axis(1))),
            "log_softmax: axis 1 is out of range for x f32[2]");
  EXPECT_EQ(message(infer(OpKind::kReduceMean, {T("f32[2]")}, reduce({0, 0}))),
            "reduce_mean: axes [0, 0] name axis 0 twice");
}

// -------------------------------------------------------------- robustness

// Every op, with odd operand types and attribute values, answers without
// crashing (run under the asan preset to catch undefined behaviour).
TEST(Robustness, OddInputsNeverCrash) {
  const std::vector<TensorType> types = {
      T("f32[]"),
      T("f32[0]"),
      T("i32[batch, 0, 3, 1]"),
      T("f32[batch, 28, 28, 1]"),
      T(DType::kF32, {Dim::fixed(k2p40), Dim::fixed(k2p40), Dim::fixed(k2p40), Dim::fixed(k2p40)}),
      T(DType::kBool, {Dim::fixed(-5), Dim::symbolic("n")}),
      T("f32[1, 1, 1, 1]")};
  const std::vector<Attribute> odd_ints = {Attribute::integer(0), Attribute::integer(-1), Attribute::integer(INT64_MIN),
                                           Attribute::integer(INT64_MAX)};
  auto odd = [&](AttrKind kind, size_t variant) -> Attribute {
    switch (kind) {
      case AttrKind::kBool: return Attribute::boolean(variant % 2);
      case AttrKind::kInt: return odd_ints[variant % odd_ints.size()];
      case AttrKind::kFloat: return Attribute::real(variant % 2 ? NAN : -1e308);
      case AttrKind::kString: return Attribute::string("x");
      case AttrKind::kDType: return Attribute::dtype(DType::kBool);
      case AttrKind::kIntList:
        return Attribute::intList(variant % 2 ? std::vector<int64_t>{INT64_MAX, INT64_MIN} : std::vector<int64_t>{});
      case AttrKind::kFloatList: return Attribute::floatList({});
      case AttrKind::kStringList: return Attribute::stringList({});
      case AttrKind::kShape: return Attribute::shape({Dim::fixed(INT64_MIN), Dim::fixed(-1), Dim::symbolic("n")});
    }
    return Attribute();
  };
  for (const OpDef& def : allOps()) {
    int count = def.max_operands < 0 ? 2 : def.max_operands;
    for (size_t variant = 0; variant < 4; ++variant) {
      Attrs attrs;
      for (const AttrSpec& spec : def.attrs)
        if (spec.choices.empty()) attrs.set(spec.name, odd(spec.kind, variant));
      for (const TensorType& t : types) {
        std::vector<TensorType> operands(static_cast<size_t>(count), t);
        std::vector<TensorType> given = {t};
        (void)infer(def.kind, operands, attrs, given);
      }
    }
  }
}

}  // namespace
}  // namespace dlc::ir
