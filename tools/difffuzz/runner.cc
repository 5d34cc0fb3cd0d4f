#include "tools/difffuzz/runner.h"

#include <cmath>
#include <map>
#include <optional>

#include "dlc/dlc.h"
#include "tools/difffuzz/compare.h"
#include "tools/difffuzz/rng.h"
#include "tools/difffuzz/tolerance.h"

namespace dlc::difffuzz {
namespace {

std::string firstLine(const absl::Status& s) {
  std::string m(s.message());
  return absl::StatusCodeToString(s.code()) + ": " + m.substr(0, m.find('\n'));
}

// The same weights, inputs and labels for every target.
struct Data {
  NamedTensors weights;
  NamedTensors inputs;
  std::optional<Tensor> labels;
  // Inputs with other sizes bound to the symbolic dims (empty when the
  // model has none): the targets compile the model again for them.
  NamedTensors resized;
};

std::vector<int64_t> bind(const TensorSpec& spec, std::map<std::string, int64_t>& symbols, Rng& g) {
  std::vector<int64_t> shape = spec.shape;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0) continue;
    auto [it, added] = symbols.emplace(spec.symbols[i], 0);
    // Mostly small; sometimes enough rows to split over threads.
    if (added) it->second = g.chance(0.2) ? g.range(5, 12) : g.range(1, 4);
    shape[i] = it->second;
  }
  return shape;
}

// Floats in [-1, 1); integers in [0, 4) (the generator gives every
// embedding table 4 rows or more); bools half true.
Tensor randomTensor(DType dtype, const std::vector<int64_t>& shape, Rng& g) {
  Tensor t = *Tensor::zeros(dtype, shape);
  for (int64_t i = 0; i < t.numElements(); ++i) {
    if (dtype == DType::kBool)
      t.set(i, g.chance(0.5));
    else if (ir::isInteger(dtype))
      t.set(i, static_cast<double>(g.range(0, 3)));
    else
      t.set(i, g.uniform(-1, 1));
  }
  return t;
}

absl::StatusOr<Data> makeData(Model& ref, uint64_t seed, bool trains) {
  Rng g(mixSeed(seed, 2));
  Data data;
  std::map<std::string, int64_t> symbols;
  for (const TensorSpec& spec : ref.inputs()) {
    std::vector<int64_t> shape = bind(spec, symbols, g);
    data.inputs.emplace_back(spec.name, randomTensor(spec.dtype, shape, g));
  }
  // Keras's initialisers, perturbed: biases, betas and moving statistics
  // that are not 0 or 1 exercise what the defaults would hide.
  std::map<std::string, int64_t> other;
  for (const auto& [symbol, size] : symbols) other[symbol] = size == 1 ? 2 + g.range(0, 3) : size - 1;
  if (!symbols.empty())
    for (const TensorSpec& spec : ref.inputs())
      data.resized.emplace_back(spec.name, randomTensor(spec.dtype, bind(spec, other, g), g));
  if (absl::Status s = ref.initializeWeights(seed); !s.ok()) return s;
  for (const ParameterSpec& p : ref.parameters()) {
    absl::StatusOr<const Tensor*> w = ref.weight(p.name);
    if (!w.ok()) return w.status();
    Tensor t = (*w)->clone();
    bool variance = p.name.ends_with("moving_variance");
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.set(i, variance ? t.get(i) * g.uniform(0.5, 1.5) : t.get(i) + g.uniform(-0.1, 0.1));
    data.weights.emplace_back(p.name, std::move(t));
  }
  if (!trains || ref.outputs().size() != 1) return data;
  absl::StatusOr<TrainConfig> config = ref.trainConfig();
  if (!config.ok()) return config.status();
  std::vector<int64_t> shape = bind(ref.outputs()[0], symbols, g);
  int64_t classes = shape.empty() ? 1 : shape.back();
  if (config->loss == "sparse_categorical_crossentropy") {
    shape.pop_back();
    Tensor ids = *Tensor::zeros(DType::kI32, shape);
    for (int64_t i = 0; i < ids.numElements(); ++i) ids.set(i, static_cast<double>(g.range(0, classes - 1)));
    data.labels = std::move(ids);
  } else {
    Tensor y = *Tensor::zeros(DType::kF32, shape);
    for (int64_t i = 0; i < y.numElements(); i += classes) {
      int64_t hot = g.range(0, classes - 1);
      for (int64_t c = 0; c < classes; ++c) {
        double v = config->loss == "mse"                   ? g.uniform(-1, 1)
                   : config->loss == "binary_crossentropy" ? (g.chance(0.5) ? 1.0 : 0.0)
                                                           : (c == hot ? 1.0 : 0.0);
        y.set(i + c, v);
      }
    }
    data.labels = std::move(y);
  }
  return data;
}

