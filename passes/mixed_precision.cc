// mixed-precision: with --precision bf16 or fp16, rewrites every function so
// that the ops the table marks kLowPrecision (conv2d, dense, matmul, lstm and
// their backward ops) read bf16/f16 operands, the ops marked kFullPrecision
// (softmax, log-softmax, normalizations, reductions, exp/log) read f32, and
// every other op runs in the widest float type among its operands, as
// PyTorch's autocast and Keras's mixed policies do. Parameters stay f32 (the
// master copy): a layer reads a cast of them. Casts are inserted once per
// value and type, right before their first reader; a function still returns,
// and an `assign` still writes, the types they had, so signatures, losses and
// optimizer state keep their dtypes. fp32 and tf32 leave the module as it is.
// The policy table: docs/MIXED_PRECISION.md.
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "passes/pass.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::passes {
namespace {

using ir::DType;
using ir::Function;
using ir::Operation;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

// f64 > f32 > bf16, f16; bf16 with f16 meet at f32.
DType wider(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::kF64 || b == DType::kF64) return DType::kF64;
  return DType::kF32;
}

bool isConstant(const Value* v) { return v->producer() && v->producer()->kind() == OpKind::kConstant; }

// Operands that do not take part in an op's arithmetic type: select's
// condition.
bool isDataOperand(const Operation& op, size_t i) {
  const auto& names = op.def().operand_names;
  return i >= names.size() || names[i] != "cond";
}

class FunctionRewriter {
 public:
  FunctionRewriter(Function& f, DType low) : f_(f), low_(low) {}

  absl::Status run() {
    // What each output and assigned value was before, to restore at the end.
    std::vector<DType> output_types;
    for (const Value* v : f_.outputs()) output_types.push_back(v->type().dtype);
    for (const auto& op : f_.ops())
      if (op->kind() == OpKind::kAssign) assigned_[op.get()] = op->operand(0)->type().dtype;
    for (size_t i = 0; i < f_.ops().size(); ++i) {
      Operation& op = *f_.ops()[i];
      if (op.kind() == OpKind::kAssign) {
        // What the parameter was written with before the rewrite.
        RETURN_IF_ERROR(castOperand(i, op, 0, declaredType(op)));
        continue;
      }
      if (op.def().has(ir::kGivenType) || op.kind() == OpKind::kCast) continue;
      std::optional<DType> want = computeType(op);
      if (want)
        for (size_t k = 0; k < op.numOperands(); ++k)
          if (isDataOperand(op, k) && converts(op, op.operand(k)->type().dtype, *want))
            RETURN_IF_ERROR(castOperand(i, op, k, *want));
      RETURN_IF_ERROR(reinfer(op));
    }
    for (size_t i = 0; i < output_types.size(); ++i) {
      Value* v = f_.outputs()[i];
      if (v->type().dtype == output_types[i]) continue;
      ASSIGN_OR_RETURN(Value * c, castAt(f_.ops().size(), v, output_types[i]));
      f_.setOutput(i, c);
    }
    return absl::OkStatus();
  }

 private:
  // The float type `op` computes in, or nullopt when it has no float data
  // operand to decide it.
  std::optional<DType> computeType(const Operation& op) const {
    if (op.def().has(ir::kLowPrecision)) return low_;
    if (op.def().has(ir::kFullPrecision)) return DType::kF32;
    // Follow: the widest float among the operands; constants (literals in
    // the model, like Python scalars under autocast) take the type of the
    // others rather than widening them.
    std::optional<DType> strong, weak;
    for (size_t k = 0; k < op.numOperands(); ++k) {
      const Value* v = op.operand(k);
      DType t = v->type().dtype;
      if (!ir::isFloat(t) || !isDataOperand(op, k)) continue;
      std::optional<DType>& slot = isConstant(v) ? weak : strong;
      slot = slot ? wider(*slot, t) : t;
    }
    return strong ? strong : weak;
  }

  // Whether an operand of type `t` is cast to `want`: low-precision ops
  // narrow f32 only (f64 was asked for), f32 ops widen bf16/f16 only, and
  // following ops cast every float that differs.
  static bool converts(const Operation& op, DType t, DType want) {
    if (!ir::isFloat(t) || t == want) return false;
    if (op.def().has(ir::kLowPrecision)) return t == DType::kF32;
    if (op.def().has(ir::kFullPrecision)) return ir::isHalfFloat(t);
    return true;
  }

  DType declaredType(const Operation& assign) const { return assigned_.at(&assign); }

  absl::Status castOperand(size_t& at, Operation& op, size_t k, DType to) {
    Value* v = op.operand(k);
    if (v->type().dtype == to) return absl::OkStatus();
    size_t before = f_.ops().size();
    ASSIGN_OR_RETURN(Value * c, castAt(at, v, to));
    at += f_.ops().size() - before;  // `op` moved down past the new cast
    op.setOperand(k, c);
    return absl::OkStatus();
  }

  // A cast of `v` to `to` inserted before op `at` (the first reader: later
  // readers reuse it).
  absl::StatusOr<Value*> castAt(size_t at, Value* v, DType to) {
    auto [it, inserted] = casts_.try_emplace(std::pair<const Value*, DType>{v, to}, nullptr);
    if (!inserted) return it->second;
    ir::Attrs attrs;
    attrs.set("dtype", ir::Attribute::dtype(to));
    Location loc = v->producer() ? v->producer()->location() : f_.location();
    ASSIGN_OR_RETURN(Operation * cast, f_.insert(at, OpKind::kCast, {v}, std::move(attrs), loc));
    cast->result()->setNameHint(v->nameHint());
    it->second = cast->result();
    return cast->result();
  }

  // The op's result types again from the table, now that its operands may
  // have other dtypes.
  absl::Status reinfer(Operation& op) {
    std::vector<TensorType> operand_types;
    for (const Value* v : op.operands()) operand_types.push_back(v->type());
    const ir::OpDef& def = op.def();
    absl::StatusOr<std::vector<TensorType>> types =
        def.infer(ir::ShapeContext{operand_types, op.attrs(), {}, def.name});
    if (!types.ok())
      return absl::InvalidArgumentError(
          strCat("'", def.name, "' cannot run in mixed precision here: ", types.status().message()));
    for (size_t r = 0; r < op.numResults(); ++r) op.result(r)->setType((*types)[r]);
    return absl::OkStatus();
  }

  Function& f_;
  DType low_;
  absl::flat_hash_map<std::pair<const Value*, DType>, Value*> casts_;
  absl::flat_hash_map<const Operation*, DType> assigned_;
};

class MixedPrecisionPass : public Pass {
 public:
  explicit MixedPrecisionPass(ir::Precision precision) : low_(ir::lowPrecisionType(precision)) {}

  absl::Status run(ir::Module& module) override {
    if (!low_) return absl::OkStatus();
    for (const auto& f : module.functions()) {
      FunctionRewriter rewriter(*f, *low_);
      absl::Status s = rewriter.run();
      if (!s.ok()) return absl::Status(s.code(), strCat("@", f->name(), ": ", s.message()));
    }
    return absl::OkStatus();
  }

 private:
  std::optional<DType> low_;
};

}  // namespace

std::unique_ptr<Pass> createMixedPrecisionPass(const PassOptions& options) {
  return std::make_unique<MixedPrecisionPass>(options.precision);
}

}  // namespace dlc::passes
