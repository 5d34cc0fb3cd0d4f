// Reads the text that ir/kernel/printer.cc writes:
//
//   module  := kernel*
//   kernel  := 'kernel' SYMBOL ('origin' STRING)? gpu? '{' buffer* stmt* '}'
//   buffer  := ROLE NAME ':' TYPE '[' INT ']'
//   stmt    := ('parallel' | 'vector' | 'unroll')? 'for' NAME '=' int 'to' int gpu? block
//            | 'let' NAME ':' TYPE '=' expr
//            | 'store' NAME '[' expr ']' ('=' | '+=') expr
//            | 'if' expr block
//   gpu     := 'gpu' '(' GPUKIND (',' KEY '=' INT)* ')'
//   block   := '{' stmt* '}'
//   expr    := NAME | NAME '[' expr ']' | literal
//            | UNARY '(' expr ')' | BINARY '(' expr ',' expr ')'
//            | 'select' '(' expr ',' expr ',' expr ')' | 'cast' '<' TYPE '>' '(' expr ')'
//            | 'reduce' REDUCE NAME 'in' int 'to' int 'init' expr '(' expr ')'
//   literal := '-'? INT (':' TYPE)? | '-'? FLOAT ':' TYPE | '-'? 'inf' ':' TYPE
//            | 'nan' ':' TYPE | 'true' | 'false'
//
// Vars are lexically scoped and may not shadow one another or a buffer. The
// first error stops the parse. Types are checked here, before the builders
// (which only assert) are called; the rest (bounds, loop nesting, roles) is
// the verifier's, whose problems are reported at their statements.
#include "ir/kernel/parser.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ir/kernel/lexer.h"
#include "ir/kernel/type_rules.h"
#include "ir/kernel/verifier.h"
#include "ir/kernel/walk.h"
#include "ir/printer.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

// Statements and expressions nested deeper than this are rejected, so that
// the recursive parser (and the printer and verifier after it) stay well
// within the stack.
constexpr int kMaxNesting = 200;

std::optional<BufferRole> parseRole(std::string_view word) {
  for (BufferRole role :
       {BufferRole::kIn, BufferRole::kOut, BufferRole::kInOut, BufferRole::kScratch, BufferRole::kLocal})
    if (bufferRoleName(role) == word) return role;
  return std::nullopt;
}

std::optional<LoopKind> parseLoopKind(std::string_view word) {
  for (LoopKind kind : {LoopKind::kParallel, LoopKind::kVector, LoopKind::kUnroll})
    if (loopKindName(kind) == word) return kind;
  return std::nullopt;
}

class Parser {
 public:
  Parser(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags)
      : diags_(diags), lexer_(sources, buffer, diags) {
    advance();
  }

  std::optional<KernelModule> parse() {
    while (!at(Tok::kEof)) {
      if (!atKeyword("kernel")) return syntaxError("expected 'kernel'"), std::nullopt;
      if (!parseKernel()) return std::nullopt;
    }
    return std::move(module_);
  }

 private:
  struct Visible {
    Var var;
    Location loc;
  };
  struct BufferDecl {
    BufferId id;
    Location loc;
  };
  // Counts one level of nesting for as long as it lives.
  struct Nest {
    explicit Nest(int& depth) : depth_(depth) { ++depth_; }
    ~Nest() { --depth_; }
    int& depth_;
  };

  // --- Tokens ---------------------------------------------------------------

  void advance() { tok_ = lexer_.next(); }
  bool at(Tok kind) const { return tok_.kind == kind; }
  bool atKeyword(std::string_view word) const { return at(Tok::kIdentifier) && tok_.text == word; }
  bool consume(Tok kind) {
    if (!at(kind)) return false;
    advance();
    return true;
  }
  Location loc() const { return lexer_.location(tok_.offset); }

  // Reports `message` at the current token unless the lexer already reported
  // it; returns false.
  bool syntaxError(std::string message) {
    if (!at(Tok::kError)) diags_.error(loc(), std::move(message));
    return false;
  }
  bool error(Location where, std::string message) {
    diags_.error(where, std::move(message));
    return false;
  }
  bool expect(Tok kind, std::string_view spelling) {
    if (consume(kind)) return true;
    return syntaxError(strCat("expected ", spelling));
  }
  bool expectKeyword(std::string_view word) {
    if (!atKeyword(word)) return syntaxError(strCat("expected '", word, "'"));
    advance();
    return true;
  }
  bool tooDeep() {
    if (depth_ <= kMaxNesting) return false;
    syntaxError(strCat("nesting is deeper than ", kMaxNesting, " levels"));
    return true;
  }

