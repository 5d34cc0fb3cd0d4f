#include "frontend/lower_train.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "frontend/config.h"
#include "frontend/token.h"
#include "ir/precision.h"
#include "support/strings.h"

namespace dlc::frontend {
namespace {

using ir::Attribute;
using ir::AttrKind;

ConfigParam real(std::string name, double v) { return {std::move(name), AttrKind::kFloat, Attribute::real(v), {}, 0}; }

// Optimizers and their hyper-parameters, in positional order.
const absl::flat_hash_map<std::string, std::vector<ConfigParam>>& optimizers() {
  static const auto* table = new absl::flat_hash_map<std::string, std::vector<ConfigParam>>{
      {"sgd", {real("learning_rate", 0.01), real("momentum", 0.0)}},
      {"adam", {real("learning_rate", 0.001), real("beta_1", 0.9), real("beta_2", 0.999), real("epsilon", 1e-7)}},
      {"adamw",
       {real("learning_rate", 0.001), real("beta_1", 0.9), real("beta_2", 0.999), real("epsilon", 1e-7),
        real("weight_decay", 0.004)}},
      {"rmsprop", {real("learning_rate", 0.001), real("rho", 0.9), real("epsilon", 1e-7)}},
  };
  return *table;
}

const std::vector<std::string> kLosses = {"categorical_crossentropy", "sparse_categorical_crossentropy",
                                          "binary_crossentropy", "mse"};

class TrainLowering {
 public:
  explicit TrainLowering(DiagnosticEngine& diags) : diags_(diags) {}

  std::optional<ir::Attrs> lower(const ast::Train& train) {
    ir::Attrs attrs;
    absl::flat_hash_map<std::string, Location> seen;
    bool ok = true;
    for (const ast::TrainEntry& e : train.entries) {
      if (auto [it, fresh] = seen.emplace(e.key, e.loc); !fresh) {
        diags_.error(e.loc, strCat(quote(e.key), " is set twice in this train block"));
        diags_.note(it->second, "first set here");
        ok = false;
        continue;
      }
      ok &= lowerEntry(e, attrs);
    }
    if (!seen.contains("loss")) {
      diags_.error(train.loc, strCat("train block for ", quote(train.model), " needs a loss"));
      ok = false;
    }
    if (!ok) return std::nullopt;
    // Defaults of §5, in a fixed order.
    ir::Attrs out;
    out.set("loss", *attrs.find("loss"));
    if (!attrs.find("optimizer")) {
      attrs.set("optimizer", Attribute::string("adam"));
      for (const ConfigParam& p : optimizers().at("adam")) attrs.set(strCat("optimizer.", p.name), *p.default_value);
    }
    for (const auto& [key, value] : attrs.entries())
      if (key.starts_with("optimizer")) out.set(key, value);
    out.set("metrics", attrs.find("metrics") ? *attrs.find("metrics") : Attribute::stringList({"loss"}));
    out.set("batch_size", attrs.find("batch_size") ? *attrs.find("batch_size") : Attribute::integer(32));
    out.set("epochs", attrs.find("epochs") ? *attrs.find("epochs") : Attribute::integer(1));
    if (const Attribute* precision = attrs.find("precision")) out.set("precision", *precision);
    return out;
  }

