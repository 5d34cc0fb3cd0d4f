// Helpers shared by the gradient rules: attribute lists, reshapes that keep
// symbolic dims, and the "undo a reduction" steps of several rules.
#ifndef DLC_IR_GRADIENTS_GRAD_UTIL_H_
#define DLC_IR_GRADIENTS_GRAD_UTIL_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ir/gradient.h"
#include "ir/gradients/rules.h"

namespace dlc::ir {

Attrs makeAttrs(std::initializer_list<std::pair<std::string, Attribute>> entries);

// The op's attributes without those named in `drop` (for a backward op that
// takes a subset of its forward op's attributes).
Attrs attrsWithout(const Attrs& attrs, std::initializer_list<std::string_view> drop);

// `axis` in [0, rank).
int64_t normalizedAxis(int64_t axis, int64_t rank);
// A reduction's `axes` as sorted axes in [0, rank); empty means every axis.
std::vector<int64_t> normalizedAxes(const std::vector<int64_t>& axes, int64_t rank);

// reshape(v) {shape = dims}; symbolic dims are written by name.
Value* reshapeTo(GradBuilder& b, Value* v, std::vector<Dim> dims);
// reduce_sum(v) over `axes`; v itself when `axes` is empty (where
// reduce_sum would reduce every axis).
Value* sumOver(GradBuilder& b, Value* v, const std::vector<int64_t>& axes);
// transpose(v) swapping the last two axes.
Value* transposeLast2(GradBuilder& b, Value* v);

// g, the gradient of a reduction over `axes` (normalized) of x, with the
// reduced axes put back as 1s (a reshape; nothing when keepdims).
Value* keepdimsForm(GradBuilder& b, Value* g, Value* x, const std::vector<int64_t>& axes, bool keepdims);
// broadcast_to(v, x), or v when it has x's type already.
Value* broadcastLike(GradBuilder& b, Value* v, Value* x);
// The gradient of a sum over `axes` of x: keepdimsForm broadcast to x.
Value* unreduce(GradBuilder& b, Value* g, Value* x, const std::vector<int64_t>& axes, bool keepdims);
// v / (number of elements of x over `axes`), where v broadcasts to x's
// shape. The count is a scalar constant when those dims are static,
// and computed at run time (a reduce_sum of ones) when one is symbolic.
Value* divideByCount(GradBuilder& b, Value* v, Value* x, const std::vector<int64_t>& axes);

// The rule's result, or the builder's first error.
GradResult finish(GradBuilder& b, std::vector<Value*> grads);

}  // namespace dlc::ir

#endif  // DLC_IR_GRADIENTS_GRAD_UTIL_H_
