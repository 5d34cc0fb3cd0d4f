// Writes a command's text result to stdout or to the file given with -o.
#ifndef DLC_TOOLS_DLC_OUTPUT_H_
#define DLC_TOOLS_DLC_OUTPUT_H_

#include <string>

#include "absl/status/status.h"

namespace dlc::tool {

// Writes `text` to `path`, or to stdout when `path` is empty or "-".
absl::Status writeOutput(const std::string& path, const std::string& text);

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_OUTPUT_H_
