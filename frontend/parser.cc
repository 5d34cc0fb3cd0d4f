// Recursive descent over the grammar in shared/spec/dsl.md:
//
//   program   := item*
//   item      := 'import' STRING
//              | 'model' NAME '(' input (',' input)* ')' '{' stmt* '}'
//              | 'train' NAME '{' (NAME '=' expr)* '}'
//   input     := NAME ':' NAME '[' (dim (',' dim)*)? ']'      dim := INT | NAME
//   stmt      := 'return' expr (',' expr)* | NAME '=' expr | call | NAME
//   expr      := term (('+' | '-') term)*
//   term      := matmul (('*' | '/') matmul)*
//   matmul    := unary ('@' unary)*
//   unary     := '-' unary | primary
//   primary   := NUMBER | STRING | 'true' | 'false' | NAME | call
//              | '[' (expr (',' expr)*)? ']' | '(' expr ')'
//   call      := NAME '(' (arg (',' arg)*)? ')'   arg := expr | NAME '=' expr
//
// Statements end at a newline, ';' or '}'. Inside brackets newlines are
// ignored; outside, an operator or '(' at the start of a line begins a new
// statement rather than continuing the last one. Trailing commas are allowed.
//
// Every parse function returns null after reporting an error; the statement
// and item loops then skip to a point where parsing can resume.
#include <utility>

#include "absl/strings/str_cat.h"
#include "frontend/lexer.h"
#include "frontend/parse_internal.h"

namespace dlc::frontend {
namespace {

using ast::ExprPtr;
using ast::ItemPtr;
using ast::StmtPtr;

const char* openerName(TokenKind close) {
  switch (close) {
    case TokenKind::kRParen: return "'('";
    case TokenKind::kRBracket: return "'['";
    default: return "'{'";
  }
}

class Parser {
 public:
  Parser(const SourceManager& sources, int32_t buffer, ErrorBudget& budget, const ParseOptions& options)
      : lexer_(sources.buffer(buffer).text(), buffer,
               [this](Location loc, std::string message) { budget_.error(loc, std::move(message)); }),
        budget_(budget),
        options_(options) {
    advance();
  }

  std::unique_ptr<ast::Program> parse();

 private:
  // ---- Tokens ----
  void advance();
  const Token& peek();
  bool at(TokenKind kind) const { return tok_.kind == kind; }
  bool accept(TokenKind kind);
  bool atItemKeyword() const { return at(TokenKind::kImport) || at(TokenKind::kModel) || at(TokenKind::kTrain); }
  // An item keyword at the start of a line ends an unclosed block.
  bool atItemStart() const { return atItemKeyword() && tok_.newline_before; }
  // Outside brackets, a token on a new line does not continue an expression.
  bool continuesLine() const { return bracket_depth_ > 0 || !tok_.newline_before; }

  // ---- Errors ----
  bool error(Location loc, std::string message) { return budget_.error(loc, std::move(message)); }
  // "expected WHAT, found TOKEN" at the current token, unless the lexer has
  // already reported it.
  void errorExpected(const std::string& what);
  // accept(kind), or "expected WHAT" and false.
  bool expect(TokenKind kind, const std::string& what);
  // The identifier at the cursor into *name and *loc, then advances; or
  // "expected WHAT" and false.
  bool takeIdentifier(const std::string& what, std::string* name, Location* loc);
  // Expects the bracket closing one opened at `open_loc`, with a note there.
  bool expectClosing(TokenKind close, const char* what, Location open_loc);
  // Skips the rest of a broken statement or train entry that began at
  // `start`; always makes progress.
  void syncStatement(Location start);
  // Skips to the next item keyword.
  void syncItem();
  // After a statement: a ';', '}', the end, or a newline must follow.
  bool endOfStatement();

  // ---- Items ----
  ItemPtr parseItem();
  ItemPtr parseImport();
  ItemPtr parseModel();
  bool parseInput(ast::ModelInput& input);
  bool parseDim(ast::Dim& dim);
  ItemPtr parseTrain();
  // Whether the block's '}' was found; reports it otherwise.
  bool atBlockEnd(const std::string& what, Location open_loc);