absl::StatusOr<Model> build(const std::string& source, const std::string& target, uint64_t seed) {
  ModelOptions options;
  options.target = target;
  options.seed = seed;
  return Model::fromString(source, "difffuzz.dl", options);
}

Outcome finding(std::string kind, const std::string& target, std::string detail) {
  Outcome o;
  o.kind = std::move(kind);
  o.target = target;
  o.detail = std::move(detail);
  return o;
}

const absl::Status& statusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& statusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// One stage's statuses: nullopt when both succeeded.
template <typename A, typename B>
std::optional<Outcome> statuses(const A& ref, const B& got, const std::string& target, const std::string& stage) {
  if (ref.ok() && got.ok()) return std::nullopt;
  if (!ref.ok() && !got.ok()) return finding("rejected", target, stage + ": " + firstLine(statusOf(ref)));
  return finding("status", target,
                 stage + ": reference " + (ref.ok() ? std::string("succeeds") : firstLine(statusOf(ref))) + ", " +
                     target + " " + (got.ok() ? std::string("succeeds") : firstLine(statusOf(got))));
}

std::optional<Outcome> compareOne(const std::string& kind, const std::string& what, const Tensor& e, const Tensor& a,
                                  double tol, double floor, const std::string& target, const Tensor* slack = nullptr) {
  Difference d = compareTensors(e, a, tol, floor, target, slack);
  if (d.ok) return std::nullopt;
  char numbers[160];
  snprintf(numbers, sizeof numbers, " (max abs error %.3g, max rel error %.3g, tolerance %.3g)", d.max_abs, d.max_rel,
           tol);
  return finding(kind, target, what + " " + d.why + numbers);
}

// A gradient element that is only rounding noise (the true value is 0:
// a bias before batchnorm, a scale the next normalization undoes) becomes,
// through Adam, AdamW or RMSprop, a full step of either sign, and noise in
// the optimizer's moments. Such elements of the weight and of its optimizer
// state are not compared after training (their slack is infinite); the
// loss of each step still is. `gradient` is the reference's; `floor` the
// scale of all the model's gradients.
Tensor noiseSlack(const Tensor& gradient, double grad_tol, double floor) {
  Tensor slack = *Tensor::zeros(DType::kF32, gradient.shape());
  double noise = 10 * grad_tol * std::max(0.1 * maxAbs(gradient), floor) + 1e-7;
  for (int64_t i = 0; i < gradient.numElements(); ++i)
    if (std::abs(gradient.get(i)) <= noise) slack.set(i, INFINITY);
  return slack;
}

// The parameter a state tensor belongs to: itself, or `optimizer.m.NAME`.
const Tensor* slackFor(const std::string& state, const Tensor& value, const std::map<std::string, Tensor>& slacks) {
  for (const auto& [param, slack] : slacks)
    if ((state == param || state.ends_with("." + param)) && slack.shape() == value.shape()) return &slack;
  return nullptr;
}

