// Runs work in forked child processes, several at a time, so that a crash
// or a hang of one model is a finding and not the end of the campaign. The
// parent stays single-threaded (it only generates sources and forks), so
// forking is safe; each child compiles and runs one model and exits.
#ifndef DLC_TOOLS_DIFFFUZZ_SANDBOX_H_
#define DLC_TOOLS_DIFFFUZZ_SANDBOX_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tools/difffuzz/runner.h"

namespace dlc::difffuzz {

class Sandbox {
 public:
  Sandbox(int jobs, int timeout_seconds) : jobs_(jobs), timeout_(timeout_seconds) {}
  ~Sandbox();

  // Whether another child may start now.
  bool hasRoom() const { return static_cast<int>(children_.size()) < jobs_; }
  bool idle() const { return children_.empty(); }
  // Forks a child that runs `work` and reports its Outcome.
  void start(uint64_t id, const std::function<Outcome()>& work);
  // Waits until at least one child is done; returns (id, outcome) of each
  // that is: a crash (signal or abnormal exit, with the end of its stderr)
  // or a timeout when the child did not report.
  std::vector<std::pair<uint64_t, Outcome>> wait();

  // SIGINT, SIGTERM and SIGHUP kill every child, then the process.
  static void installSignalHandlers();
  // One run of `work` in a child, waiting for it.
  static Outcome runOne(const std::function<Outcome()>& work, int timeout_seconds);

 private:
  struct Child {
    uint64_t id;
    pid_t pid;
    int result_fd, stderr_fd;
    std::string result, err;
    std::chrono::steady_clock::time_point deadline;
    bool result_done = false, err_done = false;
  };
  Outcome finish(Child& c, bool timed_out);

  int jobs_, timeout_;
  std::vector<Child> children_;
};

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_SANDBOX_H_
