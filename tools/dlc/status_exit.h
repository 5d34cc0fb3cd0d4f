// Maps a status to dlc's exit statuses and prints its message.
#ifndef DLC_TOOLS_DLC_STATUS_EXIT_H_
#define DLC_TOOLS_DLC_STATUS_EXIT_H_

#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "tools/dlc/exit_codes.h"

namespace dlc::tool {

// Errors in the user's model or data (invalid, missing, out of range) exit
// with 1; anything else (not implemented, internal, I/O) with 3. Messages that
// are rendered diagnostics (they start with FILE:LINE:COL) print as they are.
inline int reportStatus(const absl::Status& status) {
  std::string message(status.message());
  if (message.find(": error: ") == std::string::npos) message = "dlc: error: " + message;
  std::cerr << message << (message.ends_with('\n') ? "" : "\n");
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kDataLoss: return kUserError;
    default: return kInternalError;
  }
}

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_STATUS_EXIT_H_
