#include "tools/difffuzz/model_builder.h"

#include <utility>

namespace dlc::difffuzz {

bool Value::staticRest() const {
  for (size_t i = 1; i < dims.size(); ++i)
    if (dims[i] < 0) return false;
  return !dims.empty() && dims[0] == kBatch;
}

int64_t Value::elements() const {
  int64_t n = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == kBatch) continue;
    n *= dims[i] == kSeq ? kSeqBudget : dims[i];
  }
  return n;
}

std::string dimsText(const std::vector<int64_t>& dims) {
  std::string out;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ", ";
    out += dims[i] == kBatch ? "batch" : dims[i] == kSeq ? "seq" : std::to_string(dims[i]);
  }
  return out;
}

ModelBuilder::ModelBuilder(Rng& rng, std::string name, ModelTraits traits)
    : rng_(rng), name_(std::move(name)), traits_(traits) {}

std::string ModelBuilder::fresh() { return "h" + std::to_string(++counter_); }

Value ModelBuilder::addInput(const std::string& dtype, std::vector<int64_t> dims) {
  static const char* kNames[] = {"x", "y", "z", "u", "v", "w"};
  size_t i = inputs_.size();
  std::string name = i < 6 ? kNames[i] : "in" + std::to_string(i);
  inputs_.push_back(name + ": " + dtype + "[" + dimsText(dims) + "]");
  Value v;
  v.text = name;
  v.dtype = dtype;
  v.dims = std::move(dims);
  v.bounded = true;
  v.exact = traits_.inputs_exact;
  pool_.push_back(v);
  if (i == 0) current_ = v;
  return v;
}

Value ModelBuilder::partner(const std::string& dtype, const std::vector<int64_t>& dims) {
  std::vector<Value> fits;
  for (const Value& v : pool_)
    if (v.dtype == dtype && v.dims == dims) fits.push_back(v);
  bool full = static_cast<int>(inputs_.size()) >= traits_.max_inputs;
  if (!fits.empty() && (full || rng_.chance(0.6))) return rng_.pick(fits);
  if (full) return Value{.text = ""};
  return addInput(dtype, dims);
}

Value ModelBuilder::pickOperand() {
  if (traits_.sequential || current_.text.empty() || rng_.chance(0.5)) return current_;
  std::vector<Value> floats;
  for (const Value& v : pool_)
    if (!v.isInt()) floats.push_back(v);
  return floats.empty() ? current_ : rng_.pick(floats);
}

void ModelBuilder::call(const std::string& op, const std::vector<Value>& inputs, const std::string& config,
                        Value result) {
  bool on_current = !inputs.empty() && inputs[0].text == current_.text;
  bool sequential =
      on_current && (current_.text.empty() || (traits_.sequential ? rng_.chance(0.85) : rng_.chance(0.2)));
  std::string args;
  for (size_t i = sequential ? 1 : 0; i < inputs.size(); ++i) args += (args.empty() ? "" : ", ") + inputs[i].text;
  if (!config.empty()) args += (args.empty() ? "" : ", ") + config;
  std::string expr = op + "(" + args + ")";
  if (sequential) {
    lines_.push_back(expr);
    result.text = "";
    current_ = std::move(result);
    return;
  }
  bind(expr, std::move(result));
}

void ModelBuilder::bind(const std::string& expr, Value result) {
  result.text = fresh();
  lines_.push_back(result.text + " = " + expr);
  pool_.push_back(result);
  current_ = std::move(result);
}

std::string ModelBuilder::text(const std::vector<std::string>& returns) const {
  std::string out = "model " + name_ + "(";
  for (size_t i = 0; i < inputs_.size(); ++i) out += (i ? ", " : "") + inputs_[i];
  out += ") {\n";
  for (const std::string& line : lines_) out += "  " + line + "\n";
  if (!returns.empty()) {
    out += "  return ";
    for (size_t i = 0; i < returns.size(); ++i) out += (i ? ", " : "") + returns[i];
    out += "\n";
  }
  return out + "}\n";
}

}  // namespace dlc::difffuzz
