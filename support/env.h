// Environment switches: every DLC_* variable is read through these, with one
// convention (docs/ENVIRONMENT.md lists them all).
//   - unset or empty: the variable is absent (the caller's default applies);
//   - a switch is off for 0, false, off or no (any case), on for anything else;
//   - a number that does not parse is absent, not zero.
#ifndef DLC_SUPPORT_ENV_H_
#define DLC_SUPPORT_ENV_H_

#include <cstdint>
#include <optional>
#include <string>

namespace dlc {

// The value of `name`; nullopt when unset or empty.
std::optional<std::string> envString(const char* name);

// A switch; `fallback` when unset or empty.
bool envFlag(const char* name, bool fallback = false);

// A decimal integer in [min, max]; nullopt when unset, empty, malformed or
// out of range.
std::optional<int64_t> envInteger(const char* name, int64_t min, int64_t max);

}  // namespace dlc

#endif  // DLC_SUPPORT_ENV_H_