 private:
  bool lowerEntry(const ast::TrainEntry& e, ir::Attrs& attrs) {
    if (e.key == "loss") {
      ConfigParam p{"loss", AttrKind::kString, std::nullopt, kLosses, 0};
      auto v = configValue("", p, *e.value, diags_);
      if (v) attrs.set("loss", *v);
      return v.has_value();
    }
    if (e.key == "optimizer") return lowerOptimizer(*e.value, attrs);
    if (e.key == "precision") {
      // Written as a name (precision = bf16) or a string; checked against the
      // same choices as --precision.
      ConfigParam p{"precision", AttrKind::kString, std::nullopt, ir::precisionNames(), 0};
      auto v = configValue("", p, *e.value, diags_);
      if (v) attrs.set("precision", *v);
      return v.has_value();
    }
    if (e.key == "metrics") {
      ConfigParam p{"metrics", AttrKind::kStringList, std::nullopt, {}, 0};
      auto v = configValue("", p, *e.value, diags_);
      if (!v) return false;
      for (const std::string& m : v->asStringList())
        if (m != "accuracy" && m != "loss") {
          diags_.error(e.value->loc, strCat("unknown metric ", quote(m), "; expected accuracy or loss"));
          return false;
        }
      attrs.set("metrics", *v);
      return true;
    }
    if (e.key == "batch_size" || e.key == "epochs") {
      ConfigParam p{e.key, AttrKind::kInt, std::nullopt, {}, 0};
      auto v = configValue("", p, *e.value, diags_);
      if (!v) return false;
      if (v->asInt() < 1 || v->asInt() > (int64_t{1} << 31)) {
        diags_.error(e.value->loc, strCat(quote(e.key), " must be between 1 and 2^31, not ", v->asInt()));
        return false;
      }
      attrs.set(e.key, *v);
      return true;
    }
    diags_.error(e.loc, strCat("unknown train setting ", quote(e.key),
                               "; expected loss, optimizer, metrics, batch_size, epochs or precision"));
    return false;
  }

  bool lowerOptimizer(const ast::Expr& value, ir::Attrs& attrs) {
    std::string name;
    const ast::CallExpr* call = value.as<ast::CallExpr>();
    if (call)
      name = call->callee;
    else if (const auto* n = value.as<ast::NameExpr>())
      name = n->name;
    if (name.empty()) {
      diags_.error(value.loc,
                   "'optimizer' must be sgd, adam, adamw or rmsprop, with settings in "
                   "parentheses if any: adam(learning_rate=0.001)");
      return false;
    }
    auto it = optimizers().find(name);
    if (it == optimizers().end()) {
      diags_.error(value.loc, strCat("unknown optimizer ", quote(name), "; expected sgd, adam, adamw or rmsprop"));
      return false;
    }
    std::vector<const ast::Expr*> positional;
    std::span<const ast::KeywordArg> keywords;
    if (call) {
      for (const auto& a : call->args) positional.push_back(a.get());
      keywords = call->kwargs;
    }
    for (const ast::KeywordArg& kw : keywords)
      if (kw.name == "name" || kw.name == "trainable") {
        diags_.error(kw.loc, strCat("optimizer ", quote(name), " has no setting ", quote(kw.name)));
        return false;
      }
    auto bound = bindConfig(name, it->second, positional, keywords, false, value.loc, diags_);
    if (!bound) return false;
    attrs.set("optimizer", Attribute::string(name));
    for (const auto& [key, v] : bound->attrs.entries()) {
      if (v.asFloat() < 0 || !(v.asFloat() == v.asFloat())) {
        diags_.error(bound->locationOf(key, value.loc),
                     strCat(quote(key), " of ", quote(name), " must not be negative"));
        return false;
      }
      attrs.set(strCat("optimizer.", key), v);
    }
    return true;
  }

  DiagnosticEngine& diags_;
};

}  // namespace

void lowerTrainBlocks(const ast::Program& program, const ast::Model& model, ir::Module& module,
                      DiagnosticEngine& diags) {
  absl::flat_hash_set<std::string> models;
  for (const auto& item : program.items)
    if (const auto* m = item->as<ast::Model>()) models.insert(m->name);
  absl::flat_hash_map<std::string, Location> seen;
  for (const auto& item : program.items) {
    const auto* train = item->as<ast::Train>();
    if (!train) continue;
    if (!models.contains(train->model)) {
      diags.error(train->model_loc, strCat("train block for unknown model ", quote(train->model)));
      continue;
    }
    if (auto [it, fresh] = seen.emplace(train->model, train->loc); !fresh) {
      diags.error(train->loc, strCat("model ", quote(train->model), " has two train blocks"));
      diags.note(it->second, "the first is here");
      continue;
    }
    auto attrs = TrainLowering(diags).lower(*train);
    if (attrs && train->model == model.name)
      module.trainSpecs().push_back({train->model, std::move(*attrs), train->loc});
  }
}

}  // namespace dlc::frontend
