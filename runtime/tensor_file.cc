#include "runtime/tensor_file.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "ir/dtype.h"
#include "runtime/atomic_file.h"
#include "support/strings.h"

static_assert(std::endian::native == std::endian::little, "tensor files hold little-endian data and are copied as is");

namespace dlc::runtime {
namespace {

// Writing keeps the order given. Reading parses into sorted objects, whose
// lookups stay logarithmic however many tensors a header lists (an ordered
// object finds keys by linear search: a header of 10^5 tensors took minutes),
// and takes the file's key order from the checker below, so that tensors of
// equal offset keep file order.
using Json = nlohmann::ordered_json;
using ReadJson = nlohmann::json;

template <typename... Args>
absl::Status formatError(std::string_view name, const Args&... parts) {
  return absl::InvalidArgumentError(strCat(name, ": ", parts...));
}

std::string typeString(DType dtype, std::span<const int64_t> shape) {
  return strCat(ir::dtypeName(dtype), "[", strJoin(shape, ", "), "]");
}

uint64_t readLE(const std::byte* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void appendLE(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Bool tensors hold one byte per element, 0 or 1.
absl::Status checkBools(std::span<const std::byte> data, std::string_view name, std::string_view what) {
  for (size_t i = 0; i < data.size(); ++i) {
    auto v = static_cast<uint8_t>(data[i]);
    if (v > 1) return formatError(name, what, "bool element ", i, " is ", int{v}, ", not 0 or 1");
  }
  return absl::OkStatus();
}

std::span<const std::byte> asBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

std::string prefixed(std::string_view path, const absl::Status& status) { return strCat(path, ": ", status.message()); }

// ---------------------------------------------------------------------------
// safetensors

struct SafetensorsDType {
  std::string_view name;
  DType dtype;
};
constexpr SafetensorsDType kSafetensorsDTypes[] = {
    {"F32", DType::kF32}, {"F64", DType::kF64}, {"F16", DType::kF16},   {"BF16", DType::kBF16},
    {"I32", DType::kI32}, {"I64", DType::kI64}, {"BOOL", DType::kBool},
};

std::string_view safetensorsName(DType dtype) {
  for (const SafetensorsDType& d : kSafetensorsDTypes)
    if (d.dtype == dtype) return d.name;
  return "?";
}

// A first pass over the header with nlohmann's SAX interface: it reports the
// first syntax error with its position, rejects repeated keys, which the
// DOM parser would silently collapse into the last one, and records the
// order of the top-level keys.
class HeaderChecker {
 public:
  std::string error;
  std::vector<std::string> top_level_keys;  // in file order

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(Json::number_integer_t) { return true; }
  bool number_unsigned(Json::number_unsigned_t) { return true; }
  bool number_float(Json::number_float_t, const Json::string_t&) { return true; }
  bool string(Json::string_t&) { return true; }
  bool binary(Json::binary_t&) { return true; }
  bool start_array(std::size_t) { return true; }
  bool end_array() { return true; }
  bool start_object(std::size_t) {
    keys_.emplace_back();
    return true;
  }
  bool end_object() {
    keys_.pop_back();
    return true;
  }
  bool key(Json::string_t& key) {
    if (keys_.back().insert(key).second) {
      if (keys_.size() == 1) top_level_keys.push_back(key);
      return true;
    }
    error = keys_.size() == 1 ? strCat("tensor '", key, "' appears twice in the header")
                              : strCat("key '", key, "' appears twice in one object of the header");
    return false;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    // e.what(): "[json.exception.parse_error.101] parse error at line 1, ..."
    std::string_view what = e.what();
    if (size_t end = what.find("] "); what.starts_with("[") && end != what.npos) what.remove_prefix(end + 2);
    error = strCat("header is not valid JSON: ", what);
    return false;
  }

 private:
  std::vector<std::set<std::string>> keys_;  // one per open object
};

struct SafetensorsEntry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

// A JSON integer that is not negative (JSON floats such as 3.0 are rejected).
std::optional<uint64_t> asCount(const ReadJson& j) {
  if (!j.is_number_unsigned()) return std::nullopt;
  return j.get<uint64_t>();
}

absl::StatusOr<SafetensorsEntry> parseEntry(const std::string& key, const ReadJson& value, uint64_t data_size,
                                            std::string_view name) {
  std::string where = strCat("tensor '", key, "': ");
  if (!value.is_object()) return formatError(name, where, "entry must be a JSON object");
  for (auto it = value.begin(); it != value.end(); ++it)
    if (it.key() != "dtype" && it.key() != "shape" && it.key() != "data_offsets")
      return formatError(name, where, "unexpected key '", it.key(), "'");
  for (const char* required : {"dtype", "shape", "data_offsets"})
    if (!value.contains(required)) return formatError(name, where, "missing '", required, "'");

  SafetensorsEntry entry{key, DType::kF32, {}, 0, 0};
  const ReadJson& dtype = value["dtype"];
  if (!dtype.is_string()) return formatError(name, where, "dtype must be a string");
  const std::string& dtype_name = dtype.get_ref<const std::string&>();
  auto known = std::find_if(std::begin(kSafetensorsDTypes), std::end(kSafetensorsDTypes),
                            [&](const SafetensorsDType& d) { return d.name == dtype_name; });
  if (known == std::end(kSafetensorsDTypes))
    return formatError(name, where, "unsupported dtype '", dtype_name,
                       "' (dlc reads F32, F64, F16, BF16, I32, I64 and BOOL)");
  entry.dtype = known->dtype;

  const ReadJson& shape = value["shape"];
  if (!shape.is_array()) return formatError(name, where, "shape must be an array of integers");
  for (const ReadJson& dim : shape) {
    if (dim.is_number_integer() && !dim.is_number_unsigned())
      return formatError(name, where, "negative dimension ", dim.get<int64_t>(), " in shape");
    std::optional<uint64_t> d = asCount(dim);
    if (!d) return formatError(name, where, "shape must be an array of non-negative integers");
    if (*d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return formatError(name, where, "dimension ", *d, " is too large");
    entry.shape.push_back(static_cast<int64_t>(*d));
  }
  absl::StatusOr<int64_t> elements = checkedElementCount(entry.shape);
  if (!elements.ok()) return formatError(name, where, "shape [", strJoin(entry.shape, ", "), "] has too many elements");

  const ReadJson& offsets = value["data_offsets"];
  std::optional<uint64_t> begin, end;
  if (offsets.is_array() && offsets.size() == 2) begin = asCount(offsets[0]), end = asCount(offsets[1]);
  if (!begin || !end) return formatError(name, where, "data_offsets must be two non-negative integers [begin, end]");
  entry.begin = *begin;
  entry.end = *end;
  std::string range = strCat("data_offsets [", *begin, ", ", *end, "]");
  if (*begin > *end) return formatError(name, where, range, " end before they begin");
  if (*end > data_size) return formatError(name, where, range, " go past the end of the data (", data_size, " bytes)");
  // At most 2^52 elements of at most 8 bytes: no overflow.
  uint64_t needed = static_cast<uint64_t>(*elements * ir::dtypeSize(entry.dtype));
  if (*end - *begin != needed)
    return formatError(name, where, range, " hold ", *end - *begin, " bytes, but ",
                       typeString(entry.dtype, entry.shape), " needs ", needed);
  return entry;
}

absl::Status parseMetadata(const ReadJson& value, std::string_view name, TensorMetadata& out) {
  if (!value.is_object()) return formatError(name, "__metadata__ must be an object of strings");
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it.value().is_string()) return formatError(name, "__metadata__ value for '", it.key(), "' must be a string");
    out.emplace(it.key(), it.value().get<std::string>());
  }
  return absl::OkStatus();
}

// Sorted by offset, the tensors must tile the data area: no overlap, no byte
// that belongs to no tensor.
absl::Status checkTiling(std::vector<SafetensorsEntry>& entries, uint64_t data_size, std::string_view name) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  uint64_t covered = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const SafetensorsEntry& e = entries[i];
    if (e.begin < covered) {
      const SafetensorsEntry& p = entries[i - 1];
      return formatError(name, "tensors '", p.name, "' [", p.begin, ", ", p.end, "] and '", e.name, "' [", e.begin,
                         ", ", e.end, "] overlap");
    }
    if (e.begin > covered) return formatError(name, "data bytes [", covered, ", ", e.begin, ") belong to no tensor");
    covered = e.end;
  }
  if (covered != data_size) return formatError(name, "data bytes [", covered, ", ", data_size, ") belong to no tensor");
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// .npy

struct NpyDType {
  std::string_view descr;
  DType dtype;
};
constexpr NpyDType kNpyDTypes[] = {
    {"<f4", DType::kF32}, {"<f8", DType::kF64}, {"<f2", DType::kF16},
    {"<i4", DType::kI32}, {"<i8", DType::kI64}, {"|b1", DType::kBool},
};
constexpr std::string_view kNpyMagic = "\x93NUMPY";

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// A strict reader for the one Python literal numpy writes as the header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// Exactly these three keys, in any order; no other Python syntax.
class NpyHeaderParser {
 public:
  explicit NpyHeaderParser(std::string_view text) : text_(text) {}

