// Training functions: a clone of the model function, then the loss, the
// accuracy, the gradients (passes/autodiff.h) and the optimizer's updates as
// `assign` ops. See training.h for the formulas.
#include "passes/training.h"

#include <set>

#include "absl/container/flat_hash_map.h"
#include "ir/gradient.h"
#include "passes/autodiff.h"
#include "passes/pass.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::passes {
namespace {

using ir::Attribute;
using ir::Attrs;
using ir::DType;
using ir::Function;
using ir::GradBuilder;
using ir::Module;
using ir::Operation;
using ir::OpKind;
using ir::TensorType;
using ir::TrainSpec;
using ir::Value;

// Keras's backend epsilon: probabilities are clipped to [eps, 1 - eps].
constexpr double kClipEpsilon = 1e-7;

Attrs attrs(std::initializer_list<std::pair<std::string, Attribute>> entries) {
  Attrs out;
  for (const auto& [name, value] : entries) out.set(name, value);
  return out;
}

Attribute axes(std::vector<int64_t> list) { return Attribute::intList(std::move(list)); }

std::string lossOf(const TrainSpec& spec) {
  const Attribute* a = spec.attrs.find("loss");
  return a && a->kind() == ir::AttrKind::kString ? a->asString() : "";
}

std::string optimizerOf(const TrainSpec& spec) {
  const Attribute* a = spec.attrs.find("optimizer");
  return a && a->kind() == ir::AttrKind::kString ? a->asString() : "adam";
}

// A hyper-parameter of the train block (the front end fills in every
// default; the fallbacks serve modules written by hand).
double hyper(const TrainSpec& spec, std::string_view key, double fallback) {
  const Attribute* a = spec.attrs.find(strCat("optimizer.", key));
  if (!a) return fallback;
  if (a->kind() == ir::AttrKind::kFloat) return a->asFloat();
  if (a->kind() == ir::AttrKind::kInt) return static_cast<double>(a->asInt());
  return fallback;
}

int64_t normalizedAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// Emits ops into a function through GradBuilder, which keeps the first error.
class Emitter {
 public:
  Emitter(Function& f, Location loc) : b_(f, loc), f_(f), loc_(loc) {}

  Value* op(OpKind kind, std::vector<Value*> operands, Attrs a = {}) {
    return b_.emit(kind, std::move(operands), std::move(a));
  }
  Value* c(double v, DType t) { return b_.scalar(v, t); }
  Value* add(Value* a, Value* b) { return op(OpKind::kAdd, {a, b}); }
  Value* sub(Value* a, Value* b) { return op(OpKind::kSub, {a, b}); }
  Value* mul(Value* a, Value* b) { return op(OpKind::kMul, {a, b}); }
  Value* div(Value* a, Value* b) { return op(OpKind::kDiv, {a, b}); }
  Value* unary(OpKind kind, Value* a) { return op(kind, {a}); }
  Value* cast(Value* a, DType t) {
    if (a == nullptr || a->type().dtype == t) return a;
    return op(OpKind::kCast, {a}, attrs({{"dtype", Attribute::dtype(t)}}));
  }
  Value* reduce(OpKind kind, Value* a, std::vector<int64_t> over, bool keepdims = false) {
    return op(kind, {a}, attrs({{"axes", axes(std::move(over))}, {"keepdims", Attribute::boolean(keepdims)}}));
  }
  // The mean over every element: a scalar.
  Value* meanAll(Value* a) { return reduce(OpKind::kReduceMean, a, {}); }
  // a * s for a number s.
  Value* scale(Value* a, double s) { return a ? mul(a, c(s, a->type().dtype)) : nullptr; }
  Value* clip(Value* p) {
    if (!p) return nullptr;
    DType t = p->type().dtype;
    return op(OpKind::kMinimum, {op(OpKind::kMaximum, {p, c(kClipEpsilon, t)}), c(1.0 - kClipEpsilon, t)});
  }

