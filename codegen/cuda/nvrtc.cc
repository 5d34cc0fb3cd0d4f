#include "codegen/cuda/nvrtc.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include "support/env.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

// NVRTC's C API, declared here so that building needs no CUDA headers.
using nvrtcResult = int;
using nvrtcProgram = struct _nvrtcProgram*;
constexpr nvrtcResult kNvrtcSuccess = 0;
constexpr std::string_view kProgramName = "dlc_kernels.cu";

struct NvrtcApi {
  void* handle = nullptr;
  std::string path;
  const char* (*getErrorString)(nvrtcResult) = nullptr;
  nvrtcResult (*version)(int*, int*) = nullptr;
  nvrtcResult (*createProgram)(nvrtcProgram*, const char*, const char*, int, const char* const*,
                               const char* const*) = nullptr;
  nvrtcResult (*destroyProgram)(nvrtcProgram*) = nullptr;
  nvrtcResult (*compileProgram)(nvrtcProgram, int, const char* const*) = nullptr;
  nvrtcResult (*getPTXSize)(nvrtcProgram, size_t*) = nullptr;
  nvrtcResult (*getPTX)(nvrtcProgram, char*) = nullptr;
  nvrtcResult (*getCUBINSize)(nvrtcProgram, size_t*) = nullptr;
  nvrtcResult (*getCUBIN)(nvrtcProgram, char*) = nullptr;
  nvrtcResult (*getProgramLogSize)(nvrtcProgram, size_t*) = nullptr;
  nvrtcResult (*getProgramLog)(nvrtcProgram, char*) = nullptr;
};

template <typename Fn>
bool bind(void* handle, const char* name, Fn*& fn) {
  fn = reinterpret_cast<Fn*>(dlsym(handle, name));
  return fn != nullptr;
}

absl::StatusOr<NvrtcApi> openNvrtc(std::span<const std::string> candidates) {
  std::vector<std::string> tried;
  for (const std::string& path : candidates) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      tried.push_back(path);
      continue;
    }
    NvrtcApi api;
    api.handle = handle;
    api.path = path;
    bool ok = bind(handle, "nvrtcGetErrorString", api.getErrorString) && bind(handle, "nvrtcVersion", api.version) &&
              bind(handle, "nvrtcCreateProgram", api.createProgram) &&
              bind(handle, "nvrtcDestroyProgram", api.destroyProgram) &&
              bind(handle, "nvrtcCompileProgram", api.compileProgram) &&
              bind(handle, "nvrtcGetPTXSize", api.getPTXSize) && bind(handle, "nvrtcGetPTX", api.getPTX) &&
              bind(handle, "nvrtcGetCUBINSize", api.getCUBINSize) && bind(handle, "nvrtcGetCUBIN", api.getCUBIN) &&
              bind(handle, "nvrtcGetProgramLogSize", api.getProgramLogSize) &&
              bind(handle, "nvrtcGetProgramLog", api.getProgramLog);
    if (ok) return api;
    dlclose(handle);
    tried.push_back(strCat(path, " (not NVRTC: entry points missing)"));
  }
  return absl::FailedPreconditionError(strCat("cannot load NVRTC (the CUDA toolkit's runtime compiler); tried ",
                                              strJoin(tried, ", "),
                                              ". Install the CUDA toolkit, or set CUDA_HOME or DLC_NVRTC_LIBRARY"));
}

// Opened once per process; a failure is remembered too.
const absl::StatusOr<NvrtcApi>& nvrtc() {
  static const absl::StatusOr<NvrtcApi>* api = new absl::StatusOr<NvrtcApi>(openNvrtc(nvrtcCandidates()));
  return *api;
}

// Folders holding cuda_fp16.h: next to the loaded library, then the toolkit.
std::vector<std::string> includeDirs(const NvrtcApi& api) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  Dl_info info;
  if (api.getErrorString && dladdr(reinterpret_cast<void*>(api.getErrorString), &info) && info.dli_fname) {
    fs::path lib = fs::path(info.dli_fname).parent_path();
    dirs.push_back(lib / ".." / "include");
    dirs.push_back(lib / ".." / ".." / "include");
  }
  if (std::optional<std::string> home = envString("CUDA_HOME")) dirs.push_back(fs::path(*home) / "include");
  dirs.push_back("/usr/local/cuda/include");
  std::vector<std::string> found;
  std::error_code ec;
  for (const fs::path& dir : dirs)
    if (fs::exists(dir / "cuda_fp16.h", ec)) {
      found.push_back(fs::weakly_canonical(dir, ec).string());
      break;
    }
  return found;
}

std::string programLog(const NvrtcApi& api, nvrtcProgram program) {
  size_t size = 0;
  if (api.getProgramLogSize(program, &size) != kNvrtcSuccess || size == 0) return "";
  std::string log(size, '\0');
  if (api.getProgramLog(program, log.data()) != kNvrtcSuccess) return "";
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  return log;
}

// "dlc_kernels.cu(123): error: ..." -> 123, or 0.
int logLine(std::string_view text) {
  size_t open = text.find('(');
  size_t close = text.find("): ");
  if (open == std::string_view::npos || close == std::string_view::npos || close <= open + 1) return 0;
  int line = 0;
  for (size_t i = open + 1; i < close; ++i) {
    if (text[i] < '0' || text[i] > '9') return 0;
    line = line * 10 + (text[i] - '0');
  }
  return line;
}

