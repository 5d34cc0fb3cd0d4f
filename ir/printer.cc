#include "ir/printer.h"

#include <ostream>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

bool isDottedIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  return true;
}

// Assigns each value of a function a unique printed name: its hint when it
// has one (made unique with _1, _2, ...), otherwise a number.
class ValueNamer {
 public:
  const std::string& name(const Value* v) {
    auto it = names_.find(v);
    if (it != names_.end()) return it->second;
    std::string name;
    if (isDottedIdentifier(v->nameHint())) {
      // Suffixes taken stay taken: the search for a hint's next free one
      // resumes where the last ended, so many values of one hint (the
      // gradients of a deep stack) are named in linear time.
      int& next = next_suffix_[v->nameHint()];
      name = next == 0 ? v->nameHint() : strCat(v->nameHint(), "_", next);
      while (used_.contains(name)) name = strCat(v->nameHint(), "_", ++next);
    } else {
      name = strCat(next_number_++);
    }
    used_.insert(name);
    return names_[v] = strCat("%", name);
  }

 private:
  absl::flat_hash_map<const Value*, std::string> names_;
  absl::flat_hash_set<std::string> used_;
  absl::flat_hash_map<std::string, int> next_suffix_;  // per hint: the first suffix not known to be taken
  int next_number_ = 0;
};

void printOp(const Operation& op, ValueNamer& namer, std::ostream& out,
             const std::function<std::string(const Operation&)>* annotate) {
  out << "  ";
  for (size_t i = 0; i < op.numResults(); ++i) out << (i ? ", " : "") << namer.name(op.result(i));
  if (op.numResults() > 0) out << " = ";
  out << op.name() << "(";
  for (size_t i = 0; i < op.numOperands(); ++i) out << (i ? ", " : "") << namer.name(op.operand(i));
  out << ")";
  if (!op.attrs().empty()) out << " " << op.attrs().str();
  std::string note = annotate && *annotate ? (*annotate)(op) : std::string();
  if (!note.empty()) note = strCat("  // ", note);
  if (op.numResults() == 0) {
    out << note << "\n";
    return;
  }
  out << " : ";
  if (op.numResults() == 1) {
    out << op.result(0)->type().str();
  } else {
    out << "(";
    for (size_t i = 0; i < op.numResults(); ++i) out << (i ? ", " : "") << op.result(i)->type().str();
    out << ")";
  }
  out << note << "\n";
}

}  // namespace

std::string symbolRef(std::string_view name) {
  return isDottedIdentifier(name) ? strCat("@", name) : strCat("@", quoteString(name));
}

void printFunction(const Function& function, std::ostream& out) { printFunction(function, out, nullptr); }

void printFunction(const Function& function, std::ostream& out,
                   const std::function<std::string(const Operation&)>& annotate) {
  ValueNamer namer;
  out << "func " << symbolRef(function.name()) << "(";
  for (size_t i = 0; i < function.arguments().size(); ++i) {
    const Value* arg = function.argument(i);
    out << (i ? ", " : "") << namer.name(arg) << ": " << arg->type().str();
  }
  out << ") -> (";
  for (size_t i = 0; i < function.outputs().size(); ++i) out << (i ? ", " : "") << function.outputs()[i]->type().str();
  out << ") {\n";
  for (const auto& op : function.ops()) printOp(*op, namer, out, &annotate);
  out << "  return";
  for (size_t i = 0; i < function.outputs().size(); ++i) out << (i ? ", " : " ") << namer.name(function.outputs()[i]);
  out << "\n}\n";
}

void printModule(const Module& module, std::ostream& out) {
  bool first = true;
  auto separate = [&] {
    if (!first) out << "\n";
    first = false;
  };
  if (!module.params().empty()) {
    separate();
    for (const ParamDecl& p : module.params()) {
      out << "param " << symbolRef(p.name) << " : " << p.type.str();
      if (!p.attrs.empty()) out << " " << p.attrs.str();
      out << "\n";
    }
  }
  for (const auto& f : module.functions()) {
    separate();
    printFunction(*f, out);
  }
  for (const TrainSpec& t : module.trainSpecs()) {
    separate();
    out << "train " << symbolRef(t.model) << " " << (t.attrs.empty() ? "{}" : t.attrs.str()) << "\n";
  }
}

std::string printModule(const Module& module) {
  std::ostringstream out;
  printModule(module, out);
  return out.str();
}

}  // namespace dlc::ir
