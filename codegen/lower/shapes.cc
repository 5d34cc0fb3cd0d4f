#include "codegen/lower/shapes.h"

#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {

int64_t ConcreteType::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;  // sizes are capped by the IR (2^52 elements)
  return n;
}

namespace {

std::string shapeString(std::span<const int64_t> shape) { return strCat("[", strJoin(shape, ", "), "]"); }

class Binder {
 public:
  explicit Binder(std::map<std::string, int64_t>& symbols) : symbols_(symbols) {}

  // Matches declared dims against a concrete shape, binding new symbols.
  // On a mismatch returns what conflicts ("" when only the rank or a static
  // dim differs, " with batch = 2 from input 'x'" for a bound symbol).
  std::optional<std::string> unify(const std::vector<ir::Dim>& declared, std::span<const int64_t> shape,
                                   const std::string& source) {
    if (declared.size() != shape.size()) return std::string();
    std::map<std::string, int64_t> fresh;
    for (size_t i = 0; i < shape.size(); ++i) {
      const ir::Dim& d = declared[i];
      if (d.isStatic()) {
        if (d.size() != shape[i]) return std::string();
        continue;
      }
      if (auto it = symbols_.find(d.symbol()); it != symbols_.end()) {
        if (it->second != shape[i])
          return strCat(" with ", d.symbol(), " = ", it->second, " from ", sources_[d.symbol()]);
        continue;
      }
      auto [it, added] = fresh.emplace(d.symbol(), shape[i]);
      if (!added && it->second != shape[i])
        return strCat(" (", d.symbol(), " cannot be both ", it->second, " and ", shape[i], ")");
    }
    for (const auto& [symbol, size] : fresh) {
      symbols_[symbol] = size;
      sources_[symbol] = source;
    }
    return std::nullopt;
  }

  absl::StatusOr<std::vector<ir::Dim>> substitute(const std::vector<ir::Dim>& dims) const {
    std::vector<ir::Dim> out;
    for (const ir::Dim& d : dims) {
      if (d.isStatic()) {
        out.push_back(d);
        continue;
      }
      auto it = symbols_.find(d.symbol());
      if (it == symbols_.end())
        return absl::InternalError(strCat("symbolic dim '", d.symbol(), "' is bound by no input"));
      out.push_back(ir::Dim::fixed(it->second));
    }
    return out;
  }

 private:
  std::map<std::string, int64_t>& symbols_;
  std::map<std::string, std::string> sources_;
};

ConcreteType toConcrete(const ir::TensorType& type) {
  ConcreteType c{type.dtype, {}};
  for (const ir::Dim& d : type.dims) c.shape.push_back(d.size());
  return c;
}

}  // namespace

absl::StatusOr<ConcreteTypes> concreteTypes(const ir::Function& function,
                                            std::span<const std::vector<int64_t>> input_shapes) {
  ConcreteTypes types;
  Binder binder(types.symbols);
  if (input_shapes.size() != function.arguments().size())
    return absl::InvalidArgumentError(
        strCat("@", function.name(), " takes ", function.arguments().size(), " inputs, not ", input_shapes.size()));
  for (size_t i = 0; i < input_shapes.size(); ++i) {
    const ir::Value& arg = *function.argument(i);
    std::string name = strCat("input '", arg.nameHint(), "'");
    if (std::optional<std::string> conflict = binder.unify(arg.type().dims, input_shapes[i], name))
      return absl::InvalidArgumentError(strCat(name, " has shape ", ir::dtypeName(arg.type().dtype),
                                               shapeString(input_shapes[i]), ", but the model expects ",
                                               arg.type().str(), *conflict));
    types.of[&arg] = ConcreteType{arg.type().dtype, input_shapes[i]};
  }
  for (const auto& op_ptr : function.ops()) {
    const ir::Operation& op = *op_ptr;
    const ir::OpDef& def = op.def();
    std::string where = strCat("'", def.name, "' in @", function.name());
    ir::Attrs attrs = op.attrs();
    for (auto& [name, attr] : attrs.entries()) {
      if (attr.kind() != ir::AttrKind::kShape) continue;
      ASSIGN_OR_RETURN(std::vector<ir::Dim> dims, binder.substitute(attr.asShape()));
      attr = ir::Attribute::shape(std::move(dims));
    }
    std::vector<ir::TensorType> operands, given;
    for (const ir::Value* v : op.operands()) {
      const ConcreteType& c = types.at(v);
      ir::TensorType t{c.dtype, {}};
      for (int64_t d : c.shape) t.dims.push_back(ir::Dim::fixed(d));
      operands.push_back(std::move(t));
    }
    if (def.has(ir::kGivenType))
      for (size_t i = 0; i < op.numResults(); ++i) {
        ASSIGN_OR_RETURN(std::vector<ir::Dim> dims, binder.substitute(op.result(i)->type().dims));
        given.push_back(ir::TensorType{op.result(i)->type().dtype, std::move(dims)});
      }
    absl::StatusOr<std::vector<ir::TensorType>> inferred =
        def.infer(ir::ShapeContext{operands, attrs, given, def.name});
    if (!inferred.ok())
      return absl::InternalError(strCat(where, " fails on concrete operands: ", inferred.status().message()));
    if (inferred->size() != op.numResults())
      return absl::InternalError(strCat(where, ": the shape rule gives ", inferred->size(), " results"));
    for (size_t i = 0; i < inferred->size(); ++i) {
      const ir::TensorType& result = (*inferred)[i];
      if (!result.isStatic()) return absl::InternalError(strCat(where, ": the shape rule gives no static result type"));
      ConcreteType c = toConcrete(result);
      if (binder.unify(op.result(i)->type().dims, c.shape, where) || c.dtype != op.result(i)->type().dtype)
        return absl::InternalError(
            strCat(where, " computes ", result.str(), ", but the IR declares ", op.result(i)->type().str()));
      types.of[op.result(i)] = std::move(c);
    }
  }
  return types;
}

std::vector<std::vector<int64_t>> argumentShapes(const ir::Function& function, int64_t size) {
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& arg : function.arguments()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& d : arg->type().dims) shape.push_back(d.isStatic() ? d.size() : size);
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

}  // namespace dlc::codegen
