// CUDA C++ spellings of the kernel IR's scalar types, constants and ops: the
// table that the CUDA emitter differs in from the LLVM one.
#ifndef DLC_CODEGEN_CUDA_SYNTAX_H_
#define DLC_CODEGEN_CUDA_SYNTAX_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen::cuda {

using kir::ScalarType;

// float, __half, __nv_bfloat16, double, int, long long, bool.
std::string_view cudaType(ScalarType type);
// The type arithmetic on `type` is done in: f16 and bf16 compute in f32 and
// round each result back.
ScalarType computeType(ScalarType type);
// The type a reduction accumulates in: the compute type, int for bool.
ScalarType accumulatorType(ScalarType type);
// Converts a value between a type and its compute (or accumulator) type.
std::string toWider(ScalarType type, std::string value);
std::string fromWider(ScalarType type, std::string value);

std::string constant(ScalarType type, const kir::ConstExpr& c);
std::string cast(ScalarType from, ScalarType to, std::string value);
// Operands and result are in the compute type of `type` (the operand type).
absl::StatusOr<std::string> unary(kir::UnaryOp op, ScalarType type, std::string x);
absl::StatusOr<std::string> binary(kir::BinaryOp op, ScalarType type, std::string a, std::string b);
// `dlc_add` ...: the prelude's helpers, overloaded on the accumulator types.
std::string_view combiner(kir::ReduceOp op);
// The identity of a reduction of `type` values, in its accumulator type
// (bools reduce as ints: 1 for min and mul, else 0).
std::string identityText(kir::ReduceOp op, ScalarType type);

// A C identifier made of the letters, digits and underscores of `name`.
std::string identifier(std::string_view name);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_SYNTAX_H_
