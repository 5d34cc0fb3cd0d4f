#include "tools/difffuzz/generator.h"

#include <algorithm>
#include <cctype>

#include "tools/difffuzz/model_builder.h"
#include "tools/difffuzz/rng.h"

namespace dlc::difffuzz {
namespace {

// The first input: a feature vector, an image, a sequence (sometimes of
// symbolic length) or token ids.
void addFirstInput(ModelBuilder& b) {
  Rng& g = b.rng();
  switch (g.range(0, 3)) {
    case 0: b.addInput("f32", {kBatch, g.size(1, 16)}); break;
    case 1: b.addInput("f32", {kBatch, g.size(2, 8), g.size(2, 8), g.range(1, 4)}); break;
    case 2: b.addInput("f32", {kBatch, g.chance(0.25) ? kSeq : g.range(1, 6), g.size(1, 8)}); break;
    default: b.addInput(g.chance(0.5) ? "i32" : "i64", {kBatch, g.range(1, 6)}); break;
  }
}

void emitOps(ModelBuilder& b, int count) {
  for (int i = 0, tries = 0; i < count && tries < 4 * count; ++tries)
    if (emitRandomOp(b)) ++i;
}

std::string pickLoss(Rng& g) {
  static const std::vector<std::string> kLosses = {"categorical_crossentropy", "sparse_categorical_crossentropy",
                                                   "binary_crossentropy", "mse"};
  return g.pick(kLosses);
}

// Makes the current value what the loss needs: floats, a static class axis
// last, probabilities for the cross-entropies.
void emitHead(ModelBuilder& b, const std::string& loss) {
  Rng& g = b.rng();
  if (b.current().isInt()) {
    Value r;
    r.dims = b.current().dims;
    b.call("cast", {b.current()}, "f32", r);
  }
  while (b.current().dims.back() <= 0) {
    Value v = b.current();
    Value r;
    if (v.rank() == 1) {
      r.dims = {kBatch, 1};
      b.call("reshape", {v}, "[batch, 1]", r);
    } else {
      r.dims = v.dims;
      r.dims.pop_back();
      b.call("reduce_mean", {v}, "[" + std::to_string(v.rank() - 1) + "]", r);
    }
  }
  Value v = b.current();
  Value r;
  r.dims = v.dims;
  bool cross = loss != "mse";
  if (loss == "binary_crossentropy") {
    if (g.chance(0.5)) {
      r.dims.back() = g.range(1, 4);
      b.call("dense", {v}, std::to_string(r.dims.back()) + ", activation=sigmoid", r);
    } else {
      b.call("sigmoid", {v}, "", r);
    }
  } else if (cross) {
    if (v.dims.back() >= 2 && v.rank() >= 2 && g.chance(0.4)) {
      b.call("softmax", {v}, "", r);
    } else {
      r.dims.back() = g.range(2, 6);
      if (v.rank() == 1) r.dims = {kBatch, r.dims.back()};
      b.call("dense", {v}, std::to_string(r.dims.back()) + ", activation=softmax", r);
    }
  } else if (g.chance(0.5) || v.rank() < 1) {
    r.dims.back() = g.range(1, 4);
    b.call("dense", {v}, std::to_string(r.dims.back()), r);
  }
}

std::string trainBlock(Rng& g, const std::string& model, const std::string& loss) {
  std::string out = "train " + model + " {\n  loss = " + loss + "\n";
  auto lr = [&] {
    char buf[32];
    snprintf(buf, sizeof buf, "%.3g", g.pick(std::vector<double>{0.001, 0.005, 0.01, 0.05}));
    return std::string(buf);
  };
  switch (g.range(0, 4)) {
    case 0: out += "  optimizer = sgd(learning_rate=" + lr() + (g.chance(0.5) ? ", momentum=0.9" : "") + ")\n"; break;
    case 1:
      out += "  optimizer = adam(learning_rate=" + lr() + (g.chance(0.3) ? ", beta_1=0.8, beta_2=0.99" : "") + ")\n";
      break;
    case 2:
      out += "  optimizer = adamw(learning_rate=" + lr() + (g.chance(0.5) ? ", weight_decay=0.01" : "") + ")\n";
      break;
    case 3: out += "  optimizer = rmsprop(learning_rate=" + lr() + (g.chance(0.3) ? ", rho=0.8" : "") + ")\n"; break;
    default: break;  // the default, adam
  }
  if (g.chance(0.5)) out += g.chance(0.5) ? "  metrics = [accuracy]\n" : "  metrics = [loss, accuracy]\n";
  if (g.chance(0.3)) out += "  batch_size = " + std::to_string(g.range(1, 8)) + "\n";
  if (g.chance(0.2)) out += "  epochs = 2\n";
  return out + "}\n";
}

// `batch` as a whole word replaced by a fixed size: the same models with
// static shapes everywhere (the compiled code then knows every size).
std::string fixBatch(const std::string& text, int64_t size) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool word_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_');
    size_t end = i + 5;
    bool word_end = end >= text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
    if (word_start && text.compare(i, 5, "batch") == 0 && word_end) {
      out += std::to_string(size);
      i = end;
    } else {
      out += text[i++];
    }
  }
  return out;
}

