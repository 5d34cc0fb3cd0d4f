// `dlc inspect ART.dlx`: what a compiled artifact holds — format and dlc
// versions, the signature, each compiled function with its target and input
// shapes, the code's requirements, and every section with its size.
#include <iostream>
#include <memory>

#include "runtime/artifact/artifact.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/status_exit.h"

namespace dlc::tool {

CommandMain registerInspectCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("inspect", "print what a compiled artifact (.dlx) holds");
  cmd->add_option("file", *path, "the artifact (.dlx)")->required();
  return [cmd, path]() -> int {
    if (!cmd->parsed()) return -1;
    absl::StatusOr<runtime::artifact::Artifact> a = runtime::artifact::readArtifactFile(*path);
    if (!a.ok()) return reportStatus(a.status());
    std::cout << runtime::artifact::describeArtifact(*a);
    return kSuccess;
  };
}

}  // namespace dlc::tool
