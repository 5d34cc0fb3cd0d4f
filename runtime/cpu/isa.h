// What this machine's CPU can run: its architecture and the instruction-set
// extensions (in LLVM's spelling, as codegen/llvm/cpu_target.h records them
// in compiled code), read with CPUID on x86-64 (with the OS's consent to
// save AVX and AVX-512 state) and from the auxiliary vector on AArch64.
// Loading code that needs more is an error, never a SIGILL.
#ifndef DLC_RUNTIME_CPU_ISA_H_
#define DLC_RUNTIME_CPU_ISA_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::runtime::cpu {

// "x86_64", "aarch64", or another uname machine name.
const std::string& machineArchitecture();
// The architecture part of a target triple ("x86_64-unknown-linux-gnu" -> "x86_64").
std::string_view tripleArchitecture(std::string_view triple);
// The extensions this CPU has that the loader knows how to check, sorted.
const std::vector<std::string>& machineExtensions();
// The CPU's model name ("AMD EPYC 9B14"), or "" when unknown.
const std::string& machineCpuName();
// Of `needed`, those this CPU lacks (empty: the code can run here).
std::vector<std::string> missingExtensions(std::span<const std::string> needed);

}  // namespace dlc::runtime::cpu

#endif  // DLC_RUNTIME_CPU_ISA_H_
