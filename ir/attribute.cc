#include "ir/attribute.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "support/strings.h"

namespace dlc::ir {

std::string_view attrKindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kBool: return "bool";
    case AttrKind::kInt: return "integer";
    case AttrKind::kFloat: return "float";
    case AttrKind::kString: return "string";
    case AttrKind::kDType: return "dtype";
    case AttrKind::kIntList: return "integer list";
    case AttrKind::kFloatList: return "float list";
    case AttrKind::kStringList: return "string list";
    case AttrKind::kShape: return "shape";
  }
  return "?";
}

namespace {

bool isEmptyList(const Attribute& a) {
  switch (a.kind()) {
    case AttrKind::kIntList: return a.asIntList().empty();
    case AttrKind::kFloatList: return a.asFloatList().empty();
    case AttrKind::kStringList: return a.asStringList().empty();
    case AttrKind::kShape: return a.asShape().empty();
    case AttrKind::kBool:
    case AttrKind::kInt:
    case AttrKind::kFloat:
    case AttrKind::kString:
    case AttrKind::kDType: return false;
  }
  return false;
}

// Shortest text that reads back as the same double, always marked as a float.
std::string formatFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

bool Attribute::convertTo(AttrKind target) {
  if (kind() == target) return true;
  if (target == AttrKind::kFloat && kind() == AttrKind::kInt) {
    *this = real(static_cast<double>(asInt()));
    return true;
  }
  if (target == AttrKind::kFloatList && kind() == AttrKind::kIntList) {
    std::vector<double> v(asIntList().begin(), asIntList().end());
    *this = floatList(std::move(v));
    return true;
  }
  if (target == AttrKind::kShape && kind() == AttrKind::kIntList) {
    std::vector<Dim> dims;
    for (int64_t n : asIntList()) dims.push_back(Dim::fixed(n));
    *this = shape(std::move(dims));
    return true;
  }
  if (isEmptyList(*this)) {
    switch (target) {
      case AttrKind::kIntList: *this = intList({}); return true;
      case AttrKind::kFloatList: *this = floatList({}); return true;
      case AttrKind::kStringList: *this = stringList({}); return true;
      case AttrKind::kShape: *this = shape({}); return true;
      case AttrKind::kBool:
      case AttrKind::kInt:
      case AttrKind::kFloat:
      case AttrKind::kString:
      case AttrKind::kDType: return false;
    }
  }
  return false;
}

std::string quoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Attribute::str() const {
  switch (kind()) {
    case AttrKind::kBool: return asBool() ? "true" : "false";
    case AttrKind::kInt: return strCat(asInt());
    case AttrKind::kFloat: return formatFloat(asFloat());
    case AttrKind::kString: return quoteString(asString());
    case AttrKind::kDType: return std::string(dtypeName(asDType()));
    case AttrKind::kIntList: return strCat("[", strJoin(asIntList(), ", "), "]");
    case AttrKind::kFloatList: {
      std::vector<std::string> parts;
      for (double v : asFloatList()) parts.push_back(formatFloat(v));
      return strCat("[", strJoin(parts, ", "), "]");
    }
    case AttrKind::kStringList: {
      std::vector<std::string> parts;
      for (const std::string& v : asStringList()) parts.push_back(quoteString(v));
      return strCat("[", strJoin(parts, ", "), "]");
    }
    case AttrKind::kShape: return dimsToString(asShape());
  }
  return "?";
}

const Attribute* Attrs::find(std::string_view name) const {
  for (const Entry& e : entries_)
    if (e.first == name) return &e.second;
  return nullptr;
}

void Attrs::set(std::string_view name, Attribute value) {
  for (Entry& e : entries_)
    if (e.first == name) {
      e.second = std::move(value);
      return;
    }
  entries_.emplace_back(std::string(name), std::move(value));
}

bool Attrs::erase(std::string_view name) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.first == name; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

std::string Attrs::str() const {
  if (entries_.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < entries_.size(); ++i)
    strAppend(&out, i ? ", " : "", entries_[i].first, " = ", entries_[i].second.str());
  return out + "}";
}

}  // namespace dlc::ir
