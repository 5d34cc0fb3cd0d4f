#include "tools/dlc/output.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "support/strings.h"

namespace dlc::tool {

absl::Status writeOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
    return std::cout ? absl::OkStatus() : absl::DataLossError("cannot write to stdout");
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) return absl::PermissionDeniedError(strCat(path, ": cannot open for writing: ", std::strerror(errno)));
  out << text;
  out.close();
  if (!out) return absl::DataLossError(strCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace dlc::tool
