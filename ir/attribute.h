// Attributes: the compile-time configuration of an op (strides, axis, ...),
// of a parameter declaration (init, trainable) and of a train block.
#ifndef DLC_IR_ATTRIBUTE_H_
#define DLC_IR_ATTRIBUTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ir/dtype.h"
#include "ir/type.h"

namespace dlc::ir {

enum class AttrKind : uint8_t {
  kBool,
  kInt,
  kFloat,
  kString,
  kDType,
  kIntList,
  kFloatList,
  kStringList,
  kShape,  // a list of dims where names stay symbolic and -1 means "infer"
};

std::string_view attrKindName(AttrKind kind);

// A string literal as the IR writes it, with escapes: "a\"b".
std::string quoteString(std::string_view s);

class Attribute {
 public:
  using Storage = std::variant<bool, int64_t, double, std::string, DType, std::vector<int64_t>, std::vector<double>,
                               std::vector<std::string>, std::vector<Dim>>;

  Attribute() : value_(false) {}
  static Attribute boolean(bool v) { return Attribute(Storage(std::in_place_index<0>, v)); }
  static Attribute integer(int64_t v) { return Attribute(Storage(std::in_place_index<1>, v)); }
  static Attribute real(double v) { return Attribute(Storage(std::in_place_index<2>, v)); }
  static Attribute string(std::string v) { return Attribute(Storage(std::in_place_index<3>, std::move(v))); }
  static Attribute dtype(DType v) { return Attribute(Storage(std::in_place_index<4>, v)); }
  static Attribute intList(std::vector<int64_t> v) { return Attribute(Storage(std::in_place_index<5>, std::move(v))); }
  static Attribute floatList(std::vector<double> v) { return Attribute(Storage(std::in_place_index<6>, std::move(v))); }
  static Attribute stringList(std::vector<std::string> v) {
    return Attribute(Storage(std::in_place_index<7>, std::move(v)));
  }
  static Attribute shape(std::vector<Dim> v) { return Attribute(Storage(std::in_place_index<8>, std::move(v))); }

  AttrKind kind() const { return static_cast<AttrKind>(value_.index()); }

  bool asBool() const { return std::get<0>(value_); }
  int64_t asInt() const { return std::get<1>(value_); }
  double asFloat() const { return std::get<2>(value_); }
  const std::string& asString() const { return std::get<3>(value_); }
  DType asDType() const { return std::get<4>(value_); }
  const std::vector<int64_t>& asIntList() const { return std::get<5>(value_); }
  const std::vector<double>& asFloatList() const { return std::get<6>(value_); }
  const std::vector<std::string>& asStringList() const { return std::get<7>(value_); }
  const std::vector<Dim>& asShape() const { return std::get<8>(value_); }

  // Converts between compatible kinds (an int where a float is expected, an
  // int list where a shape is expected, an empty list of any kind). Returns
  // false when the conversion is not possible.
  bool convertTo(AttrKind kind);

  // IR text: 3, 0.5, 1.0e-07, true, "same", f32, [1, 2], [batch, -1].
  // Floats always print with a '.' or exponent so they parse back as floats.
  std::string str() const;

  friend bool operator==(const Attribute&, const Attribute&) = default;

 private:
  explicit Attribute(Storage v) : value_(std::move(v)) {}
  Storage value_;
};

// Attributes in a stable order (the op table's order for ops).
class Attrs {
 public:
  using Entry = std::pair<std::string, Attribute>;

  const Attribute* find(std::string_view name) const;
  // Replaces an existing entry or appends a new one.
  void set(std::string_view name, Attribute value);
  bool erase(std::string_view name);

  // Accessors for attributes the verifier has already checked.
  int64_t getInt(std::string_view name) const { return find(name)->asInt(); }
  double getFloat(std::string_view name) const { return find(name)->asFloat(); }
  bool getBool(std::string_view name) const { return find(name)->asBool(); }
  const std::string& getString(std::string_view name) const { return find(name)->asString(); }
  const std::vector<int64_t>& getIntList(std::string_view name) const { return find(name)->asIntList(); }

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }
  bool empty() const { return entries_.empty(); }
  // `{a = 1, b = "x"}`, or "" when empty.
  std::string str() const;

  friend bool operator==(const Attrs&, const Attrs&) = default;

 private:
  std::vector<Entry> entries_;
};

}  // namespace dlc::ir

#endif  // DLC_IR_ATTRIBUTE_H_
