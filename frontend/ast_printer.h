// `dlc compile M.dl --emit ast`: the syntax tree as an indented outline, one
// node per line, each with its @LINE:COL. Literals and names print as written
// (`32`, `0.001`, `relu`, `"c1"`, `true`); nodes with children print a head
// (`call dense`, `list`, `binary +`, `neg`, `paren`) and their children below.
//
//   model mnist_cnn(x: f32[batch, 28, 28, 1]) @4:1
//     call conv2d @5:3
//       arg 32 @5:10
//       kwarg kernel = 3 @5:21
//     assign h = binary + @6:9
//       x @6:7
//       call dense @6:11
//         arg 10 @6:17
//     return @7:3
//       h @7:10
//   train mnist_cnn @9:1
//     entry optimizer = call adam @10:15
//       kwarg learning_rate = 0.001 @10:34
#ifndef DLC_FRONTEND_AST_PRINTER_H_
#define DLC_FRONTEND_AST_PRINTER_H_

#include <iosfwd>

#include "frontend/ast.h"
#include "support/source_manager.h"

namespace dlc::frontend {

void printAst(const ast::Program& program, std::ostream& out);

// The same, with a `file "NAME"` line wherever the items' file changes, for
// programs gathered from several files by parseProgram.
void printAst(const ast::Program& program, const SourceManager& sources, std::ostream& out);

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_AST_PRINTER_H_
