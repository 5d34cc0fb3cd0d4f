// Element types of tensors (public: the graph IR and the runtime share them).
#ifndef DLC_DTYPE_H_
#define DLC_DTYPE_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace dlc::ir {

enum class DType : uint8_t { kF32, kF16, kBF16, kF64, kI32, kI64, kBool };

// Spelling in the language and the IR: f32, f16, bf16, f64, i32, i64, bool.
std::string_view dtypeName(DType dtype);
std::optional<DType> parseDType(std::string_view name);
int64_t dtypeSize(DType dtype);
bool isFloat(DType dtype);
bool isInteger(DType dtype);

}  // namespace dlc::ir

#endif  // DLC_DTYPE_H_
