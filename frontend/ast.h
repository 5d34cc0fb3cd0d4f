// The syntax tree of a .dl program, as written: no names are resolved and no
// op is checked here (that is lowering's job). Every node has a Location;
// Location::buffer says which file a node came from.
//
// Nodes are structs with a kind tag; use `as<T>()` to look inside, and switch
// over the kind enums without a default so that a new kind is a compile error.
#ifndef DLC_FRONTEND_AST_H_
#define DLC_FRONTEND_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/source_manager.h"

namespace dlc::ast {

// Shared by Expr, Stmt and Item: a kind tag, a location and a checked downcast.
template <typename Kind>
struct Node {
  Node(Kind kind, Location loc) : kind(kind), loc(loc) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  template <typename T>
  const T* as() const {
    return kind == T::kKind ? static_cast<const T*>(this) : nullptr;
  }
  template <typename T>
  T* as() {
    return kind == T::kKind ? static_cast<T*>(this) : nullptr;
  }

  const Kind kind;
  Location loc;
};

// ---- Expressions ----------------------------------------------------------

enum class ExprKind : uint8_t { kName, kNumber, kString, kBool, kList, kCall, kBinary, kUnary, kParen };

using Expr = Node<ExprKind>;
using ExprPtr = std::unique_ptr<Expr>;

struct NameExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kName;
  NameExpr(Location loc, std::string name) : Expr(kKind, loc), name(std::move(name)) {}
  std::string name;
};

struct NumberExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kNumber;
  explicit NumberExpr(Location loc) : Expr(kKind, loc) {}
  std::string text;         // as written: "1e-7"
  bool is_integer = false;  // written without '.' or exponent
  int64_t int_value = 0;    // valid when is_integer
  double float_value = 0;   // always valid
};

struct StringExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kString;
  StringExpr(Location loc, std::string value) : Expr(kKind, loc), value(std::move(value)) {}
  std::string value;  // escapes decoded
};

struct BoolExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBool;
  BoolExpr(Location loc, bool value) : Expr(kKind, loc), value(value) {}
  bool value;
};

// `[a, b, ...]`; the location is the '['.
struct ListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kList;
  explicit ListExpr(Location loc) : Expr(kKind, loc) {}
  std::vector<ExprPtr> elements;
};

struct KeywordArg {
  std::string name;
  Location loc;  // of the name
  ExprPtr value;
};

// `callee(positional..., key=value...)`; the location is the callee's.
struct CallExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCall;
  CallExpr(Location loc, std::string callee) : Expr(kKind, loc), callee(std::move(callee)) {}
  std::string callee;
  std::vector<ExprPtr> args;
  std::vector<KeywordArg> kwargs;
};

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kMatMul };
std::string_view binaryOpSpelling(BinaryOp op);  // "+", "-", "*", "/", "@"

// The location is the operator's.
struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr(Location loc, BinaryOp op, ExprPtr lhs, ExprPtr rhs)
      : Expr(kKind, loc), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BinaryOp op;
  ExprPtr lhs;
  ExprPtr rhs;
};

enum class UnaryOp : uint8_t { kNeg };

// `-operand`; the location is the operator's.
struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr(Location loc, UnaryOp op, ExprPtr operand) : Expr(kKind, loc), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
};

// `(inner)`, kept so that the printed tree shows what was written; the
// location is the '('.
struct ParenExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kParen;
  ParenExpr(Location loc, ExprPtr inner) : Expr(kKind, loc), inner(std::move(inner)) {}
  ExprPtr inner;
};

// ---- Statements (inside a model body) -------------------------------------

enum class StmtKind : uint8_t { kExpr, kAssign, kReturn };

using Stmt = Node<StmtKind>;
using StmtPtr = std::unique_ptr<Stmt>;

// A sequential statement: a CallExpr, or a NameExpr (a call without
// arguments). The parser rejects any other expression here.
struct ExprStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kExpr;
  ExprStmt(Location loc, ExprPtr expr) : Stmt(kKind, loc), expr(std::move(expr)) {}
  ExprPtr expr;
};

// `name = value`; the location is the name's.
struct AssignStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kAssign;
  AssignStmt(Location loc, std::string name, ExprPtr value)
      : Stmt(kKind, loc), name(std::move(name)), value(std::move(value)) {}
  std::string name;
  ExprPtr value;
};

// `return a, b`: at least one value.
struct ReturnStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kReturn;
  explicit ReturnStmt(Location loc) : Stmt(kKind, loc) {}
  std::vector<ExprPtr> values;
};

// ---- Items (top level) ----------------------------------------------------

enum class ItemKind : uint8_t { kImport, kModel, kTrain };

using Item = Node<ItemKind>;
using ItemPtr = std::unique_ptr<Item>;

// `import "path"`; the location is the keyword's.
struct Import : Item {
  static constexpr ItemKind kKind = ItemKind::kImport;
  explicit Import(Location loc) : Item(kKind, loc) {}
  std::string path;  // as written, relative to the importing file
  Location path_loc;
  int32_t buffer = -1;  // the imported file, once parseProgram has loaded it
};

// One dimension of an input type: a positive size or a symbolic name.
struct Dim {
  Location loc;
  int64_t size = 0;    // when symbol is empty
  std::string symbol;  // e.g. "batch"
  bool isSymbolic() const { return !symbol.empty(); }
};

// `f32[batch, 28, 28, 1]`; the dtype name is not checked by the parser.
struct TypeExpr {
  std::string dtype;
  Location loc;  // of the dtype name
  std::vector<Dim> dims;
};

struct ModelInput {
  std::string name;
  Location loc;
  TypeExpr type;
};

// `model name(inputs) { body }`; the location is the keyword's.
struct Model : Item {
  static constexpr ItemKind kKind = ItemKind::kModel;
  explicit Model(Location loc) : Item(kKind, loc) {}
  std::string name;
  Location name_loc;
  std::vector<ModelInput> inputs;  // at least one in a valid program
  std::vector<StmtPtr> body;
};

// `key = value` in a train block; values are expressions
// (`adam(learning_rate=0.001)`, `[accuracy]`, `64`).
struct TrainEntry {
  std::string key;
  Location loc;  // of the key
  ExprPtr value;
};

// `train model { entries }`; the location is the keyword's.
struct Train : Item {
  static constexpr ItemKind kKind = ItemKind::kTrain;
  explicit Train(Location loc) : Item(kKind, loc) {}
  std::string model;
  Location model_loc;
  std::vector<TrainEntry> entries;
};

// The items of one file, or of a file and everything it imports (imported
// files' items first, in import order).
struct Program {
  std::vector<ItemPtr> items;
  // The file parsed first, for errors about the program as a whole ("the
  // file defines no model"); -1 when there is none.
  int32_t root_buffer = -1;
};

}  // namespace dlc::ast

#endif  // DLC_FRONTEND_AST_H_
