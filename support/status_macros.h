// RETURN_IF_ERROR / ASSIGN_OR_RETURN in the style of Abseil-using codebases:
// errors are values and propagate explicitly.
#ifndef DLC_SUPPORT_STATUS_MACROS_H_
#define DLC_SUPPORT_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define DLC_CONCAT_INNER(a, b) a##b
#define DLC_CONCAT(a, b) DLC_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status dlc_status_ = (expr);       \
    if (!dlc_status_.ok()) return dlc_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(DLC_CONCAT(dlc_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#endif  // DLC_SUPPORT_STATUS_MACROS_H_
