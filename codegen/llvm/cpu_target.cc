#include "codegen/llvm/cpu_target.h"

#include <algorithm>
#include <mutex>

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

constexpr std::string_view kX86Triple = "x86_64-unknown-linux-gnu";
constexpr std::string_view kAArch64Triple = "aarch64-unknown-linux-gnu";

// The extensions a loader can check (runtime/cpu/isa.h) and that matter to
// generated code, in LLVM's spelling.
const std::vector<std::string>& checkedExtensions(const llvm::Triple& triple) {
  static const std::vector<std::string> x86 = {
      "sse3",       "ssse3",      "sse4.1",      "sse4.2",       "popcnt",          "avx",        "avx2",
      "fma",        "f16c",       "bmi",         "bmi2",         "lzcnt",           "movbe",      "avx512f",
      "avx512cd",   "avx512bw",   "avx512dq",    "avx512vl",     "avx512vnni",      "avx512bf16", "avx512fp16",
      "avx512ifma", "avx512vbmi", "avx512vbmi2", "avx512bitalg", "avx512vpopcntdq", "avxvnni",    "gfni",
      "vaes",       "vpclmulqdq"};
  static const std::vector<std::string> aarch64 = {"neon", "fullfp16", "dotprod", "bf16", "i8mm", "sve", "sve2"};
  static const std::vector<std::string> none;
  if (triple.getArch() == llvm::Triple::x86_64) return x86;
  if (triple.getArch() == llvm::Triple::aarch64) return aarch64;
  return none;
}

absl::StatusOr<const llvm::Target*> lookupTarget(const std::string& triple) {
  initializeTargets();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return absl::InvalidArgumentError(strCat("no LLVM target for ", triple, ": ", error));
  return target;
}

// Fills isa and the register budget from what the CPU and features enable.
absl::Status describeExtensions(CpuTarget& t) {
  absl::StatusOr<const llvm::Target*> target = lookupTarget(t.triple);
  if (!target.ok()) return target.status();
  // The name is checked on a generic subtarget first: LLVM prints a warning
  // to stderr when it makes a subtarget for a CPU it does not know.
  std::unique_ptr<llvm::MCSubtargetInfo> generic((*target)->createMCSubtargetInfo(t.triple, "", ""));
  if (!generic || !generic->isCPUStringValid(t.cpu))
    return absl::InvalidArgumentError(strCat("unknown CPU '", t.cpu, "' for ", t.triple));
  std::unique_ptr<llvm::MCSubtargetInfo> sti((*target)->createMCSubtargetInfo(t.triple, t.cpu, t.features));
  if (!sti) return absl::InvalidArgumentError(strCat("LLVM cannot describe CPU '", t.cpu, "'"));
  llvm::Triple triple(t.triple);
  t.isa.clear();
  for (const std::string& ext : checkedExtensions(triple))
    if (sti->checkFeatures(strCat("+", ext))) t.isa.push_back(ext);
  std::sort(t.isa.begin(), t.isa.end());
  auto has = [&](std::string_view ext) { return std::find(t.isa.begin(), t.isa.end(), ext) != t.isa.end(); };
  if (triple.getArch() == llvm::Triple::aarch64) {
    t.vector_registers = 32;
    t.vector_bytes = 16;
  } else if (has("avx512f")) {
    t.vector_registers = 32;
    t.vector_bytes = 64;
  } else if (has("avx")) {
    t.vector_registers = 16;
    t.vector_bytes = 32;
  } else {
    t.vector_registers = 16;
    t.vector_bytes = 16;
  }
  return absl::OkStatus();
}

CpuTarget describeHost() {
  CpuTarget h;
  h.name = "host";
  h.triple = llvm::Triple::normalize(llvm::sys::getProcessTriple());
  h.cpu = llvm::sys::getHostCPUName().str();
  std::vector<std::string> features;
  for (const auto& [name, enabled] : llvm::sys::getHostCPUFeatures())
    features.push_back(strCat(enabled ? "+" : "-", name.str()));
  std::sort(features.begin(), features.end());
  h.features = strJoin(features, ",");
  if (absl::Status s = describeExtensions(h); !s.ok()) {
    // A host CPU LLVM does not know by name: its features still describe it.
    h.cpu = "generic";
    (void)describeExtensions(h);
  }
  return h;
}

}  // namespace

void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeX86TargetInfo();
    LLVMInitializeX86Target();
    LLVMInitializeX86TargetMC();
    LLVMInitializeX86AsmPrinter();
    LLVMInitializeX86AsmParser();
    LLVMInitializeAArch64TargetInfo();
    LLVMInitializeAArch64Target();
    LLVMInitializeAArch64TargetMC();
    LLVMInitializeAArch64AsmPrinter();
    LLVMInitializeAArch64AsmParser();
  });
}

const CpuTarget& hostCpuTarget() {
  static const CpuTarget host = describeHost();
  return host;
}

absl::StatusOr<CpuTarget> resolveCpuTarget(std::string_view name) {
  if (name.empty() || name == "host" || name == "native") return hostCpuTarget();
  CpuTarget t;
  t.name = std::string(name);
  if (name == "aarch64" || name == "arm64") {
    t.triple = std::string(kAArch64Triple);
    t.cpu = "generic";
  } else if (name == "x86-64" || name.starts_with("x86-64-v")) {
    t.triple = std::string(kX86Triple);
    t.cpu = std::string(name);
  } else {
    // A CPU by LLVM's name: x86-64 if LLVM knows it there, else AArch64.
    t.cpu = std::string(name);
    t.triple = std::string(kX86Triple);
    if (!describeExtensions(t).ok()) t.triple = std::string(kAArch64Triple);
  }
  if (absl::Status s = describeExtensions(t); !s.ok())
    return absl::InvalidArgumentError(
        strCat("unknown CPU target '", name,
               "' (host or native, x86-64-v2, x86-64-v3, x86-64-v4, aarch64, or an LLVM CPU "
               "name such as znver4 or neoverse-v1)"));
  return t;
}

EmitOptions emitOptionsFor(const CpuTarget& target) {
  std::string features = target.features;
  if (features.empty()) {
    std::vector<std::string> plus;
    for (const std::string& ext : target.isa) plus.push_back(strCat("+", ext));
    features = strJoin(plus, ",");
  }
  return EmitOptions{target.cpu, features};
}

absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const CpuTarget& t) {
  absl::StatusOr<const llvm::Target*> target = lookupTarget(t.triple);
  if (!target.ok()) return target.status();
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(
      (*target)->createTargetMachine(t.triple, t.cpu, emitOptionsFor(t).features, options, llvm::Reloc::PIC_,
                                     std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine) return absl::InternalError(strCat("cannot create a target machine for ", t.cpu));
  return machine;
}

void optimizeModule(llvm::Module& module, llvm::TargetMachine& machine) {
  module.setTargetTriple(machine.getTargetTriple().str());
  module.setDataLayout(machine.createDataLayout());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder pb(&machine, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  // O2, not O3: the kernels gain nothing measurable from O3's extra passes
  // (the CNN's, LSTM's and VGG16's steps, alternated runs), which took 100
  // of the CNN training step's ~500 ms cold compile.
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(module, mam);
}

}  // namespace dlc::codegen
