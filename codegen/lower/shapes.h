// The concrete types of every value of a function once its inputs' shapes are
// known: code is generated per shape, so symbolic dims (`batch`) are bound
// here and every op's shape rule is applied to concrete operand types.
#ifndef DLC_CODEGEN_LOWER_SHAPES_H_
#define DLC_CODEGEN_LOWER_SHAPES_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/ir.h"

namespace dlc::codegen {

struct ConcreteType {
  ir::DType dtype = ir::DType::kF32;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  int64_t numBytes() const { return numElements() * ir::dtypeSize(dtype); }
  friend bool operator==(const ConcreteType&, const ConcreteType&) = default;
};

struct ConcreteTypes {
  absl::flat_hash_map<const ir::Value*, ConcreteType> of;
  std::map<std::string, int64_t> symbols;  // batch = 64

  const ConcreteType& at(const ir::Value* v) const { return of.at(v); }
};

// Binds `function`'s symbolic dims to `input_shapes` (one per argument) and
// infers every value's concrete type. InvalidArgument when an input's shape
// does not match its declaration (naming it); Internal for malformed IR.
absl::StatusOr<ConcreteTypes> concreteTypes(const ir::Function& function,
                                            std::span<const std::vector<int64_t>> input_shapes);

// The argument shapes of `function` with every symbolic dim bound to
// `size` (what `--batch` compiles for).
std::vector<std::vector<int64_t>> argumentShapes(const ir::Function& function, int64_t size);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_SHAPES_H_