  // Returns an error message, or the empty string.
  std::string parse(NpyHeader& out) {
    bool seen[3] = {false, false, false};
    if (!consume('{')) return expected("'{'");
    while (!consume('}')) {
      std::optional<std::string_view> key = quoted();
      if (!key) return expected("a quoted key");
      if (!consume(':')) return expected("':'");
      int index = *key == "descr" ? 0 : *key == "fortran_order" ? 1 : *key == "shape" ? 2 : -1;
      if (index < 0) return strCat("unexpected key '", *key, "'");
      if (seen[index]) return strCat("key '", *key, "' appears twice");
      seen[index] = true;
      std::string error = index == 0 ? descr(out) : index == 1 ? fortranOrder(out) : shape(out);
      if (!error.empty()) return error;
      if (!consume(',') && !peek('}')) return expected("',' or '}'");
    }
    skipSpace();
    if (pos_ != text_.size()) return strCat("unexpected text after the dict at column ", pos_ + 1);
    static constexpr std::string_view kKeys[] = {"descr", "fortran_order", "shape"};
    for (int i = 0; i < 3; ++i)
      if (!seen[i]) return strCat("missing key '", kKeys[i], "'");
    return "";
  }

 private:
  std::string descr(NpyHeader& out) {
    if (peek('[')) return "structured dtypes (a list as descr) are not supported";
    std::optional<std::string_view> s = quoted();
    if (!s) return expected("a quoted descr");
    out.descr = std::string(*s);
    return "";
  }

