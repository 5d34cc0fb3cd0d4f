#include "ir/verifier.h"

#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

class Verifier {
 public:
  explicit Verifier(DiagnosticEngine& diags) : diags_(diags) {}

  void verify(const Module& module) {
    absl::flat_hash_set<std::string_view> names;
    for (const ParamDecl& p : module.params()) {
      params_.emplace(p.name, &p);
      if (!names.insert(p.name).second) error(p.loc, strCat("duplicate param ", p.name));
      verifyType(p.type, p.loc, strCat("param ", p.name));
      if (!p.type.isStatic()) error(p.loc, strCat("param ", p.name, " must have a static shape"));
      if (const Attribute* t = p.attrs.find("trainable"); t && t->kind() != AttrKind::kBool)
        error(p.loc, strCat("'trainable' of param ", p.name, " must be a bool"));
      if (const Attribute* i = p.attrs.find("init"); i && i->kind() != AttrKind::kString)
        error(p.loc, strCat("'init' of param ", p.name, " must be a string"));
    }
    names.clear();
    for (const auto& f : module.functions()) {
      if (!names.insert(f->name()).second) error(f->location(), strCat("duplicate function ", f->name()));
      verifyFunction(module, *f);
    }
    for (const TrainSpec& t : module.trainSpecs())
      if (!module.findFunction(t.model)) error(t.loc, strCat("train block refers to unknown function @", t.model));
  }

 private:
  void error(Location loc, std::string message) { diags_.error(loc, std::move(message)); }

  void verifyType(const TensorType& type, Location loc, std::string_view what) {
    for (const Dim& d : type.dims)
      if (d.isStatic() && (d.size() < 0 || d.size() > kMaxDimSize))
        error(loc, strCat(what, ": dimension ", d.size(), " out of range"));
    if (type.isStatic() && !type.numElements()) error(loc, strCat(what, ": ", type.str(), " has too many elements"));
  }

  void verifyFunction(const Module& module, const Function& f) {
    absl::flat_hash_set<const Value*> defined;
    for (const auto& arg : f.arguments()) {
      defined.insert(arg.get());
      verifyType(arg->type(), f.location(), strCat("argument of @", f.name()));
    }
    for (const auto& op : f.ops()) {
      verifyOp(module, *op, defined);
      for (size_t i = 0; i < op->numResults(); ++i) defined.insert(op->result(i));
    }
    if (f.outputs().empty()) error(f.location(), strCat("@", f.name(), " returns nothing"));
    for (const Value* out : f.outputs())
      if (!defined.contains(out)) error(f.location(), strCat("@", f.name(), " returns a value it does not define"));
  }

  void verifyOp(const Module& module, const Operation& op, const absl::flat_hash_set<const Value*>& defined) {
    const OpDef& def = op.def();
    Location loc = op.location();
    int n = static_cast<int>(op.numOperands());
    if (n < def.min_operands || (def.max_operands >= 0 && n > def.max_operands)) {
      error(loc, strCat("'", def.name, "' has ", n, " operands; expected ",
                        def.max_operands < 0                   ? strCat("at least ", def.min_operands)
                        : def.min_operands == def.max_operands ? strCat(def.min_operands)
                                                               : strCat(def.min_operands, " to ", def.max_operands)));
      return;
    }
    if (static_cast<int>(op.numResults()) != def.num_results) {
      error(loc, strCat("'", def.name, "' has ", op.numResults(), " results; expected ", def.num_results));
      return;
    }
    for (size_t i = 0; i < op.numOperands(); ++i)
      if (!defined.contains(op.operand(i))) {
        error(loc, strCat("operand ", i, " of '", def.name, "' is used before it is defined"));
        return;
      }
    Attrs normalized = op.attrs();
    if (absl::Status s = normalizeAttrs(def, normalized); !s.ok()) {
      error(loc, std::string(s.message()));
      return;
    }
    // Compared as text: NaN constants are equal to themselves there.
    if (normalized.str() != op.attrs().str()) {
      error(loc, strCat("attributes of '", def.name, "' are not in table order: ", op.attrs().str(), " should be ",
                        normalized.str()));
      return;
    }
    std::vector<TensorType> operand_types, result_types;
    for (const Value* v : op.operands()) operand_types.push_back(v->type());
    for (size_t i = 0; i < op.numResults(); ++i) result_types.push_back(op.result(i)->type());
    for (size_t i = 0; i < result_types.size(); ++i)
      verifyType(result_types[i], loc, strCat("result of '", def.name, "'"));
    auto inferred = def.infer(ShapeContext{operand_types, op.attrs(), result_types, def.name});
    if (!inferred.ok()) {
      error(loc, std::string(inferred.status().message()));
      return;
    }
    for (size_t i = 0; i < result_types.size() && i < inferred->size(); ++i)
      if (!(result_types[i] == (*inferred)[i]))
        error(loc, strCat("'", def.name, "' result ", i, " has type ", result_types[i].str(),
                          ", but its operands give ", (*inferred)[i].str()));
    if (op.kind() == OpKind::kAssign) {
      const std::string& name = op.attrs().getString("name");
      auto it = params_.find(name);
      const ParamDecl* p = it == params_.end() ? nullptr : it->second;
      if (!p)
        error(loc, strCat("'assign' writes undeclared param @", name));
      else if (!(p->type == op.operand(0)->type()))
        error(loc, strCat("'assign' writes ", op.operand(0)->type().str(), " to @", name, ", which is declared ",
                          p->type.str()));
    }
    if (op.kind() == OpKind::kParam) {
      const std::string& name = op.attrs().getString("name");
      auto it = params_.find(name);
      const ParamDecl* p = it == params_.end() ? nullptr : it->second;
      if (!p)
        error(loc, strCat("'param' reads undeclared param @", name));
      else if (!(p->type == result_types[0]))
        error(loc,
              strCat("'param' reads @", name, " as ", result_types[0].str(), ", but it is declared ", p->type.str()));
    }
  }

  DiagnosticEngine& diags_;
  // Looked up once per param op: a hash map keeps verification linear.
  absl::flat_hash_map<std::string, const ParamDecl*> params_;
};

}  // namespace

bool verifyModule(const Module& module, DiagnosticEngine& diags) {
  int before = diags.errorCount();
  Verifier(diags).verify(module);
  return diags.errorCount() == before;
}

absl::Status verifyModule(const Module& module) {
  SourceManager no_sources;
  DiagnosticEngine diags(no_sources);
  if (verifyModule(module, diags)) return absl::OkStatus();
  return absl::InvalidArgumentError(strCat("invalid IR: ", diags.diagnostics()[0].message));
}

}  // namespace dlc::ir