  // A `param` read and an `assign`; they stop after the first error too.
  Value* readParam(const std::string& name, const TensorType& type) {
    if (!firstError().ok()) return nullptr;
    auto op = f_.append(OpKind::kParam, {}, attrs({{"name", Attribute::string(name)}}), loc_, {type});
    if (!op.ok()) {
      error_ = op.status();
      return nullptr;
    }
    (*op)->result()->setNameHint(name);
    return (*op)->result();
  }
  void assign(const std::string& name, Value* value) {
    if (!firstError().ok()) return;
    if (value == nullptr) {
      error_ = absl::InternalError(strCat("the value assigned to '", name, "' is missing"));
      return;
    }
    // A skipped step (fp16 loss scaling) keeps every value as it was.
    if (gate_) value = op(OpKind::kSelect, {gate_, value, readParam(name, value->type())});
    auto op = f_.append(OpKind::kAssign, {value}, attrs({{"name", Attribute::string(name)}}), loc_);
    if (!op.ok()) error_ = op.status();
  }
  // Later assigns write their value where `gate` is nonzero and keep the
  // parameter's value elsewhere; null writes unconditionally again.
  void setGate(Value* gate) { gate_ = gate; }

  absl::Status firstError() const { return error_.ok() ? b_.status() : error_; }

