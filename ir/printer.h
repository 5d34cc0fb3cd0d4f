// Writes the graph IR as text. The text parses back (ir/parser.h) to a module
// that prints identically.
#ifndef DLC_IR_PRINTER_H_
#define DLC_IR_PRINTER_H_

#include <functional>
#include <iosfwd>
#include <string>

#include "ir/ir.h"

namespace dlc::ir {

void printModule(const Module& module, std::ostream& out);
std::string printModule(const Module& module);
void printFunction(const Function& function, std::ostream& out);
// The same, with `annotate(op)` (when not empty) appended to each op's line
// as a `//` comment, which the parser skips: analyses such as fusion print
// their decisions this way and the text still parses.
void printFunction(const Function& function, std::ostream& out,
                   const std::function<std::string(const Operation&)>& annotate);

// `@name`, quoted when the name is not a plain dotted identifier.
std::string symbolRef(std::string_view name);

}  // namespace dlc::ir

#endif  // DLC_IR_PRINTER_H_
