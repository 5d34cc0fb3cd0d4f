// One evaluator per row of ir/ops.def, declared from the table itself: an op
// added to the table without an evaluator fails to link. Each op family's
// evaluators live in one file beside this header.
#ifndef DLC_REFERENCE_EVALUATORS_H_
#define DLC_REFERENCE_EVALUATORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ir.h"
#include "reference/array.h"
#include "reference/interpreter.h"

namespace dlc::reference {

// What an evaluator sees: the op, its operand arrays, the concrete type of
// its result (inferred by the op's shape rule from the concrete operand
// types) and the run's parameters and options.
struct OpContext {
  const ir::Operation& op;
  size_t op_index;  // position in the function, for the random streams
  std::vector<const Array*> operands;
  ir::DType dtype;
  std::vector<int64_t> shape;
  const ir::Module& module;
  const ParamMap& params;
  const InterpretOptions& options;

  const Array& operand(size_t i) const { return *operands[i]; }
  bool hasOperand(size_t i) const { return i < operands.size(); }
  const ir::Attrs& attrs() const { return op.attrs(); }
  // A zero-filled array of the result type.
  Array result() const;
  // `embedding 'embedding' at line 7`: the op, the layer name of its result
  // and its source line where known, for messages.
  std::string describe() const;
};

// The evaluators return the exact (double) result; the interpreter rounds it
// to the result dtype afterwards.
#define OP(Id, ...) absl::StatusOr<Array> eval##Id(const OpContext& c);
#include "ir/ops.def"
#undef OP

// An axis attribute in [-rank, rank) as an index in [0, rank).
inline int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

}  // namespace dlc::reference

#endif  // DLC_REFERENCE_EVALUATORS_H_
