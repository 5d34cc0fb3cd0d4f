#include "codegen/cache/kernel_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "runtime/sha256.h"
#include "support/env.h"
#include "support/status_macros.h"
#include "support/strings.h"

#ifndef DLC_VERSION
#define DLC_VERSION "unknown"
#endif

namespace dlc::codegen {
namespace {

constexpr std::string_view kMagic = "DLCKCACH";
constexpr uint32_t kFormatVersion = 1;
using Digest = runtime::Sha256Digest;
using runtime::sha256;
constexpr size_t kHeaderSize = 8 + 4 + 32 + 8 + 32;

std::string hex(const Digest& d) { return runtime::hexDigest(d); }

void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t getLE(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return v;
}

// Length-prefixed fields, so that ("ab", "c") and ("a", "bc") differ.
Digest keyDigest(const CacheKey& key) {
  std::string material = "dlc kernel cache key v1";
  auto field = [&](std::string_view s) {
    putU64(material, s.size());
    material.append(s);
  };
  field(key.source);
  field(key.compiler_version);
  field(key.driver_version);
  field(key.arch);
  putU64(material, key.options.size());
  for (const std::string& option : key.options) field(option);
  field(key.dlc_version);
  return sha256(material);
}

absl::Status errnoError(std::string_view what, const std::filesystem::path& path) {
  return absl::UnavailableError(strCat("kernel cache: ", what, " ", path.string(), ": ", std::strerror(errno)));
}

absl::Status writeAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errnoError("cannot write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

CacheKey::CacheKey() : dlc_version(DLC_VERSION) {}

std::string CacheKey::digest() const { return hex(keyDigest(*this)); }

std::filesystem::path KernelCache::defaultDirectory() {
  if (std::optional<std::string> dir = envString("DLC_CACHE_DIR")) return *dir;
  if (std::optional<std::string> xdg = envString("XDG_CACHE_HOME")) return std::filesystem::path(*xdg) / "dlc";
  return std::filesystem::path(envString("HOME").value_or("/tmp")) / ".cache" / "dlc";
}

std::filesystem::path KernelCache::entryPath(const CacheKey& key) const { return dir_ / strCat(key.digest(), ".dlck"); }

std::optional<std::string> KernelCache::load(const CacheKey& key) const {
  std::ifstream in(entryPath(key), std::ios::binary);
  if (!in) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < kHeaderSize) return std::nullopt;
  std::string_view view = data;
  if (view.substr(0, 8) != kMagic) return std::nullopt;
  if (getLE(view.substr(8, 4), 4) != kFormatVersion) return std::nullopt;
  Digest want = keyDigest(key);
  if (view.substr(12, 32) != std::string_view(reinterpret_cast<const char*>(want.data()), want.size()))
    return std::nullopt;
  uint64_t size = getLE(view.substr(44, 8), 8);
  if (size != data.size() - kHeaderSize) return std::nullopt;
  std::string_view payload = view.substr(kHeaderSize);
  Digest sum = sha256(payload);
  if (view.substr(52, 32) != std::string_view(reinterpret_cast<const char*>(sum.data()), sum.size()))
    return std::nullopt;
  return std::string(payload);
}

absl::Status KernelCache::store(const CacheKey& key, std::string_view payload) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return absl::UnavailableError(strCat("kernel cache: cannot create ", dir_.string(), ": ", ec.message()));

  std::string header(kMagic);
  for (int i = 0; i < 4; ++i) header.push_back(static_cast<char>(kFormatVersion >> (8 * i)));
  Digest key_digest = keyDigest(key), sum = sha256(payload);
  header.append(reinterpret_cast<const char*>(key_digest.data()), key_digest.size());
  putU64(header, payload.size());
  header.append(reinterpret_cast<const char*>(sum.data()), sum.size());

  // A unique name in the same folder, so rename() is atomic.
  std::filesystem::path target = entryPath(key);
  std::string temp = strCat(dir_.string(), "/.", hex(key_digest).substr(0, 16), ".XXXXXX");
  int fd = ::mkstemp(temp.data());
  if (fd < 0) return errnoError("cannot create a file in", dir_);
  absl::Status status = writeAll(fd, header, temp);
  if (status.ok()) status = writeAll(fd, payload, temp);
  if (status.ok() && ::fsync(fd) != 0) status = errnoError("cannot sync", temp);
  ::fchmod(fd, 0644);  // mkstemp makes 0600; entries are shareable
  if (::close(fd) != 0 && status.ok()) status = errnoError("cannot close", temp);
  if (status.ok() && ::rename(temp.c_str(), target.c_str()) != 0) status = errnoError("cannot rename to", target);
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

absl::StatusOr<CachedCompile> KernelCache::getOrCompile(const CacheKey& key, const CompileFn& compile) const {
  if (std::optional<std::string> hit = load(key)) return CachedCompile{*std::move(hit), true};
  absl::StatusOr<std::string> compiled = compile();
  if (!compiled.ok()) return compiled.status();
  (void)store(key, *compiled);  // a cache that cannot be written only costs time
  return CachedCompile{*std::move(compiled), false};
}

absl::StatusOr<CachedCompile> compileCached(bool use_cache, const std::optional<std::filesystem::path>& dir,
                                            const CacheKey& key, const CompileFn& compile) {
  if (!use_cache) {
    ASSIGN_OR_RETURN(std::string payload, compile());
    return CachedCompile{std::move(payload), false};
  }
  return KernelCache(dir.value_or(KernelCache::defaultDirectory())).getOrCompile(key, compile);
}

}  // namespace dlc::codegen
