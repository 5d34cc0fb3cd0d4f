#include "runtime/memory_budget.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "support/env.h"
#include "support/strings.h"

namespace dlc::runtime {
namespace {

// Limits at or above this (v1's "no limit" is 2^63 rounded down to a page)
// are no limit.
constexpr int64_t kNoLimit = int64_t{1} << 60;

std::optional<std::string> readSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<int64_t> parseDecimal(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return digitsToInt64(text, false);
}

// The value of `key` in a "key value" (memory.stat) or "Key: value kB"
// (/proc/meminfo) file.
std::optional<int64_t> keyedValue(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with(key) || line.size() <= key.size()) continue;
    char next = line[key.size()];
    if (next != ' ' && next != ':') continue;
    std::istringstream fields(line.substr(key.size() + 1));
    int64_t value = 0;
    std::string unit;
    if (!(fields >> value)) return std::nullopt;
    fields >> unit;
    return unit == "kB" ? value * 1024 : value;
  }
  return std::nullopt;
}

// Field `index` of /proc/self/statm (in pages), in bytes.
std::optional<int64_t> statmBytes(const MemorySources& sources, int index) {
  std::optional<std::string> text = readSmallFile(sources.proc + "/self/statm");
  if (!text) return std::nullopt;
  std::istringstream fields(*text);
  int64_t value = 0;
  for (int i = 0; i <= index; ++i)
    if (!(fields >> value)) return std::nullopt;
  return value * sysconf(_SC_PAGESIZE);
}

void keepSmaller(MemoryHeadroom& best, int64_t bytes, std::string limit) {
  bytes = std::max<int64_t>(bytes, 0);
  if (bytes < best.bytes) best = {bytes, std::move(limit)};
}

// One cgroup folder's limit less its working set, if it has a limit.
void cgroupFolderHeadroom(const std::string& folder, bool v2, MemoryHeadroom& best) {
  std::optional<std::string> max = readSmallFile(folder + (v2 ? "/memory.max" : "/memory.limit_in_bytes"));
  std::optional<std::string> usage = readSmallFile(folder + (v2 ? "/memory.current" : "/memory.usage_in_bytes"));
  if (!max || !usage) return;
  std::optional<int64_t> limit = parseDecimal(*max);  // v2 writes "max" for none
  std::optional<int64_t> used = parseDecimal(*usage);
  if (!limit || !used || *limit >= kNoLimit) return;
  int64_t reclaimable = 0;
  if (std::optional<std::string> stat = readSmallFile(folder + "/memory.stat"))
    reclaimable = keyedValue(*stat, v2 ? "inactive_file" : "total_inactive_file").value_or(0);
  int64_t working_set = std::max<int64_t>(*used - reclaimable, 0);
  keepSmaller(best, *limit - working_set,
              strCat("the memory cgroup's limit of ", formatBytes(*limit), ", ", formatBytes(working_set), " in use"));
}

// Each folder from the process's cgroup up to the hierarchy's root: a
// parent's limit binds its children too. Inside a container the process's
// path may not exist under the mount; the root then is the container's.
void cgroupHeadroom(const MemorySources& sources, MemoryHeadroom& best) {
  std::optional<std::string> membership = readSmallFile(sources.proc + "/self/cgroup");
  if (!membership) return;
  std::istringstream lines(*membership);
  std::string line;
  while (std::getline(lines, line)) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    bool v2 = line.substr(0, first) == "0" && controllers.empty();
    bool v1 = ("," + controllers + ",").find(",memory,") != std::string::npos;
    if (!v1 && !v2) continue;
    std::string mount = sources.cgroup_root + (v1 ? "/memory" : "");
    while (!path.empty() && path != "/") {
      cgroupFolderHeadroom(mount + path, v2, best);
      path = path.substr(0, path.rfind('/'));
    }
    cgroupFolderHeadroom(mount, v2, best);
  }
}

void availableMemoryHeadroom(const MemorySources& sources, MemoryHeadroom& best) {
  std::optional<std::string> meminfo = readSmallFile(sources.proc + "/meminfo");
  if (!meminfo) return;
  if (std::optional<int64_t> available = keyedValue(*meminfo, "MemAvailable"))
    keepSmaller(best, *available, "MemAvailable in /proc/meminfo");
}