// The log, each error's line followed by the kernel it falls in.
std::string annotateLog(std::string_view source, std::string_view log) {
  std::string out;
  for (std::string_view rest = log; !rest.empty();) {
    size_t end = rest.find('\n');
    std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    strAppend(&out, text, "\n");
    if (text.find(": error") == std::string_view::npos) continue;
    if (std::string where = kernelAtLine(source, logLine(text)); !where.empty())
      strAppend(&out, "  note: in ", where, "\n");
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string resultString(const NvrtcApi& api, nvrtcResult result) {
  const char* text = api.getErrorString(result);
  return text ? text : strCat("NVRTC error ", result);
}

}  // namespace

std::vector<std::string> nvrtcCandidates() {
  std::vector<std::string> names = {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"};
  std::vector<std::string> out;
  if (std::optional<std::string> path = envString("DLC_NVRTC_LIBRARY")) out.push_back(*path);
  out.insert(out.end(), names.begin(), names.end());
  if (std::optional<std::string> home = envString("CUDA_HOME"))
    for (const std::string& name : names) out.push_back(strCat(*home, "/lib64/", name));
  for (const std::string& name : names) out.push_back(strCat("/usr/local/cuda/lib64/", name));
  return out;
}

absl::Status probeNvrtc(std::span<const std::string> candidates) {
  absl::StatusOr<NvrtcApi> api = openNvrtc(candidates);
  if (!api.ok()) return api.status();
  dlclose(api->handle);
  return absl::OkStatus();
}

absl::StatusOr<NvrtcVersion> nvrtcVersion() {
  const absl::StatusOr<NvrtcApi>& api = nvrtc();
  if (!api.ok()) return api.status();
  NvrtcVersion version;
  if (nvrtcResult r = api->version(&version.major, &version.minor); r != kNvrtcSuccess)
    return absl::InternalError(strCat("nvrtcVersion: ", resultString(*api, r)));
  return version;
}

std::string kernelAtLine(std::string_view source, int line) {
  constexpr std::string_view kEntry = "extern \"C\" __global__ void ";
  constexpr std::string_view kBounds = "__launch_bounds__(";
  constexpr std::string_view kOrigin = "// origin: ";
  std::string found, origin, previous;
  int number = 0;
  for (std::string_view rest = source; !rest.empty() && number < line;) {
    size_t end = rest.find('\n');
    std::string_view text = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++number;
    if (text.substr(0, kEntry.size()) == kEntry) {
      std::string_view decl = text.substr(kEntry.size());
      if (decl.substr(0, kBounds.size()) == kBounds) decl = decl.substr(decl.find(')') + 1);
      while (!decl.empty() && decl.front() == ' ') decl.remove_prefix(1);
      found = std::string(decl.substr(0, decl.find('(')));
      origin = previous.substr(0, kOrigin.size()) == kOrigin ? previous.substr(kOrigin.size()) : "";
    }
    previous = std::string(text);
  }
  if (found.empty()) return "";
  return origin.empty() ? strCat("kernel '", found, "'") : strCat("kernel '", found, "' (origin: ", origin, ")");
}

absl::StatusOr<CompiledCuda> compileCuda(std::string_view source, std::string_view arch,
                                         std::span<const std::string> options) {
  const absl::StatusOr<NvrtcApi>& api = nvrtc();
  if (!api.ok()) return api.status();
  bool want_cubin = arch.substr(0, 3) == "sm_";
  if (!want_cubin && arch.substr(0, 8) != "compute_")
    return absl::InvalidArgumentError(strCat("cuda arch '", arch, "' is neither sm_XX nor compute_XX"));

  std::vector<std::string> args = {"-std=c++17", strCat("-arch=", arch)};
  for (const std::string& dir : includeDirs(*api)) args.push_back(strCat("--include-path=", dir));
  args.insert(args.end(), options.begin(), options.end());
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());

  std::string text(source);
  nvrtcProgram program = nullptr;
  std::string name(kProgramName);
  if (nvrtcResult r = api->createProgram(&program, text.c_str(), name.c_str(), 0, nullptr, nullptr); r != kNvrtcSuccess)
    return absl::InternalError(strCat("nvrtcCreateProgram: ", resultString(*api, r)));
  std::unique_ptr<_nvrtcProgram, void (*)(nvrtcProgram)> guard(program,
                                                               [](nvrtcProgram p) { nvrtc()->destroyProgram(&p); });

  nvrtcResult compiled = api->compileProgram(program, static_cast<int>(argv.size()), argv.data());
  CompiledCuda out;
  out.log = programLog(*api, program);
  if (compiled != kNvrtcSuccess)
    return absl::InvalidArgumentError(strCat("NVRTC failed to compile for ", arch, " (", resultString(*api, compiled),
                                             "):\n", annotateLog(source, out.log)));
  size_t size = 0;
  if (want_cubin) {
    if (nvrtcResult r = api->getCUBINSize(program, &size); r != kNvrtcSuccess)
      return absl::InternalError(strCat("nvrtcGetCUBINSize: ", resultString(*api, r)));
    out.cubin.resize(size);
    if (nvrtcResult r = api->getCUBIN(program, out.cubin.data()); r != kNvrtcSuccess)
      return absl::InternalError(strCat("nvrtcGetCUBIN: ", resultString(*api, r)));
  } else {
    if (nvrtcResult r = api->getPTXSize(program, &size); r != kNvrtcSuccess)
      return absl::InternalError(strCat("nvrtcGetPTXSize: ", resultString(*api, r)));
    out.ptx.resize(size);
    if (nvrtcResult r = api->getPTX(program, out.ptx.data()); r != kNvrtcSuccess)
      return absl::InternalError(strCat("nvrtcGetPTX: ", resultString(*api, r)));
    while (!out.ptx.empty() && out.ptx.back() == '\0') out.ptx.pop_back();  // NVRTC counts the terminator
  }
  return out;
}

}  // namespace dlc::codegen::cuda
