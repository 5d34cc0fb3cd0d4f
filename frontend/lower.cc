#include "frontend/lower.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "frontend/layers.h"
#include "frontend/lower_train.h"
#include "frontend/signatures.h"
#include "frontend/token.h"
#include "ir/verifier.h"
#include "support/strings.h"

namespace dlc::frontend {
namespace {

using ir::Attribute;
using ir::Attrs;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

// State shared by every model lowered (inlined) into the one function.
struct Context {
  const ast::Program& program;
  DiagnosticEngine& diags;
  const LowerOptions& options;
  ir::Module& module;
  ir::Function* function = nullptr;
  absl::flat_hash_map<std::string, const ast::Model*> models;
  absl::flat_hash_map<std::string, Location> param_locs;
  // Where each value was made, for notes on shape errors.
  absl::flat_hash_map<const Value*, Location> origin;
  std::vector<const ast::Model*> inlining;  // models being lowered, outermost first
  // Each random op gets its own key, so that two dropouts draw different
  // masks while an op's backward (same key) sees the same one.
  int64_t next_random_key = 1;
  int errors_before = 0;
  // Statements lowered plus ops made, bounded by options.max_ops.
  int64_t steps = 0;
  // A limit was hit (reported once): every scope unwinds without more errors.
  bool stopped = false;

  // After options.max_errors errors, reports that it stops (once) and
  // stops lowering.
  bool shouldStop(Location loc) {
    if (stopped) return true;
    if (diags.errorCount() - errors_before < options.max_errors) return false;
    diags.error(loc, "too many errors, stopping");
    stopped = true;
    return true;
  }
  // Counts one step; past the limit, reports it once and stops lowering.
  bool step(Location loc) {
    if (stopped) return false;
    if (++steps <= options.max_ops) return true;
    const ast::Model* top = inlining.empty() ? nullptr : inlining.front();
    diags.error(loc, strCat("model ", top ? quote(top->name) : std::string("''"),
                            " is too large: inlining the models it uses as layers takes more "
                            "than ",
                            options.max_ops, " ops and statements"));
    stopped = true;
    return false;
  }
};

// A numeric expression made only of numbers: `1 / 255`, `-2`.
std::optional<double> numericValue(const ast::Expr& e) {
  if (const auto* n = e.as<ast::NumberExpr>()) return n->float_value;
  if (const auto* p = e.as<ast::ParenExpr>()) return numericValue(*p->inner);
  if (const auto* u = e.as<ast::UnaryExpr>()) {
    auto v = numericValue(*u->operand);
    return v ? std::optional<double>(-*v) : std::nullopt;
  }
  if (const auto* b = e.as<ast::BinaryExpr>()) {
    if (b->op == ast::BinaryOp::kMatMul) return std::nullopt;
    auto l = numericValue(*b->lhs);
    if (!l) return std::nullopt;
    auto r = numericValue(*b->rhs);
    if (!r) return std::nullopt;
    switch (b->op) {
      case ast::BinaryOp::kAdd: return *l + *r;
      case ast::BinaryOp::kSub: return *l - *r;
      case ast::BinaryOp::kMul: return *l * *r;
      case ast::BinaryOp::kDiv: return *l / *r;
      case ast::BinaryOp::kMatMul: return std::nullopt;
    }
  }
  return std::nullopt;
}

bool isConfigLiteral(const ast::Expr& e) {
  return numericValue(e).has_value() || e.as<ast::StringExpr>() || e.as<ast::BoolExpr>() || e.as<ast::ListExpr>();
}

// Configuration kinds that an identifier can be written for (`relu`, `same`, `f32`).
bool takesWord(ir::AttrKind kind) {
  return kind == ir::AttrKind::kString || kind == ir::AttrKind::kDType || kind == ir::AttrKind::kStringList;
}

// Lowers one model's body with its inputs bound to given values. A model used
// as a layer is lowered by a nested ModelScope into the same function.
//
// After an error, the name it was bound to (and the current value, after a
// failed sequential statement) is poisoned: bound to null, so that later uses
// fail quietly instead of repeating the error as "unknown name".
class ModelScope : public LayerBuilder {
 public:
  ModelScope(Context& ctx, const ast::Model& model, std::string prefix, bool trainable)
      : ctx_(ctx), model_(model), prefix_(std::move(prefix)), trainable_(trainable) {}