Outcome compareTarget(const std::string& source, const std::string& target, const RunOptions& options,
                      const Tolerance& tol) {
  absl::StatusOr<Model> ref = build(source, "reference", options.data_seed);
  absl::StatusOr<Model> got = build(source, target, options.data_seed);
  if (!got.ok() && got.status().code() == absl::StatusCode::kUnavailable) return {};  // no GPU here
  if (auto o = statuses(ref, got, target, "compile")) return *o;
  bool trains = ref->trainConfig().ok();
  absl::StatusOr<Data> data = makeData(*ref, options.data_seed, trains);
  if (!data.ok()) return finding("rejected", target, "data: " + firstLine(data.status()));
  for (const auto& [name, value] : data->weights) {
    absl::Status a = ref->setWeight(name, value.clone()), b = got->setWeight(name, value.clone());
    if (auto o = statuses(a, b, target, "setWeight " + name)) return *o;
  }
  absl::StatusOr<std::vector<Tensor>> out_ref = ref->run(data->inputs), out_got = got->run(data->inputs);
  if (auto o = statuses(out_ref, out_got, target, "run")) return *o;
  if (out_ref->size() != out_got->size()) return finding("output", target, "a different number of outputs");
  for (size_t i = 0; i < out_ref->size(); ++i)
    if (auto o = compareOne("output", "output " + std::to_string(i), (*out_ref)[i], (*out_got)[i], tol.forward,
                            tol.output_floor, target))
      return *o;
  if (!data->resized.empty()) {
    // The same weights on other sizes: a second compiled function each.
    absl::StatusOr<std::vector<Tensor>> r_ref = ref->run(data->resized), r_got = got->run(data->resized);
    if (auto o = statuses(r_ref, r_got, target, "run with other sizes")) return *o;
    for (size_t i = 0; i < r_ref->size() && i < r_got->size(); ++i)
      if (auto o = compareOne("output", "with other sizes, output " + std::to_string(i), (*r_ref)[i], (*r_got)[i],
                              tol.forward, tol.output_floor, target))
        return *o;
  }
  Outcome ok;
  if (!trains || !data->labels) return ok;
  // The loss in inference mode (moving statistics, no dropout).
  absl::StatusOr<StepMetrics> v_ref = ref->evaluate(data->inputs, *data->labels);
  absl::StatusOr<StepMetrics> v_got = got->evaluate(data->inputs, *data->labels);
  if (auto o = statuses(v_ref, v_got, target, "evaluate")) return *o;
  {
    Tensor e = *Tensor::zeros(DType::kF64, {}), a = *Tensor::zeros(DType::kF64, {});
    e.set(0, v_ref->loss);
    a.set(0, v_got->loss);
    if (auto o = compareOne("output", "evaluate's loss", e, a, tol.forward, tol.output_floor, target)) return *o;
  }
  ok.trained = true;
  absl::StatusOr<NamedTensors> g_ref = ref->gradients(data->inputs, *data->labels);
  absl::StatusOr<NamedTensors> g_got = got->gradients(data->inputs, *data->labels);
  if (auto o = statuses(g_ref, g_got, target, "gradients")) return *o;
  if (g_ref->size() != g_got->size()) return finding("gradient", target, "a different number of gradients");
  std::map<std::string, Tensor> slacks;
  // Gradients that are zero up to rounding are compared at the scale of the others.
  double grad_floor = 0;
  for (const auto& [name, g] : *g_ref) grad_floor = std::max(grad_floor, 0.1 * maxAbs(g));
  for (size_t i = 0; i < g_ref->size(); ++i) {
    const auto& [name, e] = (*g_ref)[i];
    slacks.emplace(name, noiseSlack(e, tol.gradient, grad_floor));
    if (name != (*g_got)[i].first) return finding("gradient", target, "gradient " + name + " is missing");
    if (auto o = compareOne("gradient", "gradient " + name, e, (*g_got)[i].second, tol.gradient, grad_floor, target))
      return *o;
  }
  // Each step starts from the same state on both sides (the target's is
  // reset to the reference's), so that a noise-driven difference of one
  // step does not grow through the next ones into a false mismatch.
  for (int step = 1; step <= options.train_steps; ++step) {
    absl::StatusOr<StepMetrics> m_ref = ref->trainStep(data->inputs, *data->labels);
    absl::StatusOr<StepMetrics> m_got = got->trainStep(data->inputs, *data->labels);
    std::string when = "step " + std::to_string(step);
    if (auto o = statuses(m_ref, m_got, target, "trainStep " + when)) return *o;
    Tensor e = *Tensor::zeros(DType::kF64, {}), a = *Tensor::zeros(DType::kF64, {});
    e.set(0, m_ref->loss);
    a.set(0, m_got->loss);
    if (auto o = compareOne("train", "loss of " + when, e, a, tol.train, 1e-3, target)) return *o;
    absl::StatusOr<NamedTensors> s_ref = ref->state(), s_got = got->state();
    if (auto o = statuses(s_ref, s_got, target, "state")) return *o;
    if (s_ref->size() != s_got->size()) return finding("train", target, "a different number of state tensors");
    NamedTensors reset;
    for (size_t i = 0; i < s_ref->size(); ++i) {
      const auto& [name, e] = (*s_ref)[i];
      if (name != (*s_got)[i].first) return finding("train", target, "state " + name + " is missing");
      const Tensor* slack = slackFor(name, e, slacks);
      // Optimizer moments are sums of gradients: compared at the gradients' scale.
      double floor = name.starts_with("optimizer.") ? std::max(1e-4, grad_floor) : 1e-4;
      if (auto o = compareOne("train", "after " + when + ", " + name, e, (*s_got)[i].second, tol.train, floor, target,
                              slack))
        return *o;
      reset.emplace_back(name, e.clone());
    }
    if (auto o = statuses(absl::OkStatus(), got->restoreState(reset), target, "restoreState")) return *o;
  }
  return ok;
}

}  // namespace

bool isFinding(const std::string& kind) {
  return kind == "status" || kind == "output" || kind == "gradient" || kind == "train" || kind == "crash" ||
         kind == "timeout";
}

Outcome runModel(const std::string& source, const RunOptions& options) {
  Tolerance tol = toleranceFor(source);
  Outcome result;
  for (const std::string& target : options.targets) {
    Outcome o = compareTarget(source, target, options, tol);
    if (o.kind != "ok") return o;
    result.trained |= o.trained;
  }
  return result;
}

}  // namespace dlc::difffuzz
