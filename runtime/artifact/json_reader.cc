#include "runtime/artifact/json_reader.h"

#include <climits>

namespace dlc::runtime::artifact {

absl::Status decode(const Json& value, std::string_view path, std::string& out) {
  if (!value.is_string()) return jsonError(path, "must be a string");
  out = value.get_ref<const std::string&>();
  return absl::OkStatus();
}

absl::Status decode(const Json& value, std::string_view path, bool& out) {
  if (!value.is_boolean()) return jsonError(path, "must be true or false");
  out = value.get<bool>();
  return absl::OkStatus();
}

absl::Status decode(const Json& value, std::string_view path, int64_t& out, int64_t min, int64_t max) {
  auto range = [&] { return jsonError(path, "must be an integer in [", min, ", ", max, "]"); };
  if (value.is_number_unsigned()) {
    uint64_t v = value.get<uint64_t>();
    if (max < 0 || v > static_cast<uint64_t>(max)) return range();
    out = static_cast<int64_t>(v);
  } else if (value.is_number_integer()) {
    out = value.get<int64_t>();
  } else {
    return range();
  }
  if (out < min || out > max) return range();
  return absl::OkStatus();
}

absl::Status decode(const Json& value, std::string_view path, int& out) {
  int64_t v = 0;
  if (absl::Status s = decode(value, path, v, INT_MIN, INT_MAX); !s.ok()) return s;
  out = static_cast<int>(v);
  return absl::OkStatus();
}

absl::Status decode(const Json& value, std::string_view path, double& out) {
  if (!value.is_number()) return jsonError(path, "must be a number");
  out = value.get<double>();
  return absl::OkStatus();
}

absl::Status decode(const Json& value, std::string_view path, ir::DType& out) {
  std::string name;
  if (absl::Status s = decode(value, path, name); !s.ok()) return s;
  std::optional<ir::DType> dtype = ir::parseDType(name);
  if (!dtype) return jsonError(path, "unknown dtype '", name.substr(0, 64), "'");
  out = *dtype;
  return absl::OkStatus();
}

absl::StatusOr<JsonObject> JsonObject::open(const Json& value, std::string path) {
  if (!value.is_object()) return jsonError(path, "must be an object");
  return JsonObject(&value, std::move(path));
}

bool JsonObject::has(std::string_view key) const { return value_->contains(std::string(key)); }

absl::StatusOr<const Json*> JsonObject::field(std::string_view key) {
  auto it = value_->find(std::string(key));
  if (it == value_->end()) return jsonError(path_, "missing '", key, "'");
  read_.insert(std::string(key));
  return &*it;
}

absl::Status JsonObject::read(std::string_view key, int64_t& out, int64_t min, int64_t max) {
  absl::StatusOr<const Json*> value = field(key);
  if (!value.ok()) return value.status();
  return decode(**value, pathOf(key), out, min, max);
}

absl::Status JsonObject::finish() const {
  for (auto it = value_->begin(); it != value_->end(); ++it)
    if (!read_.contains(it.key()))
      return jsonError(path_, "unexpected key '", std::string_view(it.key()).substr(0, 64), "'");
  return absl::OkStatus();
}

}  // namespace dlc::runtime::artifact