 private:
  GradBuilder b_;
  Function& f_;
  Location loc_;
  absl::Status error_;  // from readParam and assign
  Value* gate_ = nullptr;
};

// ---- The model, cloned with a labels argument.

struct Clone {
  Function* f = nullptr;
  Value* y = nullptr;       // the model's output
  Value* labels = nullptr;  // the last argument
};

absl::StatusOr<const Function*> modelFunction(const Module& module, const TrainSpec& spec) {
  const Attribute* loss = spec.attrs.find("loss");
  if (!loss || loss->kind() != ir::AttrKind::kString)
    return absl::InvalidArgumentError(strCat("the train block of '", spec.model, "' has no loss"));
  const std::string& name = loss->asString();
  if (name != "categorical_crossentropy" && name != "sparse_categorical_crossentropy" &&
      name != "binary_crossentropy" && name != "mse")
    return absl::InvalidArgumentError(strCat("unknown loss '", name, "'"));
  const Function* model = module.findFunction(spec.model);
  if (!model)
    return absl::InvalidArgumentError(strCat("the train block names '", spec.model, "', which has no function"));
  if (model->outputs().size() != 1)
    return absl::InvalidArgumentError(
        strCat("training needs a model with one output; '", spec.model, "' has ", model->outputs().size()));
  const TensorType& y = model->outputs()[0]->type();
  if (!ir::isFloat(y.dtype) || y.rank() < 1)
    return absl::InvalidArgumentError(strCat("the loss ", name,
                                             " needs a floating-point output with a class "
                                             "axis, but '",
                                             spec.model, "' returns ", y.str()));
  return model;
}

bool trainable(const ir::ParamDecl& p) {
  const Attribute* t = p.attrs.find("trainable");
  return !t || (t->kind() == ir::AttrKind::kBool && t->asBool());
}

// Whether `v` reads a parameter that is not trainable.
bool frozen(const Module& module, const Value* v) {
  const Operation* read = v->producer();
  if (!read || read->kind() != OpKind::kParam) return false;
  const ir::ParamDecl* p = module.findParam(read->attrs().getString("name"));
  return p && !trainable(*p);
}

absl::StatusOr<Clone> cloneModel(Module& module, const Function& model, const std::string& name,
                                 const TensorType& label_type) {
  if (module.findFunction(name))
    return absl::InvalidArgumentError(strCat("the module already has a function '@", name, "'"));
  Clone out;
  out.f = module.addFunction(name);
  out.f->setLocation(model.location());
  absl::flat_hash_map<const Value*, Value*> map;
  for (const auto& arg : model.arguments()) map[arg.get()] = out.f->addArgument(arg->type(), arg->nameHint());
  out.labels = out.f->addArgument(label_type, "labels");
  for (const auto& op : model.ops()) {
    std::vector<Value*> operands;
    for (Value* v : op->operands()) operands.push_back(map.at(v));
    std::vector<TensorType> types;
    for (size_t i = 0; i < op->numResults(); ++i) types.push_back(op->result(i)->type());
    Attrs op_attrs = op->attrs();
    // A frozen batchnorm (gamma not trainable) runs in inference mode, as a
    // frozen Keras BatchNormalization layer does: moving statistics, no updates.
    if (op->kind() == OpKind::kBatchnorm && op_attrs.getBool("training") && frozen(module, op->operand(1)))
      op_attrs.set("training", Attribute::boolean(false));
    Operation* copy =
        out.f->appendUnchecked(op->kind(), std::move(operands), std::move(op_attrs), std::move(types), op->location());
    for (size_t i = 0; i < op->numResults(); ++i) {
      copy->result(i)->setNameHint(op->result(i)->nameHint());
      map[op->result(i)] = copy->result(i);
    }
  }
  out.y = map.at(model.outputs()[0]);
  return out;
}

// ---- Loss and accuracy.

// The op producing `v` when it is `kind` over the last axis.
const Operation* lastAxisProducer(const Value* v, OpKind kind) {
  const Operation* p = v->producer();
  if (!p || p->kind() != kind) return nullptr;
  int64_t rank = v->type().rank();
  if (const Attribute* axis = p->attrs().find("axis"); axis && normalizedAxis(axis->asInt(), rank) != rank - 1)
    return nullptr;
  return p;
}

// Mean over the batch (and further axes) of -sum(onehot * log p) over the
// class axis.
Value* crossEntropy(Emitter& e, Value* y, Value* onehot) {
  int64_t last = y->type().rank() - 1;
  Value* logp;
  if (const Operation* softmax = lastAxisProducer(y, OpKind::kSoftmax)) {
    logp = e.op(OpKind::kLogSoftmax, {softmax->operand(0)}, attrs({{"axis", Attribute::integer(-1)}}));
  } else {
    Value* sum = e.reduce(OpKind::kReduceSum, y, {last}, true);
    logp = e.unary(OpKind::kLog, e.clip(e.div(y, sum)));
  }
  Value* per = e.unary(OpKind::kNeg, e.reduce(OpKind::kReduceSum, e.mul(onehot, logp), {last}));
  return e.meanAll(per);
}

Value* binaryCrossEntropy(Emitter& e, Value* y, Value* labels) {
  DType t = y->type().dtype;
  Value* per;
  if (const Operation* sigmoid = y->producer(); sigmoid && sigmoid->kind() == OpKind::kSigmoid) {
    // max(x, 0) - x * z + log(1 + exp(-|x|))
    Value* x = sigmoid->operand(0);
    Value* exp_neg_abs = e.unary(OpKind::kExp, e.unary(OpKind::kNeg, e.unary(OpKind::kAbs, x)));
    Value* softplus = e.unary(OpKind::kLog, e.add(e.c(1.0, t), exp_neg_abs));
    per = e.add(e.sub(e.unary(OpKind::kRelu, x), e.mul(x, labels)), softplus);
  } else {
    Value* p = e.clip(y);
    Value* pos = e.mul(labels, e.unary(OpKind::kLog, p));
    Value* neg = e.mul(e.sub(e.c(1.0, t), labels), e.unary(OpKind::kLog, e.sub(e.c(1.0, t), p)));
    per = e.unary(OpKind::kNeg, e.add(pos, neg));
  }
  return e.meanAll(per);
}

int64_t classCount(const Value* y) { return y->type().dims.back().isStatic() ? y->type().dims.back().size() : -1; }

Value* buildLoss(Emitter& e, const std::string& loss, Value* y, Value* labels) {
  if (loss == "categorical_crossentropy") return crossEntropy(e, y, labels);
  if (loss == "sparse_categorical_crossentropy") {
    Value* onehot =
        e.op(OpKind::kOneHot, {labels},
             attrs({{"depth", Attribute::integer(classCount(y))}, {"dtype", Attribute::dtype(y->type().dtype)}}));
    return crossEntropy(e, y, onehot);
  }
  if (loss == "binary_crossentropy") return binaryCrossEntropy(e, y, labels);
  Value* d = e.sub(y, labels);  // mse
  return e.meanAll(e.mul(d, d));
}

Value* buildAccuracy(Emitter& e, const std::string& loss, Value* y, Value* labels) {
  DType t = y->type().dtype;
  Value* hits;
  bool binary = loss == "binary_crossentropy" || (loss != "sparse_categorical_crossentropy" && classCount(y) == 1);
  if (binary) {
    hits = e.op(OpKind::kEqual, {e.op(OpKind::kGreater, {y, e.c(0.5, t)}), labels});
  } else {
    Value* predicted = e.op(OpKind::kArgmax, {y}, attrs({{"axis", Attribute::integer(-1)}}));
    DType index = predicted ? predicted->type().dtype : DType::kI64;
    Value* truth = loss == "sparse_categorical_crossentropy"
                       ? e.cast(labels, index)
                       : e.op(OpKind::kArgmax, {labels}, attrs({{"axis", Attribute::integer(-1)}}));
    hits = e.op(OpKind::kEqual, {predicted, truth});
  }
  return e.meanAll(e.cast(hits, DType::kF32));
}

// ---- Optimizers.

class Optimizer {
 public:
  Optimizer(Module& module, const TrainSpec& spec, Emitter& e) : module_(module), spec_(spec), e_(e) {
    for (size_t i = 0; i < module.params().size(); ++i) param_index_.try_emplace(module.params()[i].name, i);
  }

