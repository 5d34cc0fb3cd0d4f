#include "runtime/tensor.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"
#include "ir/type.h"
#include "support/strings.h"

namespace dlc::runtime {

void Tensor::Free::operator()(std::byte* p) const { std::free(p); }

absl::StatusOr<int64_t> checkedElementCount(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return absl::InvalidArgumentError(strCat("negative dimension ", d));
    if (d != 0 && n > ir::kMaxElements / d) return absl::InvalidArgumentError("tensor has too many elements");
    n *= d;
  }
  return n;
}

absl::StatusOr<Tensor> Tensor::zeros(DType dtype, std::vector<int64_t> shape) {
  absl::StatusOr<int64_t> n = checkedElementCount(shape);
  if (!n.ok()) return n.status();
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.num_elements_ = *n;
  t.byte_size_ = static_cast<size_t>(*n * ir::dtypeSize(dtype));
  size_t alloc = (t.byte_size_ + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, alloc == 0 ? 64 : alloc);
  if (!p) return absl::ResourceExhaustedError(strCat("cannot allocate ", t.byte_size_, " bytes"));
  std::memset(p, 0, alloc == 0 ? 64 : alloc);
  t.data_.reset(static_cast<std::byte*>(p));
  return t;
}

Tensor Tensor::clone() const {
  if (!data_) return Tensor();
  Tensor t = *Tensor::zeros(dtype_, shape_);
  if (byte_size_) std::memcpy(t.data(), data(), byte_size_);
  return t;
}

std::string Tensor::typeString() const { return strCat(ir::dtypeName(dtype_), "[", strJoin(shape_, ", "), "]"); }

double Tensor::get(int64_t i) const {
  switch (dtype_) {
    case DType::kF32: return values<float>()[i];
    case DType::kF64: return values<double>()[i];
    case DType::kF16: return halfToFloat(values<uint16_t>()[i]);
    case DType::kBF16: return bfloat16ToFloat(values<uint16_t>()[i]);
    case DType::kI32: return values<int32_t>()[i];
    case DType::kI64: return static_cast<double>(values<int64_t>()[i]);
    case DType::kBool: return values<uint8_t>()[i] != 0;
  }
  return 0;
}

void Tensor::set(int64_t i, double v) {
  switch (dtype_) {
    case DType::kF32: values<float>()[i] = static_cast<float>(v); return;
    case DType::kF64: values<double>()[i] = v; return;
    case DType::kF16: values<uint16_t>()[i] = floatToHalf(static_cast<float>(v)); return;
    case DType::kBF16: values<uint16_t>()[i] = floatToBFloat16(static_cast<float>(v)); return;
    case DType::kI32: values<int32_t>()[i] = static_cast<int32_t>(v); return;
    case DType::kI64: values<int64_t>()[i] = static_cast<int64_t>(v); return;
    case DType::kBool: values<uint8_t>()[i] = v != 0; return;
  }
}

uint16_t floatToBFloat16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f)) return static_cast<uint16_t>((bits >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

float bfloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  uint32_t mag = x & 0x7fffffff;
  if (mag >= 0x7f800000) return static_cast<uint16_t>(sign | 0x7c00 | (mag > 0x7f800000 ? 0x200 : 0));
  if (mag >= 0x477ff000) return static_cast<uint16_t>(sign | 0x7c00);  // rounds past 65504: inf
  if (mag < 0x38800000) {
    // Subnormal half: scale into integer units of 2^-24, rounding to even.
    float a;
    std::memcpy(&a, &mag, 4);
    float scaled = a * 16777216.0f;  // 2^24
    uint32_t units = static_cast<uint32_t>(std::nearbyint(scaled));
    return static_cast<uint16_t>(sign | units);
  }
  uint32_t exp = ((mag >> 23) - 112) << 10;
  uint32_t mant = (mag >> 13) & 0x3ff;
  uint32_t rest = mag & 0x1fff;
  uint32_t h = exp | mant;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits |= sign;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  uint32_t bits = exp == 31 ? (sign | 0x7f800000 | (mant << 13)) : (sign | ((exp + 112) << 23) | (mant << 13));
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace dlc::runtime
