#include "runtime/cpu/isa.h"

#include <sys/utsname.h>

#include <algorithm>
#include <fstream>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace dlc::runtime::cpu {
namespace {

#if defined(__x86_64__)
struct CpuidBit {
  const char* name;
  unsigned leaf, subleaf;
  int reg;  // 0 eax, 1 ebx, 2 ecx, 3 edx
  int bit;
  int state;  // 0 none, 1 needs AVX state (YMM), 2 needs AVX-512 state (ZMM)
};

constexpr CpuidBit kBits[] = {
    {"sse3", 1, 0, 2, 0, 0},          {"ssse3", 1, 0, 2, 9, 0},
    {"fma", 1, 0, 2, 12, 1},          {"sse4.1", 1, 0, 2, 19, 0},
    {"sse4.2", 1, 0, 2, 20, 0},       {"movbe", 1, 0, 2, 22, 0},
    {"popcnt", 1, 0, 2, 23, 0},       {"avx", 1, 0, 2, 28, 1},
    {"f16c", 1, 0, 2, 29, 1},         {"bmi", 7, 0, 1, 3, 0},
    {"avx2", 7, 0, 1, 5, 1},          {"bmi2", 7, 0, 1, 8, 0},
    {"avx512f", 7, 0, 1, 16, 2},      {"avx512dq", 7, 0, 1, 17, 2},
    {"avx512ifma", 7, 0, 1, 21, 2},   {"avx512cd", 7, 0, 1, 28, 2},
    {"avx512bw", 7, 0, 1, 30, 2},     {"avx512vl", 7, 0, 1, 31, 2},
    {"avx512vbmi", 7, 0, 2, 1, 2},    {"avx512vbmi2", 7, 0, 2, 6, 2},
    {"gfni", 7, 0, 2, 8, 0},          {"vaes", 7, 0, 2, 9, 1},
    {"vpclmulqdq", 7, 0, 2, 10, 1},   {"avx512vnni", 7, 0, 2, 11, 2},
    {"avx512bitalg", 7, 0, 2, 12, 2}, {"avx512vpopcntdq", 7, 0, 2, 14, 2},
    {"avx512fp16", 7, 0, 3, 23, 2},   {"avxvnni", 7, 1, 0, 4, 1},
    {"avx512bf16", 7, 1, 0, 5, 2},
};

std::vector<std::string> detect() {
  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  // What the OS saves on a context switch (XCR0): YMM needs bits 1-2,
  // ZMM also 5-7.
  bool ymm = false, zmm = false;
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27))) {  // OSXSAVE
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    ymm = (lo & 0x6) == 0x6;
    zmm = ymm && (lo & 0xe0) == 0xe0;
  }
  std::vector<std::string> out;
  for (const CpuidBit& bit : kBits) {
    if (bit.leaf > max_leaf) continue;
    unsigned r[4] = {0, 0, 0, 0};
    __cpuid_count(bit.leaf, bit.subleaf, r[0], r[1], r[2], r[3]);
    if (!(r[bit.reg] & (1u << bit.bit))) continue;
    if ((bit.state == 1 && !ymm) || (bit.state == 2 && !zmm)) continue;
    out.push_back(bit.name);
  }
  // lzcnt is in the extended leaf.
  if (__get_cpuid_max(0x80000000u, nullptr) >= 0x80000001u && __get_cpuid(0x80000001u, &a, &b, &c, &d) &&
      (c & (1u << 5)))
    out.push_back("lzcnt");
  return out;
}
#elif defined(__aarch64__)
std::vector<std::string> detect() {
  unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  std::vector<std::string> out;
  if (hw & HWCAP_ASIMD) out.push_back("neon");
  if (hw & HWCAP_ASIMDHP) out.push_back("fullfp16");
  if (hw & HWCAP_ASIMDDP) out.push_back("dotprod");
  if (hw & HWCAP_SVE) out.push_back("sve");
#ifdef HWCAP2_SVE2
  if (hw2 & HWCAP2_SVE2) out.push_back("sve2");
#endif
#ifdef HWCAP2_BF16
  if (hw2 & HWCAP2_BF16) out.push_back("bf16");
#endif
#ifdef HWCAP2_I8MM
  if (hw2 & HWCAP2_I8MM) out.push_back("i8mm");
#endif
  (void)hw2;
  return out;
}
#else
std::vector<std::string> detect() { return {}; }
#endif

std::string readCpuName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("model name")) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? std::string() : line.substr(start);
  }
  return {};
}

}  // namespace

const std::string& machineArchitecture() {
  static const std::string arch = [] {
    utsname u{};
    return uname(&u) == 0 ? std::string(u.machine) : std::string("unknown");
  }();
  return arch;
}

std::string_view tripleArchitecture(std::string_view triple) { return triple.substr(0, triple.find('-')); }

const std::vector<std::string>& machineExtensions() {
  static const std::vector<std::string> extensions = [] {
    std::vector<std::string> e = detect();
    std::sort(e.begin(), e.end());
    return e;
  }();
  return extensions;
}

const std::string& machineCpuName() {
  static const std::string name = readCpuName();
  return name;
}

std::vector<std::string> missingExtensions(std::span<const std::string> needed) {
  const std::vector<std::string>& have = machineExtensions();
  std::vector<std::string> missing;
  for (const std::string& e : needed)
    if (!std::binary_search(have.begin(), have.end(), e)) missing.push_back(e);
  return missing;
}

}  // namespace dlc::runtime::cpu
