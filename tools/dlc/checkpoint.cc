#include "tools/dlc/checkpoint.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::tool {
namespace {

constexpr const char* kFileName = "checkpoint.safetensors";
constexpr const char* kFormat = "dlc-train-checkpoint-1";

absl::Status errnoError(std::string_view path, std::string_view what) {
  return absl::InternalError(strCat(path, ": ", what, ": ", std::strerror(errno)));
}

absl::Status makeDirectories(const std::string& dir) {
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    prefix = dir.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) return errnoError(prefix, "cannot create the folder");
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(strCat(dir, ": not a folder"));
  return absl::OkStatus();
}

// Makes a rename in `dir` durable.
absl::Status syncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoError(dir, "cannot open the folder");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && errno != EINVAL) return errnoError(dir, "cannot sync the folder");
  return absl::OkStatus();
}

// The temporary files writeSafetensors makes are PATH.tmp.PID.N; those of
// other processes (runs killed while writing) are left-overs.
void removeStaleTemporaries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::string prefix = strCat(kFileName, ".tmp.");
  std::string mine = strCat(prefix, ::getpid(), ".");
  while (dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.starts_with(prefix) && !name.starts_with(mine)) ::unlink(strCat(dir, "/", name).c_str());
  }
  ::closedir(d);
}

absl::StatusOr<int64_t> parseInt(const runtime::TensorMetadata& m, const char* key, std::string_view name) {
  auto it = m.find(key);
  if (it == m.end()) return absl::InvalidArgumentError(strCat(name, ": checkpoint metadata lacks '", key, "'"));
  const std::string& text = it->second;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < 0)
    return absl::InvalidArgumentError(strCat(name, ": checkpoint metadata '", key, "' is not a count: '", text, "'"));
  return static_cast<int64_t>(v);
}

absl::StatusOr<double> parseDouble(const runtime::TensorMetadata& m, const char* key, std::string_view name) {
  auto it = m.find(key);
  if (it == m.end()) return absl::InvalidArgumentError(strCat(name, ": checkpoint metadata lacks '", key, "'"));
  const std::string& text = it->second;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0')
    return absl::InvalidArgumentError(strCat(name, ": checkpoint metadata '", key, "' is not a number: '", text, "'"));
  return v;
}

}  // namespace

std::string checkpointPath(const std::string& dir) { return strCat(dir, "/", kFileName); }

runtime::TensorMetadata positionMetadata(const TrainPosition& p) {
  return {
      {"format", kFormat},
      {"epoch", strCat(p.epoch)},
      {"batch", strCat(p.batch)},
      {"step", strCat(p.step)},
      {"seed", strCat(p.seed)},
      {"batch_size", strCat(p.batch_size)},
      {"data", p.data},
      {"model_hash", p.model_hash},
      {"loss_sum", strCat(p.loss_sum)},
      {"accuracy_sum", strCat(p.accuracy_sum)},
      {"samples", strCat(p.samples)},
      {"seconds", strCat(p.seconds)},
      {"metrics_bytes", strCat(p.metrics_bytes)},
  };
}

absl::StatusOr<TrainPosition> parsePositionMetadata(const runtime::TensorMetadata& m, std::string_view name) {
  auto format = m.find("format");
  if (format == m.end() || format->second != kFormat)
    return absl::InvalidArgumentError(strCat(name, ": not a dlc training checkpoint (metadata format is '",
                                             format == m.end() ? "" : format->second, "', expected '", kFormat, "')"));
  TrainPosition p;
  ASSIGN_OR_RETURN(p.epoch, parseInt(m, "epoch", name));
  ASSIGN_OR_RETURN(p.batch, parseInt(m, "batch", name));
  ASSIGN_OR_RETURN(p.step, parseInt(m, "step", name));
  {
    auto it = m.find("seed");
    if (it == m.end()) return absl::InvalidArgumentError(strCat(name, ": checkpoint metadata lacks 'seed'"));
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || errno == ERANGE || it->second[0] == '-')
      return absl::InvalidArgumentError(strCat(name, ": checkpoint metadata 'seed' is not a seed: '", it->second, "'"));
    p.seed = v;
  }
  ASSIGN_OR_RETURN(p.batch_size, parseInt(m, "batch_size", name));
  if (p.batch_size <= 0) return absl::InvalidArgumentError(strCat(name, ": checkpoint batch_size is 0"));
  p.data = m.contains("data") ? m.at("data") : "";
  p.model_hash = m.contains("model_hash") ? m.at("model_hash") : "";
  ASSIGN_OR_RETURN(p.loss_sum, parseDouble(m, "loss_sum", name));
  ASSIGN_OR_RETURN(p.accuracy_sum, parseDouble(m, "accuracy_sum", name));
  ASSIGN_OR_RETURN(p.samples, parseInt(m, "samples", name));
  ASSIGN_OR_RETURN(p.seconds, parseDouble(m, "seconds", name));
  ASSIGN_OR_RETURN(p.metrics_bytes, parseInt(m, "metrics_bytes", name));
  return p;
}

absl::Status writeCheckpoint(const std::string& dir, const runtime::NamedTensors& state,
                             const TrainPosition& position) {
  RETURN_IF_ERROR(makeDirectories(dir));
  removeStaleTemporaries(dir);
  RETURN_IF_ERROR(runtime::writeSafetensors(checkpointPath(dir), state, positionMetadata(position)));
  return syncDirectory(dir);
}

absl::StatusOr<Checkpoint> readCheckpoint(const std::string& dir) {
  std::string path = checkpointPath(dir);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return absl::NotFoundError(strCat(dir, ": no checkpoint to resume from (", path, " does not exist)"));
  Checkpoint checkpoint;
  runtime::TensorMetadata metadata;
  ASSIGN_OR_RETURN(checkpoint.state, runtime::readSafetensors(path, &metadata));
  ASSIGN_OR_RETURN(checkpoint.position, parsePositionMetadata(metadata, path));
  return checkpoint;
}

std::string modelFileHash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  uint64_t h = 0xcbf29ce484222325ull;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buffer[i]);
      h *= 0x100000001b3ull;
    }
    if (!in) break;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

absl::Status checkStateMatches(const runtime::NamedTensors& saved, const runtime::NamedTensors& current,
                               std::string_view name) {
  std::map<std::string_view, const runtime::Tensor*> by_name;
  for (const auto& [n, t] : saved) by_name[n] = &t;
  for (const auto& [n, t] : current) {
    auto it = by_name.find(n);
    if (it == by_name.end())
      return absl::InvalidArgumentError(strCat(name, ": the checkpoint has no tensor '", n, "' (", t.typeString(),
                                               "); it was written for another model"));
    if (it->second->dtype() != t.dtype() || it->second->shape() != t.shape())
      return absl::InvalidArgumentError(strCat(name, ": tensor '", n, "' is ", it->second->typeString(),
                                               " in the checkpoint, but the model's is ", t.typeString()));
    by_name.erase(it);
  }
  if (!by_name.empty())
    return absl::InvalidArgumentError(strCat(name, ": the checkpoint has a tensor '", by_name.begin()->first,
                                             "' that the model does not; it was written for another model"));
  return absl::OkStatus();
}

}  // namespace dlc::tool
