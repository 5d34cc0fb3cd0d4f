// Reads the text that ir/printer.cc writes:
//
//   module    := (param | func | train)*
//   param     := 'param' SYMBOL ':' type attr-dict?
//   func      := 'func' SYMBOL '(' (VALUE ':' type),* ')' '->' types '{' op* return '}'
//   op        := VALUE,+ '=' NAME '(' VALUE,* ')' attr-dict? ':' types
//   return    := 'return' VALUE,*
//   train     := 'train' SYMBOL attr-dict?
//   types     := type | '(' type,* ')'
//   type      := DTYPE '[' (INT | NAME),* ']'
//   attr-dict := '{' (NAME '=' attr),* '}'
//   attr      := true | false | DTYPE | '-'? (INT | FLOAT | nan | inf) | STRING
//              | '[' (element),* ']'
//
// Syntax errors stop the parse; semantic errors (unknown ops, bad attributes,
// undefined values, ...) are reported and parsing goes on with stand-in
// values, so that one run shows several. A module that parsed cleanly is then
// checked by the verifier, which reports type errors at the ops.
#include "ir/parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "ir/ir_lexer.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

using Tok = IrTokenKind;

// After this many errors the parser stops instead of looking for more.
constexpr int kMaxErrors = 20;

// An attribute dictionary as written, with where each entry is.
struct ParsedAttrs {
  Attrs attrs;
  Location loc;  // the '{'; invalid when there is no dictionary
  std::vector<Location> name_locs;
  std::vector<Location> value_locs;
  bool valid = true;  // false after a duplicate key
};

// One element of an attribute list, before the list's kind is known.
struct ListElement {
  enum Kind { kInt, kFloat, kString, kName } kind;
  int64_t int_value = 0;
  double float_value = 0;
  std::string text;  // kString and kName
};

// Where normalizeAttrs found its problem: the entry it complains about, or
// the dictionary (the op when there is none) for a missing attribute. Follows
// normalizeAttrs' own order of checks.
Location attrErrorLocation(const OpDef& def, const ParsedAttrs& parsed, Location op_loc) {
  const auto& entries = parsed.attrs.entries();
  for (size_t i = 0; i < entries.size(); ++i)
    if (!def.findAttr(entries[i].first)) return parsed.name_locs[i];
  for (const AttrSpec& spec : def.attrs) {
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].first != spec.name) continue;
      Attribute value = entries[i].second;
      if (!value.convertTo(spec.kind)) return parsed.value_locs[i];
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), value.asString()) == spec.choices.end())
        return parsed.value_locs[i];
    }
  }
  return parsed.loc.valid() ? parsed.loc : op_loc;
}

bool isNumericName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string plural(size_t n, std::string_view word) { return strCat(n, " ", word, n == 1 ? "" : "s"); }

class Parser {
 public:
  Parser(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags)
      : diags_(diags), lexer_(sources, buffer, diags), module_(std::make_unique<Module>()) {
    errors_at_start_ = diags.errorCount();
    advance();
  }

  std::unique_ptr<Module> parse() {
    while (!at(Tok::kEof)) {
      bool ok;
      if (atKeyword("param")) {
        ok = parseParam();
      } else if (atKeyword("func")) {
        ok = parseFunction();
      } else if (atKeyword("train")) {
        ok = parseTrain();
      } else {
        ok = syntaxError("expected 'param', 'func' or 'train'");
      }
      if (!ok || tooManyErrors()) return nullptr;
    }
    if (hadErrors()) return nullptr;
    if (!verifyModule(*module_, diags_)) return nullptr;
    // After the verifier, which reports a wrong op type where it starts
    // rather than where it reaches the return.
    for (const Return& r : returns_) checkReturn(r);
    if (hadErrors()) return nullptr;
    return std::move(module_);
  }

 private:
  struct Definition {
    Value* value;
    Location loc;
  };
  // A function's return, checked once the module has been verified.
  struct Return {
    const Function* function;
    std::vector<TensorType> declared;
    Location loc;
    std::vector<Location> value_locs;
  };

  // --- Tokens ---------------------------------------------------------------

  void advance() { tok_ = lexer_.next(); }
  bool at(Tok kind) const { return tok_.kind == kind; }
  bool atKeyword(std::string_view word) const { return tok_.kind == Tok::kIdentifier && tok_.text == word; }
  bool consume(Tok kind) {
    if (!at(kind)) return false;
    advance();
    return true;
  }
  Location loc() const { return lexer_.location(tok_.offset); }