  std::string fortranOrder(NpyHeader& out) {
    skipSpace();
    for (bool value : {false, true}) {
      std::string_view word = value ? "True" : "False";
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += word.size();
        out.fortran_order = value;
        return "";
      }
    }
    return expected("True or False for fortran_order");
  }

  // (), (3,), (3, 4) or (3, 4,); a bare (3) is an int in Python, not a tuple.
  std::string shape(NpyHeader& out) {
    if (!consume('(')) return expected("a tuple for shape");
    while (!consume(')')) {
      skipSpace();
      bool negative = pos_ < text_.size() && text_[pos_] == '-';
      if (negative) ++pos_;
      size_t start = pos_;
      uint64_t value = 0;
      for (; pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; ++pos_) {
        if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - 9) / 10)
          return strCat("dimension ", text_.substr(start, 20), "... in shape is too large");
        value = value * 10 + static_cast<uint64_t>(text_[pos_] - '0');
      }
      if (pos_ == start) return expected("a dimension");
      if (negative) return strCat("negative dimension -", value, " in shape");
      out.shape.push_back(static_cast<int64_t>(value));
      if (consume(',')) continue;
      if (!consume(')')) return expected("',' or ')' in shape");
      if (out.shape.size() == 1) return "shape (N) is not a tuple; numpy writes (N,)";
      break;
    }
    return "";
  }

  void skipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool peek(char c) {
    skipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool consume(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  // 'text' or "text", without escapes.
  std::optional<std::string_view> quoted() {
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return std::nullopt;
    char quote = text_[pos_];
    size_t end = text_.find_first_of(strCat(quote, "\\\n"), pos_ + 1);
    if (end == text_.npos || text_[end] != quote) return std::nullopt;
    std::string_view s = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return s;
  }
  std::string expected(std::string_view what) {
    skipSpace();
    return strCat("expected ", what, " at column ", pos_ + 1);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// The header as it may go into a message: without the padding, printable
// ASCII, at most 200 chars.
std::string printable(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  std::string out;
  for (char c : text.substr(0, 200)) {
    auto u = static_cast<uint8_t>(c);
    if (u >= 0x20 && u < 0x7f) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += strCat("\\x", kHex[u >> 4], kHex[u & 15]);
    }
  }
  return text.size() > 200 ? out + "..." : out;
}

absl::StatusOr<std::string_view> npyDescr(DType dtype) {
  for (const NpyDType& d : kNpyDTypes)
    if (d.dtype == dtype) return d.descr;
  return absl::InvalidArgumentError(
      strCat(ir::dtypeName(dtype), " tensors cannot be saved as .npy (numpy has no such dtype); convert to f32 first"));
}

// The tensor's shape and byte size agree (a default-constructed Tensor has
// shape [] but no bytes).
absl::Status checkConsistent(const Tensor& t, std::string_view what) {
  absl::StatusOr<int64_t> n = checkedElementCount(t.shape());
  if (!n.ok() || static_cast<size_t>(*n * ir::dtypeSize(t.dtype())) != t.byteSize() ||
      (t.byteSize() != 0 && t.data() == nullptr))
    return absl::InvalidArgumentError(strCat(what, "has no data (a default-constructed Tensor?)"));
  return absl::OkStatus();
}

// The npy header numpy 1.24 writes, byte for byte: the dict, spare room to
// grow the first axis in place, spaces to a 64-byte boundary and '\n'.
absl::StatusOr<std::string> npyPrefix(const Tensor& t) {
  absl::StatusOr<std::string_view> descr = npyDescr(t.dtype());
  if (!descr.ok()) return descr.status();
  std::string shape = t.rank() == 1 ? strCat("(", t.shape()[0], ",)") : strCat("(", strJoin(t.shape(), ", "), ")");
  std::string dict = strCat("{'descr': '", *descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  if (t.rank() > 0) dict.append(21 - std::to_string(t.shape()[0]).size(), ' ');
  constexpr size_t kAlign = 64;
  size_t unpadded = dict.size() + 1;  // with the '\n'
  size_t length_bytes = 2;
  size_t pad = kAlign - (kNpyMagic.size() + 2 + length_bytes + unpadded) % kAlign;
  if (unpadded + pad > 65535) {  // too long for version 1.0: 2.0, as numpy does
    length_bytes = 4;
    pad = kAlign - (kNpyMagic.size() + 2 + length_bytes + unpadded) % kAlign;
  }
  std::string out(kNpyMagic);
  out.push_back(static_cast<char>(length_bytes == 2 ? 1 : 2));
  out.push_back(0);
  appendLE(out, unpadded + pad, static_cast<int>(length_bytes));
  out += dict;
  out.append(pad, ' ');
  out.push_back('\n');
  return out;
}

absl::StatusOr<std::string> safetensorsHeader(const NamedTensors& tensors, const TensorMetadata& metadata) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto& [key, value] : metadata) {
      if (!isValidUtf8(key) || !isValidUtf8(value))
        return absl::InvalidArgumentError(strCat("__metadata__ entry '", key, "' is not valid UTF-8"));
      meta[key] = value;
    }
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const auto& [key, t] : tensors) {
    std::string what = strCat("tensor '", key, "' ");
    if (!isValidUtf8(key)) return absl::InvalidArgumentError(strCat(what, "has a name that is not valid UTF-8"));
    if (key == "__metadata__") return absl::InvalidArgumentError(strCat(what, "has a reserved name"));
    if (header.contains(key)) return absl::InvalidArgumentError(strCat(what, "appears twice"));
    if (absl::Status s = checkConsistent(t, what); !s.ok()) return s;
    Json entry = Json::object();
    entry["dtype"] = safetensorsName(t.dtype());
    entry["shape"] = t.shape();
    entry["data_offsets"] = Json::array({offset, offset + t.byteSize()});
    header[key] = std::move(entry);
    offset += t.byteSize();
  }
  std::string text = header.dump(-1, ' ', false, Json::error_handler_t::replace);
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out;
  appendLE(out, text.size(), 8);
  return out + text;
}

}  // namespace