  // ---- Statements and expressions ----
  StmtPtr parseStatement();
  bool parseTrainEntry(ast::TrainEntry& entry);
  ExprPtr parseExpr() { return parseBinary(0); }
  ExprPtr parseBinary(int level);
  ExprPtr parseUnary();
  ExprPtr parsePrimary();
  ExprPtr parseCall(std::string callee, Location loc);
  ExprPtr parseList();
  ExprPtr parseParen();
  // Counts one level of expression nesting; false (reported) past the limit.
  bool enterNesting();
  void leaveNesting(int levels = 1) { depth_ -= levels; }

  Lexer lexer_;
  ErrorBudget& budget_;
  const ParseOptions& options_;
  Token tok_;
  Token next_;
  bool has_next_ = false;
  int bracket_depth_ = 0;  // open '(' and '[' in the current statement
  int depth_ = 0;          // expression nesting, bounded by max_nesting
};

// ---- Tokens ---------------------------------------------------------------

void Parser::advance() {
  if (has_next_) {
    tok_ = std::move(next_);
    has_next_ = false;
  } else if (!at(TokenKind::kEof) || !tok_.loc.valid()) {
    tok_ = lexer_.next();
  }
  // Once the error budget is spent, pretend the input ends here.
  if (budget_.stopped()) tok_.kind = TokenKind::kEof;
}

const Token& Parser::peek() {
  if (!has_next_) {
    next_ = at(TokenKind::kEof) ? tok_ : lexer_.next();
    has_next_ = true;
  }
  return next_;
}

bool Parser::accept(TokenKind kind) {
  if (!at(kind)) return false;
  advance();
  return true;
}

// ---- Errors and recovery --------------------------------------------------

void Parser::errorExpected(const std::string& what) {
  if (at(TokenKind::kError)) return;
  error(tok_.loc, absl::StrCat("expected ", what, ", found ", describeToken(tok_)));
}

bool Parser::expect(TokenKind kind, const std::string& what) {
  if (accept(kind)) return true;
  errorExpected(what);
  return false;
}

bool Parser::takeIdentifier(const std::string& what, std::string* name, Location* loc) {
  if (!at(TokenKind::kIdentifier)) {
    errorExpected(what);
    return false;
  }
  *name = std::string(tok_.text);
  *loc = tok_.loc;
  advance();
  return true;
}

bool Parser::expectClosing(TokenKind close, const char* what, Location open_loc) {
  if (accept(close)) return true;
  if (!at(TokenKind::kError) && error(tok_.loc, absl::StrCat("expected ", what, ", found ", describeToken(tok_))))
    budget_.note(open_loc, absl::StrCat("to match this ", openerName(close)));
  return false;
}

void Parser::syncStatement(Location start) {
  // Brackets opened before the error must close before a newline or ';' ends
  // the statement; '}', an item keyword starting a line and the end always
  // stop. So does a line that starts no further right than the broken
  // statement did, brackets or not: a continuation line is indented, and an
  // unclosed '(' (or a string cut short by the end of its line) must not
  // swallow the statements after it. The statement's first token is skipped
  // regardless, so that the caller's loop cannot stall on it.
  int balance = bracket_depth_;
  while (!at(TokenKind::kEof) && !at(TokenKind::kRBrace) && !atItemStart()) {
    bool past_start = tok_.loc != start;
    if (past_start && balance <= 0 && (at(TokenKind::kSemicolon) || tok_.newline_before)) break;
    if (past_start && tok_.newline_before && tok_.loc.line > start.line && tok_.loc.column <= start.column) break;
    if (at(TokenKind::kLParen) || at(TokenKind::kLBracket)) ++balance;
    if (at(TokenKind::kRParen) || at(TokenKind::kRBracket)) --balance;
    advance();
  }
  bracket_depth_ = 0;
}

void Parser::syncItem() {
  do advance();
  while (!at(TokenKind::kEof) && !atItemKeyword());
}

bool Parser::endOfStatement() {
  if (at(TokenKind::kSemicolon)) {
    while (accept(TokenKind::kSemicolon)) {
    }
    return true;
  }
  if (at(TokenKind::kRBrace) || at(TokenKind::kEof) || tok_.newline_before) return true;
  errorExpected("newline or ';' after statement");
  return false;
}

// ---- Items ----------------------------------------------------------------

std::unique_ptr<ast::Program> Parser::parse() {
  auto program = std::make_unique<ast::Program>();
  while (!at(TokenKind::kEof)) {
    if (accept(TokenKind::kSemicolon)) continue;
    ItemPtr item = parseItem();
    if (item) {
      program->items.push_back(std::move(item));
    } else if (!atItemKeyword()) {
      // A failed item either stopped at the next item keyword or needs to
      // skip to one; parseItem always consumes the keyword it starts with.
      syncItem();
    }
  }
  return program;
}

ItemPtr Parser::parseItem() {
  switch (tok_.kind) {
    case TokenKind::kImport: return parseImport();
    case TokenKind::kModel: return parseModel();
    case TokenKind::kTrain: return parseTrain();
    default: errorExpected("'import', 'model' or 'train'"); return nullptr;
  }
}

ItemPtr Parser::parseImport() {
  auto import = std::make_unique<ast::Import>(tok_.loc);
  advance();
  if (!at(TokenKind::kString)) {
    errorExpected("a file name in quotes after 'import'");
    return nullptr;
  }
  import->path = tok_.string_value;
  import->path_loc = tok_.loc;
  advance();
  return import;
}

ItemPtr Parser::parseModel() {
  auto model = std::make_unique<ast::Model>(tok_.loc);
  advance();
  if (!takeIdentifier("model name", &model->name, &model->name_loc)) return nullptr;
  Location open = tok_.loc;
  if (!expect(TokenKind::kLParen, "'(' after model name")) return nullptr;
  if (at(TokenKind::kRParen)) {
    error(tok_.loc, absl::StrCat("model ", quote(model->name), " needs at least one input"));
  }
  while (!at(TokenKind::kRParen)) {
    ast::ModelInput& input = model->inputs.emplace_back();
    if (!parseInput(input)) return nullptr;
    if (!accept(TokenKind::kComma)) break;
  }
  if (!expectClosing(TokenKind::kRParen, "',' or ')' after model input", open)) return nullptr;
  Location body_open = tok_.loc;
  if (!expect(TokenKind::kLBrace, "'{' to begin the model body")) return nullptr;
  while (!atBlockEnd(absl::StrCat("model ", quote(model->name)), body_open)) {
    Location start = tok_.loc;
    StmtPtr stmt = parseStatement();
    bool ended = stmt && endOfStatement();
    if (stmt) model->body.push_back(std::move(stmt));
    if (!ended) syncStatement(start);
  }
  return model;
}

bool Parser::atBlockEnd(const std::string& what, Location open_loc) {
  while (accept(TokenKind::kSemicolon)) {
  }
  if (accept(TokenKind::kRBrace)) return true;
  if (!at(TokenKind::kEof) && !atItemStart()) return false;
  if (error(tok_.loc, absl::StrCat("expected '}' to end ", what, ", found ", describeToken(tok_))))
    budget_.note(open_loc, "to match this '{'");
  return true;
}

bool Parser::parseInput(ast::ModelInput& input) {
  if (!takeIdentifier("input name", &input.name, &input.loc)) return false;
  if (!expect(TokenKind::kColon, absl::StrCat("':' and a type after input ", quote(input.name)))) return false;
  if (!takeIdentifier("element type such as 'f32'", &input.type.dtype, &input.type.loc)) return false;
  Location open = tok_.loc;
  if (!expect(TokenKind::kLBracket, absl::StrCat("'[' and dimensions after ", quote(input.type.dtype)))) return false;
  while (!at(TokenKind::kRBracket)) {
    if (!parseDim(input.type.dims.emplace_back())) return false;
    if (!accept(TokenKind::kComma)) break;
  }
  return expectClosing(TokenKind::kRBracket, "',' or ']' after dimension", open);
}

bool Parser::parseDim(ast::Dim& dim) {
  dim.loc = tok_.loc;
  if (at(TokenKind::kIdentifier)) {
    dim.symbol = std::string(tok_.text);
  } else if (at(TokenKind::kInteger)) {
    dim.size = tok_.int_value;
    // Not fatal: the rest of the type still parses.
    if (dim.size <= 0) error(tok_.loc, "dimension must be a positive integer or a name");
  } else {
    errorExpected("dimension (a positive integer or a name)");
    return false;
  }
  advance();
  return true;
}

ItemPtr Parser::parseTrain() {
  auto train = std::make_unique<ast::Train>(tok_.loc);
  advance();
  if (!takeIdentifier("model name after 'train'", &train->model, &train->model_loc)) return nullptr;
  Location open = tok_.loc;
  if (!expect(TokenKind::kLBrace, "'{' after the model name")) return nullptr;
  while (!atBlockEnd("train block", open)) {
    Location start = tok_.loc;
    ast::TrainEntry entry;
    bool parsed = parseTrainEntry(entry);
    bool ended = parsed && endOfStatement();
    if (parsed) train->entries.push_back(std::move(entry));
    if (!ended) syncStatement(start);
  }
  return train;
}

bool Parser::parseTrainEntry(ast::TrainEntry& entry) {
  bracket_depth_ = 0;
  if (!takeIdentifier("setting name such as 'loss'", &entry.key, &entry.loc)) return false;
  if (!expect(TokenKind::kEqual, absl::StrCat("'=' after ", quote(entry.key)))) return false;
  entry.value = parseExpr();
  return entry.value != nullptr;
}

// ---- Statements -----------------------------------------------------------

StmtPtr Parser::parseStatement() {
  bracket_depth_ = 0;
  Location loc = tok_.loc;
  if (accept(TokenKind::kReturn)) {
    auto ret = std::make_unique<ast::ReturnStmt>(loc);
    if (at(TokenKind::kRBrace) || at(TokenKind::kSemicolon) || at(TokenKind::kEof) || tok_.newline_before) {
      error(loc, "expected a value after 'return'");
      return nullptr;
    }
    do {
      ExprPtr value = parseExpr();
      if (!value) return nullptr;
      ret->values.push_back(std::move(value));
    } while (accept(TokenKind::kComma));
    return ret;
  }
  if (!at(TokenKind::kIdentifier)) {
    errorExpected("statement (a call, an assignment or 'return')");
    return nullptr;
  }
  if (peek().kind == TokenKind::kEqual && !peek().newline_before) {
    std::string name(tok_.text);
    advance();
    advance();
    ExprPtr value = parseExpr();
    if (!value) return nullptr;
    return std::make_unique<ast::AssignStmt>(loc, std::move(name), std::move(value));
  }
  ExprPtr expr = parseExpr();
  if (!expr) return nullptr;
  if (expr->kind != ast::ExprKind::kCall && expr->kind != ast::ExprKind::kName) {
    error(loc, "a statement must be a call, an assignment or 'return'");
    return nullptr;
  }
  return std::make_unique<ast::ExprStmt>(loc, std::move(expr));
}

// ---- Expressions ----------------------------------------------------------

bool Parser::enterNesting() {
  if (++depth_ <= options_.max_nesting) return true;
  --depth_;
  error(tok_.loc, "expression nested too deeply");
  return false;
}

ExprPtr Parser::parseBinary(int level) {
  // Loosest first: + -, then * /, then @ (tightest).
  struct Level {
    TokenKind a, b;
    ast::BinaryOp op_a, op_b;
  };
  static constexpr Level kLevels[] = {
      {TokenKind::kPlus, TokenKind::kMinus, ast::BinaryOp::kAdd, ast::BinaryOp::kSub},
      {TokenKind::kStar, TokenKind::kSlash, ast::BinaryOp::kMul, ast::BinaryOp::kDiv},
      {TokenKind::kAt, TokenKind::kAt, ast::BinaryOp::kMatMul, ast::BinaryOp::kMatMul},
  };
  constexpr int kLevelCount = sizeof(kLevels) / sizeof(kLevels[0]);
  if (level == kLevelCount) return parseUnary();
  const Level& l = kLevels[level];

  ExprPtr lhs = parseBinary(level + 1);
  // A left-leaning chain is as deep as it is long; count each link so that
  // the finished tree (and any recursion over it) stays within the limit.
  int links = 0;
  while (lhs && (at(l.a) || at(l.b)) && continuesLine()) {
    ast::BinaryOp op = at(l.a) ? l.op_a : l.op_b;
    Location loc = tok_.loc;
    advance();
    if (!enterNesting()) {
      lhs = nullptr;
      break;
    }
    ++links;
    ExprPtr rhs = parseBinary(level + 1);
    lhs = rhs ? std::make_unique<ast::BinaryExpr>(loc, op, std::move(lhs), std::move(rhs)) : nullptr;
  }
  leaveNesting(links);
  return lhs;
}

ExprPtr Parser::parseUnary() {
  if (!at(TokenKind::kMinus)) return parsePrimary();
  Location loc = tok_.loc;
  advance();
  if (!enterNesting()) return nullptr;
  ExprPtr operand = parseUnary();
  leaveNesting();
  if (!operand) return nullptr;
  return std::make_unique<ast::UnaryExpr>(loc, ast::UnaryOp::kNeg, std::move(operand));
}

ExprPtr Parser::parsePrimary() {
  Location loc = tok_.loc;
  switch (tok_.kind) {
    case TokenKind::kInteger:
    case TokenKind::kFloat: {
      auto number = std::make_unique<ast::NumberExpr>(loc);
      number->text = std::string(tok_.text);
      number->is_integer = at(TokenKind::kInteger);
      number->int_value = tok_.int_value;
      number->float_value = tok_.float_value;
      advance();
      return number;
    }
    case TokenKind::kString: {
      auto string = std::make_unique<ast::StringExpr>(loc, std::move(tok_.string_value));
      advance();
      return string;
    }
    case TokenKind::kTrue:
    case TokenKind::kFalse: {
      auto boolean = std::make_unique<ast::BoolExpr>(loc, at(TokenKind::kTrue));
      advance();
      return boolean;
    }
    case TokenKind::kIdentifier: {
      std::string name(tok_.text);
      advance();
      if (at(TokenKind::kLParen) && continuesLine()) return parseCall(std::move(name), loc);
      return std::make_unique<ast::NameExpr>(loc, std::move(name));
    }
    case TokenKind::kLBracket: return parseList();
    case TokenKind::kLParen: return parseParen();
    default: errorExpected("expression"); return nullptr;
  }
}

ExprPtr Parser::parseCall(std::string callee, Location loc) {
  Location open = tok_.loc;
  advance();
  ++bracket_depth_;
  if (!enterNesting()) return nullptr;
  auto call = std::make_unique<ast::CallExpr>(loc, std::move(callee));
  bool ok = true;
  while (ok && !at(TokenKind::kRParen)) {
    if (at(TokenKind::kIdentifier) && peek().kind == TokenKind::kEqual) {
      ast::KeywordArg& kwarg = call->kwargs.emplace_back();
      kwarg.name = std::string(tok_.text);
      kwarg.loc = tok_.loc;
      advance();
      advance();
      kwarg.value = parseExpr();
      ok = kwarg.value != nullptr;
    } else {
      ExprPtr arg = parseExpr();
      ok = arg != nullptr;
      // Not fatal: the call still parses.
      if (ok && !call->kwargs.empty()) error(arg->loc, "positional argument after keyword argument");
      if (ok) call->args.push_back(std::move(arg));
    }
    if (!ok || !accept(TokenKind::kComma)) break;
  }
  leaveNesting();
  if (!ok || !expectClosing(TokenKind::kRParen, "',' or ')' in argument list", open)) return nullptr;
  --bracket_depth_;
  return call;
}

ExprPtr Parser::parseList() {
  auto list = std::make_unique<ast::ListExpr>(tok_.loc);
  advance();
  ++bracket_depth_;
  if (!enterNesting()) return nullptr;
  bool ok = true;
  while (ok && !at(TokenKind::kRBracket)) {
    ExprPtr element = parseExpr();
    ok = element != nullptr;
    if (ok) list->elements.push_back(std::move(element));
    if (!ok || !accept(TokenKind::kComma)) break;
  }
  leaveNesting();
  if (!ok || !expectClosing(TokenKind::kRBracket, "',' or ']' in list", list->loc)) return nullptr;
  --bracket_depth_;
  return list;
}

ExprPtr Parser::parseParen() {
  Location open = tok_.loc;
  advance();
  ++bracket_depth_;
  if (!enterNesting()) return nullptr;
  ExprPtr inner = parseExpr();
  leaveNesting();
  if (!inner || !expectClosing(TokenKind::kRParen, "')'", open)) return nullptr;
  --bracket_depth_;
  return std::make_unique<ast::ParenExpr>(open, std::move(inner));
}

}  // namespace

std::unique_ptr<ast::Program> parseBuffer(const SourceManager& sources, int32_t buffer, ErrorBudget& budget,
                                          const ParseOptions& options) {
  return Parser(sources, buffer, budget, options).parse();
}

std::unique_ptr<ast::Program> parseFile(const SourceManager& sources, DiagnosticEngine& diags, int32_t buffer_id,
                                        const ParseOptions& options) {
  ErrorBudget budget(diags, options.max_errors);
  std::unique_ptr<ast::Program> program = parseBuffer(sources, buffer_id, budget, options);
  program->root_buffer = buffer_id;
  checkDuplicateModels(*program, budget);
  return program;
}

}  // namespace dlc::frontend