  // --- Kernels --------------------------------------------------------------

  // 'kernel' SYMBOL ('origin' STRING)? '{' buffer* stmt* '}'
  bool parseKernel() {
    advance();
    if (!at(Tok::kSymbol)) return syntaxError("expected a kernel name starting with '@'");
    kernel_ = Kernel{};
    kernel_.name = tok_.value;
    kernel_loc_ = loc();
    advance();
    if (auto [it, inserted] = kernel_locs_.try_emplace(kernel_.name, kernel_loc_); !inserted) {
      error(kernel_loc_, strCat("kernel ", ir::symbolRef(kernel_.name), " is defined more than once"));
      diags_.note(it->second, "first defined here");
      return false;
    }
    if (atKeyword("origin")) {
      advance();
      if (!at(Tok::kString)) return syntaxError("expected a string after 'origin'");
      kernel_.origin = tok_.value;
      advance();
    }
    if (atKeyword("gpu") && !parseGpuMark(kernel_.gpu)) return false;
    if (!expect(Tok::kLBrace, "'{'")) return false;
    buffers_.clear();
    buffer_locs_.clear();
    visible_.clear();
    scope_.clear();
    stmt_locs_.clear();
    while (at(Tok::kIdentifier) && parseRole(tok_.text))
      if (!parseBuffer()) return false;
    while (!at(Tok::kRBrace)) {
      if (at(Tok::kEof)) return syntaxError("expected '}'");
      if (at(Tok::kIdentifier) && parseRole(tok_.text))
        return syntaxError("buffers are declared before the statements");
      if (!parseStmt(kernel_.body)) return false;
    }
    advance();
    if (!verify()) return false;
    module_.kernels.push_back(std::move(kernel_));
    return true;
  }

  // ROLE NAME ':' TYPE '[' INT ']'
  bool parseBuffer() {
    Buffer buffer;
    buffer.role = *parseRole(tok_.text);
    advance();
    if (!at(Tok::kValueName)) return syntaxError("expected a buffer name starting with '%'");
    buffer.name = tok_.value;
    Location name_loc = loc();
    advance();
    if (!expect(Tok::kColon, "':'") || !parseType(buffer.dtype)) return false;
    if (!expect(Tok::kLBracket, "'['")) return false;
    if (!at(Tok::kInteger)) return syntaxError("expected the buffer's number of elements");
    std::optional<int64_t> size = digitsToInt64(tok_.text, false);
    if (!size) return syntaxError(strCat("buffer size ", tok_.text, " is out of range"));
    buffer.size = *size;
    advance();
    if (!expect(Tok::kRBracket, "']'")) return false;
    auto [it, inserted] = buffers_.try_emplace(buffer.name, BufferDecl{0, name_loc});
    if (!inserted) {
      error(name_loc, strCat("buffer %", buffer.name, " is declared more than once"));
      diags_.note(it->second.loc, "first declared here");
      return false;
    }
    it->second.id = kernel_.addBuffer(std::move(buffer));
    buffer_locs_.push_back(name_loc);
    return true;
  }

  // Runs the verifier and reports its problems at their statements.
  bool verify() {
    std::vector<KernelProblem> problems = checkKernel(kernel_);
    if (problems.empty()) return true;
    absl::flat_hash_map<const Stmt*, Location> where;
    size_t i = 0;
    forEachStmt(kernel_.body, [&](const Stmt& s) {
      where[&s] = i < stmt_locs_.size() ? stmt_locs_[i] : kernel_loc_;
      ++i;
    });
    const KernelProblem& first = problems.front();
    Location at = kernel_loc_;
    if (first.stmt && where.contains(first.stmt)) at = where[first.stmt];
    if (!first.stmt && first.buffer >= 0 && static_cast<size_t>(first.buffer) < buffer_locs_.size())
      at = buffer_locs_[first.buffer];
    return error(at, first.message);
  }

  // --- Names ----------------------------------------------------------------