// ---------------------------------------------------------------------------
// safetensors

absl::StatusOr<NamedTensors> parseSafetensors(std::span<const std::byte> bytes, std::string_view name,
                                              TensorMetadata* metadata) {
  if (bytes.size() < 8) return formatError(name, "too short for a safetensors file (", bytes.size(), " bytes)");
  uint64_t header_size = readLE(bytes.data(), 8);
  if (header_size > bytes.size() - 8)
    return formatError(name, "header length ", header_size, " goes past the end of the file (", bytes.size(),
                       " bytes)");
  if (header_size > kMaxSafetensorsHeader)
    return formatError(name, "header length ", header_size, " is over the limit of ", kMaxSafetensorsHeader, " bytes");
  const char* text = reinterpret_cast<const char*>(bytes.data() + 8);
  std::span<const std::byte> data = bytes.subspan(8 + header_size);

  HeaderChecker checker;
  if (!ReadJson::sax_parse(text, text + header_size, &checker))
    return formatError(name, checker.error.empty() ? "header is not valid JSON" : checker.error);
  ReadJson header = ReadJson::parse(text, text + header_size, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) return formatError(name, "header is not valid JSON");
  if (!header.is_object()) return formatError(name, "header must be a JSON object");

  TensorMetadata meta;
  std::vector<SafetensorsEntry> entries;
  for (const std::string& key : checker.top_level_keys) {
    const ReadJson& value = header.find(key).value();
    if (key == "__metadata__") {
      if (absl::Status s = parseMetadata(value, name, meta); !s.ok()) return s;
      continue;
    }
    absl::StatusOr<SafetensorsEntry> entry = parseEntry(key, value, data.size(), name);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  if (absl::Status s = checkTiling(entries, data.size(), name); !s.ok()) return s;
  for (const SafetensorsEntry& e : entries) {
    if (e.dtype != DType::kBool) continue;
    absl::Status s = checkBools(data.subspan(e.begin, e.end - e.begin), name, strCat("tensor '", e.name, "': "));
    if (!s.ok()) return s;
  }

  // Everything is checked; the sizes below are bounded by the data's.
  NamedTensors out;
  out.reserve(entries.size());
  for (SafetensorsEntry& e : entries) {
    absl::StatusOr<Tensor> t = Tensor::zeros(e.dtype, std::move(e.shape));
    if (!t.ok()) return absl::Status(t.status().code(), prefixed(name, t.status()));
    if (t->byteSize() != 0) std::memcpy(t->data(), data.data() + e.begin, t->byteSize());
    out.emplace_back(std::move(e.name), *std::move(t));
  }
  if (metadata) *metadata = std::move(meta);
  return out;
}

absl::StatusOr<std::string> serializeSafetensors(const NamedTensors& tensors, const TensorMetadata& metadata) {
  absl::StatusOr<std::string> out = safetensorsHeader(tensors, metadata);
  if (!out.ok()) return out;
  for (const auto& [key, t] : tensors)
    if (t.byteSize() != 0) out->append(reinterpret_cast<const char*>(t.data()), t.byteSize());
  return out;
}

absl::StatusOr<NamedTensors> readSafetensors(const std::string& path, TensorMetadata* metadata) {
  absl::StatusOr<FileBytes> file = readWholeFile(path);
  if (!file.ok()) return file.status();
  return parseSafetensors(file->bytes(), path, metadata);
}

absl::Status writeSafetensors(const std::string& path, const NamedTensors& tensors, const TensorMetadata& metadata) {
  absl::StatusOr<std::string> header = safetensorsHeader(tensors, metadata);
  if (!header.ok()) return absl::Status(header.status().code(), prefixed(path, header.status()));
  std::vector<std::span<const std::byte>> chunks = {asBytes(*header)};
  for (const auto& [key, t] : tensors) chunks.emplace_back(t.data(), t.byteSize());
  return writeFileAtomically(path, chunks);
}

// ---------------------------------------------------------------------------
// .npy

absl::StatusOr<Tensor> parseNpy(std::span<const std::byte> bytes, std::string_view name) {
  auto text = [&](size_t begin, size_t size) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()) + begin, size);
  };
  if (bytes.size() < 8 || text(0, 6) != kNpyMagic)
    return formatError(name, "not a .npy file (it does not start with \\x93NUMPY)");
  int major = static_cast<int>(bytes[6]), minor = static_cast<int>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    return formatError(name, "unsupported .npy version ", major, ".", minor, " (dlc reads 1.0, 2.0 and 3.0)");
  size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) return formatError(name, "the file ends inside the .npy header");
  uint64_t header_size = readLE(bytes.data() + 8, static_cast<int>(length_bytes));
  size_t header_begin = 8 + length_bytes;
  if (header_size > bytes.size() - header_begin)
    return formatError(name, "header length ", header_size, " goes past the end of the file (", bytes.size(),
                       " bytes)");
  std::string_view header_text = text(header_begin, header_size);

  NpyHeader header;
  if (std::string error = NpyHeaderParser(header_text).parse(header); !error.empty())
    return formatError(name, "bad .npy header: ", error, ": ", printable(header_text));
  if (header.descr.starts_with(">"))
    return formatError(name, "big-endian data ('", header.descr, "') is not supported; save with arr.astype('<",
                       header.descr.substr(1), "')");
  auto known = std::find_if(std::begin(kNpyDTypes), std::end(kNpyDTypes),
                            [&](const NpyDType& d) { return d.descr == header.descr; });
  if (known == std::end(kNpyDTypes))
    return formatError(name, "unsupported descr '", header.descr, "' (dlc reads <f4, <f8, <f2, <i4, <i8 and |b1)");
  if (header.fortran_order)
    return formatError(name, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  absl::StatusOr<int64_t> elements = checkedElementCount(header.shape);
  if (!elements.ok()) return formatError(name, "shape (", strJoin(header.shape, ", "), ") has too many elements");

  std::span<const std::byte> data = bytes.subspan(header_begin + header_size);
  uint64_t needed = static_cast<uint64_t>(*elements * ir::dtypeSize(known->dtype));
  if (data.size() != needed)
    return formatError(name, "data holds ", data.size(), " bytes, but ", typeString(known->dtype, header.shape),
                       " needs ", needed);
  if (known->dtype == DType::kBool)
    if (absl::Status s = checkBools(data, name, ""); !s.ok()) return s;

  absl::StatusOr<Tensor> t = Tensor::zeros(known->dtype, std::move(header.shape));
  if (!t.ok()) return absl::Status(t.status().code(), prefixed(name, t.status()));
  if (t->byteSize() != 0) std::memcpy(t->data(), data.data(), t->byteSize());
  return t;
}

absl::StatusOr<std::string> serializeNpy(const Tensor& tensor) {
  if (absl::Status s = checkConsistent(tensor, "tensor "); !s.ok()) return s;
  absl::StatusOr<std::string> out = npyPrefix(tensor);
  if (!out.ok()) return out;
  if (tensor.byteSize() != 0) out->append(reinterpret_cast<const char*>(tensor.data()), tensor.byteSize());
  return out;
}

absl::StatusOr<Tensor> readNpy(const std::string& path) {
  absl::StatusOr<FileBytes> file = readWholeFile(path);
  if (!file.ok()) return file.status();
  return parseNpy(file->bytes(), path);
}

absl::Status writeNpy(const std::string& path, const Tensor& tensor) {
  absl::StatusOr<std::string> prefix = npyPrefix(tensor);
  if (absl::Status s = checkConsistent(tensor, "tensor "); !s.ok()) prefix = s;
  if (!prefix.ok()) return absl::Status(prefix.status().code(), prefixed(path, prefix.status()));
  std::span<const std::byte> chunks[] = {asBytes(*prefix), {tensor.data(), tensor.byteSize()}};
  return writeFileAtomically(path, chunks);
}

}  // namespace dlc::runtime
