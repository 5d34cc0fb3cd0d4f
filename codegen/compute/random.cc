// dropout, random_flip, random_crop and random_crop_grad, drawing exactly
// what reference/random.cc draws: the stream of (seed, key, step) read from
// the run state, uniform(k) computed in f64 and compared there. With
// training=false: the identity, the identity and a centre crop.
#include <string>
#include <utility>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "support/status_macros.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

bool training(const ComputeContext& ctx) { return ctx.attrs().getBool("training"); }
ExprRef f64(double v) { return kir::constant(ScalarType::kF64, v); }

absl::StatusOr<ExprRef> identity(const ComputeContext& ctx, std::span<const ExprRef> index) {
  return convert(operand(ctx, 0, Index(index.begin(), index.end())), ctx.types.result_dtypes[0]);
}

// Element k is kept when uniform(k) >= rate, then scaled by 1 / (1 - rate);
// the product is taken in f64 and rounded once, as the reference does.
absl::StatusOr<ExprRef> dropout(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  double rate = ctx.attrs().getFloat("rate");
  if (!training(ctx) || rate == 0.0) return identity(ctx, index);
  ExprRef k = linearize(index, ctx.types.result_shapes[0]);
  ASSIGN_OR_RETURN(ExprRef u, uniform(ctx, k));
  ExprRef x = kir::cast(ScalarType::kF64, operand(ctx, 0, Index(index.begin(), index.end())));
  ExprRef y = select(ge(u, f64(rate)), mul(x, f64(1.0 / (1.0 - rate))), f64(0));
  return convert(y, ctx.types.result_dtypes[0]);
}

// Image n flips horizontally when uniform(2n) < 0.5, vertically when
// uniform(2n + 1) < 0.5 (as the mode allows).
absl::StatusOr<ExprRef> randomFlip(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  if (!training(ctx)) return identity(ctx, index);
  const std::string& mode = ctx.attrs().getString("mode");
  const std::vector<int64_t>& shape = operandShape(ctx, 0);
  ExprRef n = index[0], i = index[1], j = index[2];
  ExprRef k = mul(n, idx(2));
  if (mode != "vertical") {
    ASSIGN_OR_RETURN(ExprRef u, uniform(ctx, k));
    j = select(lt(u, f64(0.5)), sub(idx(shape[2] - 1), j), j);
  }
  if (mode != "horizontal") {
    ASSIGN_OR_RETURN(ExprRef u, uniform(ctx, add(k, idx(1))));
    i = select(lt(u, f64(0.5)), sub(idx(shape[1] - 1), i), i);
  }
  return convert(operand(ctx, 0, {n, i, j, index[3]}), ctx.types.result_dtypes[0]);
}

// The top-left corner of image n's crop from big[N, H, W, C] to
// small[N, height, width, C]: floor(uniform(2n) * (room + 1)) capped at room
// for the row (2n + 1 for the column) in training, the centre otherwise.
absl::StatusOr<std::pair<ExprRef, ExprRef>> cropOffset(const ComputeContext& ctx, ExprRef n,
                                                       const std::vector<int64_t>& big,
                                                       const std::vector<int64_t>& small) {
  int64_t room_h = big[1] - small[1], room_w = big[2] - small[2];
  if (!training(ctx)) return std::pair(idx(room_h / 2), idx(room_w / 2));
  auto draw = [&](ExprRef k, int64_t room) -> absl::StatusOr<ExprRef> {
    ASSIGN_OR_RETURN(ExprRef u, uniform(ctx, k));
    ExprRef scaled = kir::cast(ScalarType::kI64, mul(u, f64(static_cast<double>(room + 1))));
    return min(scaled, idx(room));
  };
  ExprRef k = mul(n, idx(2));
  ASSIGN_OR_RETURN(ExprRef top, draw(k, room_h));
  ASSIGN_OR_RETURN(ExprRef left, draw(add(k, idx(1)), room_w));
  return std::pair(top, left);
}

absl::StatusOr<ExprRef> randomCrop(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ASSIGN_OR_RETURN(auto offset, cropOffset(ctx, index[0], operandShape(ctx, 0), ctx.types.result_shapes[0]));
  ExprRef i = add(offset.first, index[1]), j = add(offset.second, index[2]);
  return convert(operand(ctx, 0, {index[0], i, j, index[3]}), ctx.types.result_dtypes[0]);
}

// (g, like) -> g placed back at the forward crop's offsets, zeros elsewhere.
absl::StatusOr<ExprRef> randomCropGrad(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& small = operandShape(ctx, 0);
  ASSIGN_OR_RETURN(auto offset, cropOffset(ctx, index[0], ctx.types.result_shapes[0], small));
  ExprRef i = sub(index[1], offset.first), j = sub(index[2], offset.second);
  ExprRef inside = both(inRange(i, small[1]), inRange(j, small[2]));
  ExprRef g = operand(ctx, 0, {index[0], clampIndex(i, small[1]), clampIndex(j, small[2]), index[3]});
  return convert(select(inside, g, like(g, 0)), ctx.types.result_dtypes[0]);
}

}  // namespace

const OpLowering kLowerDropout{.compute = dropout};
const OpLowering kLowerRandomFlip{.compute = randomFlip};
const OpLowering kLowerRandomCrop{.compute = randomCrop};
const OpLowering kLowerRandomCropGrad{.compute = randomCropGrad};

}  // namespace dlc::codegen
