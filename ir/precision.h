// The numeric precision a model is compiled for (--precision, a train
// block's `precision`, ModelOptions::precision): fp32, tf32 (f32 values, but
// GPU libraries may round GEMM operands to TF32 on tensor cores) and the
// mixed precisions bf16 and fp16 (f32 master weights, low-precision compute,
// f32 accumulation; passes/mixed_precision.h).
#ifndef DLC_IR_PRECISION_H_
#define DLC_IR_PRECISION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/dtype.h"

namespace dlc::ir {

enum class Precision : uint8_t { kFp32, kTf32, kBf16, kFp16 };

// "fp32", "tf32", "bf16", "fp16"; nullopt for anything else.
std::optional<Precision> parsePrecision(std::string_view name);
std::string_view precisionName(Precision precision);
// The dtype that bf16 and fp16 compute in; nullopt for fp32 and tf32.
std::optional<DType> lowPrecisionType(Precision precision);
// f16 or bf16: the 2-byte floats, stored narrow and computed in f32.
bool isHalfFloat(DType dtype);

// Whether every value of `narrow` is exactly a value of `wide` (bf16 and
// f16 in f32, f32 in f64, i32 in i64 and f64, bool in any type), so that
// a cast to `wide` and back is the identity.
bool holdsEveryValueOf(DType wide, DType narrow);
// The names, for messages: "fp32, tf32, bf16 or fp16".
std::string_view precisionChoices();
// The names in order, for command-line and train-block checks.
std::vector<std::string> precisionNames();

}  // namespace dlc::ir

#endif  // DLC_IR_PRECISION_H_
