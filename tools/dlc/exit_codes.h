// dlc's exit statuses (../shared/spec/cli.md): 0 success, 1 an error in the
// user's model or data, 2 a usage error, 3 any other failure.
#ifndef DLC_TOOLS_DLC_EXIT_CODES_H_
#define DLC_TOOLS_DLC_EXIT_CODES_H_

namespace dlc::tool {

enum ExitCode : int { kSuccess = 0, kUserError = 1, kUsageError = 2, kInternalError = 3 };

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_EXIT_CODES_H_