void addressSpaceHeadroom(const MemorySources& sources, MemoryHeadroom& best) {
  rlimit limit{};
  if (!sources.rlimit || getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  int64_t cap = limit.rlim_cur >= static_cast<rlim_t>(kNoLimit) ? kNoLimit : static_cast<int64_t>(limit.rlim_cur);
  int64_t size = statmBytes(sources, 0).value_or(0);
  keepSmaller(best, cap - size,
              strCat("the address-space limit (ulimit -v) of ", formatBytes(cap), ", ", formatBytes(size), " mapped"));
}

}  // namespace

void MemoryNeed::add(std::string label, int64_t bytes) {
  if (bytes <= 0) return;
  parts_.emplace_back(std::move(label), bytes);
  total_ = bytes > MemoryHeadroom::kUnlimited - total_ ? MemoryHeadroom::kUnlimited : total_ + bytes;
}

void MemoryNeed::add(const MemoryNeed& other) {
  for (const auto& [label, bytes] : other.parts_) add(label, bytes);
}

std::string MemoryNeed::describe() const {
  return strJoin(parts_, ", ",
                 [](std::string* out, const auto& part) { strAppend(out, part.first, " ", formatBytes(part.second)); });
}

MemoryHeadroom headroomUnder(int64_t limit_bytes, std::string_view source, const MemorySources& sources) {
  int64_t resident = statmBytes(sources, 1).value_or(0);
  MemoryHeadroom headroom;
  keepSmaller(headroom, limit_bytes - resident, strCat(source, ", ", formatBytes(resident), " in use"));
  return headroom;
}

absl::StatusOr<std::optional<MemoryLimitSetting>> memoryLimitFromEnvironment() {
  std::optional<std::string> setting = envString("DLC_MEMORY_LIMIT");
  if (!setting) return std::nullopt;
  std::string source = strCat("DLC_MEMORY_LIMIT=", *setting);
  if (*setting == "unlimited") return MemoryLimitSetting{MemoryHeadroom::kUnlimited, source};
  absl::StatusOr<int64_t> limit = parseByteSize(*setting);
  if (!limit.ok()) return absl::InvalidArgumentError(strCat(source, ": ", limit.status().message()));
  return MemoryLimitSetting{*limit, source};
}

absl::StatusOr<MemoryHeadroom> hostMemoryHeadroom(const MemorySources& sources) {
  absl::StatusOr<std::optional<MemoryLimitSetting>> setting = memoryLimitFromEnvironment();
  if (!setting.ok()) return setting.status();
  if (*setting) {
    if ((*setting)->bytes == MemoryHeadroom::kUnlimited) return MemoryHeadroom{};
    return headroomUnder((*setting)->bytes, (*setting)->source, sources);
  }
  MemoryHeadroom best;
  cgroupHeadroom(sources, best);
  availableMemoryHeadroom(sources, best);
  addressSpaceHeadroom(sources, best);
  return best;
}

absl::Status checkFits(std::string_view what, const MemoryNeed& need, const MemoryHeadroom& headroom,
                       std::string_view memory) {
  if (need.total() <= headroom.bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(strCat(
      what, " needs ", formatBytes(need.total()), " of ", memory.empty() ? "memory" : memory, " (", need.describe(),
      "), but this process may use only ", formatBytes(headroom.bytes), " more (", headroom.limit, ")"));
}

absl::Status checkHostMemory(std::string_view what, const MemoryNeed& need) {
  if (need.total() < kUncheckedBytes) return absl::OkStatus();
  absl::StatusOr<MemoryHeadroom> headroom = hostMemoryHeadroom();
  if (!headroom.ok()) return headroom.status();
  return checkFits(what, need, *headroom);
}

std::string formatBytes(int64_t bytes) {
  if (bytes < 1024) return strCat(bytes, " bytes");
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

absl::StatusOr<int64_t> parseByteSize(std::string_view text) {
  auto notASize = [&] {
    return absl::InvalidArgumentError("not a size (bytes, or a number with K, M, G or T, e.g. 8G or 512MiB)");
  };
  size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  std::string number(text.substr(0, digits));
  std::string_view unit = text.substr(digits);
  if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1) return notASize();
  int shift = 0;
  if (!unit.empty()) {
    constexpr std::string_view kPrefixes = "KMGT";
    size_t prefix = kPrefixes.find(static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))));
    std::string_view rest = unit.substr(1);
    if (prefix == std::string_view::npos || !(rest.empty() || rest == "B" || rest == "iB")) return notASize();
    shift = 10 * static_cast<int>(prefix + 1);
  }
  double value = std::ldexp(std::strtod(number.c_str(), nullptr), shift);
  if (!(value < 0x1p62)) return absl::InvalidArgumentError("size too large");
  return static_cast<int64_t>(value);
}

}  // namespace dlc::runtime
