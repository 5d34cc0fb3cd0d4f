// interpret(): binds the inputs to the signature, then evaluates the ops in
// program order. Each op's concrete result types come from its shape rule
// applied to the concrete operand types, and are checked against the types
// the IR declares; the evaluator computes in double and each result is
// rounded to its dtype before any other op sees it. `assign` ops record
// their writes aside; they are handed back after the last op.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "absl/status/status.h"
#include "reference/evaluators.h"
#include "runtime/memory_budget.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::reference {
namespace {

// Live working arrays (8 bytes per element) may not exceed this, nor what
// the process may still use (runtime/memory_budget.h) when the run starts; a
// larger model is reported as ResourceExhausted before the array is made.
constexpr int64_t kMaxLiveBytes = int64_t{1} << 34;

using Evaluator = absl::StatusOr<Results> (*)(const OpContext&);

// Indexed by OpKind; generated from the op table like OpKind itself.
constexpr Evaluator kEvaluators[] = {
#define OP(Id, ...) &eval##Id,
#include "ir/ops.def"
#undef OP
};

// `embedding 'embedding' at line 7`
std::string describeOp(const ir::Operation& op) {
  std::string out(op.name());
  if (op.numResults() > 0 && !op.result()->nameHint().empty()) strAppend(&out, " '", op.result()->nameHint(), "'");
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
      if (!size) return absl::InternalError(strCat("symbolic dim '", d.symbol(), "' is bound by no input"));
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

// The index of the op after which each value is freed: its last reader, or
// past the last op for the function's outputs. A value no op reads is absent
// (freed after the op that makes it).
std::unordered_map<const ir::Value*, size_t> lastUses(const ir::Function& function) {
  std::unordered_map<const ir::Value*, size_t> last_use;
  const auto& ops = function.ops();
  for (size_t i = 0; i < ops.size(); ++i)
    for (const ir::Value* v : ops[i]->operands()) last_use[v] = i;
  for (const ir::Value* v : function.outputs()) last_use[v] = ops.size();
  return last_use;
}

class Interpreter {
 public:
  Interpreter(const ir::Module& module, const ir::Function& function, const ParamMap& params,
              const InterpretOptions& options)
      : module_(module), function_(function), params_(params), options_(options) {}

  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs, ParamMap* assigned) {
    ASSIGN_OR_RETURN(runtime::MemoryHeadroom headroom, runtime::hostMemoryHeadroom());
    if (headroom.bytes < limit_.bytes) limit_ = headroom;
    RETURN_IF_ERROR(bindInputs(inputs));
    findLastUses();
    for (size_t i = 0; i < function_.ops().size(); ++i) RETURN_IF_ERROR(evaluate(*function_.ops()[i], i));
    std::vector<runtime::Tensor> outputs;
    for (const ir::Value* v : function_.outputs()) {
      auto it = values_.find(v);
      if (it == values_.end())
        return absl::InternalError(strCat("function '", function_.name(), "' returns a value that is never defined"));
      ASSIGN_OR_RETURN(runtime::Tensor t, toTensor(it->second));
      outputs.push_back(std::move(t));
    }
    if (assigned) {
      ParamMap written;
      for (const auto& [name, array] : writes_) {
        ASSIGN_OR_RETURN(runtime::Tensor t, toTensor(array));
        written.emplace(name, std::move(t));
      }
      *assigned = std::move(written);
    }
    return outputs;
  }

 private:
  absl::Status bindInputs(std::span<const runtime::Tensor> inputs) {
    const auto& args = function_.arguments();
    if (inputs.size() != args.size()) {
      std::vector<std::string> names;
      for (const auto& arg : args) names.push_back(strCat("'", arg->nameHint(), "'"));
      return absl::InvalidArgumentError(strCat("'", function_.name(), "' expects ", args.size(), " inputs (",
                                               strJoin(names, ", "), "), but got ", inputs.size()));
    }
    for (size_t i = 0; i < args.size(); ++i) {
      const ir::TensorType& expected = args[i]->type();
      const runtime::Tensor& input = inputs[i];
      std::string name = strCat("input '", args[i]->nameHint(), "'");
      if (input.dtype() != expected.dtype)
        return absl::InvalidArgumentError(strCat(name, " has dtype ", ir::dtypeName(input.dtype()), " (",
                                                 input.typeString(), "), but the model expects ", expected.str()));
      if (std::optional<std::string> conflict = bindings_.unify(expected.dims, input.shape(), name))
        return absl::InvalidArgumentError(
            strCat(name, " has shape ", input.typeString(), ", but the model expects ", expected.str(), *conflict));
      RETURN_IF_ERROR(reserve(name, input.dtype(), input.shape()));
      store(args[i].get(), fromTensor(input));
    }
    return absl::OkStatus();
  }

  void findLastUses() { last_use_ = lastUses(function_); }

  // Checks that working arrays of these shapes fit beside the live ones.
  absl::Status reserve(std::string_view what, ir::DType dtype, std::span<const int64_t> shape) {
    return reserveAll(what, {dtype}, {std::vector<int64_t>(shape.begin(), shape.end())});
  }
  absl::Status reserveAll(std::string_view what, const std::vector<ir::DType>& dtypes,
                          const std::vector<std::vector<int64_t>>& shapes) {
    int64_t bytes = 0;
    std::vector<std::string> types;
    for (size_t i = 0; i < shapes.size(); ++i) {
      bytes += elementCount(shapes[i]) * 8;
      types.push_back(shapeString(dtypes[i], shapes[i]));
    }
    if (bytes > limit_.bytes - live_bytes_)
      return absl::ResourceExhaustedError(
          strCat(what, ": ", strJoin(types, ", "), " needs ", runtime::formatBytes(bytes),
                 " (8 bytes an element) beside ", runtime::formatBytes(live_bytes_),
                 " live, but the interpreter may use ", runtime::formatBytes(limit_.bytes), " (", limit_.limit, ")"));
    return absl::OkStatus();
  }

  void store(const ir::Value* v, Array array) {
    live_bytes_ += array.size() * 8;
    values_[v] = std::move(array);
  }

  // The concrete types of op's results: its shape rule applied to the
  // concrete operand types, checked against (and binding the symbols of) the
  // types the IR declares.
  absl::StatusOr<std::vector<ir::TensorType>> resultTypes(const ir::Operation& op,
                                                          const std::vector<ir::TensorType>& operand_types,
                                                          const std::string& where) {
    const ir::OpDef& def = op.def();
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
      for (size_t i = 0; i < op.numResults(); ++i) {
        const ir::TensorType& declared = op.result(i)->type();
        absl::StatusOr<std::vector<ir::Dim>> dims = bindings_.substitute(declared.dims);
        if (!dims.ok()) return absl::InternalError(strCat(where, ": ", dims.status().message()));
        given.push_back(ir::TensorType{declared.dtype, std::move(*dims)});
      }
    }
    absl::StatusOr<std::vector<ir::TensorType>> inferred =
        def.infer(ir::ShapeContext{operand_types, attrs, given, def.name});
    if (!inferred.ok())
      return absl::InternalError(strCat(where, " fails on concrete operands: ", inferred.status().message()));
    if (inferred->size() != op.numResults())
      return absl::InternalError(strCat(where, ": the shape rule gives ", inferred->size(), " result types for ",
                                        op.numResults(), " results"));
    for (size_t i = 0; i < inferred->size(); ++i) {
      const ir::TensorType& result = (*inferred)[i];
      const ir::TensorType& declared = op.result(i)->type();
      if (!result.isStatic()) return absl::InternalError(strCat(where, ": the shape rule gives no static result type"));
      std::vector<int64_t> shape;
      for (const ir::Dim& d : result.dims) shape.push_back(d.size());
      std::optional<std::string> conflict = result.dtype == declared.dtype
                                                ? bindings_.unify(declared.dims, shape, where)
                                                : std::optional<std::string>("");
      if (conflict)
        return absl::InternalError(
            strCat(where, " computes ", result.str(), ", but the IR declares ", declared.str(), *conflict));
    }
    return std::move(*inferred);
  }