  bool defineVar(const std::string& name, Location where, ScalarType type, Var& var) {
    if (buffers_.contains(name)) {
      error(where, strCat("%", name, " is already the name of a buffer"));
      diags_.note(buffers_.at(name).loc, "declared here");
      return false;
    }
    if (auto it = visible_.find(name); it != visible_.end()) {
      error(where, strCat("redefinition of %", name));
      diags_.note(it->second.loc, "previous definition is here");
      return false;
    }
    var = kernel_.newVar(type, name);
    visible_.emplace(name, Visible{var, where});
    scope_.push_back(name);
    return true;
  }

  void popScope(size_t mark) {
    for (; scope_.size() > mark; scope_.pop_back()) visible_.erase(scope_.back());
  }

  const BufferDecl* findBuffer(const std::string& name, Location where) {
    auto it = buffers_.find(name);
    if (it != buffers_.end()) return &it->second;
    if (visible_.contains(name))
      error(where, strCat("%", name, " is a var, not a buffer"));
    else
      error(where, strCat("use of undefined buffer %", name));
    return nullptr;
  }

  // --- Statements -----------------------------------------------------------

  // '{' stmt* '}'; the lets of the block are visible until its end.
  bool parseBlock(StmtList& body) {
    if (!expect(Tok::kLBrace, "'{'")) return false;
    size_t mark = scope_.size();
    while (!at(Tok::kRBrace)) {
      if (at(Tok::kEof)) return syntaxError("expected '}'");
      if (!parseStmt(body)) return false;
    }
    advance();
    popScope(mark);
    return true;
  }

  bool parseStmt(StmtList& body) {
    Nest nest(depth_);
    if (tooDeep()) return false;
    stmt_locs_.push_back(loc());  // in the order forEachStmt visits
    if (!at(Tok::kIdentifier)) return syntaxError("expected a statement");
    std::string_view word = tok_.text;
    if (word == "for" || parseLoopKind(word)) return parseFor(body);
    if (word == "let") return parseLet(body);
    if (word == "store") return parseStore(body);
    if (word == "if") return parseIf(body);
    if (word == "call")
      return syntaxError("'call' is not a kernel statement: library calls are steps of the plan, between kernels");
    return syntaxError(strCat("expected a statement, not '", word, "'"));
  }

  // ('parallel' | 'vector' | 'unroll')? 'for' NAME '=' int 'to' int block
  bool parseFor(StmtList& body) {
    ForStmt loop;
    if (std::optional<LoopKind> kind = parseLoopKind(tok_.text)) {
      loop.kind = *kind;
      advance();
      if (!expectKeyword("for")) return false;
    } else {
      advance();
    }
    if (!at(Tok::kValueName)) return syntaxError("expected a loop var starting with '%'");
    std::string name = tok_.value;
    Location name_loc = loc();
    advance();
    if (!expect(Tok::kEqual, "'='") || !parseInt(loop.lo) || !expectKeyword("to") || !parseInt(loop.hi)) return false;
    if (atKeyword("gpu") && !parseGpuMark(loop.gpu)) return false;
    size_t mark = scope_.size();
    if (!defineVar(name, name_loc, ScalarType::kI64, loop.var) || !parseBlock(loop.body)) return false;
    popScope(mark);
    body.push_back(Stmt{std::move(loop)});
    return true;
  }

  // 'gpu' '(' GPUKIND (',' KEY '=' INT)* ')' with KEY threads, blocks, width, group, tile, chunk or chunks;
  // which keys a kind takes is the verifier's.
  bool parseGpuMark(std::optional<GpuMark>& out) {
    advance();
    if (!expect(Tok::kLParen, "'('")) return false;
    std::optional<GpuKind> kind = at(Tok::kIdentifier) ? parseGpuKind(tok_.text) : std::nullopt;
    if (!kind)
      return syntaxError(
          "expected a GPU mapping: one_thread, one_block, grid_stride, vector, block_per_row, row_groups or split");
    GpuMark mark{*kind};
    advance();
    while (consume(Tok::kComma)) {
      if (!at(Tok::kIdentifier))
        return syntaxError("expected a key: threads, blocks, width, group, tile, chunk or chunks");
      std::string key(tok_.text);
      Location key_loc = loc();
      advance();
      int64_t value;
      if (!expect(Tok::kEqual, "'='") || !parseInt(value)) return false;
      if (value < 1 || value > (int64_t{1} << 31) - 1) return error(key_loc, strCat(key, " must be positive"));
      if (key == "threads")
        mark.threads = static_cast<int>(value);
      else if (key == "blocks")
        mark.blocks = value;
      else if (key == "width")
        mark.width = static_cast<int>(value);
      else if (key == "group")
        mark.group = static_cast<int>(value);
      else if (key == "tile")
        mark.tile = static_cast<int>(value);
      else if (key == "chunk")
        mark.chunk = value;
      else if (key == "chunks")
        mark.chunks = value;
      else
        return error(key_loc, strCat("unknown GPU mapping key '", key, "'"));
    }
    if (!expect(Tok::kRParen, "')'")) return false;
    out = mark;
    return true;
  }

