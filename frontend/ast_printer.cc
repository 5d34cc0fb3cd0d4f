#include "frontend/ast_printer.h"

#include <ostream>
#include <string>
#include <string_view>

namespace dlc::frontend {
namespace {

// Strings print in the language's own escapes; other control bytes as \xNN.
std::string quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class Printer {
 public:
  explicit Printer(std::ostream& out) : out_(out) {}

  void item(const ast::Item& item);

 private:
  std::ostream& indent(int level) { return out_ << std::string(2 * level, ' '); }
  void loc(Location l) { out_ << " @" << l.line << ":" << l.column << "\n"; }
  // One line: `prefix` then the expression's head; children one level deeper.
  void expr(const ast::Expr& e, int level, std::string_view prefix);
  void stmt(const ast::Stmt& s, int level);
  void model(const ast::Model& m);

  std::ostream& out_;
};

void Printer::expr(const ast::Expr& e, int level, std::string_view prefix) {
  indent(level) << prefix;
  switch (e.kind) {
    case ast::ExprKind::kName:
      out_ << e.as<ast::NameExpr>()->name;
      loc(e.loc);
      return;
    case ast::ExprKind::kNumber:
      out_ << e.as<ast::NumberExpr>()->text;
      loc(e.loc);
      return;
    case ast::ExprKind::kString:
      out_ << quote(e.as<ast::StringExpr>()->value);
      loc(e.loc);
      return;
    case ast::ExprKind::kBool:
      out_ << (e.as<ast::BoolExpr>()->value ? "true" : "false");
      loc(e.loc);
      return;
    case ast::ExprKind::kList: {
      out_ << "list";
      loc(e.loc);
      for (const ast::ExprPtr& element : e.as<ast::ListExpr>()->elements) expr(*element, level + 1, "");
      return;
    }
    case ast::ExprKind::kCall: {
      const auto* call = e.as<ast::CallExpr>();
      out_ << "call " << call->callee;
      loc(e.loc);
      for (const ast::ExprPtr& arg : call->args) expr(*arg, level + 1, "arg ");
      for (const ast::KeywordArg& kwarg : call->kwargs) expr(*kwarg.value, level + 1, "kwarg " + kwarg.name + " = ");
      return;
    }
    case ast::ExprKind::kBinary: {
      const auto* binary = e.as<ast::BinaryExpr>();
      out_ << "binary " << ast::binaryOpSpelling(binary->op);
      loc(e.loc);
      expr(*binary->lhs, level + 1, "");
      expr(*binary->rhs, level + 1, "");
      return;
    }
    case ast::ExprKind::kUnary: {
      const auto* unary = e.as<ast::UnaryExpr>();
      switch (unary->op) {
        case ast::UnaryOp::kNeg: out_ << "neg"; break;
      }
      loc(e.loc);
      expr(*unary->operand, level + 1, "");
      return;
    }
    case ast::ExprKind::kParen:
      out_ << "paren";
      loc(e.loc);
      expr(*e.as<ast::ParenExpr>()->inner, level + 1, "");
      return;
  }
}

void Printer::stmt(const ast::Stmt& s, int level) {
  switch (s.kind) {
    case ast::StmtKind::kExpr: expr(*s.as<ast::ExprStmt>()->expr, level, ""); return;
    case ast::StmtKind::kAssign: {
      const auto* assign = s.as<ast::AssignStmt>();
      expr(*assign->value, level, "assign " + assign->name + " = ");
      return;
    }
    case ast::StmtKind::kReturn:
      indent(level) << "return";
      loc(s.loc);
      for (const ast::ExprPtr& value : s.as<ast::ReturnStmt>()->values) expr(*value, level + 1, "");
      return;
  }
}

void Printer::model(const ast::Model& m) {
  out_ << "model " << m.name << "(";
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    const ast::ModelInput& input = m.inputs[i];
    out_ << (i ? ", " : "") << input.name << ": " << input.type.dtype << "[";
    for (size_t d = 0; d < input.type.dims.size(); ++d) {
      const ast::Dim& dim = input.type.dims[d];
      out_ << (d ? ", " : "");
      if (dim.isSymbolic()) {
        out_ << dim.symbol;
      } else {
        out_ << dim.size;
      }
    }
    out_ << "]";
  }
  out_ << ")";
  loc(m.loc);
  for (const ast::StmtPtr& s : m.body) stmt(*s, 1);
}

void Printer::item(const ast::Item& item) {
  switch (item.kind) {
    case ast::ItemKind::kImport:
      out_ << "import " << quote(item.as<ast::Import>()->path);
      loc(item.loc);
      return;
    case ast::ItemKind::kModel: model(*item.as<ast::Model>()); return;
    case ast::ItemKind::kTrain: {
      const auto* train = item.as<ast::Train>();
      out_ << "train " << train->model;
      loc(item.loc);
      for (const ast::TrainEntry& entry : train->entries) expr(*entry.value, 1, "entry " + entry.key + " = ");
      return;
    }
  }
}

}  // namespace

void printAst(const ast::Program& program, std::ostream& out) {
  Printer printer(out);
  for (const ast::ItemPtr& item : program.items) printer.item(*item);
}

void printAst(const ast::Program& program, const SourceManager& sources, std::ostream& out) {
  Printer printer(out);
  int32_t buffer = -1;
  for (const ast::ItemPtr& item : program.items) {
    if (item->loc.buffer != buffer && item->loc.buffer >= 0 && item->loc.buffer < sources.bufferCount()) {
      buffer = item->loc.buffer;
      out << "file " << quote(sources.buffer(buffer).name()) << "\n";
    }
    printer.item(*item);
  }
}

}  // namespace dlc::frontend
