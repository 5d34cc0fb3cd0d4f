// Tokens of the kernel IR's text form, for ir/kernel/parser.cc: the graph
// IR's lexer (ir/ir_lexer.h) in its kernel syntax, which adds `<`, `>` and
// `+=`. Lexical errors are reported to the DiagnosticEngine and come back as
// kError tokens.
#ifndef DLC_IR_KERNEL_LEXER_H_
#define DLC_IR_KERNEL_LEXER_H_

#include "ir/ir_lexer.h"

namespace dlc::kir {

using Tok = ir::IrTokenKind;
using Token = ir::IrToken;

class Lexer : public ir::IrLexer {
 public:
  Lexer(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags)
      : IrLexer(sources, buffer, diags, ir::IrSyntax::kKernel) {}
};

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_LEXER_H_