  // 'let' NAME ':' TYPE '=' expr
  bool parseLet(StmtList& body) {
    advance();
    if (!at(Tok::kValueName)) return syntaxError("expected a var name starting with '%'");
    std::string name = tok_.value;
    Location name_loc = loc();
    advance();
    ScalarType type;
    if (!expect(Tok::kColon, "':'") || !parseType(type) || !expect(Tok::kEqual, "'='")) return false;
    Location value_loc = loc();
    ExprRef value = parseExpr();
    if (!value) return false;
    if (value->type != type)
      return error(value_loc, strCat("%", name, " is declared ", ir::dtypeName(type), " but its value is ",
                                     ir::dtypeName(value->type)));
    LetStmt let;
    if (!defineVar(name, name_loc, type, let.var)) return false;
    let.value = std::move(value);
    body.push_back(Stmt{std::move(let)});
    return true;
  }

  // 'store' NAME '[' expr ']' ('=' | '+=') expr
  bool parseStore(StmtList& body) {
    advance();
    if (!at(Tok::kValueName)) return syntaxError("expected a buffer name starting with '%'");
    const BufferDecl* buffer = findBuffer(tok_.value, loc());
    if (!buffer) return false;
    advance();
    StoreStmt store;
    store.buffer = buffer->id;
    if (!expect(Tok::kLBracket, "'['")) return false;
    store.index = parseIndex();
    if (!store.index || !expect(Tok::kRBracket, "']'")) return false;
    if (consume(Tok::kPlusEqual))
      store.accumulate = true;
    else if (!expect(Tok::kEqual, "'=' or '+='"))
      return false;
    Location value_loc = loc();
    store.value = parseExpr();
    if (!store.value) return false;
    const Buffer& b = kernel_.buffers[store.buffer];
    if (store.value->type != b.dtype)
      return error(value_loc, strCat("stored value is ", ir::dtypeName(store.value->type), " but %", b.name, " holds ",
                                     ir::dtypeName(b.dtype)));
    body.push_back(Stmt{std::move(store)});
    return true;
  }

  // 'if' expr block
  bool parseIf(StmtList& body) {
    advance();
    IfStmt branch;
    Location cond_loc = loc();
    branch.cond = parseExpr();
    if (!branch.cond) return false;
    if (branch.cond->type != ScalarType::kBool)
      return error(cond_loc, strCat("the condition is ", ir::dtypeName(branch.cond->type), ", not bool"));
    if (!parseBlock(branch.then_body)) return false;
    body.push_back(Stmt{std::move(branch)});
    return true;
  }

  // --- Expressions ----------------------------------------------------------

  bool parseType(ScalarType& type) {
    if (!at(Tok::kIdentifier)) return syntaxError("expected a type");
    std::optional<ScalarType> parsed = ir::parseDType(tok_.text);
    if (!parsed) return syntaxError(strCat("unknown type '", tok_.text, "'"));
    type = *parsed;
    advance();
    return true;
  }

  // '-'? INT as an i64.
  bool parseInt(int64_t& value) {
    bool negative = consume(Tok::kMinus);
    if (!at(Tok::kInteger)) return syntaxError("expected an integer");
    std::optional<int64_t> parsed = digitsToInt64(tok_.text, negative);
    if (!parsed) return syntaxError(strCat("integer ", negative ? "-" : "", tok_.text, " is out of range for i64"));
    value = *parsed;
    advance();
    return true;
  }

  ExprRef parseIndex() {
    Location where = loc();
    ExprRef index = parseExpr();
    if (index && index->type != ScalarType::kI64) {
      error(where, strCat("an index must be i64, not ", ir::dtypeName(index->type)));
      return nullptr;
    }
    return index;
  }