  // Returns the model's outputs, or nullopt after reporting errors.
  std::optional<std::vector<Value*>> lower(const std::vector<Value*>& inputs) {
    for (size_t i = 0; i < inputs.size(); ++i) env_[model_.inputs[i].name] = inputs[i];
    current_ = inputs.empty() ? nullptr : inputs[0];
    std::optional<std::vector<Value*>> outputs;
    bool ok = true;
    for (size_t i = 0; i < model_.body.size(); ++i) {
      const ast::Stmt& stmt = *model_.body[i];
      if (ctx_.shouldStop(stmt.loc) || !ctx_.step(stmt.loc)) return std::nullopt;
      if (outputs) {
        ctx_.diags.error(stmt.loc, "statement after 'return' is never reached");
        return std::nullopt;
      }
      if (const auto* e = stmt.as<ast::ExprStmt>()) {
        current_ = sequential(*e->expr);
        if (!current_) ok = false;
      } else if (const auto* a = stmt.as<ast::AssignStmt>()) {
        Value* v = eval(*a->value);
        env_[a->name] = v;
        current_ = v;
        if (!v) ok = false;
      } else if (const auto* r = stmt.as<ast::ReturnStmt>()) {
        std::vector<Value*> values;
        for (const auto& e : r->values) {
          Value* v = eval(*e);
          if (!v) ok = false;
          values.push_back(v);
        }
        outputs = std::move(values);
      }
    }
    if (!ok || ctx_.stopped) return std::nullopt;
    if (!outputs) outputs = std::vector<Value*>{current_};
    return outputs;
  }

  // LayerBuilder
  Value* param(std::string_view local, TensorType type, Attrs init, bool trainable) override {
    // After one parameter of a layer fails, its others fail quietly.
    if (param_failed_ || !ctx_.step(call_loc_)) return nullptr;
    std::string name = strCat(prefix_, layer_name_, ".", local);
    init.set("trainable", Attribute::boolean(trainable && trainable_));
    if (auto [it, fresh] = ctx_.param_locs.emplace(name, call_loc_); !fresh) {
      ctx_.diags.error(call_loc_, strCat("parameter ", quote(name), " is defined twice"));
      ctx_.diags.note(it->second, "first defined here");
      param_failed_ = true;
      return nullptr;
    }
    ctx_.module.params().push_back({name, type, std::move(init), call_loc_});
    Attrs attrs;
    attrs.set("name", Attribute::string(name));
    auto op = ctx_.function->append(OpKind::kParam, {}, attrs, call_loc_, {type});
    if (!op.ok()) {
      error(std::string(op.status().message()));
      return nullptr;
    }
    (*op)->result()->setNameHint(name);
    return (*op)->result();
  }

  Value* op(OpKind kind, std::vector<Value*> operands, Attrs attrs) override {
    if (!ctx_.step(call_loc_)) return nullptr;
    auto result = ctx_.function->append(kind, operands, std::move(attrs), call_loc_);
    if (!result.ok()) {
      error(std::string(result.status().message()));
      noteOperands(operands);
      return nullptr;
    }
    Value* v = (*result)->result();
    ctx_.origin[v] = call_loc_;
    return v;
  }

  void error(std::string message) override { ctx_.diags.error(call_loc_, std::move(message)); }
  bool training() const override { return ctx_.options.training; }

 private:
  // Where each operand the user wrote came from and what it is, when there
  // are several (`h + y`, concat): the message names their types, the notes
  // say which line made each. A single operand's type is in the message.
  void noteOperands(const std::vector<Value*>& operands) {
    std::vector<std::pair<const Value*, Location>> shown;
    for (Value* v : operands) {
      if (v->producer() && v->producer()->kind() == OpKind::kParam) continue;
      if (v->producer() && v->producer()->kind() == OpKind::kConstant) continue;
      auto it = ctx_.origin.find(v);
      bool seen = std::any_of(shown.begin(), shown.end(), [&](const auto& s) { return s.first == v; });
      if (it != ctx_.origin.end() && !seen) shown.emplace_back(v, it->second);
    }
    if (shown.size() < 2) return;
    for (const auto& [v, loc] : shown) ctx_.diags.note(loc, strCat("this value has type ", v->type().str()));
  }

  // A sequential statement: a call (or a bare name, a call without
  // arguments) applied to the current value.
  Value* sequential(const ast::Expr& e) {
    if (const auto* name = e.as<ast::NameExpr>()) {
      ast::CallExpr call(name->loc, name->name);
      return evalCall(call, true);
    }
    if (const auto* call = e.as<ast::CallExpr>()) return evalCall(*call, true);
    // The parser accepts nothing else as a statement.
    ctx_.diags.error(e.loc, "a statement must be a call, an assignment or 'return'");
    return nullptr;
  }