  // Declares the state and emits the updates of every trainable parameter.
  absl::Status build(const std::vector<std::string>& names, const std::vector<Value*>& params,
                     const std::vector<Value*>& grads) {
    std::string kind = optimizerOf(spec_);
    if (kind != "sgd" && kind != "adam" && kind != "adamw" && kind != "rmsprop")
      return absl::InvalidArgumentError(strCat("unknown optimizer '", kind, "'"));
    TensorType scalar{DType::kF32, {}};
    double learning_rate = hyper(spec_, "learning_rate", kind == "sgd" ? 0.01 : 0.001);
    RETURN_IF_ERROR(declare("optimizer.learning_rate", scalar, "constant", learning_rate));
    RETURN_IF_ERROR(declare("optimizer.iterations", TensorType{DType::kI64, {}}, "zeros"));
    lr_ = e_.readParam("optimizer.learning_rate", scalar);
    Value* iterations = e_.readParam("optimizer.iterations", TensorType{DType::kI64, {}});
    e_.assign("optimizer.iterations", e_.add(iterations, e_.c(1, DType::kI64)));
    if (kind == "adam" || kind == "adamw") {
      // beta^t in f64: 1 - 0.999^t in f32 loses 5 digits to cancellation.
      TensorType power{DType::kF64, {}};
      RETURN_IF_ERROR(declare("optimizer.beta_1_power", power, "ones"));
      RETURN_IF_ERROR(declare("optimizer.beta_2_power", power, "ones"));
      double b1 = hyper(spec_, "beta_1", 0.9), b2 = hyper(spec_, "beta_2", 0.999);
      Value* b1p = e_.scale(e_.readParam("optimizer.beta_1_power", power), b1);
      Value* b2p = e_.scale(e_.readParam("optimizer.beta_2_power", power), b2);
      e_.assign("optimizer.beta_1_power", b1p);
      e_.assign("optimizer.beta_2_power", b2p);
      correction1_ = e_.sub(e_.c(1, DType::kF64), b1p);
      correction2_ = e_.sub(e_.c(1, DType::kF64), b2p);
    }
    for (size_t i = 0; i < names.size(); ++i) {
      // A copy: declaring state grows module_.params().
      TensorType type = findParam(names[i])->type;
      if (kind == "sgd")
        RETURN_IF_ERROR(sgd(names[i], type, params[i], grads[i]));
      else if (kind == "rmsprop")
        RETURN_IF_ERROR(rmsprop(names[i], type, params[i], grads[i]));
      else
        RETURN_IF_ERROR(adam(names[i], type, params[i], grads[i], kind == "adamw"));
    }
    return e_.firstError();
  }

