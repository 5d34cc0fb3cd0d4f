// constant and param: values from outside the dataflow; assign: a write to
// a parameter, handed back after the call.
#include <algorithm>

#include "absl/status/status.h"
#include "reference/evaluators.h"
#include "support/strings.h"

namespace dlc::reference {

// One value splatted over the result, or one value per element.
absl::StatusOr<Results> evalConstant(const OpContext& c) {
  Array out = c.result();
  const std::vector<double>& values = c.attrs().find("value")->asFloatList();
  if (values.size() == 1) {
    std::fill(out.data.begin(), out.data.end(), values[0]);
  } else if (static_cast<int64_t>(values.size()) == out.size()) {
    out.data = values;
  } else {
    return absl::InternalError(strCat(c.describe(), ": ", values.size(), " values do not fill ", ir::dtypeName(c.dtype),
                                      indexString(c.shape)));
  }
  return out;
}

// The caller's tensor named by the `name` attribute, which must have the
// declared dtype and shape exactly.
absl::StatusOr<Results> evalParam(const OpContext& c) {
  const std::string& name = c.attrs().getString("name");
  auto it = c.params.find(name);
  if (it == c.params.end()) return absl::InvalidArgumentError(strCat("missing value for parameter '", name, "'"));
  const runtime::Tensor& tensor = it->second;
  if (tensor.dtype() != c.dtype || tensor.shape() != c.shape) {
    const ir::ParamDecl* decl = c.module.findParam(name);
    std::string declared = decl ? decl->type.str() : strCat(ir::dtypeName(c.dtype), indexString(c.shape));
    return absl::InvalidArgumentError(
        strCat("parameter '", name, "' has type ", tensor.typeString(), ", but the model declares ", declared));
  }
  Array out = c.result();
  for (int64_t i = 0; i < out.size(); ++i) out[i] = tensor.get(i);
  return out;
}

// Records `value` as the new value of the parameter named by `name`, in the
// parameter's declared dtype; its shape must be the declared one.
absl::StatusOr<Results> evalAssign(const OpContext& c) {
  const std::string& name = c.attrs().getString("name");
  const ir::ParamDecl* decl = c.module.findParam(name);
  if (!decl) return absl::InternalError(strCat(c.describe(), ": '", name, "' is not a declared parameter"));
  const Array& value = c.operand(0);
  std::vector<int64_t> declared;
  for (const ir::Dim& d : decl->type.dims) declared.push_back(d.isStatic() ? d.size() : -1);
  if (declared != value.shape)
    return absl::InternalError(strCat(c.describe(), ": the value ", ir::dtypeName(value.dtype),
                                      indexString(value.shape), " does not have the shape of parameter '", name, "' ",
                                      decl->type.str()));
  if (c.writes->contains(name))
    return absl::InternalError(strCat(c.describe(), ": parameter '", name, "' is assigned twice"));
  Array written = value;
  written.dtype = decl->type.dtype;
  roundInPlace(written);
  c.writes->emplace(name, std::move(written));
  return Results();
}

}  // namespace dlc::reference
