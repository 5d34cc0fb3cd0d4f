// What a gradient rule sees and uses: the op being differentiated, the
// gradients of its results, and a builder that emits the backward ops into
// the function (after everything already there) and records the first error.
#ifndef DLC_IR_GRADIENT_H_
#define DLC_IR_GRADIENT_H_

#include <span>
#include <vector>

#include "absl/status/status.h"
#include "ir/ir.h"

namespace dlc::ir {

class GradBuilder {
 public:
  GradBuilder(Function& function, Location loc) : function_(function), loc_(loc) {}

  // Appends an op; returns its first result, or nullptr after an error
  // (then status() says why, and later calls do nothing).
  Value* emit(OpKind kind, std::vector<Value*> operands, Attrs attrs = {});
  // Appends an op with several results.
  std::vector<Value*> emitMulti(OpKind kind, std::vector<Value*> operands, Attrs attrs = {});
  // A scalar constant of `dtype`.
  Value* scalar(double value, DType dtype);

  // Conveniences for the common shapes of rules.
  Value* add(Value* a, Value* b) { return emit(OpKind::kAdd, {a, b}); }
  Value* sub(Value* a, Value* b) { return emit(OpKind::kSub, {a, b}); }
  Value* mul(Value* a, Value* b) { return emit(OpKind::kMul, {a, b}); }
  Value* div(Value* a, Value* b) { return emit(OpKind::kDiv, {a, b}); }
  Value* neg(Value* a) { return emit(OpKind::kNeg, {a}); }
  // Sums `g` down to `like`'s shape when broadcasting made it larger; `g`
  // itself when the shapes already agree.
  Value* sumTo(Value* g, Value* like);

  const absl::Status& status() const { return status_; }
  Location location() const { return loc_; }
  void setLocation(Location loc) { loc_ = loc; }
  Function& function() { return function_; }

 private:
  Function& function_;
  Location loc_;
  absl::Status status_;
};

struct GradContext {
  const Operation& op;
  // One per result of `op`; nullptr when that result does not reach the
  // loss (rules treat it as zero).
  std::span<Value* const> result_grads;
  GradBuilder& b;

  Value* operand(size_t i) const { return op.operand(i); }
  Value* result(size_t i = 0) const { return op.result(i); }
  Value* grad(size_t i = 0) const { return result_grads[i]; }
  const Attrs& attrs() const { return op.attrs(); }
};

}  // namespace dlc::ir

#endif  // DLC_IR_GRADIENT_H_