  // Declares a state parameter (trainable = false, role = "optimizer").
  absl::Status declare(const std::string& name, const TensorType& type, std::string init, double value = 0) {
    Attrs a;
    a.set("init", Attribute::string(std::move(init)));
    if (a.getString("init") == "constant") a.set("value", Attribute::real(value));
    a.set("trainable", Attribute::boolean(false));
    a.set("role", Attribute::string("optimizer"));
    if (const ir::ParamDecl* existing = findParam(name)) {
      const Attribute* role = existing->attrs.find("role");
      if (existing->type == type && role && role->kind() == ir::AttrKind::kString && role->asString() == "optimizer")
        return absl::OkStatus();  // declared by an earlier build (a module read back from IR)
      return absl::InvalidArgumentError(
          strCat("the optimizer's state '", name, "' clashes with a parameter of the same name"));
    }
    param_index_.try_emplace(name, module_.params().size());
    module_.params().push_back({name, type, std::move(a), spec_.loc});
    return absl::OkStatus();
  }

 private:
  // Module::findParam through an index: the optimizer looks up every
  // parameter and its state, which would be quadratic in their number.
  const ir::ParamDecl* findParam(const std::string& name) const {
    auto it = param_index_.find(name);
    return it == param_index_.end() ? nullptr : &module_.params()[it->second];
  }

  // A scalar hyper-parameter or the learning rate in the parameter's dtype.
  Value* lr(DType t) { return e_.cast(lr_, t); }
  Value* c(double v, DType t) { return e_.c(v, t); }

  absl::Status sgd(const std::string& name, const TensorType& type, Value* p, Value* g) {
    DType t = type.dtype;
    double momentum = hyper(spec_, "momentum", 0.0);
    Value* step = e_.mul(lr(t), g);
    if (momentum == 0.0) {
      e_.assign(name, e_.sub(p, step));
      return absl::OkStatus();
    }
    std::string slot = strCat("optimizer.momentum.", name);
    RETURN_IF_ERROR(declare(slot, type, "zeros"));
    Value* m = e_.sub(e_.scale(e_.readParam(slot, type), momentum), step);
    e_.assign(slot, m);
    e_.assign(name, e_.add(p, m));
    return absl::OkStatus();
  }

  absl::Status adam(const std::string& name, const TensorType& type, Value* p, Value* g, bool decoupled) {
    DType t = type.dtype;
    double b1 = hyper(spec_, "beta_1", 0.9), b2 = hyper(spec_, "beta_2", 0.999), eps = hyper(spec_, "epsilon", 1e-7);
    std::string m_slot = strCat("optimizer.m.", name), v_slot = strCat("optimizer.v.", name);
    RETURN_IF_ERROR(declare(m_slot, type, "zeros"));
    RETURN_IF_ERROR(declare(v_slot, type, "zeros"));
    Value* m = e_.add(e_.scale(e_.readParam(m_slot, type), b1), e_.scale(g, 1 - b1));
    Value* v = e_.add(e_.scale(e_.readParam(v_slot, type), b2), e_.scale(e_.mul(g, g), 1 - b2));
    e_.assign(m_slot, m);
    e_.assign(v_slot, v);
    Value* m_hat = e_.div(m, e_.cast(correction1_, t));
    Value* v_hat = e_.div(v, e_.cast(correction2_, t));
    Value* step = e_.div(e_.mul(lr(t), m_hat), e_.add(e_.unary(OpKind::kSqrt, v_hat), c(eps, t)));
    Value* base = p;
    if (decoupled) base = e_.sub(p, e_.mul(e_.scale(lr(t), hyper(spec_, "weight_decay", 0.004)), p));
    e_.assign(name, e_.sub(base, step));
    return absl::OkStatus();
  }

  absl::Status rmsprop(const std::string& name, const TensorType& type, Value* p, Value* g) {
    DType t = type.dtype;
    double rho = hyper(spec_, "rho", 0.9), eps = hyper(spec_, "epsilon", 1e-7);
    std::string slot = strCat("optimizer.velocity.", name);
    RETURN_IF_ERROR(declare(slot, type, "zeros"));
    Value* v = e_.add(e_.scale(e_.readParam(slot, type), rho), e_.scale(e_.mul(g, g), 1 - rho));
    e_.assign(slot, v);
    Value* step = e_.div(e_.mul(lr(t), g), e_.unary(OpKind::kSqrt, e_.add(v, c(eps, t))));
    e_.assign(name, e_.sub(p, step));
    return absl::OkStatus();
  }

