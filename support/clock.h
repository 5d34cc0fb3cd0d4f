// Wall-clock intervals for the compile- and run-time reports.
#ifndef DLC_SUPPORT_CLOCK_H_
#define DLC_SUPPORT_CLOCK_H_

#include <chrono>

namespace dlc {

// Milliseconds of the steady clock since `start`.
inline double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace dlc

#endif  // DLC_SUPPORT_CLOCK_H_
