// canonicalize: constant folding and local algebraic identities, applied to a
// fixed point with the pattern driver of passes/rewrite.h.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "codegen/compute/fold.h"
#include "ir/precision.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace dlc::passes {
namespace {

using ir::Attribute;
using ir::Attrs;
using ir::DType;
using ir::Operation;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

// Folding stops at this many result elements: bigger constants belong in
// weights, not in the IR text.
constexpr int64_t kMaxFoldElements = int64_t{1} << 20;

// The values of a constant op with a static type (one value for a splat, or
// one per element), or null if `v` is not such a constant.
const std::vector<double>* constantValues(const Value* v) {
  const Operation* op = producerOf(v, OpKind::kConstant);
  if (!op || !v->type().isStatic()) return nullptr;
  const Attribute* value = op->attrs().find("value");
  if (!value || value->kind() != ir::AttrKind::kFloatList) return nullptr;
  const std::vector<double>& values = value->asFloatList();
  std::optional<int64_t> n = v->type().numElements();
  if (!n || (values.size() != 1 && static_cast<int64_t>(values.size()) != *n)) return nullptr;
  return &values;
}

// Whether `v` is a constant whose elements all equal `x`.
bool isSplatOf(const Value* v, double x) {
  const std::vector<double>* values = constantValues(v);
  return values && !values->empty() && std::all_of(values->begin(), values->end(), [x](double e) { return e == x; });
}

// Rounds a folded value to what a tensor of `dtype` holds (f16 and bf16 only
// to f32 precision). Returns false when the value does not fit an integer
// type (out of range, NaN or infinite).
bool toDType(DType dtype, double& v) {
  // Half-way between FLT_MAX and 2^128: from here on f32 rounds to infinity.
  constexpr double kF32Overflow = 0x1.ffffffp127;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (dtype) {
    case DType::kBool: v = v != 0 ? 1 : 0; return true;
    case DType::kI32:
    case DType::kI64: {
      if (!std::isfinite(v)) return false;
      v = std::trunc(v);
      double limit = dtype == DType::kI32 ? 2147483648.0 : 9223372036854775808.0;
      return v >= -limit && v < limit;
    }
    case DType::kF32:
    case DType::kF16:
    case DType::kBF16:
      v = std::fabs(v) >= kF32Overflow ? std::copysign(kInf, v) : static_cast<double>(static_cast<float>(v));
      return true;
    case DType::kF64: return true;
  }
  return false;
}

// Evaluates an elementwise op over constant operands with NumPy broadcasting,
// through the op's compute (codegen/compute/fold.h). Returns one value when
// every operand is a splat.
std::optional<std::vector<double>> foldElementwise(const Operation& op,
                                                   const std::vector<const std::vector<double>*>& in) {
  const TensorType& type = op.result(0)->type();
  std::optional<codegen::ScalarFold> fold = codegen::ScalarFold::of(op);
  if (!fold) return std::nullopt;
  bool all_splat = std::all_of(in.begin(), in.end(), [](auto* v) { return v->size() == 1; });
  int64_t n = all_splat ? 1 : *type.numElements();
  if (n == 0 || n > kMaxFoldElements) return std::nullopt;

  // strides[k][axis]: how far operand k's flat index moves per step along a
  // result axis (0 for splats and broadcast axes).
  size_t rank = type.dims.size();
  std::vector<std::vector<int64_t>> strides(in.size(), std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < in.size() && !all_splat; ++k) {
    if (in[k]->size() == 1) continue;
    const std::vector<ir::Dim>& dims = op.operand(k)->type().dims;
    size_t offset = rank - dims.size();
    int64_t stride = 1;
    for (size_t j = dims.size(); j-- > 0;) {
      if (dims[j].size() != 1) strides[k][offset + j] = stride;
      stride *= dims[j].size();
    }
  }

  std::vector<double> out(static_cast<size_t>(n));
  std::vector<int64_t> index(rank, 0), flat(in.size(), 0);
  std::vector<double> args(in.size());
  for (int64_t e = 0; e < n; ++e) {
    for (size_t k = 0; k < in.size(); ++k) args[k] = (*in[k])[static_cast<size_t>(flat[k])];
    std::optional<double> v = (*fold)(args);
    if (!v || !toDType(type.dtype, *v)) return std::nullopt;
    out[static_cast<size_t>(e)] = *v;
    // Step the result index, last axis fastest.
    for (size_t axis = rank; axis-- > 0;) {
      for (size_t k = 0; k < in.size(); ++k) flat[k] += strides[k][axis];
      if (++index[axis] < type.dims[axis].size()) break;
      for (size_t k = 0; k < in.size(); ++k) flat[k] -= strides[k][axis] * index[axis];
      index[axis] = 0;
    }
  }
  return out;
}

// The operand `keep` of a binary op when operand `other` is a splat of
// `value` and the op's result has the kept operand's type (so broadcasting
// does not change the shape or dtype); else null.
Value* passThrough(const Operation& op, size_t keep, size_t other, double value) {
  Value* x = op.operand(keep);
  return isSplatOf(op.operand(other), value) && x->type() == op.result(0)->type() ? x : nullptr;
}

// The op's operand when the op leaves it unchanged: same type out as in.
Value* sameTypeAsInput(const Operation& op) {
  Value* x = op.operand(0);
  return x->type() == op.result(0)->type() ? x : nullptr;
}

bool isIdentityPerm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

Attrs attrsOf(std::string_view name, Attribute value) {
  Attrs attrs;
  attrs.set(name, std::move(value));
  return attrs;
}

bool inference(const Operation& op) { return !op.attrs().getBool("training"); }

const Pattern kPatterns[] = {
    // f(constant, ...) -> constant, for elementwise f (evaluating its compute)
    {std::nullopt,
     [](Rewriter& rw, const Operation& op) -> Value* {
       if (!op.def().has(ir::kElementwise) || op.numOperands() == 0 || !op.result(0)->type().isStatic()) return nullptr;
       std::vector<const std::vector<double>*> in;
       for (const Value* v : op.operands()) {
         in.push_back(constantValues(v));
         if (!in.back()) return nullptr;
       }
       std::optional<std::vector<double>> values = foldElementwise(op, in);
       if (!values) return nullptr;
       return rw.create(OpKind::kConstant, {}, attrsOf("value", Attribute::floatList(*values)), {op.result(0)->type()});
     }},

    // x * 1 -> x
    {OpKind::kMul, [](Rewriter&, const Operation& op) { return passThrough(op, 0, 1, 1.0); }},
    // 1 * x -> x
    {OpKind::kMul, [](Rewriter&, const Operation& op) { return passThrough(op, 1, 0, 1.0); }},
    // x + 0 -> x
    {OpKind::kAdd, [](Rewriter&, const Operation& op) { return passThrough(op, 0, 1, 0.0); }},
    // 0 + x -> x
    {OpKind::kAdd, [](Rewriter&, const Operation& op) { return passThrough(op, 1, 0, 0.0); }},
    // x - 0 -> x
    {OpKind::kSub, [](Rewriter&, const Operation& op) { return passThrough(op, 0, 1, 0.0); }},
    // x / 1 -> x
    {OpKind::kDiv, [](Rewriter&, const Operation& op) { return passThrough(op, 0, 1, 1.0); }},

    // neg(neg(x)) -> x
    {OpKind::kNeg,
     [](Rewriter&, const Operation& op) -> Value* {
       const Operation* inner = producerOf(op.operand(0), OpKind::kNeg);
       return inner ? inner->operand(0) : nullptr;
     }},

    // transpose(x, [0, 1, ..., n-1]) -> x
    {OpKind::kTranspose,
     [](Rewriter&, const Operation& op) -> Value* {
       return isIdentityPerm(op.attrs().getIntList("perm")) ? sameTypeAsInput(op) : nullptr;
     }},
    // transpose(transpose(x, p), q) -> transpose(x, p∘q), where (p∘q)[i] = p[q[i]]
    {OpKind::kTranspose,
     [](Rewriter& rw, const Operation& op) -> Value* {
       const Operation* inner = producerOf(op.operand(0), OpKind::kTranspose);
       if (!inner) return nullptr;
       const std::vector<int64_t>& p = inner->attrs().getIntList("perm");
       const std::vector<int64_t>& q = op.attrs().getIntList("perm");
       if (p.size() != q.size()) return nullptr;
       std::vector<int64_t> perm;
       for (int64_t i : q) {
         if (i < 0 || i >= static_cast<int64_t>(p.size())) return nullptr;
         perm.push_back(p[static_cast<size_t>(i)]);
       }
       Value* x = inner->operand(0);
       if (isIdentityPerm(perm)) return x;
       return rw.create(OpKind::kTranspose, {x}, attrsOf("perm", Attribute::intList(perm)));
     }},

    // reshape(x) -> x, when the type does not change
    {OpKind::kReshape, [](Rewriter&, const Operation& op) { return sameTypeAsInput(op); }},
    // flatten(x) -> x, when the type does not change
    {OpKind::kFlatten, [](Rewriter&, const Operation& op) { return sameTypeAsInput(op); }},
    // reshape(reshape(x)) -> reshape(x), and reshape(flatten(x)) -> reshape(x)
    {OpKind::kReshape,
     [](Rewriter& rw, const Operation& op) -> Value* {
       const Operation* inner = producerOf(op.operand(0), OpKind::kReshape);
       if (!inner) inner = producerOf(op.operand(0), OpKind::kFlatten);
       if (!inner) return nullptr;
       return rw.create(OpKind::kReshape, {inner->operand(0)}, op.attrs());
     }},
    // cast(x: T, dtype = T) -> x
    {OpKind::kCast, [](Rewriter&, const Operation& op) { return sameTypeAsInput(op); }},
    // cast(cast(x: A, B), C) -> cast(x, C) when B holds every value of A: the
    // pairs mixed precision leaves (bf16 -> f32 -> bf16) cancel.
    {OpKind::kCast,
     [](Rewriter& rw, const Operation& op) -> Value* {
       const Operation* inner = producerOf(op.operand(0), OpKind::kCast);
       if (!inner || !ir::holdsEveryValueOf(inner->result()->type().dtype, inner->operand(0)->type().dtype))
         return nullptr;
       if (inner->operand(0)->type() == op.result()->type()) return inner->operand(0);
       return rw.create(OpKind::kCast, {inner->operand(0)}, op.attrs());
     }},

    // dropout(x, training = false) -> x
    {OpKind::kDropout, [](Rewriter&, const Operation& op) { return inference(op) ? op.operand(0) : nullptr; }},
    // random_flip(x, training = false) -> x
    {OpKind::kRandomFlip, [](Rewriter&, const Operation& op) { return inference(op) ? op.operand(0) : nullptr; }},
    // random_crop(x, training = false) -> x, when the crop is the whole image
    {OpKind::kRandomCrop, [](Rewriter&, const Operation& op) { return inference(op) ? sameTypeAsInput(op) : nullptr; }},
};

class CanonicalizePass : public Pass {
 public:
  absl::Status run(ir::Module& module) override {
    for (const auto& f : module.functions()) applyPatterns(*f, kPatterns);
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<Pass> createCanonicalizePass(const PassOptions&) { return std::make_unique<CanonicalizePass>(); }

}  // namespace dlc::passes
