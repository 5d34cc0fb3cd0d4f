#include "tools/difffuzz/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dlc::difffuzz {
namespace {

constexpr char kSep = '\x1f';

std::string serialize(const Outcome& o) {
  return o.kind + kSep + o.target + kSep + o.detail + kSep + (o.trained ? "1" : "0");
}

bool deserialize(const std::string& text, Outcome& o) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == kSep) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  if (parts.size() != 4) return false;
  o.kind = parts[0];
  o.target = parts[1];
  o.detail = parts[2];
  o.trained = parts[3] == "1";
  return true;
}

void writeAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// The children alive, for the signal handler: a campaign that is
// interrupted or terminated takes its children with it.
constexpr int kMaxChildren = 256;
volatile sig_atomic_t g_children[kMaxChildren];

void forgetChild(pid_t pid) {
  for (int i = 0; i < kMaxChildren; ++i)
    if (g_children[i] == pid) g_children[i] = 0;
}

void rememberChild(pid_t pid) {
  for (int i = 0; i < kMaxChildren; ++i)
    if (g_children[i] == 0) {
      g_children[i] = pid;
      return;
    }
}

extern "C" void killChildrenAndExit(int signal) {
  for (int i = 0; i < kMaxChildren; ++i)
    if (g_children[i] > 0) kill(g_children[i], SIGKILL);
  _exit(128 + signal);
}

// Keeps the end of a child's stderr: a sanitizer's report or an assertion.
void keepTail(std::string& s) {
  if (s.size() > 4096) s.erase(0, s.size() - 4096);
}

}  // namespace

void Sandbox::installSignalHandlers() {
  signal(SIGINT, killChildrenAndExit);
  signal(SIGTERM, killChildrenAndExit);
  signal(SIGHUP, killChildrenAndExit);
}

Sandbox::~Sandbox() {
  for (Child& c : children_) {
    kill(c.pid, SIGKILL);
    waitpid(c.pid, nullptr, 0);
    forgetChild(c.pid);
    close(c.result_fd);
    close(c.stderr_fd);
  }
}

void Sandbox::start(uint64_t id, const std::function<Outcome()>& work) {
  int result[2], err[2];
  if (pipe(result) != 0 || pipe(err) != 0) {
    perror("dlc-difffuzz: pipe");
    _exit(2);
  }
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    perror("dlc-difffuzz: fork");
    _exit(2);
  }
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    close(result[0]);
    close(err[0]);
    dup2(err[1], STDERR_FILENO);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDOUT_FILENO);
    writeAll(result[1], serialize(work()));
    // No static destructors: the parent only waits for the report.
    _exit(0);
  }
  rememberChild(pid);
  close(result[1]);
  close(err[1]);
  children_.push_back(
      {id, pid, result[0], err[0], "", "", std::chrono::steady_clock::now() + std::chrono::seconds(timeout_)});
}

Outcome Sandbox::finish(Child& c, bool timed_out) {
  int status = 0;
  // A child that exited while the parent was busy elsewhere (minimizing a
  // finding) is past its deadline but not late: read what it left.
  if (timed_out && waitpid(c.pid, &status, WNOHANG) == c.pid) {
    timed_out = false;
    char buf[4096];
    for (ssize_t n; (n = read(c.result_fd, buf, sizeof buf)) > 0;) c.result.append(buf, n);
    for (ssize_t n; (n = read(c.stderr_fd, buf, sizeof buf)) > 0;) c.err.append(buf, n);
    keepTail(c.err);
  } else {
    if (timed_out) kill(c.pid, SIGKILL);
    waitpid(c.pid, &status, 0);
  }
  forgetChild(c.pid);
  close(c.result_fd);
  close(c.stderr_fd);
  Outcome o;
  if (timed_out) {
    o.kind = "timeout";
    o.detail = "no result after " + std::to_string(timeout_) + " s";
    return o;
  }
  bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (clean && deserialize(c.result, o)) return o;
  o.kind = "crash";
  o.detail = WIFSIGNALED(status) ? std::string("killed by signal ") + strsignal(WTERMSIG(status))
                                 : "exited with status " + std::to_string(WEXITSTATUS(status));
  if (!c.err.empty()) o.detail += "; stderr ends:\n" + c.err;
  return o;
}

std::vector<std::pair<uint64_t, Outcome>> Sandbox::wait() {
  std::vector<std::pair<uint64_t, Outcome>> done;
  while (done.empty() && !children_.empty()) {
    std::vector<pollfd> fds;
    for (const Child& c : children_) {
      fds.push_back({c.result_done ? -1 : c.result_fd, POLLIN, 0});
      fds.push_back({c.err_done ? -1 : c.stderr_fd, POLLIN, 0});
    }
    poll(fds.data(), fds.size(), 200);
    auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < children_.size(); ++i) {
      Child& c = children_[i];
      char buf[4096];
      if (fds[2 * i].revents) {
        ssize_t n = read(c.result_fd, buf, sizeof buf);
        if (n > 0)
          c.result.append(buf, n);
        else
          c.result_done = true;
      }
      if (fds[2 * i + 1].revents) {
        ssize_t n = read(c.stderr_fd, buf, sizeof buf);
        if (n > 0) {
          c.err.append(buf, n);
          keepTail(c.err);
        } else {
          c.err_done = true;
        }
      }
    }
    for (size_t i = children_.size(); i-- > 0;) {
      Child& c = children_[i];
      bool timed_out = now > c.deadline;
      if (!(c.result_done && c.err_done) && !timed_out) continue;
      done.emplace_back(c.id, finish(c, timed_out && !(c.result_done && c.err_done)));
      children_.erase(children_.begin() + i);
    }
  }
  return done;
}

Outcome Sandbox::runOne(const std::function<Outcome()>& work, int timeout_seconds) {
  Sandbox box(1, timeout_seconds);
  box.start(0, work);
  std::vector<std::pair<uint64_t, Outcome>> done;
  while (done.empty()) done = box.wait();
  return done.front().second;
}

}  // namespace dlc::difffuzz