  ExprRef parseExpr() {
    Nest nest(depth_);
    if (tooDeep()) return nullptr;
    if (at(Tok::kValueName)) return parseNameExpr();
    if (at(Tok::kMinus) || at(Tok::kInteger) || at(Tok::kFloat)) return parseLiteral();
    if (!at(Tok::kIdentifier)) return syntaxError("expected an expression"), nullptr;
    std::string_view word = tok_.text;
    if (word == "true" || word == "false") {
      advance();
      return constant(ScalarType::kBool, word == "true" ? 1.0 : 0.0);
    }
    if (word == "inf" || word == "nan") return parseLiteral();
    if (word == "select") return parseSelect();
    if (word == "cast") return parseCast();
    if (word == "reduce") return parseReduce();
    Location op_loc = loc();
    if (std::optional<UnaryOp> op = parseUnaryOp(word)) {
      advance();
      if (!expect(Tok::kLParen, "'('")) return nullptr;
      ExprRef x = parseExpr();
      if (!x || !expect(Tok::kRParen, "')'")) return nullptr;
      if (auto e = unaryTypeError(*op, x->type)) return error(op_loc, *e), nullptr;
      return unary(*op, std::move(x));
    }
    if (std::optional<BinaryOp> op = parseBinaryOp(word)) {
      advance();
      if (!expect(Tok::kLParen, "'('")) return nullptr;
      ExprRef lhs = parseExpr();
      if (!lhs || !expect(Tok::kComma, "','")) return nullptr;
      ExprRef rhs = parseExpr();
      if (!rhs || !expect(Tok::kRParen, "')'")) return nullptr;
      if (auto e = binaryTypeError(*op, lhs->type, rhs->type)) return error(op_loc, *e), nullptr;
      return binary(*op, std::move(lhs), std::move(rhs));
    }
    return syntaxError(strCat("unknown operation '", word, "'")), nullptr;
  }

  // NAME (a var) or NAME '[' expr ']' (a load)
  ExprRef parseNameExpr() {
    std::string name = tok_.value;
    Location where = loc();
    advance();
    if (consume(Tok::kLBracket)) {
      const BufferDecl* buffer = findBuffer(name, where);
      if (!buffer) return nullptr;
      ExprRef index = parseIndex();
      if (!index || !expect(Tok::kRBracket, "']'")) return nullptr;
      return load(buffer->id, kernel_.buffers[buffer->id].dtype, std::move(index));
    }
    if (auto it = visible_.find(name); it != visible_.end()) return var(it->second.var);
    if (buffers_.contains(name)) return error(where, strCat("buffer %", name, " is used without an index")), nullptr;
    return error(where, strCat("use of undefined var %", name)), nullptr;
  }

  // '-'? (INT (':' TYPE)? | FLOAT ':' TYPE | 'inf' ':' TYPE) | 'nan' ':' TYPE
  ExprRef parseLiteral() {
    Location where = loc();
    bool negative = consume(Tok::kMinus);
    bool is_word = atKeyword("inf") || (!negative && atKeyword("nan"));
    if (!at(Tok::kInteger) && !at(Tok::kFloat) && !is_word) return syntaxError("expected a number"), nullptr;
    Token number = tok_;
    advance();
    ScalarType type = ScalarType::kI64;
    if (consume(Tok::kColon)) {
      if (!parseType(type)) return nullptr;
    } else if (number.kind != Tok::kInteger) {
      return error(where, strCat("a float literal needs a type, as in ", number.text, ":f32")), nullptr;
    }
    std::string spelling = strCat(negative ? "-" : "", number.text);
    if (type == ScalarType::kBool) return error(where, "bool literals are written 'true' and 'false'"), nullptr;
    if (ir::isInteger(type)) {
      std::optional<int64_t> value;
      if (number.kind == Tok::kInteger) value = digitsToInt64(number.text, negative);
      if (value && type == ScalarType::kI32 &&
          (*value < std::numeric_limits<int32_t>::min() || *value > std::numeric_limits<int32_t>::max()))
        value.reset();
      if (!value)
        return error(where, strCat("'", spelling, "' is not a valid ", ir::dtypeName(type), " literal")), nullptr;
      if (type == ScalarType::kI64) return index(*value);
      return constant(type, static_cast<double>(*value));
    }
    if (number.kind == Tok::kIdentifier) {
      double value =
          number.text == "nan" ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
      return constant(type, negative ? -value : value);
    }
    // strtod, not from_chars: subnormals are in range (strtod sets ERANGE but
    // returns them exactly), only overflow to infinity is an error.
    double value = std::strtod(spelling.c_str(), nullptr);
    if (std::isinf(value))
      return error(where, strCat("'", spelling, "' is out of range (write inf:", ir::dtypeName(type), ")")), nullptr;
    return constant(type, value);
  }