  Value* eval(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::kName: {
        const auto& name = e.as<ast::NameExpr>()->name;
        auto it = env_.find(name);
        if (it != env_.end()) return it->second;  // null: poisoned, already reported
        if (findSignature(name) || ctx_.models.contains(name))
          ctx_.diags.error(
              e.loc, strCat(quote(name), " is an op, not a value; call it: ", name.size() > 48 ? "OP" : name, "(...)"));
        else
          ctx_.diags.error(e.loc, strCat("unknown name ", quote(name)));
        return nullptr;
      }
      case ast::ExprKind::kCall: return evalCall(*e.as<ast::CallExpr>(), false);
      case ast::ExprKind::kParen: return eval(*e.as<ast::ParenExpr>()->inner);
      case ast::ExprKind::kUnary: {
        Value* v = eval(*e.as<ast::UnaryExpr>()->operand);
        if (!v) return nullptr;
        call_loc_ = e.loc;
        return op(OpKind::kNeg, {v}, {});
      }
      case ast::ExprKind::kBinary: return evalBinary(*e.as<ast::BinaryExpr>());
      case ast::ExprKind::kNumber:
      case ast::ExprKind::kString:
      case ast::ExprKind::kBool:
      case ast::ExprKind::kList: ctx_.diags.error(e.loc, "expected a tensor value here, not a literal"); return nullptr;
    }
    return nullptr;
  }

  Value* scalar(double value, ir::DType dtype, Location loc) {
    if (!std::isfinite(value)) {
      ctx_.diags.error(loc, strCat("constant expression is not finite (", value, ")"));
      return nullptr;
    }
    if (!ctx_.step(loc)) return nullptr;
    Attrs attrs;
    attrs.set("value", Attribute::floatList({value}));
    auto c = ctx_.function->append(OpKind::kConstant, {}, attrs, loc, {TensorType{dtype, {}}});
    if (!c.ok()) {
      ctx_.diags.error(loc, std::string(c.status().message()));
      return nullptr;
    }
    return (*c)->result();
  }

  Value* evalBinary(const ast::BinaryExpr& b) {
    auto lnum = numericValue(*b.lhs), rnum = numericValue(*b.rhs);
    if (lnum && rnum) {
      ctx_.diags.error(b.loc, "both sides are numbers; a tensor expression needs a tensor");
      return nullptr;
    }
    Value* lhs = lnum ? nullptr : eval(*b.lhs);
    Value* rhs = rnum ? nullptr : eval(*b.rhs);
    if ((!lnum && !lhs) || (!rnum && !rhs)) return nullptr;
    if (b.op == ast::BinaryOp::kMatMul && (lnum || rnum)) {
      ctx_.diags.error(b.loc, "'@' needs two tensors");
      return nullptr;
    }
    if (lnum) lhs = scalar(*lnum, rhs->type().dtype, b.lhs->loc);
    if (rnum) rhs = scalar(*rnum, lhs->type().dtype, b.rhs->loc);
    if (!lhs || !rhs) return nullptr;
    OpKind kind = OpKind::kAdd;
    switch (b.op) {
      case ast::BinaryOp::kAdd: kind = OpKind::kAdd; break;
      case ast::BinaryOp::kSub: kind = OpKind::kSub; break;
      case ast::BinaryOp::kMul: kind = OpKind::kMul; break;
      case ast::BinaryOp::kDiv: kind = OpKind::kDiv; break;
      case ast::BinaryOp::kMatMul: kind = OpKind::kMatmul; break;
    }
    call_loc_ = b.loc;
    return op(kind, {lhs, rhs}, {});
  }

  // Whether a configuration argument is evidently a tensor (`x`, `dense(x, 4)`,
  // `h + 1`) rather than configuration, so that `relu(x)` in a statement is
  // reported as one tensor input too many. `param` is the configuration it
  // would bind to, if any: a name it can take as a word stays configuration.
  bool looksLikeTensor(const ast::Expr& e, const ConfigParam* param) const {
    if (numericValue(e)) return false;
    switch (e.kind) {
      case ast::ExprKind::kCall:
      case ast::ExprKind::kBinary:
      case ast::ExprKind::kUnary: return true;
      case ast::ExprKind::kParen: return looksLikeTensor(*e.as<ast::ParenExpr>()->inner, param);
      case ast::ExprKind::kName:
        return env_.contains(e.as<ast::NameExpr>()->name) && !(param && takesWord(param->kind));
      default: return false;
    }
  }

