// A tensor in host memory: dtype, static shape and a 64-byte-aligned byte
// buffer in C (row-major) order. The currency of tensor files, the reference
// interpreter and the public API.
#ifndef DLC_TENSOR_H_
#define DLC_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dlc/dtype.h"

namespace dlc::runtime {

using ir::DType;

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled. Fails (without allocating) when the size overflows or a
  // dimension is negative.
  static absl::StatusOr<Tensor> zeros(DType dtype, std::vector<int64_t> shape);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return num_elements_; }
  size_t byteSize() const { return byte_size_; }

  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }

  // Typed views; T must match the dtype's storage (float for f32, uint16_t
  // for f16/bf16, bool stored as uint8_t).
  template <typename T>
  std::span<T> values() {
    return {reinterpret_cast<T*>(data()), static_cast<size_t>(num_elements_)};
  }
  template <typename T>
  std::span<const T> values() const {
    return {reinterpret_cast<const T*>(data()), static_cast<size_t>(num_elements_)};
  }

  // Element i converted to/from double, whatever the dtype (f16 and bf16
  // rounded to nearest even on the way in).
  double get(int64_t i) const;
  void set(int64_t i, double value);

  Tensor clone() const;
  // `f32[2, 3]`
  std::string typeString() const;

 private:
  struct Free {
    void operator()(std::byte* p) const;
  };
  DType dtype_ = DType::kF32;
  std::vector<int64_t> shape_;
  int64_t num_elements_ = 0;
  size_t byte_size_ = 0;
  std::unique_ptr<std::byte[], Free> data_;
};

// Element count and byte size of a shape, checked for overflow; fails on a
// negative dimension or more than 2^52 elements.
absl::StatusOr<int64_t> checkedElementCount(std::span<const int64_t> shape);

// IEEE half and bfloat16 conversions (round to nearest even).
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);
uint16_t floatToBFloat16(float f);
float bfloat16ToFloat(uint16_t b);

}  // namespace dlc::runtime

#endif  // DLC_TENSOR_H_
