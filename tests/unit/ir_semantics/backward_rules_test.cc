// Shape rules and folds of the ops that autodiff introduces: comparisons and
// masks, argmax and one_hot, shape plumbing, the backward ops of layers and
// assign.
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/op_table.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

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

Attrs A(std::initializer_list<std::pair<std::string, Attribute>> entries = {}) {
  Attrs attrs;
  for (const auto& [name, value] : entries) attrs.set(name, value);
  return attrs;
}

Attribute ints(std::vector<int64_t> v) { return Attribute::intList(std::move(v)); }
Attribute i(int64_t v) { return Attribute::integer(v); }

absl::StatusOr<std::vector<TensorType>> infer(OpKind kind, std::vector<TensorType> operands, Attrs attrs = {}) {
  const OpDef& def = opDef(kind);
  if (absl::Status s = normalizeAttrs(def, attrs); !s.ok()) return s;
  return def.infer(ShapeContext{operands, attrs, {}, def.name});
}

// The result types, comma-separated, or the error message.
std::string types(const absl::StatusOr<std::vector<TensorType>>& r) {
  if (!r.ok()) return strCat("error: ", r.status().message());
  std::vector<std::string> out;
  for (const TensorType& t : *r) out.push_back(t.str());
  return strJoin(out, ", ");
}