  // Reports `message` at the current token, unless the lexer has already
  // reported that token, and returns false.
  bool syntaxError(std::string message) {
    if (!at(Tok::kError)) diags_.error(loc(), std::move(message));
    return false;
  }
  bool expect(Tok kind, std::string_view spelling) {
    if (consume(kind)) return true;
    return syntaxError(strCat("expected ", spelling));
  }
  void error(Location at, std::string message) { diags_.error(at, std::move(message)); }
  bool hadErrors() const { return diags_.errorCount() > errors_at_start_; }
  bool tooManyErrors() const { return diags_.errorCount() - errors_at_start_ >= kMaxErrors; }

  // --- Module level ---------------------------------------------------------

  bool parseSymbol(std::string& name, Location& at) {
    if (!this->at(Tok::kSymbol)) return syntaxError("expected a name starting with '@'");
    name = tok_.value;
    at = loc();
    advance();
    return true;
  }

  // 'param' SYMBOL ':' type attr-dict?
  bool parseParam() {
    advance();
    ParamDecl param;
    if (!parseSymbol(param.name, param.loc)) return false;
    if (!expect(Tok::kColon, "':'")) return false;
    if (!parseType(param.type)) return false;
    ParsedAttrs attrs;
    if (at(Tok::kLBrace) && !parseAttrDict(attrs)) return false;
    param.attrs = std::move(attrs.attrs);
    module_->params().push_back(std::move(param));
    return true;
  }

  // 'train' SYMBOL attr-dict?
  bool parseTrain() {
    advance();
    TrainSpec train;
    if (!parseSymbol(train.model, train.loc)) return false;
    ParsedAttrs attrs;
    if (at(Tok::kLBrace) && !parseAttrDict(attrs)) return false;
    train.attrs = std::move(attrs.attrs);
    module_->trainSpecs().push_back(std::move(train));
    return true;
  }

  // 'func' SYMBOL '(' args ')' '->' types '{' op* return '}'
  bool parseFunction() {
    advance();
    std::string name;
    Location name_loc;
    if (!parseSymbol(name, name_loc)) return false;
    Function& f = *module_->addFunction(name);
    f.setLocation(name_loc);
    values_.clear();
    forward_uses_.clear();
    if (!expect(Tok::kLParen, "'('")) return false;
    if (!at(Tok::kRParen)) {
      do {
        if (!at(Tok::kValueName)) return syntaxError("expected an argument name");
        std::string arg = tok_.value;
        Location arg_loc = loc();
        advance();
        TensorType type;
        if (!expect(Tok::kColon, "':'") || !parseType(type)) return false;
        Value* v = f.addArgument(std::move(type), isNumericName(arg) ? "" : arg);
        define(arg, arg_loc, v);
      } while (consume(Tok::kComma));
    }
    if (!expect(Tok::kRParen, "')'")) return false;
    if (!expect(Tok::kArrow, "'->'")) return false;
    std::vector<TensorType> output_types;
    if (!parseTypes(output_types)) return false;
    if (!expect(Tok::kLBrace, "'{'")) return false;
    while (!atKeyword("return")) {
      if (!at(Tok::kValueName) && !at(Tok::kIdentifier)) return syntaxError("expected an op or 'return'");
      if (!parseOp(f) || tooManyErrors()) return false;
    }
    if (!parseReturn(f, std::move(output_types))) return false;
    reportUndefinedValues();
    return true;
  }

  // --- Values ---------------------------------------------------------------

  // The value named `name`, or null (and remembered) when it is not defined
  // yet: a later definition makes that a use before definition, no
  // definition at all an undefined value.
  Value* use(const std::string& name, Location at) {
    auto it = values_.find(name);
    if (it != values_.end()) return it->second.value;
    forward_uses_.try_emplace(name, at);
    return nullptr;
  }

  void define(const std::string& name, Location at, Value* value) {
    if (!isNumericName(name)) value->setNameHint(name);
    auto [it, inserted] = values_.try_emplace(name, Definition{value, at});
    if (!inserted) {
      error(at, strCat("redefinition of value %", name));
      diags_.note(it->second.loc, "previous definition is here");
    }
    if (auto use = forward_uses_.find(name); use != forward_uses_.end()) {
      error(use->second, strCat("value %", name, " is used before it is defined"));
      diags_.note(at, "defined here");
      forward_uses_.erase(use);
    }
  }

