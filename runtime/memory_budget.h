// The memory budget: before a target allocates what a function needs (its
// parameters, its memory plan's arena, its outputs, the interpreter's
// arrays), it compares the total with what this process may still use and
// refuses with ResourceExhausted, naming both, instead of being killed by
// the kernel's OOM killer halfway through.
//
// What the process may use is the smallest headroom of:
//   - the memory cgroup (v2 memory.max, v1 memory.limit_in_bytes) less its
//     working set (usage less inactive file cache, which the kernel reclaims
//     before it kills);
//   - MemAvailable of /proc/meminfo;
//   - RLIMIT_AS (`ulimit -v`) less the process's virtual size.
// DLC_MEMORY_LIMIT (bytes, or 512M, 8G, 1.5T in powers of 1024;
// `unlimited` turns the check off) replaces all three: the process may use that much in all, less its
// resident size. It lowers the limit for tests, and overrides the detection
// where it is wrong (swap, memory about to be freed).
#ifndef DLC_RUNTIME_MEMORY_BUDGET_H_
#define DLC_RUNTIME_MEMORY_BUDGET_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc::runtime {

// What one call needs, in parts that the message names.
class MemoryNeed {
 public:
  // Adds `bytes` (saturating) under `label`; parts of 0 bytes are left out.
  void add(std::string label, int64_t bytes);
  void add(const MemoryNeed& other);
  int64_t total() const { return total_; }
  // "parameters 14.9 GiB, workspace 7.5 GiB"
  std::string describe() const;

 private:
  std::vector<std::pair<std::string, int64_t>> parts_;
  int64_t total_ = 0;
};

struct MemoryHeadroom {
  static constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();
  int64_t bytes = kUnlimited;  // what may still be allocated
  std::string limit;           // what sets it: "MemAvailable in /proc/meminfo"
};

// Where the limits are read from; tests point these at files of their own.
struct MemorySources {
  std::string proc = "/proc";
  std::string cgroup_root = "/sys/fs/cgroup";
  bool rlimit = true;  // consult RLIMIT_AS
};

// DLC_MEMORY_LIMIT when set: its bytes (kUnlimited for `unlimited`) and a
// description ("DLC_MEMORY_LIMIT=8G"). InvalidArgument when it is not a size.
struct MemoryLimitSetting {
  int64_t bytes = 0;
  std::string source;
};
absl::StatusOr<std::optional<MemoryLimitSetting>> memoryLimitFromEnvironment();

// The headroom of the host process. InvalidArgument for a DLC_MEMORY_LIMIT
// that is not a size.
absl::StatusOr<MemoryHeadroom> hostMemoryHeadroom(const MemorySources& sources = {});

// The headroom from an explicit limit on the whole process (DLC_MEMORY_LIMIT).
MemoryHeadroom headroomUnder(int64_t limit_bytes, std::string_view source, const MemorySources& sources = {});

// ResourceExhausted when `need` exceeds `headroom`:
//   "model 'h' needs 29.8 GiB of memory (parameters 14.9 GiB, workspace
//    7.5 GiB, outputs 7.5 GiB), but this process may use only 7.1 GiB more
//    (MemAvailable in /proc/meminfo)"
// `memory` names a device's memory ("memory of the GPU"); host by default.
absl::Status checkFits(std::string_view what, const MemoryNeed& need, const MemoryHeadroom& headroom,
                       std::string_view memory = "");

// checkFits against the host's headroom. Needs under kUncheckedBytes pass
// unchecked: reading the limits (a few small files) costs more than such an
// allocation risks, and a small model's run takes microseconds.
constexpr int64_t kUncheckedBytes = int64_t{64} << 20;
absl::Status checkHostMemory(std::string_view what, const MemoryNeed& need);

// 16000000000 -> "14.9 GiB"; below 1 KiB, "512 bytes".
std::string formatBytes(int64_t bytes);

// "8G", "512MiB", "1.5T", "1000000" (bytes); K, M, G, T are powers of 1024
// with or without "iB"/"B". InvalidArgument for anything else.
absl::StatusOr<int64_t> parseByteSize(std::string_view text);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_MEMORY_BUDGET_H_
