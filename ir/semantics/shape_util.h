// Helpers shared by the shape rules: error messages, checked arithmetic,
// axes, broadcasting and the checks every rule repeats.
#ifndef DLC_IR_SEMANTICS_SHAPE_UTIL_H_
#define DLC_IR_SEMANTICS_SHAPE_UTIL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "ir/semantics/rules.h"
#include "support/strings.h"

namespace dlc::ir {

// "OP: MESSAGE" as an InvalidArgument error; messages are lower-case and end
// without a period.
template <typename... Args>
absl::Status shapeError(std::string_view op, const Args&... args) {
  return absl::InvalidArgumentError(strCat(op, ": ", args...));
}

// The name of the op a rule is checking, for messages. Rules shared by several
// ops (add/sub/..., maxpool2d/avgpool2d, ...) cannot tell them apart unless the
// context names the op; until ShapeContext has a `std::string_view op` member
// they use `fallback`. Once it has, this returns it with no change here.
template <typename Context = ShapeContext>
std::string_view opName(const Context& c, std::string_view fallback) {
  if constexpr (requires { std::string_view(c.op); }) {
    std::string_view name(c.op);
    return name.empty() ? fallback : name;
  } else {
    return fallback;
  }
}

// Arithmetic on sizes; nullopt on int64 overflow.
std::optional<int64_t> checkedMul(int64_t a, int64_t b);
std::optional<int64_t> checkedAdd(int64_t a, int64_t b);

// Product of the static dims, or nullopt past kMaxElements.
std::optional<int64_t> staticProduct(const std::vector<Dim>& dims);

// `2x3` for two static dims.
std::string windowString(int64_t h, int64_t w);

// Every operand dim is a size in [0, kMaxDimSize] or a symbol, so rules can
// do arithmetic on them.
absl::Status checkOperands(std::string_view op, const ShapeContext& c);

// Checks on one operand, named `operand` in messages.
absl::Status requireFloat(std::string_view op, std::string_view operand, const TensorType& t);
absl::Status requireNumeric(std::string_view op, std::string_view operand, const TensorType& t);
// `layout` describes the expected dims, e.g. "[N, H, W, C]".
absl::Status requireRank(std::string_view op, std::string_view operand, const TensorType& t, int64_t rank,
                         std::string_view layout);
absl::Status requireSameDType(std::string_view op, std::string_view a_name, const TensorType& a,
                              std::string_view b_name, const TensorType& b);
// `t` must have type `expected` exactly: "OP: OPERAND must be EXPECTED WHY, but is T".
absl::Status requireType(std::string_view op, std::string_view operand, const TensorType& t, const TensorType& expected,
                         std::string_view why);
// The static size of dim `axis` of `t`; `what` names it ("height").
absl::StatusOr<int64_t> requireStaticDim(std::string_view op, std::string_view operand, const TensorType& t,
                                         int64_t axis, std::string_view what);

// Maps an axis in [-rank, rank) to [0, rank); `attr` names the attribute.
absl::StatusOr<int64_t> normalizeAxis(std::string_view op, std::string_view attr, int64_t axis,
                                      std::string_view operand, const TensorType& t);

// An integer-list attribute of exactly two values >= 1 (strides, pool, dilation).
absl::StatusOr<std::array<int64_t, 2>> positivePair(std::string_view op, const Attrs& attrs, std::string_view attr);

// NumPy broadcasting of one dim: equal dims match, a static 1 stretches to the
// other dim (symbolic or not); anything else is a mismatch (nullopt).
std::optional<Dim> broadcastDim(const Dim& a, const Dim& b);
// Right-aligned broadcasting of two dim lists.
std::optional<std::vector<Dim>> broadcastDims(const std::vector<Dim>& a, const std::vector<Dim>& b);

// The single result of a rule, after checking its dims against kMaxDimSize and
// its (static part's) element count against kMaxElements.
ShapeResult makeResult(std::string_view op, DType dtype, std::vector<Dim> dims);

}  // namespace dlc::ir

#endif  // DLC_IR_SEMANTICS_SHAPE_UTIL_H_