  void reportUndefinedValues() {
    std::vector<std::pair<Location, std::string>> undefined;
    for (const auto& [name, at] : forward_uses_) undefined.emplace_back(at, name);
    std::sort(undefined.begin(), undefined.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    for (const auto& [at, name] : undefined) {
      if (tooManyErrors()) break;
      error(at, strCat("use of undefined value %", name));
    }
    forward_uses_.clear();
  }

  // A stand-in result for an op that could not be built.
  Value* poison(TensorType type) {
    poison_.push_back(std::make_unique<Value>(std::move(type), nullptr, 0));
    return poison_.back().get();
  }

  // --- Ops ------------------------------------------------------------------

  // VALUE,+ '=' NAME '(' VALUE,* ')' attr-dict? ':' types
  //   or, for ops without results:  NAME '(' VALUE,* ')' attr-dict?
  bool parseOp(Function& f) {
    std::vector<std::pair<std::string, Location>> results;
    bool no_results = at(Tok::kIdentifier);
    if (!no_results) {
      do {
        if (!at(Tok::kValueName)) return syntaxError("expected a value name");
        results.emplace_back(tok_.value, loc());
        advance();
      } while (consume(Tok::kComma));
      if (!expect(Tok::kEqual, "'='")) return false;
    }
    if (!at(Tok::kIdentifier)) return syntaxError("expected an op name");
    std::string op_name(tok_.text);
    Location op_loc = loc();
    advance();
    if (!expect(Tok::kLParen, "'('")) return false;
    std::vector<Value*> operands;
    bool broken = false;  // an error was reported; the op is not built
    if (!at(Tok::kRParen)) {
      do {
        if (!at(Tok::kValueName)) return syntaxError("expected a value name");
        Value* v = use(tok_.value, loc());
        broken = broken || v == nullptr;
        operands.push_back(v);
        advance();
      } while (consume(Tok::kComma));
    }
    if (!expect(Tok::kRParen, "')'")) return false;
    ParsedAttrs attrs;
    if (at(Tok::kLBrace) && !parseAttrDict(attrs)) return false;
    Location types_loc = loc();
    std::vector<TensorType> types;
    if (!no_results) {
      if (!expect(Tok::kColon, "':'")) return false;
      types_loc = loc();
      if (!parseTypes(types)) return false;
    }

    std::optional<OpKind> kind = lookupOp(op_name);
    if (!kind) {
      error(op_loc, strCat("unknown op '", op_name, "'"));
      broken = true;
    } else {
      const OpDef& def = opDef(*kind);
      if (!attrs.valid) {
        broken = true;
      } else if (absl::Status s = normalizeAttrs(def, attrs.attrs); !s.ok()) {
        error(attrErrorLocation(def, attrs, op_loc), std::string(s.message()));
        broken = true;
      }
      if (results.size() != types.size()) {
        error(types_loc,
              strCat(plural(results.size(), "result"), " named but ", plural(types.size(), "type"), " given"));
        broken = true;
      } else if (static_cast<int>(results.size()) != def.num_results) {
        error(op_loc, strCat("'", def.name, "' has ", plural(def.num_results, "result"), ", not ", results.size()));
        broken = true;
      }
    }

    std::vector<Value*> values;
    if (!broken) {
      Operation* op = f.appendUnchecked(*kind, std::move(operands), std::move(attrs.attrs), types, op_loc);
      for (size_t i = 0; i < op->numResults(); ++i) values.push_back(op->result(i));
    } else {
      for (size_t i = 0; i < results.size(); ++i) values.push_back(poison(i < types.size() ? types[i] : TensorType{}));
    }
    for (size_t i = 0; i < results.size(); ++i) define(results[i].first, results[i].second, values[i]);
    return true;
  }

  // 'return' VALUE,* '}'
  bool parseReturn(Function& f, std::vector<TensorType> output_types) {
    Return r{&f, std::move(output_types), loc(), {}};
    advance();
    std::vector<Value*> outputs;
    if (at(Tok::kValueName)) {
      do {
        if (!at(Tok::kValueName)) return syntaxError("expected a value name");
        outputs.push_back(use(tok_.value, loc()));
        r.value_locs.push_back(loc());
        advance();
      } while (consume(Tok::kComma));
    }
    if (!expect(Tok::kRBrace, "'}'")) return false;
    if (std::find(outputs.begin(), outputs.end(), nullptr) != outputs.end()) return true;
    f.setOutputs(std::move(outputs));
    returns_.push_back(std::move(r));
    return true;
  }

  // The returned values against the function's declared result types.
  void checkReturn(const Return& r) {
    const std::vector<Value*>& outputs = r.function->outputs();
    std::string name = symbolRef(r.function->name());
    if (outputs.size() != r.declared.size()) {
      error(r.loc, strCat("return has ", plural(outputs.size(), "value"), ", but ", name, " is declared to return ",
                          r.declared.size()));
      return;
    }
    for (size_t i = 0; i < outputs.size(); ++i)
      if (!(outputs[i]->type() == r.declared[i]))
        error(r.value_locs[i], strCat("return value ", i, " has type ", outputs[i]->type().str(), ", but ", name,
                                      " is declared to return ", r.declared[i].str()));
  }

  // --- Types ----------------------------------------------------------------

  // type | '(' type,* ')'
  bool parseTypes(std::vector<TensorType>& types) {
    if (!consume(Tok::kLParen)) {
      types.emplace_back();
      return parseType(types.back());
    }
    if (!at(Tok::kRParen)) {
      do {
        types.emplace_back();
        if (!parseType(types.back())) return false;
      } while (consume(Tok::kComma));
    }
    return expect(Tok::kRParen, "')'");
  }

  // DTYPE '[' (INT | NAME),* ']'
  bool parseType(TensorType& type) {
    if (!at(Tok::kIdentifier)) return syntaxError("expected a type");
    std::optional<DType> dtype = parseDType(tok_.text);
    if (!dtype) return syntaxError(strCat("unknown element type '", shortened(tok_.text), "'"));
    type.dtype = *dtype;
    advance();
    if (!expect(Tok::kLBracket, "'['")) return false;
    if (consume(Tok::kRBracket)) return true;
    do {
      if (at(Tok::kIdentifier)) {
        type.dims.push_back(Dim::symbolic(std::string(tok_.text)));
      } else if (at(Tok::kInteger)) {
        std::optional<int64_t> size = digitsToInt64(tok_.text, false);
        if (!size || *size > kMaxDimSize)
          return syntaxError(
              strCat("dimension ", shortened(tok_.text), " is too large (the limit is ", kMaxDimSize, ")"));
        type.dims.push_back(Dim::fixed(*size));
      } else {
        return syntaxError("expected a dimension (a size or a name)");
      }
      advance();
    } while (consume(Tok::kComma));
    return expect(Tok::kRBracket, "']'");
  }

  // --- Attributes -----------------------------------------------------------

  // '{' (NAME '=' attr),* '}'. A duplicate key is reported and marks the
  // result invalid; parsing goes on.
  bool parseAttrDict(ParsedAttrs& out) {
    out.loc = loc();
    advance();
    if (consume(Tok::kRBrace)) return true;
    do {
      if (!at(Tok::kIdentifier)) return syntaxError("expected an attribute name");
      std::string name(tok_.text);
      Location name_loc = loc();
      advance();
      if (!expect(Tok::kEqual, "'='")) return false;
      Location value_loc = loc();
      Attribute value;
      if (!parseAttrValue(value)) return false;
      const auto& entries = out.attrs.entries();
      auto previous =
          std::find_if(entries.begin(), entries.end(), [&](const Attrs::Entry& e) { return e.first == name; });
      if (previous != entries.end()) {
        error(name_loc, strCat("duplicate attribute '", name, "'"));
        diags_.note(out.name_locs[previous - entries.begin()], "first given here");
        out.valid = false;
        continue;
      }
      out.attrs.entries().emplace_back(std::move(name), std::move(value));
      out.name_locs.push_back(name_loc);
      out.value_locs.push_back(value_loc);
    } while (consume(Tok::kComma));
    return expect(Tok::kRBrace, "'}'");
  }

  bool parseAttrValue(Attribute& value) {
    if (at(Tok::kLBracket)) return parseList(value);
    if (at(Tok::kString)) {
      value = Attribute::string(tok_.value);
      advance();
      return true;
    }
    if (at(Tok::kIdentifier)) {
      if (tok_.text == "true" || tok_.text == "false") {
        value = Attribute::boolean(tok_.text == "true");
        advance();
        return true;
      }
      if (std::optional<DType> dtype = parseDType(tok_.text)) {
        value = Attribute::dtype(*dtype);
        advance();
        return true;
      }
    }
    ListElement number;
    if (!parseNumber(number)) return false;
    value =
        number.kind == ListElement::kInt ? Attribute::integer(number.int_value) : Attribute::real(number.float_value);
    return true;
  }

  // '-'? (INT | FLOAT | nan | inf) into `out` as kInt or kFloat.
  bool parseNumber(ListElement& out) {
    bool negative = consume(Tok::kMinus);
    if (at(Tok::kInteger)) {
      std::optional<int64_t> v = digitsToInt64(tok_.text, negative);
      if (!v) return syntaxError(strCat("integer ", negative ? "-" : "", shortened(tok_.text), " is out of range"));
      out.kind = ListElement::kInt;
      out.int_value = *v;
    } else if (at(Tok::kFloat)) {
      double v = 0;
      const char* end = tok_.text.data() + tok_.text.size();
      auto [ptr, ec] = std::from_chars(tok_.text.data(), end, v);
      if (ec == std::errc::result_out_of_range) {
        // Underflow means the nearest double (a subnormal, or 0); overflow
        // is an error.
        v = std::strtod(std::string(tok_.text).c_str(), nullptr);
        if (std::isinf(v)) return syntaxError(strCat("float ", shortened(tok_.text), " is out of range"));
      } else if (ec != std::errc() || ptr != end) {
        return syntaxError(strCat("invalid float ", shortened(tok_.text)));
      }
      out.kind = ListElement::kFloat;
      out.float_value = negative ? -v : v;
    } else if (atKeyword("nan") || atKeyword("inf")) {
      out.kind = ListElement::kFloat;
      double v =
          tok_.text == "nan" ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
      out.float_value = negative ? -v : v;
    } else {
      return syntaxError(negative ? "expected a number after '-'" : "expected an attribute value");
    }
    advance();
    return true;
  }

  // '[' element,* ']' where all elements are strings (a string list), or
  // numbers (an int list, or a float list when any is a float), or integers
  // and names (a shape). `[]` is an empty int list.
  bool parseList(Attribute& value) {
    advance();
    std::vector<ListElement> elements;
    bool has_float = false, has_string = false, has_name = false, has_number = false;
    if (!at(Tok::kRBracket)) {
      do {
        ListElement e;
        Location element_loc = loc();
        if (at(Tok::kLBracket)) return syntaxError("nested lists are not supported");
        if (at(Tok::kString)) {
          e.kind = ListElement::kString;
          e.text = tok_.value;
          advance();
        } else if (at(Tok::kIdentifier) && tok_.text != "nan" && tok_.text != "inf") {
          e.kind = ListElement::kName;
          e.text = std::string(tok_.text);
          advance();
        } else if (!parseNumber(e)) {
          return false;
        }
        has_float = has_float || e.kind == ListElement::kFloat;
        has_string = has_string || e.kind == ListElement::kString;
        has_name = has_name || e.kind == ListElement::kName;
        has_number = has_number || e.kind != ListElement::kString;
        if ((has_string && has_number) || (has_float && has_name)) {
          error(element_loc,
                "a list's elements must be all strings, all numbers, or integers "
                "and dimension names");
          return false;
        }
        elements.push_back(std::move(e));
      } while (consume(Tok::kComma));
    }
    if (!expect(Tok::kRBracket, "']'")) return false;
    if (has_string) {
      std::vector<std::string> v;
      for (ListElement& e : elements) v.push_back(std::move(e.text));
      value = Attribute::stringList(std::move(v));
    } else if (has_name) {
      std::vector<Dim> v;
      for (ListElement& e : elements)
        v.push_back(e.kind == ListElement::kName ? Dim::symbolic(std::move(e.text)) : Dim::fixed(e.int_value));
      value = Attribute::shape(std::move(v));
    } else if (has_float) {
      std::vector<double> v;
      for (const ListElement& e : elements)
        v.push_back(e.kind == ListElement::kFloat ? e.float_value : static_cast<double>(e.int_value));
      value = Attribute::floatList(std::move(v));
    } else {
      std::vector<int64_t> v;
      for (const ListElement& e : elements) v.push_back(e.int_value);
      value = Attribute::intList(std::move(v));
    }
    return true;
  }

  DiagnosticEngine& diags_;
  IrLexer lexer_;
  IrToken tok_;
  int errors_at_start_ = 0;
  // Results of ops that could not be built stand in for the real values so
  // that parsing goes on. Declared before module_ so that they outlive the
  // ops that use them.
  std::vector<std::unique_ptr<Value>> poison_;
  std::unique_ptr<Module> module_;
  // Per function: the values defined so far, and the first use of each name
  // used before any definition.
  absl::flat_hash_map<std::string, Definition> values_;
  absl::flat_hash_map<std::string, Location> forward_uses_;
  std::vector<Return> returns_;
};

}  // namespace

std::unique_ptr<Module> parseModule(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags) {
  return Parser(sources, buffer, diags).parse();
}

}  // namespace dlc::ir