  // A call in an expression, or (`sequential`) a statement whose first
  // tensor input is the current value.
  Value* evalCall(const ast::CallExpr& call, bool sequential) {
    const Signature* sig = findSignature(call.callee);
    auto model = ctx_.models.find(call.callee);
    if (!sig && model == ctx_.models.end()) {
      if (env_.contains(call.callee))
        ctx_.diags.error(call.loc, strCat(quote(call.callee), " is a value, not an op"));
      else
        ctx_.diags.error(call.loc, strCat("unknown op ", quote(call.callee)));
      return nullptr;
    }
    static const std::vector<ConfigParam> kNoConfig;
    const std::vector<ConfigParam>& params = sig ? sig->config : kNoConfig;
    int wanted = sig ? sig->tensor_inputs : static_cast<int>(model->second->inputs.size());
    // Tensor inputs first: the current value, then leading positional args.
    // A poisoned input (null) makes the call fail quietly once its own
    // arguments are checked.
    std::vector<Value*> inputs;
    bool ok = true;
    if (sequential) {
      inputs.push_back(current_);
      ok = current_ != nullptr;
    }
    size_t next = 0;
    auto takeTensor = [&](const ast::Expr& e) {
      Value* v = eval(e);
      if (!v) ok = false;
      inputs.push_back(v);
      ++next;
    };
    if (wanted < 0) {
      while (next < call.args.size() && !isConfigLiteral(*call.args[next])) takeTensor(*call.args[next]);
    } else {
      while (static_cast<int>(inputs.size()) < wanted && next < call.args.size() && !isConfigLiteral(*call.args[next]))
        takeTensor(*call.args[next]);
      if (ok && static_cast<int>(inputs.size()) < wanted) {
        ctx_.diags.error(
            call.loc, strCat(quote(call.callee), " needs ", wanted, " tensor input", wanted == 1 ? "" : "s", ", but ",
                             inputs.size(), inputs.size() == 1 ? " is" : " are", " given"));
        return nullptr;
      }
      size_t extra = 0;
      while (next + extra < call.args.size() &&
             looksLikeTensor(*call.args[next + extra], extra < params.size() ? &params[extra] : nullptr))
        ++extra;
      if (extra > 0) {
        ctx_.diags.error(call.args[next]->loc,
                         strCat(quote(call.callee), " takes ", wanted, " tensor input", wanted == 1 ? "" : "s",
                                ", but ", wanted + static_cast<int>(extra), " are given",
                                sequential ? " (in a statement, the current value is the first)" : ""));
        return nullptr;
      }
    }
    if (inputs.empty()) {
      ctx_.diags.error(call.loc, strCat(quote(call.callee), " needs at least one tensor input"));
      return nullptr;
    }
    std::vector<const ast::Expr*> positional;
    for (size_t i = next; i < call.args.size(); ++i) positional.push_back(call.args[i].get());
    bool has_params = !sig || sig->layer != LayerKind::kNone;
    auto config = bindConfig(call.callee, params, positional, call.kwargs, has_params, call.loc, ctx_.diags);
    if (!config || !ok) return nullptr;
    if (!claimLayerName(call, *config)) return nullptr;
    call_loc_ = call.loc;
    Value* result = nullptr;
    if (!sig) {
      result = inlineModel(*model->second, inputs, *config, call.loc);
    } else if (sig->layer != LayerKind::kNone) {
      param_failed_ = false;
      result = lowerLayer(sig->layer, *this, inputs[0], *config);
    } else {
      Attrs attrs = config->attrs;
      fixPoolStrides(attrs);
      if (ir::opDef(*sig->op).findAttr("training")) attrs.set("training", Attribute::boolean(ctx_.options.training));
      if (ir::opDef(*sig->op).findAttr("key")) attrs.set("key", Attribute::integer(ctx_.next_random_key++));
      result = op(*sig->op, inputs, std::move(attrs));
    }
    if (result && !result->isArgument() && result->nameHint().empty())
      result->setNameHint(strCat(prefix_, layer_name_));
    if (result) ctx_.origin[result] = call.loc;
    return result;
  }