  Module& module_;
  const TrainSpec& spec_;
  Emitter& e_;
  Value* lr_ = nullptr;
  Value* correction1_ = nullptr;  // 1 - beta_1^t
  Value* correction2_ = nullptr;
  absl::flat_hash_map<std::string, size_t> param_index_;  // into module_.params(), first of a name
};

// moving = moving * momentum + batch * (1 - momentum) for every batchnorm op
// in training mode.
absl::Status updateMovingStatistics(Function& f, Emitter& e) {
  std::vector<const Operation*> norms;
  for (const auto& op : f.ops())
    if (op->kind() == OpKind::kBatchnorm && op->attrs().getBool("training")) norms.push_back(op.get());
  std::set<std::string> written;
  for (const Operation* op : norms) {
    Value* x = op->operand(0);
    int64_t rank = x->type().rank();
    int64_t axis = normalizedAxis(op->attrs().getInt("axis"), rank);
    std::vector<int64_t> over;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis) over.push_back(i);
    double momentum = op->attrs().getFloat("momentum");
    Value* mean = e.reduce(OpKind::kReduceMean, x, over);
    Value* centered = e.sub(x, e.reduce(OpKind::kReduceMean, x, over, true));
    Value* variance = e.reduce(OpKind::kReduceMean, e.mul(centered, centered), over);
    for (auto [index, batch] : {std::pair<size_t, Value*>{3, mean}, {4, variance}}) {
      const Operation* read = op->operand(index)->producer();
      if (!read || read->kind() != OpKind::kParam)
        return absl::InvalidArgumentError("a batchnorm's moving statistics must be parameters");
      const std::string& name = read->attrs().getString("name");
      if (!written.insert(name).second)
        return absl::InvalidArgumentError(strCat("moving statistics '", name, "' are used by two batchnorm ops"));
      e.assign(name, e.add(e.scale(op->operand(index), momentum), e.scale(batch, 1 - momentum)));
    }
  }
  return e.firstError();
}

// Loss and gradients of every trainable parameter (summed over its reads).
struct Differentiated {
  Value* loss = nullptr;
  std::vector<std::string> names;
  std::vector<Value*> params;  // one read of each
  std::vector<Value*> grads;
  // With loss scaling: the scale the loss was multiplied by (the gradients
  // are divided by it again), and 1 (f64[]) when every gradient is finite.
  Value* loss_scale = nullptr;
  Value* finite = nullptr;
};

// 1 when no element of `grads` is infinite or NaN, else 0 (f64[]): the sum of
// |g| is inf or NaN exactly then (or when it overflows f32, which is taken as
// an overflow too), and in f64 the sums of the tensors cannot overflow.
Value* allFinite(Emitter& e, const std::vector<Value*>& grads) {
  Value* total = e.c(0.0, DType::kF64);
  for (Value* g : grads)
    total = e.add(total, e.cast(e.reduce(OpKind::kReduceSum, e.unary(OpKind::kAbs, g), {}), DType::kF64));
  return e.op(OpKind::kGreater, {e.c(1e300, DType::kF64), total});
}

// fp16's dynamic loss scale (training.h): doubled after kLossScaleGrowthSteps
// finite steps in a row, halved on a step with an inf or NaN gradient, within
// [1, kMaxLossScale]. Written whether or not the step was skipped.
absl::Status updateLossScale(Emitter& e, Optimizer& state, Value* scale, Value* finite) {
  TensorType count{DType::kI64, {}};
  RETURN_IF_ERROR(state.declare(kGoodStepsName, count, "zeros"));
  RETURN_IF_ERROR(state.declare(kSkippedStepsName, count, "zeros"));
  Value* good = e.add(e.readParam(kGoodStepsName, count), e.c(1, DType::kI64));
  Value* grow = e.op(OpKind::kGreater, {good, e.c(kLossScaleGrowthSteps - 1, DType::kI64)});
  Value* grown = e.op(OpKind::kMinimum, {e.scale(scale, 2.0), e.c(kMaxLossScale, DType::kF32)});
  Value* shrunk = e.op(OpKind::kMaximum, {e.scale(scale, 0.5), e.c(1.0, DType::kF32)});
  e.assign(kLossScaleName, e.op(OpKind::kSelect, {finite, e.op(OpKind::kSelect, {grow, grown, scale}), shrunk}));
  Value* zero = e.c(0, DType::kI64);
  e.assign(kGoodStepsName, e.op(OpKind::kSelect, {finite, e.op(OpKind::kSelect, {grow, zero, good}), zero}));
  Value* skipped = e.readParam(kSkippedStepsName, count);
  e.assign(kSkippedStepsName, e.op(OpKind::kSelect, {finite, skipped, e.add(skipped, e.c(1, DType::kI64))}));
  return e.firstError();
}

