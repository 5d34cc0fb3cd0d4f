// Reads the kernel IR's text form (kernel_ir.h describes it; printer.h
// writes it). Errors are FILE:LINE:COL diagnostics; a returned module has
// passed the verifier.
#ifndef DLC_IR_KERNEL_PARSER_H_
#define DLC_IR_KERNEL_PARSER_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "ir/kernel/kernel_ir.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc::kir {

// Parses buffer `buffer` of `sources`. Returns nullopt after reporting the
// first error to `diags`. Var ids are assigned in text order from 0.
std::optional<KernelModule> parseKernelModule(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags);

// The same on a string, for tests and tools: the error carries the rendered
// diagnostics, located in a buffer called `name`.
absl::StatusOr<KernelModule> parseKernelModuleText(std::string_view text, std::string_view name = "<kernel>");

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_PARSER_H_
