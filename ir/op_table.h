// The op table, generated from ir/ops.def: every op's name, operands,
// attributes, flags, shape rule and gradient rule.
#ifndef DLC_IR_OP_TABLE_H_
#define DLC_IR_OP_TABLE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "ir/type.h"

namespace dlc::ir {

enum class OpKind : uint16_t {
#define OP(Id, ...) k##Id,
#include "ir/ops.def"
#undef OP
};

enum OpFlags : uint32_t {
  kNoFlags = 0,
  kPure = 1u << 0,         // no side effects: CSE and DCE may touch it
  kElementwise = 1u << 1,  // result[i] depends on operand[i] only (after broadcast)
  kCommutative = 1u << 2,
  kRandom = 1u << 3,              // draws random numbers in training mode
  kGivenType = 1u << 4,           // result type is stated, not inferred
  kNotDifferentiable = 1u << 5,   // has no gradient rule (grad is nullptr)
  kCheapToRecompute = 1u << 6,    // fusion may recompute it in every consumer (as elementwise ops)
  kActivation = 1u << 7,          // a layer's `activation="<name>"` applies it to the layer's result
  kLibraryGemm = 1u << 8,         // a GPU target may hand it to cuBLASLt (codegen/lower/library.h)
  kLibraryConvolution = 1u << 9,  // a GPU target may hand it to cuDNN
  // Mixed precision (passes/mixed_precision.h; docs/MIXED_PRECISION.md). An
  // op with neither flag follows its operands (the widest float among them).
  kLowPrecision = 1u << 10,   // runs in bf16/f16 (f32 accumulation): the GEMMs and convolutions
  kFullPrecision = 1u << 11,  // runs in f32: softmax, normalizations, reductions, exp/log
};

struct AttrSpec {
  std::string name;
  AttrKind kind;
  std::optional<Attribute> default_value;  // nullopt: required
  std::vector<std::string> choices;        // for enumerated strings
};

// What a shape rule sees: the operand types and the (complete, checked)
// attributes. Rules return a plain message on error; callers add locations.
struct ShapeContext {
  std::span<const TensorType> operands;
  const Attrs& attrs;
  // Result types stated in the IR text (used by kGivenType ops only).
  std::span<const TensorType> given;
  // The op's name, for messages of rules shared by several ops.
  std::string_view op = {};
};

using ShapeRule = absl::StatusOr<std::vector<TensorType>> (*)(const ShapeContext&);

// A gradient rule (ir/gradients/): given an op and the gradients of its
// results, emits ops computing the gradient of each operand (nullptr where an
// operand has none). See ir/gradient.h.
struct GradContext;
class Value;
using GradFn = absl::StatusOr<std::vector<Value*>> (*)(GradContext&);

struct OpDef {
  OpKind kind;
  std::string_view name;
  std::vector<std::string> operand_names;  // without the ? and ... marks
  int min_operands;
  int max_operands;  // -1: variadic
  int num_results;
  uint32_t flags;
  ShapeRule infer;
  GradFn grad;
  std::vector<AttrSpec> attrs;
  // ELEMENTWISE_WITH_DERIVATIVE ops: the backward op `<name>_grad(x, g)`.
  std::optional<OpKind> derivative;

  bool has(OpFlags flag) const { return (flags & flag) != 0; }
  const AttrSpec* findAttr(std::string_view attr) const;
};

const OpDef& opDef(OpKind kind);
std::optional<OpKind> lookupOp(std::string_view name);
std::span<const OpDef> allOps();

// Checks attribute names and kinds against the table, converts compatible
// kinds, fills defaults and puts the attributes in table order. The message
// names the op and the attribute.
absl::Status normalizeAttrs(const OpDef& def, Attrs& attrs);

}  // namespace dlc::ir

#endif  // DLC_IR_OP_TABLE_H_