// The loss and the gradients of every trainable parameter; with `scaling`
// (fp16), of the loss times the loss scale, divided by it again.
absl::StatusOr<Differentiated> differentiate(const Module& module, const TrainSpec& spec, Clone& clone, Emitter& e,
                                             Optimizer* scaling) {
  Differentiated out;
  out.loss = buildLoss(e, lossOf(spec), clone.y, clone.labels);
  RETURN_IF_ERROR(e.firstError());
  Value* seed = out.loss;
  if (scaling) {
    TensorType scalar{DType::kF32, {}};
    RETURN_IF_ERROR(scaling->declare(kLossScaleName, scalar, "constant", kInitialLossScale));
    out.loss_scale = e.readParam(kLossScaleName, scalar);
    seed = e.mul(out.loss, e.cast(out.loss_scale, out.loss->type().dtype));
  }
  out.names = trainableParams(module);
  absl::flat_hash_map<std::string, std::vector<Value*>> reads;
  for (const auto& op : clone.f->ops())
    if (op->kind() == OpKind::kParam) reads[op->attrs().getString("name")].push_back(op->result());
  std::vector<Value*> wrt;
  std::vector<size_t> first;  // index into wrt of each name's first read
  for (const std::string& name : out.names) {
    std::vector<Value*>& r = reads[name];
    if (r.empty()) r.push_back(e.readParam(name, module.findParam(name)->type));
    first.push_back(wrt.size());
    wrt.insert(wrt.end(), r.begin(), r.end());
    out.params.push_back(r.front());
  }
  RETURN_IF_ERROR(e.firstError());
  ASSIGN_OR_RETURN(std::vector<Value*> grads, appendGradients(*clone.f, seed, wrt));
  for (size_t i = 0; i < out.names.size(); ++i) {
    size_t end = i + 1 < first.size() ? first[i + 1] : wrt.size();
    Value* g = grads[first[i]];
    for (size_t j = first[i] + 1; j < end; ++j) g = e.add(g, grads[j]);
    out.grads.push_back(g);
  }
  if (out.loss_scale) {
    out.finite = allFinite(e, out.grads);
    Value* inverse = e.div(e.c(1.0, DType::kF32), out.loss_scale);
    for (Value*& g : out.grads) g = e.mul(g, e.cast(inverse, g->type().dtype));
  }
  RETURN_IF_ERROR(e.firstError());
  return out;
}

}  // namespace

std::string gradFunctionName(std::string_view model) { return strCat(model, ".grad"); }
std::string trainStepFunctionName(std::string_view model) { return strCat(model, ".train_step"); }
std::string evaluateFunctionName(std::string_view model) { return strCat(model, ".evaluate"); }

std::vector<std::string> trainableParams(const Module& module) {
  std::vector<std::string> out;
  for (const ir::ParamDecl& p : module.params())
    if (trainable(p)) out.push_back(p.name);
  return out;
}

absl::StatusOr<TensorType> labelType(const Function& model, const TrainSpec& spec) {
  if (model.outputs().empty()) return absl::InvalidArgumentError(strCat("model '", model.name(), "' has no output"));
  TensorType y = model.outputs()[0]->type();
  if (lossOf(spec) != "sparse_categorical_crossentropy") return y;
  if (y.rank() < 1 || !y.dims.back().isStatic())
    return absl::InvalidArgumentError(
        strCat("sparse_categorical_crossentropy needs an output whose last (class) axis "
               "has a fixed size, but '",
               model.name(), "' returns ", y.str()));
  y.dims.pop_back();
  y.dtype = DType::kI32;
  return y;
}

