// Integer helpers of tiling and launch arithmetic (positive operands).
#ifndef DLC_SUPPORT_INT_MATH_H_
#define DLC_SUPPORT_INT_MATH_H_

#include <cstdint>

namespace dlc {

// a / b rounded up, for a >= 0 and b > 0.
constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The least power of two >= n (1 for n <= 1).
constexpr int64_t pow2AtLeast(int64_t n) {
  int64_t p = 1;
  while (p < n) p *= 2;
  return p;
}

}  // namespace dlc

#endif  // DLC_SUPPORT_INT_MATH_H_
