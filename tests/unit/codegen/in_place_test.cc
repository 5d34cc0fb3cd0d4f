// In-place updates (codegen/lower/in_place.h) on hand-written kernels, and
// in the memory plan of a model.
#include "codegen/lower/in_place.h"

#include "codegen/lower/plan.h"
#include "gtest/gtest.h"
#include "ir/kernel/parser.h"
#include "ir/kernel/printer.h"
#include "ir/parser.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc::codegen {
namespace {

kir::Kernel kernelOf(const char* text) {
  absl::StatusOr<kir::KernelModule> module = kir::parseKernelModuleText(text);
  EXPECT_TRUE(module.ok()) << module.status();
  return module->kernels.front();
}

constexpr const char* kElementwise = R"(kernel @k {
  in %a: f32[64]
  in %b: f32[64]
  out %c: f32[64]
  parallel for %i = 0 to 64 {
    let %t: f32 = %a[%i]
    store %c[%i] = add(mul(%t, %t), %b[%i])
  }
}
)";

TEST(InPlace, ElementwiseOutputTakesAnInputThatIsReadAtTheSameIndex) {
  kir::Kernel k = kernelOf(kElementwise);
  EXPECT_TRUE(canUpdateInPlace(k, 0, 2));
  EXPECT_TRUE(canUpdateInPlace(k, 1, 2));
  updateInPlace(k, 0, 2);
  EXPECT_EQ(k.buffers[2].role, kir::BufferRole::kInOut);
  std::string text = kir::printKernelModule(kir::KernelModule{{k}});
  EXPECT_NE(text.find("let %t: f32 = %c[%i]"), std::string::npos) << text;
  EXPECT_EQ(text.find("%a[%i]"), std::string::npos) << text;
}

TEST(InPlace, ReadsAtOtherIndicesOrAfterTheWriteForbidIt) {
  // A neighbour's element may already be overwritten.
  EXPECT_FALSE(canUpdateInPlace(kernelOf(R"(kernel @k {
  in %a: f32[64]
  out %c: f32[64]
  parallel for %i = 0 to 63 {
    store %c[%i] = add(%a[%i], %a[add(%i, 1)])
  }
}
)"),
                                0, 1));
  // A second output reads the input after the first wrote it.
  EXPECT_FALSE(canUpdateInPlace(kernelOf(R"(kernel @k {
  in %a: f32[64]
  out %c: f32[64]
  out %d: f32[64]
  parallel for %i = 0 to 64 {
    store %c[%i] = neg(%a[%i])
    store %d[%i] = exp(%a[%i])
  }
}
)"),
                                0, 1));
  // An accumulating store reads its own output.
  EXPECT_FALSE(canUpdateInPlace(kernelOf(R"(kernel @k {
  in %a: f32[64]
  out %c: f32[8]
  for %i = 0 to 64 {
    store %c[rem(%i, 8)] += %a[%i]
  }
}
)"),
                                0, 1));
  // The input is not read: nothing to share with.
  EXPECT_FALSE(canUpdateInPlace(kernelOf(kElementwise), 0, 1));
}

TEST(InPlace, TheMemoryPlanSharesASlotBetweenADyingInputAndTheOutput) {
  // softmax's gradient chain: the planner lets an elementwise kernel write
  // over an operand no later kernel reads.
  SourceManager sources;
  DiagnosticEngine diags(sources);
  int32_t buffer = sources.addBuffer("f.dlir", R"(func @f(%x: f32[4, 8]) -> (f32[4, 8]) {
  %a = exp(%x) : f32[4, 8]
  %s = reduce_sum(%a) {axes = [1], keepdims = true} : f32[4, 1]
  %y = div(%a, %s) : f32[4, 8]
  return %y
}
)");
  std::unique_ptr<ir::Module> module = ir::parseModule(sources, buffer, diags);
  ASSERT_TRUE(module);
  absl::StatusOr<LoweredFunction> lowered =
      lowerFunction(*module->functions().front(), std::vector<std::vector<int64_t>>{{4, 8}});
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  std::string text = kir::printKernelModule(lowered->kernels);
  EXPECT_NE(text.find("inout"), std::string::npos) << text;
  const runtime::Executable& exe = lowered->executable;
  EXPECT_LT(exe.unshared_bytes, 3 * 4 * 8 * 4 + 64) << runtime::describeExecutable(exe);
}

}  // namespace
}  // namespace dlc::codegen
