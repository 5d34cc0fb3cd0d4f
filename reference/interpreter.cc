// interpret(): binds the inputs to the signature, then evaluates the ops in
// program order. Each op's concrete result type comes from its shape rule
// applied to the concrete operand types, and is checked against the type the
// IR declares; the evaluator computes in double and the result is rounded to
// its dtype before any other op sees it.
#include <map>
#include <optional>
#include <unordered_map>

#include "absl/status/status.h"
#include "reference/evaluators.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::reference {
namespace {

// Live working arrays (8 bytes per element) may not exceed this; a larger
// model is reported as ResourceExhausted instead of exhausting the host.
constexpr int64_t kMaxLiveBytes = int64_t{1} << 34;

using Evaluator = absl::StatusOr<Array> (*)(const OpContext&);

// Indexed by OpKind; generated from the op table like OpKind itself.
constexpr Evaluator kEvaluators[] = {
#define OP(Id, ...) &eval##Id,
#include "ir/ops.def"
#undef OP
};

// `embedding 'embedding' at line 7`
std::string describeOp(const ir::Operation& op) {
  std::string out(op.name());
  if (op.numResults() > 0 && !op.result()->nameHint().empty())
    strAppend(&out, " '", op.result()->nameHint(), "'");
  if (op.location().valid()) strAppend(&out, " at line ", op.location().line);
  return out;
}

std::string shapeString(ir::DType dtype, std::span<const int64_t> shape) {
  return strCat(ir::dtypeName(dtype), indexString(shape));
}

// The sizes bound to symbolic dims, each with where it was bound.
class Bindings {
 public:
  // Matches `declared` dims against a concrete shape, binding new symbols.
  // On a mismatch returns a description of it ("" if only the rank or a
  // static dim differs, " with batch = 2 from input 'x'" for a conflicting
  // symbol); nothing is bound then.
  std::optional<std::string> unify(const std::vector<ir::Dim>& declared,
                                   std::span<const int64_t> shape, const std::string& source) {
    if (declared.size() != shape.size()) return std::string();
    std::map<std::string, int64_t> fresh;
    for (size_t i = 0; i < shape.size(); ++i) {
      const ir::Dim& d = declared[i];
      if (d.isStatic()) {
        if (d.size() != shape[i]) return std::string();
        continue;
      }
      if (auto it = bound_.find(d.symbol()); it != bound_.end()) {
        if (it->second.size != shape[i])
          return strCat(" with ", d.symbol(), " = ", it->second.size, " from ", it->second.source);
        continue;
      }
      auto [it, added] = fresh.emplace(d.symbol(), shape[i]);
      if (!added && it->second != shape[i])
        return strCat(" (", d.symbol(), " cannot be both ", it->second, " and ", shape[i], ")");
    }
    for (const auto& [symbol, size] : fresh) bound_[symbol] = Entry{size, source};
    return std::nullopt;
  }

  std::optional<int64_t> find(const std::string& symbol) const {
    auto it = bound_.find(symbol);
    if (it == bound_.end()) return std::nullopt;
    return it->second.size;
  }

  // `dims` with every symbol replaced by its size; fails naming an unbound
  // symbol.
  absl::StatusOr<std::vector<ir::Dim>> substitute(const std::vector<ir::Dim>& dims) const {
    std::vector<ir::Dim> out;
    for (const ir::Dim& d : dims) {
      if (d.isStatic()) {
        out.push_back(d);
        continue;
      }
      std::optional<int64_t> size = find(d.symbol());
      if (!size)
        return absl::InternalError(strCat("symbolic dim '", d.symbol(), "' is bound by no input"));
      out.push_back(ir::Dim::fixed(*size));
    }
    return out;
  }

