// Tensor types: an element type and a shape whose dimensions are either
// static sizes or symbolic names such as `batch`.
#ifndef DLC_IR_TYPE_H_
#define DLC_IR_TYPE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace dlc::ir {

// Dimension sizes are bounded so that products of a few of them can be
// computed without overflow checks everywhere; larger sizes are errors.
inline constexpr int64_t kMaxDimSize = int64_t{1} << 40;
// Elements in one tensor; byte counts of such tensors still fit in int64.
inline constexpr int64_t kMaxElements = int64_t{1} << 52;

class Dim {
 public:
  static Dim fixed(int64_t size) { return Dim(size, {}); }
  static Dim symbolic(std::string name) { return Dim(-1, std::move(name)); }

  bool isStatic() const { return symbol_.empty(); }
  int64_t size() const { return size_; }  // valid when isStatic()
  const std::string& symbol() const { return symbol_; }
  std::string str() const;

  friend bool operator==(const Dim&, const Dim&) = default;

 private:
  Dim(int64_t size, std::string symbol) : size_(size), symbol_(std::move(symbol)) {}
  int64_t size_;
  std::string symbol_;
};

struct TensorType {
  DType dtype = DType::kF32;
  std::vector<Dim> dims;

  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
  bool isStatic() const;
  // Element count of a static shape, or nullopt if symbolic or too large.
  std::optional<int64_t> numElements() const;
  // `f32[batch, 28, 28, 1]`; a scalar is `f32[]`.
  std::string str() const;

  friend bool operator==(const TensorType&, const TensorType&) = default;
};

// `[batch, 28, 28, 1]`
std::string dimsToString(const std::vector<Dim>& dims);

}  // namespace dlc::ir

#endif  // DLC_IR_TYPE_H_