int g_model_counter = 0;  // reset per file: names of models used as layers

}  // namespace

bool emitSubmodel(ModelBuilder& b, const Value& v) {
  if (b.traits().submodel_depth >= 2 || v.isInt() || v.dims.empty() || v.dims[0] != kBatch) return false;
  Rng& g = b.rng();
  ModelTraits traits = b.traits();
  traits.sequential = g.chance(0.6);
  traits.submodel_depth++;
  traits.inputs_exact = v.exact;
  traits.max_inputs = 1;
  ModelBuilder sub(g, "block" + std::to_string(++g_model_counter), traits);
  sub.addInput(v.dtype, v.dims);
  emitOps(sub, static_cast<int>(g.range(1, 3)));
  if (sub.statements() == 0) return false;
  Value out = sub.current();
  b.prelude() += sub.prelude() + sub.text({}) + "\n";
  std::string extras = g.chance(0.3) ? "trainable=false" : "";
  Value r = out;
  r.exact = false;
  b.call(sub.name(), {v}, extras, r);
  // Used twice, when its output fits its input: the second use's
  // parameters are named block_1.*.
  if (out.dims == v.dims && out.dtype == v.dtype && g.chance(0.3)) b.call(sub.name(), {b.current()}, extras, r);
  return true;
}

GeneratedModel generateModel(uint64_t seed, const GeneratorOptions& options) {
  Rng g(mixSeed(seed, 1));
  g_model_counter = 0;
  ModelTraits traits;
  traits.training = g.chance(options.train_probability);
  traits.sequential = g.chance(0.4);
  traits.excluded = options.excluded;
  ModelBuilder b(g, "m", traits);
  addFirstInput(b);
  emitOps(b, static_cast<int>(g.range(1, options.max_ops)));
  GeneratedModel out;
  out.trains = traits.training;
  std::string loss;
  std::vector<std::string> returns;
  if (traits.training) {
    loss = pickLoss(g);
    emitHead(b, loss);
  } else if (!b.current().text.empty() && g.chance(0.4)) {
    // Several outputs: the current value and some named others.
    returns.push_back(b.current().text);
    for (int i = 0; i < 2; ++i) {
      const Value& v = g.pick(b.pool());
      if (std::find(returns.begin(), returns.end(), v.text) == returns.end()) returns.push_back(v.text);
    }
  }
  std::string models = b.prelude() + b.text(returns);
  if (g.chance(0.15)) models = fixBatch(models, g.range(1, 4));
  out.source = "# generated by dlc-difffuzz, seed " + std::to_string(seed) + "\n" + models;
  if (traits.training) out.source += "\n" + trainBlock(g, "m", loss);
  return out;
}

}  // namespace dlc::difffuzz