  // Pool strides default to the pool size.
  static void fixPoolStrides(Attrs& attrs) {
    const Attribute* strides = attrs.find("strides");
    const Attribute* pool = attrs.find("pool");
    if (strides && pool && strides->kind() == ir::AttrKind::kIntList && strides->asIntList().empty())
      attrs.set("strides", *pool);
  }

  // Picks the layer's name: `name=` or Keras's default (op, op_1, ...).
  bool claimLayerName(const ast::CallExpr& call, const BoundConfig& config) {
    std::string name;
    if (config.name) {
      name = *config.name;
      if (name.empty() || name.find_first_of(" \t\n\"@%") != std::string::npos) {
        ctx_.diags.error(config.name_loc,
                         strCat("layer name ", quote(name), " must be non-empty without spaces, quotes, '@' or '%'"));
        return false;
      }
    } else {
      int& n = counters_[call.callee];
      do {
        name = n == 0 ? call.callee : strCat(call.callee, "_", n);
        ++n;
      } while (layer_locs_.contains(name));
    }
    auto [it, fresh] = layer_locs_.emplace(name, config.name ? config.name_loc : call.loc);
    if (!fresh) {
      ctx_.diags.error(config.name ? config.name_loc : call.loc,
                       strCat("layer name ", quote(name), " is already used in model ", quote(model_.name)));
      ctx_.diags.note(it->second, "first used here");
      return false;
    }
    layer_name_ = name;
    return true;
  }

  Value* inlineModel(const ast::Model& inner, const std::vector<Value*>& inputs, const BoundConfig& config,
                     Location loc) {
    if (std::find(ctx_.inlining.begin(), ctx_.inlining.end(), &inner) != ctx_.inlining.end()) {
      std::vector<std::string> chain;
      for (const ast::Model* m : ctx_.inlining) chain.push_back(m->name);
      chain.push_back(inner.name);
      ctx_.diags.error(loc, strCat("model ", quote(inner.name), " uses itself: ", strJoin(chain, " -> ")));
      return nullptr;
    }
    if (static_cast<int>(ctx_.inlining.size()) >= ctx_.options.max_model_depth) {
      ctx_.diags.error(loc,
                       strCat("models used as layers are nested more than ", ctx_.options.max_model_depth, " deep"));
      ctx_.stopped = true;
      return nullptr;
    }
    if (!checkModelInputs(inner, inputs, loc)) return nullptr;
    ctx_.inlining.push_back(&inner);
    ModelScope scope(ctx_, inner, strCat(prefix_, layer_name_, "."), trainable_ && config.trainable);
    auto outputs = scope.lower(inputs);
    ctx_.inlining.pop_back();
    if (!outputs) return nullptr;
    if (outputs->size() != 1) {
      ctx_.diags.error(loc, strCat("model ", quote(inner.name), " has ", outputs->size(),
                                   " outputs; a model used as a layer must have one"));
      return nullptr;
    }
    return (*outputs)[0];
  }

  // The arguments must fit the inner model's declared input types; its
  // symbolic dims bind to the caller's dims, consistently.
  bool checkModelInputs(const ast::Model& inner, const std::vector<Value*>& inputs, Location loc) {
    absl::flat_hash_map<std::string, ir::Dim> bound;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const ast::ModelInput& decl = inner.inputs[i];
      const TensorType& actual = inputs[i]->type();
      bool fits = ir::parseDType(decl.type.dtype) == actual.dtype &&
                  static_cast<int64_t>(decl.type.dims.size()) == actual.rank();
      for (size_t d = 0; fits && d < decl.type.dims.size(); ++d) {
        const ast::Dim& want = decl.type.dims[d];
        if (want.isSymbolic()) {
          auto [it, fresh] = bound.emplace(want.symbol, actual.dims[d]);
          fits = fresh || it->second == actual.dims[d];
        } else {
          fits = actual.dims[d] == ir::Dim::fixed(want.size);
        }
      }
      if (!fits) {
        ctx_.diags.error(loc, strCat("model ", quote(inner.name), " expects input ", quote(decl.name), " of type ",
                                     typeText(decl.type), ", but it is given ", actual.str()));
        ctx_.diags.note(decl.loc, "input declared here");
        return false;
      }
    }
    return true;
  }

  static std::string typeText(const ast::TypeExpr& t) {
    std::vector<std::string> dims;
    for (const ast::Dim& d : t.dims) dims.push_back(d.isSymbolic() ? d.symbol : strCat(d.size));
    return strCat(t.dtype, "[", strJoin(dims, ", "), "]");
  }

