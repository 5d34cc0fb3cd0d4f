// Binding a call's configuration arguments (positional in table order, then
// key=value) to typed attributes, as the language reference §2 describes.
#ifndef DLC_FRONTEND_CONFIG_H_
#define DLC_FRONTEND_CONFIG_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "ir/attribute.h"
#include "support/diagnostics.h"

namespace dlc::frontend {

// The longest list a configuration value may be.
inline constexpr size_t kMaxListLength = 1024;

// One configuration argument an op accepts.
struct ConfigParam {
  std::string name;
  ir::AttrKind kind;
  std::optional<ir::Attribute> default_value;  // nullopt: required
  std::vector<std::string> choices;            // for enumerated identifiers
  int list_length = 0;                         // > 0: a single number n stands for [n, n, ...]
};

// The configuration of one call after binding: every given or defaulted
// parameter, plus the universal `name=` and `trainable=`.
struct BoundConfig {
  ir::Attrs attrs;
  std::optional<std::string> name;
  Location name_loc;
  bool trainable = true;
  // Where each given argument was written, for later range errors.
  std::vector<std::pair<std::string, Location>> locations;
  Location locationOf(std::string_view param, Location fallback) const;
};

// Binds `positional` and `keywords` against `params`. `allow_trainable` is
// true for layers with parameters and for models used as layers. Reports
// errors (unknown or repeated keyword, wrong kind, too many positional
// arguments, missing required ones) and returns nullopt.
std::optional<BoundConfig> bindConfig(std::string_view op, std::span<const ConfigParam> params,
                                      std::span<const ast::Expr* const> positional,
                                      std::span<const ast::KeywordArg> keywords, bool allow_trainable,
                                      Location call_loc, DiagnosticEngine& diags);

// Converts one literal expression to an attribute of `param`'s kind, or
// reports why it cannot.
std::optional<ir::Attribute> configValue(std::string_view op, const ConfigParam& param, const ast::Expr& value,
                                         DiagnosticEngine& diags);

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_CONFIG_H_
