// One evaluator per row of ir/ops.def, declared from the table itself: an op
// added to the table without an evaluator fails to link. Each op family's
// evaluators live in one file beside this header.
#ifndef DLC_REFERENCE_EVALUATORS_H_
#define DLC_REFERENCE_EVALUATORS_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ir.h"
#include "reference/array.h"
#include "reference/interpreter.h"

namespace dlc::reference {

// The parameters a function writes with `assign`, by name, each already in
// its declared dtype.
using StateWrites = std::map<std::string, Array, std::less<>>;

// What an evaluator sees: the op, its operand arrays, the concrete types of
// its results (inferred by the op's shape rule from the concrete operand
// types), the run's parameters and options, and where `assign` records its
// write.
struct OpContext {
  const ir::Operation& op;
  size_t op_index;  // position in the function
  std::vector<const Array*> operands;
  // The first result's dtype and shape (f32[] for an op with no results).
  ir::DType dtype;
  std::vector<int64_t> shape;
  // Every result's, for ops with several.
  std::vector<ir::DType> dtypes;
  std::vector<std::vector<int64_t>> shapes;
  const ir::Module& module;
  const ParamMap& params;
  const InterpretOptions& options;
  StateWrites* writes;

  const Array& operand(size_t i) const { return *operands[i]; }
  bool hasOperand(size_t i) const { return i < operands.size(); }
  const ir::Attrs& attrs() const { return op.attrs(); }
  // A zero-filled array of result i's type.
  Array result(size_t i = 0) const;
  // `embedding 'embedding' at line 7`: the op, the layer name of its result
  // and its source line where known, for messages.
  std::string describe() const;
};

// What an evaluator returns: one array per result of its op, in order (none
// for assign). Most ops have one result, and an Array converts.
struct Results {
  std::vector<Array> arrays;

  Results() = default;
  Results(Array array) { arrays.push_back(std::move(array)); }  // NOLINT: implicit
  Results(std::vector<Array> all) : arrays(std::move(all)) {}   // NOLINT: implicit
};

// The evaluators return the exact (double) results; the interpreter rounds
// them to the result dtypes afterwards.
#define OP(Id, ...) absl::StatusOr<Results> eval##Id(const OpContext& c);
#include "ir/ops.def"
#undef OP

// An axis attribute in [-rank, rank) as an index in [0, rank).
inline int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// The logistic function, without overflow for large |x|.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}

// The table row that ids[p] names for an embedding table of `rows` rows, or
// the error (naming the op and the index) for an id outside [0, rows).
absl::StatusOr<int64_t> embeddingRow(const OpContext& c, const Array& ids, int64_t p, int64_t rows);

}  // namespace dlc::reference

#endif  // DLC_REFERENCE_EVALUATORS_H_