  Context& ctx_;
  const ast::Model& model_;
  std::string prefix_;
  bool trainable_;
  absl::flat_hash_map<std::string, Value*> env_;  // null: poisoned by an error
  Value* current_ = nullptr;                      // null: poisoned by an error
  absl::flat_hash_map<std::string, int> counters_;
  absl::flat_hash_map<std::string, Location> layer_locs_;
  std::string layer_name_;
  Location call_loc_;
  bool param_failed_ = false;  // a parameter of the layer being lowered failed
};

// The main model's inputs become the function's arguments.
std::optional<std::vector<Value*>> declareInputs(Context& ctx, const ast::Model& model) {
  std::vector<Value*> args;
  absl::flat_hash_map<std::string, Location> seen;
  bool ok = true;
  for (const ast::ModelInput& in : model.inputs) {
    if (auto [it, fresh] = seen.emplace(in.name, in.loc); !fresh) {
      ctx.diags.error(in.loc, strCat("input ", quote(in.name), " is declared twice"));
      ctx.diags.note(it->second, "first declared here");
      ok = false;
    }
    auto dtype = ir::parseDType(in.type.dtype);
    if (!dtype) {
      ctx.diags.error(in.type.loc, strCat("unknown dtype ", quote(in.type.dtype),
                                          " (expected f32, f16, bf16, f64, i32, i64 or bool)"));
      ok = false;
      continue;
    }
    TensorType type{*dtype, {}};
    bool dims_ok = true;
    for (const ast::Dim& d : in.type.dims) {
      if (d.isSymbolic()) {
        type.dims.push_back(ir::Dim::symbolic(d.symbol));
      } else if (d.size < 1 || d.size > ir::kMaxDimSize) {
        ctx.diags.error(d.loc, strCat("dimension ", d.size, " must be between 1 and ", ir::kMaxDimSize));
        dims_ok = false;
      } else {
        type.dims.push_back(ir::Dim::fixed(d.size));
      }
    }
    // The static dims' product, symbols aside (a symbol is at least 1).
    TensorType fixed{*dtype, {}};
    for (const ir::Dim& d : type.dims)
      if (d.isStatic()) fixed.dims.push_back(d);
    if (dims_ok && !fixed.numElements()) {
      ctx.diags.error(in.type.loc, strCat("input ", quote(in.name), " of type ", type.str(), " has more than ",
                                          ir::kMaxElements, " elements"));
      dims_ok = false;
    }
    if (!ok || !dims_ok) {
      ok = false;
      continue;
    }
    Value* arg = ctx.function->addArgument(type, in.name);
    ctx.origin[arg] = in.loc;
    args.push_back(arg);
  }
  if (model.inputs.empty()) {
    ctx.diags.error(model.name_loc, strCat("model ", quote(model.name), " needs at least one input"));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return args;
}

}  // namespace

std::unique_ptr<ir::Module> lowerProgram(const ast::Program& program, DiagnosticEngine& diags,
                                         const LowerOptions& options) {
  auto module = std::make_unique<ir::Module>();
  Context ctx{program, diags, options, *module};
  const ast::Model* chosen = nullptr;
  for (const auto& item : program.items)
    if (const auto* m = item->as<ast::Model>()) {
      ctx.models.emplace(m->name, m);  // duplicates were reported by the parser
      if (options.model.empty() || m->name == options.model) chosen = m;
    }
  if (!chosen) {
    if (!options.model.empty())
      diags.error({}, strCat("no model named ", quote(options.model)));
    else if (program.root_buffer >= 0)
      diags.error(Location{program.root_buffer, 1, 1}, "the file defines no model");
    else
      diags.error({}, "the program defines no model");
    return nullptr;
  }
  ctx.errors_before = diags.errorCount();
  ctx.function = module->addFunction(chosen->name);
  ctx.function->setLocation(chosen->loc);
  auto inputs = declareInputs(ctx, *chosen);
  if (!inputs) return nullptr;
  ctx.inlining.push_back(chosen);
  ModelScope scope(ctx, *chosen, "", true);
  auto outputs = scope.lower(*inputs);
  if (!outputs) return nullptr;
  ctx.function->setOutputs(*outputs);
  lowerTrainBlocks(program, *chosen, *module, diags);
  if (diags.errorCount() > ctx.errors_before) return nullptr;
  if (!ir::verifyModule(*module, diags)) return nullptr;
  return module;
}

}  // namespace dlc::frontend
