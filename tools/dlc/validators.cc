#include "tools/dlc/validators.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "ir/precision.h"
#include "support/strings.h"
#include "tools/dlc/exit_codes.h"

namespace dlc::tool {
namespace {

bool isDigits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

// "sm_90": an architecture as NVRTC names it.
bool isSmArch(std::string_view s) { return s.starts_with("sm_") && isDigits(s.substr(3)); }

// "cpu:NAME" with one name (LLVM checks it later).
bool isNamedCpu(std::string_view t) {
  return t.starts_with("cpu:") && t.size() > 4 && t.find(',') == std::string_view::npos;
}

bool isRunTarget(std::string_view t) {
  return t == "cpu" || t == "cuda" || t == "reference" || t == "auto" || isNamedCpu(t) ||
         (t.starts_with("cuda:") && isSmArch(t.substr(5)));
}

bool isCompileTarget(std::string_view t) {
  if (t == "cpu" || t == "cuda" || t == "reference" || t == "auto") return true;
  if (t.starts_with("cpu:")) return isNamedCpu(t);
  if (!t.starts_with("cuda:")) return false;
  std::string_view archs = t.substr(5);
  for (size_t start = 0;;) {
    size_t end = archs.find(',', start);
    if (!isSmArch(archs.substr(start, end == std::string_view::npos ? end : end - start))) return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace

const CLI::Validator kAtLeastOne(
    [](std::string& value) -> std::string {
      int64_t v = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), v);
      bool ok = !value.empty() && error == std::errc() && end == value.data() + value.size() && v >= 1;
      return ok ? "" : strCat("must be a whole number of at least 1, not '", value, "'");
    },
    "N>=1");

const CLI::Validator kSeed(
    [](std::string& value) -> std::string {
      uint64_t v = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), v);
      bool ok = isDigits(value) && error == std::errc() && end == value.data() + value.size();
      return ok ? "" : strCat("a seed is a whole number from 0 to 18446744073709551615, not '", value, "'");
    },
    "N");

const CLI::Validator kRunTarget(
    [](std::string& value) -> std::string {
      return isRunTarget(value)
                 ? ""
                 : strCat("unknown target '", value, "' (cpu, cpu:NAME, cuda, cuda:sm_XX, reference or auto)");
    },
    "TARGET");

const CLI::Validator kCompileTarget(
    [](std::string& value) -> std::string {
      return isCompileTarget(value) ? ""
                                    : strCat("unknown target '", value,
                                             "' (cpu, cpu:NAME such as cpu:x86-64-v3, cuda, cuda:sm_XX[,sm_YY...], "
                                             "reference or auto)");
    },
    "TARGET");

std::optional<int> parseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsageError;
  }
  return std::nullopt;
}

CLI::Option* addPrecisionOption(CLI::App& command, std::string& precision) {
  return command
      .add_option("--precision", precision,
                  "fp32 | tf32 (GPU: TF32 tensor cores) | bf16 | fp16 (mixed: f32 master weights, low-precision "
                  "GEMMs and convolutions, f32 accumulation; fp16 training adds dynamic loss scaling) [the train "
                  "block's precision, else fp32]")
      ->check(CLI::IsMember(ir::precisionNames()));
}

}  // namespace dlc::tool