  // 'select' '(' expr ',' expr ',' expr ')'
  ExprRef parseSelect() {
    Location where = loc();
    advance();
    if (!expect(Tok::kLParen, "'('")) return nullptr;
    ExprRef cond = parseExpr();
    if (!cond || !expect(Tok::kComma, "','")) return nullptr;
    ExprRef if_true = parseExpr();
    if (!if_true || !expect(Tok::kComma, "','")) return nullptr;
    ExprRef if_false = parseExpr();
    if (!if_false || !expect(Tok::kRParen, "')'")) return nullptr;
    if (auto e = selectTypeError(cond->type, if_true->type, if_false->type)) return error(where, *e), nullptr;
    return select(std::move(cond), std::move(if_true), std::move(if_false));
  }

  // 'cast' '<' TYPE '>' '(' expr ')'
  ExprRef parseCast() {
    advance();
    ScalarType type;
    if (!expect(Tok::kLess, "'<'") || !parseType(type) || !expect(Tok::kGreater, "'>'") || !expect(Tok::kLParen, "'('"))
      return nullptr;
    ExprRef x = parseExpr();
    if (!x || !expect(Tok::kRParen, "')'")) return nullptr;
    return cast(type, std::move(x));
  }

  // 'reduce' REDUCE NAME 'in' int 'to' int 'init' expr '(' expr ')'
  ExprRef parseReduce() {
    Location where = loc();
    advance();
    if (!at(Tok::kIdentifier)) return syntaxError("expected add, mul, min or max"), nullptr;
    std::optional<ReduceOp> op = parseReduceOp(tok_.text);
    if (!op) return syntaxError(strCat("unknown reduction '", tok_.text, "'")), nullptr;
    advance();
    if (!at(Tok::kValueName)) return syntaxError("expected a reduction var starting with '%'"), nullptr;
    std::string name = tok_.value;
    Location name_loc = loc();
    advance();
    int64_t lo, hi;
    if (!expectKeyword("in") || !parseInt(lo) || !expectKeyword("to") || !parseInt(hi) || !expectKeyword("init"))
      return nullptr;
    ExprRef init = parseExpr();
    if (!init || !expect(Tok::kLParen, "'('")) return nullptr;
    Var v;
    size_t mark = scope_.size();
    if (!defineVar(name, name_loc, ScalarType::kI64, v)) return nullptr;
    ExprRef body = parseExpr();
    popScope(mark);
    if (!body || !expect(Tok::kRParen, "')'")) return nullptr;
    if (auto e = reduceTypeError(*op, init->type, body->type)) return error(where, *e), nullptr;
    return reduce(*op, v, lo, hi, std::move(init), std::move(body));
  }

  DiagnosticEngine& diags_;
  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
  KernelModule module_;
  absl::flat_hash_map<std::string, Location> kernel_locs_;
  // The kernel being parsed.
  Kernel kernel_;
  Location kernel_loc_;
  absl::flat_hash_map<std::string, BufferDecl> buffers_;
  std::vector<Location> buffer_locs_;  // by buffer id
  absl::flat_hash_map<std::string, Visible> visible_;
  std::vector<std::string> scope_;  // names in visible_, outer first
  std::vector<Location> stmt_locs_;
};

}  // namespace

std::optional<KernelModule> parseKernelModule(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags) {
  return Parser(sources, buffer, diags).parse();
}

absl::StatusOr<KernelModule> parseKernelModuleText(std::string_view text, std::string_view name) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  int32_t id = sources.addBuffer(std::string(name), std::string(text));
  std::optional<KernelModule> module = parseKernelModule(sources, id, diags);
  if (module) return std::move(*module);
  std::ostringstream out;
  diags.print(out);
  return absl::InvalidArgumentError(out.str());
}

}  // namespace dlc::kir
