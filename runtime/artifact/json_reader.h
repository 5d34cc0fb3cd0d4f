// Typed reads from a parsed JSON document, for the artifact's `meta`
// section. Every check is explicit (nothing here throws): a wrong type, a
// number out of range, a missing key or a key nobody asked for is an
// InvalidArgument naming the value's path, "meta.functions[0].plan.slots[3].dtype: ...".
#ifndef DLC_RUNTIME_ARTIFACT_JSON_READER_H_
#define DLC_RUNTIME_ARTIFACT_JSON_READER_H_

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/dtype.h"
#include "support/strings.h"

namespace dlc::runtime::artifact {

// Sorted keys: lookups stay logarithmic however large an object a file holds.
using Json = nlohmann::json;

template <typename... Args>
absl::Status jsonError(std::string_view path, const Args&... parts) {
  return absl::InvalidArgumentError(strCat(path, ": ", parts...));
}

// Single values. Integers must be JSON integers (3.0 is not) in [min, max].
absl::Status decode(const Json& value, std::string_view path, std::string& out);
absl::Status decode(const Json& value, std::string_view path, bool& out);
absl::Status decode(const Json& value, std::string_view path, int64_t& out,
                    int64_t min = std::numeric_limits<int64_t>::min(),
                    int64_t max = std::numeric_limits<int64_t>::max());
absl::Status decode(const Json& value, std::string_view path, int& out);
// Any JSON number (JSON has no NaN or infinity).
absl::Status decode(const Json& value, std::string_view path, double& out);
absl::Status decode(const Json& value, std::string_view path, ir::DType& out);

// An array, each element decoded by `element(const Json&, const std::string& path, T&)`.
template <typename T, typename F>
absl::Status decodeArray(const Json& value, std::string_view path, std::vector<T>& out, F element) {
  if (!value.is_array()) return jsonError(path, "must be an array");
  out.clear();
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    T item{};
    if (absl::Status s = element(value[i], strCat(path, "[", i, "]"), item); !s.ok()) return s;
    out.push_back(std::move(item));
  }
  return absl::OkStatus();
}
template <typename T>
absl::Status decode(const Json& value, std::string_view path, std::vector<T>& out) {
  return decodeArray(value, path, out, [](const Json& v, const std::string& p, T& item) { return decode(v, p, item); });
}

// An enum spelled as one of `names`.
template <typename E, size_t N>
absl::Status decodeEnum(const Json& value, std::string_view path, const std::pair<std::string_view, E> (&names)[N],
                        E& out) {
  std::string text;
  if (absl::Status s = decode(value, path, text); !s.ok()) return s;
  std::vector<std::string_view> spellings;
  for (const auto& [name, e] : names) {
    if (name == text) {
      out = e;
      return absl::OkStatus();
    }
    spellings.push_back(name);
  }
  return jsonError(path, "unknown value '", text.substr(0, 64), "' (expected ", strJoin(spellings, ", "), ")");
}
template <typename E, size_t N>
std::string_view enumName(const std::pair<std::string_view, E> (&names)[N], E e) {
  for (const auto& [name, value] : names)
    if (value == e) return name;
  return "?";
}

// One object's fields. finish() fails on keys that were not read.
class JsonObject {
 public:
  static absl::StatusOr<JsonObject> open(const Json& value, std::string path);

  const std::string& path() const { return path_; }
  std::string pathOf(std::string_view key) const { return strCat(path_, ".", key); }
  bool has(std::string_view key) const;

  // The value under `key`; fails when it is missing.
  absl::StatusOr<const Json*> field(std::string_view key);
  template <typename T>
  absl::Status read(std::string_view key, T& out) {
    absl::StatusOr<const Json*> value = field(key);
    if (!value.ok()) return value.status();
    return decode(**value, pathOf(key), out);
  }
  absl::Status read(std::string_view key, int64_t& out, int64_t min, int64_t max);
  template <typename E, size_t N>
  absl::Status readEnum(std::string_view key, const std::pair<std::string_view, E> (&names)[N], E& out) {
    absl::StatusOr<const Json*> value = field(key);
    if (!value.ok()) return value.status();
    return decodeEnum(**value, pathOf(key), names, out);
  }
  // Like read, but leaves `out` alone when the key is absent.
  template <typename T>
  absl::Status readOptional(std::string_view key, T& out) {
    return has(key) ? read(key, out) : absl::OkStatus();
  }

  absl::Status finish() const;

 private:
  JsonObject(const Json* value, std::string path) : value_(value), path_(std::move(path)) {}
  const Json* value_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_JSON_READER_H_
