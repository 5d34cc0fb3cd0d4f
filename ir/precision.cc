#include "ir/precision.h"

namespace dlc::ir {

namespace {
constexpr Precision kPrecisions[] = {Precision::kFp32, Precision::kTf32, Precision::kBf16, Precision::kFp16};
}  // namespace

std::optional<Precision> parsePrecision(std::string_view name) {
  for (Precision p : kPrecisions)
    if (precisionName(p) == name) return p;
  return std::nullopt;
}

std::string_view precisionName(Precision precision) {
  switch (precision) {
    case Precision::kFp32: return "fp32";
    case Precision::kTf32: return "tf32";
    case Precision::kBf16: return "bf16";
    case Precision::kFp16: return "fp16";
  }
  return "fp32";
}

std::optional<DType> lowPrecisionType(Precision precision) {
  if (precision == Precision::kBf16) return DType::kBF16;
  if (precision == Precision::kFp16) return DType::kF16;
  return std::nullopt;
}

bool isHalfFloat(DType dtype) { return dtype == DType::kF16 || dtype == DType::kBF16; }

bool holdsEveryValueOf(DType wide, DType narrow) {
  if (wide == narrow || narrow == DType::kBool) return true;
  switch (narrow) {
    case DType::kF16:
    case DType::kBF16: return wide == DType::kF32 || wide == DType::kF64;
    case DType::kF32: return wide == DType::kF64;
    case DType::kI32: return wide == DType::kI64 || wide == DType::kF64;
    case DType::kF64:
    case DType::kI64:
    case DType::kBool: return false;
  }
  return false;
}

std::string_view precisionChoices() { return "fp32, tf32, bf16 or fp16"; }

std::vector<std::string> precisionNames() {
  std::vector<std::string> names;
  for (Precision p : kPrecisions) names.emplace_back(precisionName(p));
  return names;
}

}  // namespace dlc::ir
