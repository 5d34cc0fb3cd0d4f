// CPU targets by name, shared objects for them, and loading checks: code for
// another architecture or for extensions this CPU lacks is refused with a
// message, never run.
#include "codegen/llvm/native_code.h"

#include <cstring>

#include "runtime/cpu/isa.h"
#include "support/strings.h"
#include "tests/unit/codegen_llvm/test_util.h"

namespace dlc::codegen::testing {
namespace {

using kir::load;
using kir::var;

bool hasIsa(const CpuTarget& t, std::string_view ext) {
  return std::find(t.isa.begin(), t.isa.end(), ext) != t.isa.end();
}

// y[i] = x[i] * 2 + 1 over 1000 elements, in parallel chunks.
kir::KernelModule scaleModule() {
  kir::Kernel k{.name = "scale"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 1000, BufferRole::kIn});
  auto y = k.addBuffer({"y", ScalarType::kF32, 1000, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  k.body.push_back(forLoop(i, 0, 1000, LoopKind::kParallel,
                           {store(y, var(i), add(mul(load(x, ScalarType::kF32, var(i)), f32(2)), f32(1)))}));
  kir::KernelModule m;
  m.kernels.push_back(std::move(k));
  return m;
}

TEST(CpuTargetTest, NamedLevelsDeriveExtensionsAndRegisters) {
  absl::StatusOr<CpuTarget> v3 = resolveCpuTarget("x86-64-v3");
  ASSERT_TRUE(v3.ok()) << v3.status();
  EXPECT_TRUE(hasIsa(*v3, "avx2") && hasIsa(*v3, "fma"));
  EXPECT_FALSE(hasIsa(*v3, "avx512f"));
  EXPECT_EQ(v3->vector_registers, 16);
  EXPECT_EQ(v3->vector_bytes, 32);
  absl::StatusOr<CpuTarget> v4 = resolveCpuTarget("x86-64-v4");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_TRUE(hasIsa(*v4, "avx512f") && hasIsa(*v4, "avx512bw"));
  EXPECT_EQ(v4->vector_registers, 32);
  EXPECT_EQ(v4->vector_bytes, 64);
  absl::StatusOr<CpuTarget> arm = resolveCpuTarget("aarch64");
  ASSERT_TRUE(arm.ok()) << arm.status();
  EXPECT_TRUE(arm->triple.starts_with("aarch64"));
  EXPECT_TRUE(hasIsa(*arm, "neon"));
  EXPECT_EQ(arm->vector_bytes, 16);
  absl::StatusOr<CpuTarget> znver = resolveCpuTarget("znver3");
  ASSERT_TRUE(znver.ok()) << znver.status();
  EXPECT_TRUE(hasIsa(*znver, "avx2") && !hasIsa(*znver, "avx512f"));
  absl::StatusOr<CpuTarget> bad = resolveCpuTarget("pentium-9000");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown CPU target 'pentium-9000'"), std::string::npos) << bad.status();
}

TEST(CpuTargetTest, HostExtensionsAreWhatTheLoaderSees) {
  // Whatever LLVM says the host has, the loader's CPUID check must find too;
  // otherwise code compiled for this machine would be refused here.
  const CpuTarget& host = hostCpuTarget();
  EXPECT_EQ(runtime::cpu::missingExtensions(host.isa), std::vector<std::string>{}) << strJoin(host.isa, ",");
  EXPECT_EQ(runtime::cpu::tripleArchitecture(host.triple), runtime::cpu::machineArchitecture());
}

TEST(NativeCodeTest, PortableLevelRunsHereWhenTheCpuHasIt) {
  absl::StatusOr<CpuTarget> v3 = resolveCpuTarget("x86-64-v3");
  ASSERT_TRUE(v3.ok());
  if (!runtime::cpu::missingExtensions(v3->isa).empty()) GTEST_SKIP() << "this CPU has no AVX2";
  absl::StatusOr<NativeCode> code = compileNativeCode(scaleModule(), *v3);
  ASSERT_TRUE(code.ok()) << code.status();
  auto module = runtime::cpu::NativeModule::load(code->triple, code->isa, code->shared_object);
  ASSERT_TRUE(module.ok()) << module.status();
  runtime::cpu::KernelFn fn = (*module)->find("scale");
  ASSERT_NE(fn, nullptr);
  std::vector<float> x(1000), y(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  void* buffers[] = {x.data(), y.data()};
  fn(buffers);
  for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(y[i], x[i] * 2 + 1) << i;
  EXPECT_EQ((*module)->find("no_such_kernel"), nullptr);
}

TEST(NativeCodeTest, Aarch64CodeIsBuiltButNotRunHere) {
  absl::StatusOr<CpuTarget> arm = resolveCpuTarget("aarch64");
  ASSERT_TRUE(arm.ok());
  absl::StatusOr<NativeCode> code = compileNativeCode(scaleModule(), *arm);
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_GT(code->shared_object.size(), 64u);
  uint16_t machine = 0;
  std::memcpy(&machine, code->shared_object.data() + 18, 2);
  EXPECT_EQ(machine, 183) << "e_machine of an AArch64 ELF file is EM_AARCH64 (183)";
  if (runtime::cpu::machineArchitecture() == "aarch64") GTEST_SKIP() << "this machine is AArch64";
  auto module = runtime::cpu::NativeModule::load(code->triple, code->isa, code->shared_object);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(module.status().message().find("is for aarch64"), std::string::npos) << module.status();
}

TEST(NativeCodeTest, MissingExtensionIsRefusedByName) {
  absl::StatusOr<NativeCode> code = compileNativeCode(scaleModule(), hostCpuTarget());
  ASSERT_TRUE(code.ok()) << code.status();
  std::vector<std::string> isa = code->isa;
  isa.push_back("avx10.9-imaginary");
  auto module = runtime::cpu::NativeModule::load(code->triple, isa, code->shared_object);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(module.status().message().find("needs avx10.9-imaginary"), std::string::npos) << module.status();
}

TEST(NativeCodeTest, BytesThatAreNoSharedObjectAreAnError) {
  absl::StatusOr<NativeCode> code = compileNativeCode(scaleModule(), hostCpuTarget());
  ASSERT_TRUE(code.ok()) << code.status();
  std::string truncated = code->shared_object.substr(0, code->shared_object.size() / 3);
  for (const std::string& bytes :
       {std::string("not an elf file at all, but long enough to pass the size check......"), truncated}) {
    auto module = runtime::cpu::NativeModule::load(code->triple, code->isa, bytes);
    ASSERT_FALSE(module.ok());
    EXPECT_EQ(module.status().code(), absl::StatusCode::kInvalidArgument) << module.status();
  }
}

}  // namespace
}  // namespace dlc::codegen::testing

namespace dlc::codegen::testing {
namespace {

kir::KernelModule fillModule(const std::string& name, float value) {
  kir::Kernel k{.name = name};
  auto y = k.addBuffer({"y", ScalarType::kF32, 8, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  k.body.push_back(forLoop(i, 0, 8, LoopKind::kSerial, {store(y, kir::var(i), f32(value))}));
  kir::KernelModule m;
  m.kernels.push_back(std::move(k));
  return m;
}

// The loader knows a library by its path: two modules loaded one after the
// other (the first still in use) must stay two libraries.
TEST(NativeCodeTest, ModulesLoadedOneAfterAnotherStayApart) {
  std::vector<std::unique_ptr<runtime::cpu::NativeModule>> modules;
  for (int n = 0; n < 4; ++n) {
    auto module = compileAndLoad(fillModule(strCat("fill", n), static_cast<float>(n)));
    ASSERT_TRUE(module.ok()) << module.status();
    modules.push_back(std::move(*module));
  }
  for (int n = 0; n < 4; ++n) {
    runtime::cpu::KernelFn fn = modules[n]->find(strCat("fill", n));
    ASSERT_NE(fn, nullptr) << n;
    std::vector<float> y(8);
    void* buffers[] = {y.data()};
    fn(buffers);
    EXPECT_EQ(y[7], static_cast<float>(n));
  }
  modules.erase(modules.begin());  // unloads fill0; a new module may take its place
  auto again = compileAndLoad(fillModule("fill9", 9));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE((*again)->find("fill9"), nullptr);
}

}  // namespace
}  // namespace dlc::codegen::testing