  absl::Status evaluate(const ir::Operation& op, size_t index) {
    std::string where = strCat("op ", index, " (", describeOp(op), ")");
    if (op.numResults() != static_cast<size_t>(op.def().num_results))
      return absl::InternalError(strCat(where, " has ", op.numResults(), " results, not ", op.def().num_results));

    // Operands and their concrete types.
    std::vector<const Array*> operands;
    std::vector<ir::TensorType> operand_types;
    for (const ir::Value* v : op.operands()) {
      auto it = values_.find(v);
      if (it == values_.end()) return absl::InternalError(strCat(where, " uses a value that is not defined before it"));
      operands.push_back(&it->second);
      ir::TensorType t{it->second.dtype, {}};
      for (int64_t d : it->second.shape) t.dims.push_back(ir::Dim::fixed(d));
      operand_types.push_back(std::move(t));
    }

    ASSIGN_OR_RETURN(std::vector<ir::TensorType> types, resultTypes(op, operand_types, where));
    std::vector<ir::DType> dtypes;
    std::vector<std::vector<int64_t>> shapes;
    for (const ir::TensorType& t : types) {
      dtypes.push_back(t.dtype);
      std::vector<int64_t> shape;
      for (const ir::Dim& d : t.dims) shape.push_back(d.size());
      shapes.push_back(std::move(shape));
    }
    OpContext c{.op = op,
                .op_index = index,
                .operands = std::move(operands),
                .dtype = dtypes.empty() ? ir::DType::kF32 : dtypes[0],
                .shape = shapes.empty() ? std::vector<int64_t>{} : shapes[0],
                .dtypes = dtypes,
                .shapes = shapes,
                .module = module_,
                .params = params_,
                .options = options_,
                .writes = &writes_};
    RETURN_IF_ERROR(reserveAll(c.describe(), dtypes, shapes));
    ASSIGN_OR_RETURN(Results results, kEvaluators[static_cast<size_t>(op.kind())](c));
    if (results.arrays.size() != op.numResults())
      return absl::InternalError(
          strCat(where, ": the evaluator returned ", results.arrays.size(), " results for ", op.numResults()));
    for (size_t i = 0; i < results.arrays.size(); ++i) {
      Array& result = results.arrays[i];
      if (result.dtype != dtypes[i] || result.shape != shapes[i] || result.size() != elementCount(shapes[i]))
        return absl::InternalError(strCat(where, ": the evaluator returned ", shapeString(result.dtype, result.shape),
                                          " for ", shapeString(dtypes[i], shapes[i])));
    }
    for (size_t i = 0; i < results.arrays.size(); ++i) {
      roundInPlace(results.arrays[i]);
      store(op.result(i), std::move(results.arrays[i]));
    }

    for (const ir::Value* v : op.operands()) release(v, index);
    for (size_t i = 0; i < op.numResults(); ++i) release(op.result(i), index);  // unused results
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
  StateWrites writes_;
  std::unordered_map<const ir::Value*, size_t> last_use_;
  int64_t live_bytes_ = 0;
  runtime::MemoryHeadroom limit_{kMaxLiveBytes, "its own limit"};
};

}  // namespace

