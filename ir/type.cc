#include "ir/type.h"

#include "support/strings.h"

namespace dlc::ir {

std::string Dim::str() const { return isStatic() ? strCat(size_) : symbol_; }

bool TensorType::isStatic() const {
  for (const Dim& d : dims)
    if (!d.isStatic()) return false;
  return true;
}

std::optional<int64_t> TensorType::numElements() const {
  int64_t n = 1;
  for (const Dim& d : dims) {
    if (!d.isStatic() || d.size() < 0) return std::nullopt;
    if (d.size() != 0 && n > kMaxElements / d.size()) return std::nullopt;
    n *= d.size();
  }
  return n;
}

std::string dimsToString(const std::vector<Dim>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) strAppend(&out, i ? ", " : "", dims[i].str());
  return out + "]";
}

std::string TensorType::str() const { return strCat(dtypeName(dtype), dimsToString(dims)); }

}  // namespace dlc::ir