std::string error(const absl::StatusOr<std::vector<TensorType>>& r) {
  if (r.ok()) return strCat("ok: ", types(r));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

// ------------------------------------------------------------------- masks

TEST(Comparisons, KeepTheOperandDType) {
  EXPECT_EQ(types(infer(OpKind::kStep, {T("f32[batch, 3]")})), "f32[batch, 3]");
  EXPECT_EQ(types(infer(OpKind::kSign, {T("f64[2]")})), "f64[2]");
  EXPECT_EQ(types(infer(OpKind::kEqual, {T("f32[batch, 3]"), T("f32[3]")})), "f32[batch, 3]");
  EXPECT_EQ(types(infer(OpKind::kGreater, {T("i64[batch, 1]"), T("i64[4]")})), "i64[batch, 4]");
  EXPECT_EQ(error(infer(OpKind::kStep, {T("i32[2]")})), "step: expects a float tensor, but x is i32[2]");
  EXPECT_EQ(error(infer(OpKind::kEqual, {T("f32[2]"), T("f32[3]")})),
            "equal: cannot broadcast lhs f32[2] with rhs f32[3]");
}

TEST(Argmax, RemovesTheAxis) {
  EXPECT_EQ(types(infer(OpKind::kArgmax, {T("f32[batch, 10]")})), "i64[batch]");
  EXPECT_EQ(types(infer(OpKind::kArgmax, {T("f32[batch, 10]")}, A({{"axis", i(0)}}))), "i64[10]");
  EXPECT_EQ(types(infer(OpKind::kArgmax, {T("i32[2, 3, 4]")}, A({{"axis", i(1)}}))), "i64[2, 4]");
  EXPECT_EQ(types(infer(OpKind::kArgmax, {T("f32[seq]")})), "i64[]");
}

TEST(Argmax, Errors) {
  EXPECT_EQ(error(infer(OpKind::kArgmax, {T("f32[2, 3]")}, A({{"axis", i(2)}}))),
            "argmax: axis 2 is out of range for x f32[2, 3]");
  EXPECT_EQ(error(infer(OpKind::kArgmax, {T("bool[2]")})), "argmax: expects a numeric tensor, but x is bool[2]");
  EXPECT_EQ(error(infer(OpKind::kArgmax, {T("f32[2, 0]")})),
            "argmax: axis -1 of x f32[2, 0] is empty and has no maximum");
  EXPECT_EQ(error(infer(OpKind::kArgmax, {T("f32[]")})), "argmax: axis -1 is out of range for x f32[]");
}

TEST(OneHot, AppendsDepth) {
  EXPECT_EQ(types(infer(OpKind::kOneHot, {T("i32[batch]")}, A({{"depth", i(10)}}))), "f32[batch, 10]");
  EXPECT_EQ(
      types(infer(OpKind::kOneHot, {T("i64[2, 3]")}, A({{"depth", i(4)}, {"dtype", Attribute::dtype(DType::kF64)}}))),
      "f64[2, 3, 4]");
  EXPECT_EQ(error(infer(OpKind::kOneHot, {T("f32[2]")}, A({{"depth", i(4)}}))),
            "one_hot: ids must be i32 or i64, but is f32[2]");
  EXPECT_EQ(error(infer(OpKind::kOneHot, {T("i32[2]")}, A({{"depth", i(0)}}))),
            "one_hot: depth must be in [1, 1099511627776], not 0");
}

// ----------------------------------------------------------- shape plumbing

TEST(SumTo, LikeMustBroadcastToX) {
  EXPECT_EQ(types(infer(OpKind::kSumTo, {T("f32[batch, 3]"), T("f32[3]")})), "f32[3]");
  EXPECT_EQ(types(infer(OpKind::kSumTo, {T("f32[batch, 3]"), T("f32[1, 3]")})), "f32[1, 3]");
  EXPECT_EQ(types(infer(OpKind::kSumTo, {T("f32[batch, 3]"), T("f32[]")})), "f32[]");
  EXPECT_EQ(types(infer(OpKind::kSumTo, {T("f32[batch, 3]"), T("f32[batch, 3]")})), "f32[batch, 3]");
  // like's dtype does not matter: the result has x's.
  EXPECT_EQ(types(infer(OpKind::kSumTo, {T("f64[2, 3]"), T("f32[3]")})), "f64[3]");
  EXPECT_EQ(error(infer(OpKind::kSumTo, {T("f32[3]"), T("f32[2, 3]")})),
            "sum_to: cannot sum x f32[3] down to like f32[2, 3]");
  EXPECT_EQ(error(infer(OpKind::kSumTo, {T("f32[1, 3]"), T("f32[batch, 3]")})),
            "sum_to: cannot sum x f32[1, 3] down to like f32[batch, 3]");
  EXPECT_EQ(error(infer(OpKind::kSumTo, {T("f32[2, 3]"), T("f32[4]")})),
            "sum_to: cannot sum x f32[2, 3] down to like f32[4]");
}

TEST(BroadcastTo, XMustBroadcastToLike) {
  EXPECT_EQ(types(infer(OpKind::kBroadcastTo, {T("f32[3]"), T("f32[batch, 3]")})), "f32[batch, 3]");
  EXPECT_EQ(types(infer(OpKind::kBroadcastTo, {T("f32[]"), T("f32[2, 3]")})), "f32[2, 3]");
  EXPECT_EQ(types(infer(OpKind::kBroadcastTo, {T("i32[2, 1]"), T("f32[2, 5]")})), "i32[2, 5]");
  EXPECT_EQ(error(infer(OpKind::kBroadcastTo, {T("f32[2, 3]"), T("f32[3]")})),
            "broadcast_to: cannot broadcast x f32[2, 3] to like f32[3]");
  EXPECT_EQ(error(infer(OpKind::kBroadcastTo, {T("f32[batch, 3]"), T("f32[1, 3]")})),
            "broadcast_to: cannot broadcast x f32[batch, 3] to like f32[1, 3]");
  EXPECT_EQ(error(infer(OpKind::kBroadcastTo, {T("bool[3]"), T("bool[2, 3]")})),
            "broadcast_to: expects a numeric tensor, but x is bool[3]");
}

TEST(Slice, Shapes) {
  Attrs a = A({{"axis", i(1)}, {"start", i(2)}, {"size", i(3)}});
  EXPECT_EQ(types(infer(OpKind::kSlice, {T("f32[batch, 5]")}, a)), "f32[batch, 3]");
  EXPECT_EQ(
      types(infer(OpKind::kSlice, {T("i64[batch, 8, 2]")}, A({{"axis", i(-2)}, {"start", i(0)}, {"size", i(0)}}))),
      "i64[batch, 0, 2]");
  EXPECT_EQ(error(infer(OpKind::kSlice, {T("f32[batch, 4]")}, a)),
            "slice: start 2 + size 3 is past the 4 elements of x f32[batch, 4] on axis 1");
  EXPECT_EQ(error(infer(OpKind::kSlice, {T("f32[batch, 5]")}, A({{"axis", i(0)}, {"start", i(0)}, {"size", i(1)}}))),
            "slice: x f32[batch, 5] must have a static size on axis 0");
  EXPECT_EQ(error(infer(OpKind::kSlice, {T("f32[5]")}, A({{"axis", i(0)}, {"start", i(-1)}, {"size", i(1)}}))),
            "slice: start must be >= 0, not -1");
  EXPECT_EQ(error(infer(OpKind::kSlice, {T("f32[5]")}, A({{"axis", i(0)}, {"start", i(1)}, {"size", i(-1)}}))),
            "slice: size must be >= 0, not -1");
  EXPECT_EQ(error(infer(OpKind::kSlice, {T("f32[5]")}, A({{"axis", i(1)}, {"start", i(0)}, {"size", i(1)}}))),
            "slice: axis 1 is out of range for x f32[5]");
  EXPECT_FALSE(
      infer(OpKind::kSlice, {T("f32[5]")}, A({{"axis", i(0)}, {"start", i(INT64_MAX)}, {"size", i(INT64_MAX)}})).ok());
}

TEST(Pad, Shapes) {
  EXPECT_EQ(types(infer(OpKind::kPad, {T("f32[batch, 5]")}, A({{"axis", i(-1)}, {"before", i(2)}, {"after", i(1)}}))),
            "f32[batch, 8]");
  // Padding nothing keeps a symbolic dim.
  EXPECT_EQ(types(infer(OpKind::kPad, {T("f32[batch, 5]")}, A({{"axis", i(0)}, {"before", i(0)}, {"after", i(0)}}))),
            "f32[batch, 5]");
  EXPECT_EQ(error(infer(OpKind::kPad, {T("f32[batch, 5]")}, A({{"axis", i(0)}, {"before", i(1)}, {"after", i(0)}}))),
            "pad: x f32[batch, 5] must have a static size on axis 0");
  EXPECT_EQ(error(infer(OpKind::kPad, {T("f32[5]")}, A({{"axis", i(0)}, {"before", i(-2)}, {"after", i(0)}}))),
            "pad: before must be >= 0, not -2");
  EXPECT_EQ(error(infer(OpKind::kPad, {T("f32[5]")}, A({{"axis", i(0)}, {"before", i(0)}, {"after", i(-1)}}))),
            "pad: after must be >= 0, not -1");
  EXPECT_EQ(
      error(infer(OpKind::kPad, {T("f32[5]")}, A({{"axis", i(0)}, {"before", i(INT64_MAX)}, {"after", i(INT64_MAX)}}))),
      "pad: padding 9223372036854775807 + 9223372036854775807 makes axis 0 of x f32[5] "
      "larger than 1099511627776");
}

// ------------------------------------------------------------ backward ops

TEST(ElementwiseGrads, Shapes) {
  EXPECT_EQ(types(infer(OpKind::kGeluGrad, {T("f32[batch, 3]"), T("f32[batch, 3]")})), "f32[batch, 3]");
  EXPECT_EQ(types(infer(OpKind::kLeakyReluGrad, {T("f32[batch, 3]"), T("f32[batch, 3]")})), "f32[batch, 3]");
}

TEST(Conv2dGrads, HaveTheTypeOfLike) {
  Attrs a = A({{"strides", ints({2, 2})}, {"padding", Attribute::string("same")}});
  EXPECT_EQ(types(infer(OpKind::kConv2dGradInput,
                        {T("f32[batch, 4, 4, 8]"), T("f32[3, 3, 3, 8]"), T("f32[batch, 7, 7, 3]")}, a)),
            "f32[batch, 7, 7, 3]");
  EXPECT_EQ(types(infer(OpKind::kConv2dGradKernel,
                        {T("f32[batch, 7, 7, 3]"), T("f32[batch, 4, 4, 8]"), T("f32[3, 3, 3, 8]")}, a)),
            "f32[3, 3, 3, 8]");
  Attrs groups = A({{"groups", i(2)}, {"dilation", ints({2, 1})}});
  EXPECT_EQ(types(infer(OpKind::kConv2dGradKernel, {T("f64[1, 6, 5, 4]"), T("f64[1, 2, 3, 6]"), T("f64[3, 3, 2, 6]")},
                        groups)),
            "f64[3, 3, 2, 6]");
}

TEST(Conv2dGrads, GMustMatchTheForwardResult) {
  EXPECT_EQ(types(infer(OpKind::kConv2dGradInput, {T("f32[2, 5, 5, 8]"), T("f32[3, 3, 3, 8]"), T("f32[2, 7, 7, 3]")})),
            "f32[2, 7, 7, 3]");
  EXPECT_EQ(error(infer(OpKind::kConv2dGradInput, {T("f32[2, 4, 4, 8]"), T("f32[3, 3, 3, 8]"), T("f32[2, 7, 7, 3]")})),
            "conv2d_grad_input: g must be f32[2, 5, 5, 8] to match conv2d(like, kernel), but is "
            "f32[2, 4, 4, 8]");
  EXPECT_EQ(error(infer(OpKind::kConv2dGradKernel, {T("f32[2, 7, 7, 3]"), T("f64[2, 5, 5, 8]"), T("f32[3, 3, 3, 8]")})),
            "conv2d_grad_kernel: g must be f32[2, 5, 5, 8] to match conv2d(x, like), but is "
            "f64[2, 5, 5, 8]");
  // The forward rule's own errors name the backward op.
  EXPECT_EQ(error(infer(OpKind::kConv2dGradInput, {T("f32[2, 5, 5, 8]"), T("f32[3, 3, 4, 8]"), T("f32[2, 7, 7, 3]")})),
            "conv2d_grad_input: kernel f32[3, 3, 4, 8] expects 4 input channels, but x is "
            "f32[2, 7, 7, 3]");
}

TEST(PoolGrads, HaveTheTypeOfX) {
  Attrs a = A({{"pool", ints({2, 2})}, {"strides", ints({2, 2})}});
  EXPECT_EQ(types(infer(OpKind::kMaxpool2dGrad, {T("f32[batch, 5, 5, 3]"), T("f32[batch, 2, 2, 3]")}, a)),
            "f32[batch, 5, 5, 3]");
  EXPECT_EQ(types(infer(OpKind::kAvgpool2dGrad, {T("f32[batch, 5, 5, 3]"), T("f32[batch, 2, 2, 3]")}, a)),
            "f32[batch, 5, 5, 3]");
  EXPECT_EQ(error(infer(OpKind::kMaxpool2dGrad, {T("f32[batch, 5, 5, 3]"), T("f32[batch, 3, 3, 3]")}, a)),
            "maxpool2d_grad: g must be f32[batch, 2, 2, 3] to match maxpool2d(x), but is "
            "f32[batch, 3, 3, 3]");
  Attrs same = A({{"pool", ints({2, 2})}, {"strides", ints({2, 2})}, {"padding", Attribute::string("same")}});
  EXPECT_EQ(types(infer(OpKind::kAvgpool2dGrad, {T("f32[1, 5, 5, 3]"), T("f32[1, 3, 3, 3]")}, same)),
            "f32[1, 5, 5, 3]");
}

TEST(ReduceMaxGrad, HasTheTypeOfX) {
  EXPECT_EQ(types(infer(OpKind::kReduceMaxGrad, {T("f32[batch, 4, 3]"), T("f32[batch, 3]")}, A({{"axes", ints({1})}}))),
            "f32[batch, 4, 3]");
  EXPECT_EQ(types(infer(OpKind::kReduceMaxGrad, {T("f32[batch, 4, 3]"), T("f32[batch, 1, 3]")},
                        A({{"axes", ints({1})}, {"keepdims", Attribute::boolean(true)}}))),
            "f32[batch, 4, 3]");
  EXPECT_EQ(error(infer(OpKind::kReduceMaxGrad, {T("f32[batch, 4, 3]"), T("f32[batch, 4]")}, A({{"axes", ints({1})}}))),
            "reduce_max_grad: g must be f32[batch, 3] to match reduce_max(x), but is "
            "f32[batch, 4]");
}

TEST(NormGrads, ThreeResults) {
  EXPECT_EQ(types(infer(OpKind::kBatchnormGrad, {T("f32[batch, 4, 4, 3]"), T("f32[3]"), T("f32[batch, 4, 4, 3]")})),
            "f32[batch, 4, 4, 3], f32[3], f32[3]");
  EXPECT_EQ(types(infer(OpKind::kLayernormGrad, {T("f64[batch, 5, 6]"), T("f64[5]"), T("f64[batch, 5, 6]")},
                        A({{"axis", i(1)}}))),
            "f64[batch, 5, 6], f64[5], f64[5]");
  EXPECT_EQ(error(infer(OpKind::kLayernormGrad, {T("f32[batch, 6]"), T("f32[5]"), T("f32[batch, 6]")})),
            "layernorm_grad: gamma must be f32[6] for x f32[batch, 6] on axis -1, but is f32[5]");
  EXPECT_EQ(error(infer(OpKind::kBatchnormGrad, {T("f32[batch, 6]"), T("f32[6]"), T("f32[batch, 5]")})),
            "batchnorm_grad: g must be f32[batch, 6] to match x, but is f32[batch, 5]");
  EXPECT_EQ(error(infer(OpKind::kBatchnormGrad, {T("f32[2, 6]"), T("f32[6]"), T("f32[2, 6]")},
                        A({{"epsilon", Attribute::real(0.0)}}))),
            "batchnorm_grad: epsilon must be a finite number > 0, not 0.0");
}

TEST(EmbeddingGrad, HasTheTypeOfTheTable) {
  EXPECT_EQ(types(infer(OpKind::kEmbeddingGrad, {T("i32[batch, 7]"), T("f32[batch, 7, 16]"), T("f32[100, 16]")})),
            "f32[100, 16]");
  EXPECT_EQ(error(infer(OpKind::kEmbeddingGrad, {T("i32[batch, 7]"), T("f32[batch, 16]"), T("f32[100, 16]")})),
            "embedding_grad: g must be f32[batch, 7, 16] to match embedding(ids, like), but is "
            "f32[batch, 16]");
}

TEST(LstmGrad, FourResults) {
  std::vector<TensorType> operands = {T("f32[batch, 5, 3]"), T("f32[3, 8]"), T("f32[2, 8]"), T("f32[8]"),
                                      T("f32[batch, 2]")};
  EXPECT_EQ(types(infer(OpKind::kLstmGrad, operands, A({{"units", i(2)}}))),
            "f32[batch, 5, 3], f32[3, 8], f32[2, 8], f32[8]");
  EXPECT_EQ(
      error(infer(OpKind::kLstmGrad, operands, A({{"units", i(2)}, {"return_sequences", Attribute::boolean(true)}}))),
      "lstm_grad: g must be f32[batch, 5, 2] to match lstm(x, kernel, recurrent_kernel, "
      "bias), but is f32[batch, 2]");
  EXPECT_EQ(error(infer(OpKind::kLstmGrad, operands, A({{"units", i(3)}}))),
            "lstm_grad: kernel must be f32[3, 12] for x f32[batch, 5, 3] and 3 units, but is "
            "f32[3, 8]");
}

TEST(RandomCropGrad, HasTheShapeOfLike) {
  Attrs a = A({{"height", i(3)}, {"width", i(2)}});
  EXPECT_EQ(types(infer(OpKind::kRandomCropGrad, {T("f32[batch, 3, 2, 4]"), T("f32[batch, 5, 5, 4]")}, a)),
            "f32[batch, 5, 5, 4]");
  EXPECT_EQ(error(infer(OpKind::kRandomCropGrad, {T("f32[batch, 2, 2, 4]"), T("f32[batch, 5, 5, 4]")}, a)),
            "random_crop_grad: g must be f32[batch, 3, 2, 4] to match random_crop(like), but is "
            "f32[batch, 2, 2, 4]");
}

TEST(Assign, HasNoResults) {
  auto r = infer(OpKind::kAssign, {T("f32[3, 3]")}, A({{"name", Attribute::string("dense.kernel")}}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(opDef(OpKind::kAssign).num_results, 0);
}

}  // namespace
}  // namespace dlc::ir