absl::StatusOr<TrainingFunctions> buildTrainingFunctions(Module& module, const TrainSpec& spec,
                                                         const TrainingOptions& options) {
  ASSIGN_OR_RETURN(const Function* model, modelFunction(module, spec));
  ASSIGN_OR_RETURN(TensorType label_type, labelType(*model, spec));
  TrainingFunctions out;

  // NAME.grad: (inputs..., labels) -> (loss, gradients...)
  ASSIGN_OR_RETURN(Clone grad, cloneModel(module, *model, gradFunctionName(spec.model), label_type));
  {
    Emitter e(*grad.f, spec.loc);
    Optimizer state(module, spec, e);
    ASSIGN_OR_RETURN(Differentiated d, differentiate(module, spec, grad, e, options.loss_scaling ? &state : nullptr));
    std::vector<Value*> outputs = {d.loss};
    outputs.insert(outputs.end(), d.grads.begin(), d.grads.end());
    grad.f->setOutputs(std::move(outputs));
    out.grad = grad.f;
    out.trainable = d.names;
  }

  // NAME.train_step: (inputs..., labels) -> (loss, accuracy), with writes.
  ASSIGN_OR_RETURN(Clone step, cloneModel(module, *model, trainStepFunctionName(spec.model), label_type));
  {
    Emitter e(*step.f, spec.loc);
    Optimizer optimizer(module, spec, e);
    ASSIGN_OR_RETURN(Differentiated d,
                     differentiate(module, spec, step, e, options.loss_scaling ? &optimizer : nullptr));
    Value* accuracy = buildAccuracy(e, lossOf(spec), step.y, step.labels);
    RETURN_IF_ERROR(e.firstError());
    if (d.loss_scale) {
      RETURN_IF_ERROR(updateLossScale(e, optimizer, d.loss_scale, d.finite));
      e.setGate(d.finite);  // a step with an inf or NaN gradient changes nothing else
    }
    RETURN_IF_ERROR(updateMovingStatistics(*step.f, e));
    RETURN_IF_ERROR(optimizer.build(d.names, d.params, d.grads));
    step.f->setOutputs({d.loss, accuracy});
    out.train_step = step.f;
  }
  return out;
}

absl::StatusOr<Function*> buildEvaluateFunction(Module& module, const TrainSpec& spec) {
  ASSIGN_OR_RETURN(const Function* model, modelFunction(module, spec));
  ASSIGN_OR_RETURN(TensorType label_type, labelType(*model, spec));
  ASSIGN_OR_RETURN(Clone eval, cloneModel(module, *model, evaluateFunctionName(spec.model), label_type));
  Emitter e(*eval.f, spec.loc);
  Value* loss = buildLoss(e, lossOf(spec), eval.y, eval.labels);
  Value* accuracy = buildAccuracy(e, lossOf(spec), eval.y, eval.labels);
  RETURN_IF_ERROR(e.firstError());
  eval.f->setOutputs({loss, accuracy});
  return eval.f;
}

}  // namespace dlc::passes

namespace dlc::passes {
namespace {

// For `dlc opt -p training` and `dlc compile --train`: builds the training
// functions of every train block whose model is in the module and that has
// none yet.
class TrainingPass : public Pass {
 public:
  explicit TrainingPass(const PassOptions& options) {
    options_.loss_scaling = options.precision == ir::Precision::kFp16;
  }

  absl::Status run(ir::Module& module) override {
    std::vector<ir::TrainSpec> specs = module.trainSpecs();  // the build adds params, not specs
    for (const ir::TrainSpec& spec : specs) {
      if (!module.findFunction(spec.model) || module.findFunction(gradFunctionName(spec.model))) continue;
      RETURN_IF_ERROR(buildTrainingFunctions(module, spec, options_).status());
    }
    return absl::OkStatus();
  }

 private:
  TrainingOptions options_;
};

}  // namespace

std::unique_ptr<Pass> createTrainingPass(const PassOptions& options) { return std::make_unique<TrainingPass>(options); }

}  // namespace dlc::passes