Array OpContext::result(size_t i) const {
  Array a;
  a.dtype = dtypes[i];
  a.shape = shapes[i];
  a.data.assign(static_cast<size_t>(elementCount(a.shape)), 0.0);
  return a;
}

std::string OpContext::describe() const { return describeOp(op); }

absl::StatusOr<std::vector<runtime::Tensor>> interpret(const ir::Module& module, const ir::Function& function,
                                                       std::span<const runtime::Tensor> inputs, const ParamMap& params,
                                                       const InterpretOptions& options, ParamMap* assigned) {
  return Interpreter(module, function, params, options).run(inputs, assigned);
}

int64_t peakLiveBytes(const ir::Function& function, const std::function<int64_t(const ir::Value*)>& elements) {
  std::unordered_map<const ir::Value*, size_t> last_use = lastUses(function);
  auto bytes = [&](const ir::Value* v) { return elements(v) * 8; };
  int64_t live = 0;
  for (const auto& arg : function.arguments()) live += bytes(arg.get());
  int64_t peak = live;
  const auto& ops = function.ops();
  for (size_t i = 0; i < ops.size(); ++i) {
    for (size_t r = 0; r < ops[i]->numResults(); ++r) live += bytes(ops[i]->result(r));
    peak = std::max(peak, live);
    // Freed as Interpreter::release frees them: once, after their last use.
    auto release = [&](const ir::Value* v) {
      auto use = last_use.find(v);
      if (use != last_use.end() && use->second > i) return;
      live -= bytes(v);
      last_use[v] = ops.size() + 1;
    };
    for (const ir::Value* v : ops[i]->operands()) release(v);
    for (size_t r = 0; r < ops[i]->numResults(); ++r) release(ops[i]->result(r));
  }
  return peak;
}

}  // namespace dlc::reference
