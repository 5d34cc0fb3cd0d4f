// One-op graphs checked against the reference interpreter: a case names an
// op, its operands (dtype, shape, how to fill them) and attributes; the
// harness runs reference::interpret, lowers the op with its compute (at
// every result index) or its kernel builder, evaluates that with KirEval on
// the same inputs, and compares.
#ifndef DLC_TESTS_UNIT_CODEGEN_COMPUTE_HARNESS_H_
#define DLC_TESTS_UNIT_CODEGEN_COMPUTE_HARNESS_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/dtype.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::codegen::testing {

using dlc::testing::attrs;
using ir::Attribute;
using ir::DType;

enum class Fill {
  kUniform,   // uniform in [-2, 2]
  kPositive,  // uniform in [0.1, 3]
  kWide,      // uniform in [-30, 30]
  kTies,      // integers in {0, 1, 2}: many equal values
  kNan,       // kTies with about one value in five NaN
  kInfinite,  // kTies with half the values -inf and about one in ten +inf
  kIds,       // integers in [0, bound)
  kIdsWide,   // integers in [-1, bound]: some out of range
  kNonZero,   // integers in [-5, 5] except 0
};

struct OperandSpec {
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  Fill fill = Fill::kUniform;
  int64_t bound = 0;
};

inline OperandSpec f32(std::vector<int64_t> shape, Fill fill = Fill::kUniform) {
  return {DType::kF32, std::move(shape), fill, 0};
}
inline OperandSpec ids(DType dtype, std::vector<int64_t> shape, int64_t bound, Fill fill = Fill::kIds) {
  return {dtype, std::move(shape), fill, bound};
}

struct OpCase {
  std::string name;  // unique; the test's name
  std::string op;
  std::vector<OperandSpec> operands;
  ir::Attrs attrs;
  // Relative tolerance (plus the same absolute); 0 asks for identical values.
  double tolerance = 1e-5;
};

// gtest names a failing case by its name, not its bytes.
inline void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

// The cases of each op family (cases_*.cc).
std::vector<OpCase> elementwiseCases();
std::vector<OpCase> layerCases();
std::vector<OpCase> shapeCases();
std::vector<OpCase> randomCases();
std::vector<OpCase> backwardCases();

// Runs one case with gtest assertions.
void checkCase(const OpCase& c);

}  // namespace dlc::codegen::testing

#endif  // DLC_TESTS_UNIT_CODEGEN_COMPUTE_HARNESS_H_