 private:
  struct Entry {
    int64_t size;
    std::string source;
  };
  std::map<std::string, Entry> bound_;
};

Array fromTensor(const runtime::Tensor& t) {
  Array a;
  a.dtype = t.dtype();
  a.shape = t.shape();
  a.data.resize(static_cast<size_t>(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i) a[i] = t.get(i);
  return a;
}

absl::StatusOr<runtime::Tensor> toTensor(const Array& a) {
  ASSIGN_OR_RETURN(runtime::Tensor t, runtime::Tensor::zeros(a.dtype, a.shape));
  for (int64_t i = 0; i < a.size(); ++i) t.set(i, a[i]);
  return t;
}

class Interpreter {
 public:
  Interpreter(const ir::Module& module, const ir::Function& function, const ParamMap& params,
              const InterpretOptions& options)
      : module_(module), function_(function), params_(params), options_(options) {}

  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs) {
    RETURN_IF_ERROR(bindInputs(inputs));
    findLastUses();
    for (size_t i = 0; i < function_.ops().size(); ++i)
      RETURN_IF_ERROR(evaluate(*function_.ops()[i], i));
    std::vector<runtime::Tensor> outputs;
    for (const ir::Value* v : function_.outputs()) {
      auto it = values_.find(v);
      if (it == values_.end())
        return absl::InternalError(
            strCat("function '", function_.name(), "' returns a value that is never defined"));
      ASSIGN_OR_RETURN(runtime::Tensor t, toTensor(it->second));
      outputs.push_back(std::move(t));
    }
    return outputs;
  }

 private:
  absl::Status bindInputs(std::span<const runtime::Tensor> inputs) {
    const auto& args = function_.arguments();
    if (inputs.size() != args.size()) {
      std::vector<std::string> names;
      for (const auto& arg : args) names.push_back(strCat("'", arg->nameHint(), "'"));
      return absl::InvalidArgumentError(strCat("'", function_.name(), "' expects ", args.size(),
                                               " inputs (", strJoin(names, ", "), "), but got ",
                                               inputs.size()));
    }
    for (size_t i = 0; i < args.size(); ++i) {
      const ir::TensorType& expected = args[i]->type();
      const runtime::Tensor& input = inputs[i];
      std::string name = strCat("input '", args[i]->nameHint(), "'");
      if (input.dtype() != expected.dtype)
        return absl::InvalidArgumentError(strCat(name, " has dtype ", ir::dtypeName(input.dtype()),
                                                 " (", input.typeString(),
                                                 "), but the model expects ", expected.str()));
      if (std::optional<std::string> conflict = bindings_.unify(expected.dims, input.shape(), name))
        return absl::InvalidArgumentError(strCat(name, " has shape ", input.typeString(),
                                                 ", but the model expects ", expected.str(),
                                                 *conflict));
      RETURN_IF_ERROR(reserve(name, input.dtype(), input.shape()));
      store(args[i].get(), fromTensor(input));
    }
    return absl::OkStatus();
  }

  // Values used by no later op and not returned are freed after their last
  // use.
  void findLastUses() {
    const auto& ops = function_.ops();
    for (size_t i = 0; i < ops.size(); ++i)
      for (const ir::Value* v : ops[i]->operands()) last_use_[v] = i;
    for (const ir::Value* v : function_.outputs()) last_use_[v] = ops.size();
  }

  // Checks that a working array of this shape fits beside the live ones.
  absl::Status reserve(std::string_view what, ir::DType dtype, std::span<const int64_t> shape) {
    int64_t bytes = elementCount(shape) * 8;
    if (bytes > kMaxLiveBytes - live_bytes_)
      return absl::ResourceExhaustedError(
          strCat(what, ": ", shapeString(dtype, shape), " needs ", bytes, " bytes beside ",
                 live_bytes_, " live bytes, over the interpreter's limit of ", kMaxLiveBytes));
    return absl::OkStatus();
  }

  void store(const ir::Value* v, Array array) {
    live_bytes_ += array.size() * 8;
    values_[v] = std::move(array);
  }

  // The concrete shape of op's result: its shape rule applied to the concrete
  // operand types, checked against (and binding the symbols of) the type the
  // IR declares.
  absl::StatusOr<std::vector<int64_t>> resultShape(const ir::Operation& op,
                                                   const std::vector<ir::TensorType>& operand_types,
                                                   const std::string& where) {
    const ir::OpDef& def = op.def();
    const ir::TensorType& declared = op.result()->type();
    // Symbolic dims in attributes (reshape's shape) and in stated result
    // types take their bound sizes.
    ir::Attrs attrs = op.attrs();
    for (auto& [name, attr] : attrs.entries()) {
      if (attr.kind() != ir::AttrKind::kShape) continue;
      absl::StatusOr<std::vector<ir::Dim>> dims = bindings_.substitute(attr.asShape());
      if (!dims.ok()) return absl::InternalError(strCat(where, ": ", dims.status().message()));
      attr = ir::Attribute::shape(std::move(*dims));
    }
    std::vector<ir::TensorType> given;
    if (def.has(ir::kGivenType)) {
      absl::StatusOr<std::vector<ir::Dim>> dims = bindings_.substitute(declared.dims);
      if (!dims.ok()) return absl::InternalError(strCat(where, ": ", dims.status().message()));
      given.push_back(ir::TensorType{declared.dtype, std::move(*dims)});
    }
    absl::StatusOr<std::vector<ir::TensorType>> inferred =
        def.infer(ir::ShapeContext{operand_types, attrs, given, def.name});
    if (!inferred.ok())
      return absl::InternalError(
          strCat(where, " fails on concrete operands: ", inferred.status().message()));
    if (inferred->size() != 1 || !(*inferred)[0].isStatic())
      return absl::InternalError(strCat(where, ": the shape rule gives no static result type"));
    const ir::TensorType& result = (*inferred)[0];
    std::vector<int64_t> shape;
    for (const ir::Dim& d : result.dims) shape.push_back(d.size());
    std::optional<std::string> conflict = result.dtype == declared.dtype
                                              ? bindings_.unify(declared.dims, shape, where)
                                              : std::optional<std::string>("");
    if (conflict)
      return absl::InternalError(strCat(where, " computes ", result.str(), ", but the IR declares ",
                                        declared.str(), *conflict));
    return shape;
  }

  absl::Status evaluate(const ir::Operation& op, size_t index) {
    std::string where = strCat("op ", index, " (", describeOp(op), ")");
    if (op.numResults() != 1)
      return absl::InternalError(strCat(where, " has ", op.numResults(), " results, not 1"));

    // Operands and their concrete types.
    std::vector<const Array*> operands;
    std::vector<ir::TensorType> operand_types;
    for (const ir::Value* v : op.operands()) {
      auto it = values_.find(v);
      if (it == values_.end())
        return absl::InternalError(strCat(where, " uses a value that is not defined before it"));
      operands.push_back(&it->second);
      ir::TensorType t{it->second.dtype, {}};
      for (int64_t d : it->second.shape) t.dims.push_back(ir::Dim::fixed(d));
      operand_types.push_back(std::move(t));
    }

    ASSIGN_OR_RETURN(std::vector<int64_t> shape, resultShape(op, operand_types, where));
    OpContext c{
        op,      index,   std::move(operands), op.result()->type().dtype, std::move(shape), module_,
        params_, options_};
    RETURN_IF_ERROR(reserve(c.describe(), c.dtype, c.shape));
    ASSIGN_OR_RETURN(Array result, kEvaluators[static_cast<size_t>(op.kind())](c));
    if (result.dtype != c.dtype || result.shape != c.shape ||
        result.size() != elementCount(c.shape))
      return absl::InternalError(strCat(where, ": the evaluator returned ",
                                        shapeString(result.dtype, result.shape), " for ",
                                        shapeString(c.dtype, c.shape)));
    roundInPlace(result);
    store(op.result(), std::move(result));

    for (const ir::Value* v : op.operands()) release(v, index);
    release(op.result(), index);  // an unused result
    return absl::OkStatus();
  }

  void release(const ir::Value* v, size_t index) {
    auto use = last_use_.find(v);
    if (use != last_use_.end() && use->second > index) return;
    auto it = values_.find(v);
    if (it == values_.end()) return;
    live_bytes_ -= it->second.size() * 8;
    values_.erase(it);
  }

  const ir::Module& module_;
  const ir::Function& function_;
  const ParamMap& params_;
  const InterpretOptions& options_;
  Bindings bindings_;
  std::unordered_map<const ir::Value*, Array> values_;
  std::unordered_map<const ir::Value*, size_t> last_use_;
  int64_t live_bytes_ = 0;
};

}  // namespace

Array OpContext::result() const {
  Array a;
  a.dtype = dtype;
  a.shape = shape;
  a.data.assign(static_cast<size_t>(elementCount(shape)), 0.0);
  return a;
}

std::string OpContext::describe() const { return describeOp(op); }

absl::StatusOr<std::vector<runtime::Tensor>> interpret(const ir::Module& module,
                                                       const ir::Function& function,
                                                       std::span<const runtime::Tensor> inputs,
                                                       const ParamMap& params,
                                                       const InterpretOptions& options) {
  return Interpreter(module, function, params, options).run(inputs);
}

}  // namespace dlc::reference
