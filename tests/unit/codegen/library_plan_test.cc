// How a GPU target calls its libraries (codegen/lower/library.h), checked
// on the host: a bf16 convolution whose input channels are not a multiple
// of 8 is called with them zero-padded to 8 (tensor-core kernels), through
// padded copies of x and the filter and a padded dx or dw read back, and
// computes what the reference computes; TF32 reaches only f32 calls, and
// only when asked for.
#include <random>

#include "codegen/cpu_function.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "reference/interpreter.h"
#include "support/strings.h"
#include "tests/unit/common/differential.h"

namespace dlc {
namespace {

using runtime::ConvCall;
using runtime::LibraryCall;
using runtime::Tensor;

// conv (1 input channel) + bias + relu, its kernel gradient, and the input
// gradient of a 3-channel convolution.
constexpr const char* kHalfConvolutions = R"(
func @f(%x: DT[2, 9, 8, 1], %k: DT[3, 3, 1, 16], %b: DT[16], %g: DT[2, 7, 6, 16], %x3: DT[2, 9, 8, 3], %k3: DT[3, 3, 3, 8], %g3: DT[2, 7, 6, 8]) -> (DT[2, 7, 6, 16], DT[3, 3, 1, 16], DT[2, 9, 8, 3]) {
  %0 = conv2d(%x, %k, %b) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : DT[2, 7, 6, 16]
  %1 = relu(%0) : DT[2, 7, 6, 16]
  %2 = conv2d_grad_kernel(%x, %g, %k) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : DT[3, 3, 1, 16]
  %3 = conv2d_grad_input(%g3, %k3, %x3) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : DT[2, 9, 8, 3]
  return %1, %2, %3
}
)";

struct Parsed {
  SourceManager sources;
  std::unique_ptr<ir::Module> module;
};

std::unique_ptr<Parsed> parse(std::string_view dtype) {
  auto p = std::make_unique<Parsed>();
  std::string text = kHalfConvolutions;
  for (size_t at = text.find("DT"); at != std::string::npos; at = text.find("DT", at)) text.replace(at, 2, dtype);
  DiagnosticEngine diags(p->sources);
  p->module = ir::parseModule(p->sources, p->sources.addBuffer("half.dlir", text), diags);
  if (diags.hadError()) p->module.reset();
  return p;
}

std::vector<std::vector<int64_t>> shapesOf(const ir::Function& f) {
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& arg : f.arguments()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& d : arg->type().dims) shape.push_back(d.size());
    shapes.push_back(shape);
  }
  return shapes;
}

std::vector<LibraryCall> plannedCalls(const ir::Function& f, const codegen::LibraryOptions& library) {
  codegen::LowerOptions options;
  options.library = library;
  std::vector<std::vector<int64_t>> shapes = shapesOf(f);
  absl::StatusOr<codegen::LoweredFunction> lowered = codegen::lowerFunction(f, shapes, options);
  EXPECT_TRUE(lowered.ok()) << lowered.status();
  return lowered.ok() ? lowered->executable.library_calls : std::vector<LibraryCall>{};
}

TEST(LibraryPlan, HalfConvolutionsPadInputChannelsToEight) {
  for (const char* dtype : {"bf16", "f16"}) {
    SCOPED_TRACE(dtype);
    std::unique_ptr<Parsed> p = parse(dtype);
    ASSERT_TRUE(p->module);
    std::vector<LibraryCall> calls = plannedCalls(*p->module->functions().front(), {.gemm = true, .convolution = true});
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls[0].conv.direction, ConvCall::Direction::kForward);
    EXPECT_EQ(calls[1].conv.direction, ConvCall::Direction::kBackwardFilter);
    EXPECT_EQ(calls[2].conv.direction, ConvCall::Direction::kBackwardData);
    for (const LibraryCall& call : calls) {
      EXPECT_EQ(call.conv.in_c, 8) << describeLibraryCall(call);
      EXPECT_FALSE(call.allow_tf32);
    }
  }
  // f32 keeps its channels: its FMA kernels gain nothing from padding.
  std::unique_ptr<Parsed> p = parse("f32");
  ASSERT_TRUE(p->module);
  std::vector<LibraryCall> calls = plannedCalls(*p->module->functions().front(), {.gemm = true, .convolution = true});
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].conv.in_c, 1);
  EXPECT_EQ(calls[2].conv.in_c, 3);
}

TEST(LibraryPlan, Tf32OnlyForF32CallsWhenAsked) {
  for (const char* dtype : {"f32", "bf16"}) {
    SCOPED_TRACE(dtype);
    std::unique_ptr<Parsed> p = parse(dtype);
    ASSERT_TRUE(p->module);
    const ir::Function& f = *p->module->functions().front();
    for (const LibraryCall& call : plannedCalls(f, {.gemm = true, .convolution = true})) EXPECT_FALSE(call.allow_tf32);
    for (const LibraryCall& call : plannedCalls(f, {.gemm = true, .convolution = true, .allow_tf32 = true}))
      EXPECT_EQ(call.allow_tf32, std::string(dtype) == "f32") << describeLibraryCall(call);
  }
}

// The padded plan runs on the host (runtime/cpu/library_calls.h widens
// bf16 to f32) and matches the reference within bf16's rounding: the padded
// channels add zeros, and the extra dx and dw channels are never read.
TEST(LibraryPlan, PaddedHalfConvolutionsMatchReference) {
  for (const char* dtype : {"bf16", "f16"}) {
    SCOPED_TRACE(dtype);
    std::unique_ptr<Parsed> p = parse(dtype);
    ASSERT_TRUE(p->module);
    const ir::Function& f = *p->module->functions().front();
    std::mt19937 rng(5);
    std::vector<Tensor> inputs;
    for (const auto& arg : f.arguments()) {
      std::vector<int64_t> shape;
      for (const ir::Dim& d : arg->type().dims) shape.push_back(d.size());
      inputs.push_back(testing::randomTensor(arg->type().dtype, shape, rng, arg->nameHint()));
    }
    absl::StatusOr<std::vector<Tensor>> expected = reference::interpret(*p->module, f, inputs, {}, {}, nullptr);
    ASSERT_TRUE(expected.ok()) << expected.status();
    codegen::CpuCompileOptions options;
    options.library = {.gemm = true, .convolution = true};
    std::vector<std::vector<int64_t>> shapes = shapesOf(f);
    absl::StatusOr<std::unique_ptr<codegen::CpuFunction>> compiled = codegen::CpuFunction::compile(f, shapes, options);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    ASSERT_EQ((*compiled)->lowered().executable.library_calls.size(), 3u);
    absl::StatusOr<std::vector<Tensor>> actual = (*compiled)->run(inputs, {}, runtime::cpu::RunOptions{});
    ASSERT_TRUE(actual.ok()) << actual.status();
    ASSERT_EQ(actual->size(), expected->size());
    // A few units in the last place of bf16 (2^-8): the call's result and
    // the bias are rounded separately.
    for (size_t i = 0; i < expected->size(); ++i)
      testing::expectClose((*expected)[i], (*actual)[i], strCat("output ", i), "library", 2e-2, 2e-2);
  }
}

}  // namespace
}  // namespace dlc
