// The compiled CPU code against the reference interpreter on every example
// model (inference, and the training step with its writes) and every IR file
// of the lit tests that parses: same inputs, same parameters, outputs and
// parameter writes within float tolerance.
#include "tests/unit/common/differential.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "codegen/cpu_function.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "reference/interpreter.h"
#include "support/env.h"
#include "support/strings.h"

namespace dlc {
namespace {

namespace fs = std::filesystem;
using runtime::Tensor;

constexpr int64_t kBatch = 2;

std::vector<std::string> testFiles() {
  std::vector<std::string> files;
  for (const char* dir : {"examples", "tests/lit"}) {
    fs::path root = fs::path(DLC_SOURCE_DIR) / dir;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      std::string ext = entry.path().extension().string();
      if (ext == ".dlir" || (ext == ".dl" && std::string(dir) == "examples"))
        files.push_back(fs::relative(entry.path(), DLC_SOURCE_DIR).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

using testing::randomTensor;

// Mixed precision rounds each op's result to bf16 (2^-9) or f16 (2^-12): a
// sum the compiled code adds in another order can round to the next value,
// and Adam turns a gradient that is noise into a full step of either sign.
void expectClose(const Tensor& expected, const Tensor& actual, const std::string& what,
                 ir::Precision precision = ir::Precision::kFp32) {
  if (precision == ir::Precision::kBf16) return testing::expectClose(expected, actual, what, "compiled", 2e-2, 3e-3);
  if (precision == ir::Precision::kFp16) return testing::expectClose(expected, actual, what, "compiled", 5e-3, 3e-3);
  testing::expectClose(expected, actual, what, "compiled");
}

// `library`: plan matmuls and convolutions as library calls (what a GPU
// target does), run on the host by runtime/cpu/library_calls.h.
void compareFunction(const ir::Module& module, const ir::Function& function, const std::string& file, bool library,
                     ir::Precision precision = ir::Precision::kFp32) {
  SCOPED_TRACE(
      strCat(file, " @", function.name(), library ? " with library calls" : "", " in ", ir::precisionName(precision)));
  std::mt19937 rng(7);
  std::vector<Tensor> inputs;
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& arg : function.arguments()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& d : arg->type().dims) shape.push_back(d.isStatic() ? d.size() : kBatch);
    inputs.push_back(randomTensor(arg->type().dtype, shape, rng, arg->nameHint()));
    shapes.push_back(shape);
  }
  reference::ParamMap params;
  for (const ir::ParamDecl& p : module.params()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& d : p.type.dims) shape.push_back(d.isStatic() ? d.size() : kBatch);
    params[p.name] = randomTensor(p.type.dtype, shape, rng, p.name);
  }
  reference::InterpretOptions options{.seed = 3, .step = 5};
  reference::ParamMap expected_writes;
  absl::StatusOr<std::vector<Tensor>> expected =
      reference::interpret(module, function, inputs, params, options, &expected_writes);
  if (!expected.ok()) GTEST_SKIP() << "the reference rejects the inputs: " << expected.status().message();
  codegen::CpuCompileOptions lower;
  if (library) lower.library = codegen::LibraryOptions{.gemm = true, .convolution = true};
  absl::StatusOr<std::unique_ptr<codegen::CpuFunction>> compiled =
      codegen::CpuFunction::compile(function, shapes, lower);
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  runtime::TensorMap actual_writes;
  absl::StatusOr<std::vector<Tensor>> actual =
      (*compiled)->run(inputs, params, runtime::cpu::RunOptions{options.seed, options.step}, &actual_writes);
  ASSERT_TRUE(actual.ok()) << actual.status().message();
  ASSERT_EQ(expected->size(), actual->size());
  for (size_t i = 0; i < expected->size(); ++i)
    expectClose((*expected)[i], (*actual)[i], strCat("output ", i), precision);
  ASSERT_EQ(expected_writes.size(), actual_writes.size());
  for (const auto& [name, value] : expected_writes) {
    auto it = actual_writes.find(name);
    ASSERT_NE(it, actual_writes.end()) << "no write of " << name;
    expectClose(value, it->second, strCat("write of ", name), precision);
  }
}

struct DifferentialCase {
  std::string file;
  bool library = false;
  ir::Precision precision = ir::Precision::kFp32;  // the example models also in bf16 and fp16
};

class Differential : public ::testing::TestWithParam<DifferentialCase> {};

// VGG16 at 224x224 takes the double-precision interpreter minutes per step:
// checked on request only.
bool isLarge(const std::string& file) {
  return file.find("vgg16") != std::string::npos || file.find("transfer") != std::string::npos;
}

bool usesMaxPool(const ir::Module& module) {
  for (const auto& f : module.functions())
    for (const auto& op : f->ops())
      if (op->kind() == ir::OpKind::kMaxpool2d) return true;
  return false;
}

TEST_P(Differential, CompiledMatchesReference) {
  const std::string& file = GetParam().file;
  const bool library = GetParam().library;
  if (isLarge(file) && !envFlag("DLC_TEST_LARGE")) GTEST_SKIP() << "a large model: set DLC_TEST_LARGE=1 to compare it";
  std::string path = (fs::path(DLC_SOURCE_DIR) / file).string();
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::ostringstream ignored;
  if (file.ends_with(".dlir")) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    int32_t buffer = sources.addBuffer(path, text.str());
    std::unique_ptr<ir::Module> module = ir::parseModule(sources, buffer, diags);
    if (!module) GTEST_SKIP() << "does not parse (an error test)";
    for (const auto& f : module->functions()) compareFunction(*module, *f, file, library);
    return;
  }
  std::unique_ptr<ast::Program> program = frontend::parseProgram(sources, diags, path);
  ASSERT_TRUE(program && !diags.hadError());
  for (bool training : {false, true}) {
    std::unique_ptr<ir::Module> module = frontend::lowerProgram(*program, diags, {"", training});
    ASSERT_TRUE(module && !diags.hadError());
    passes::PassOptions options;
    options.precision = GetParam().precision;
    passes::PassManager pm(options);
    ASSERT_TRUE(passes::buildGraphPipeline(pm, training && !module->trainSpecs().empty()).ok());
    ASSERT_TRUE(pm.run(*module).ok());
    // In bf16 or f16 a max-pool's gradient goes to the first of window
    // values that round alike, and which ones do depends on the order a sum
    // was added in: its gradients are compared by the CNN's 1-epoch accuracy
    // in each precision instead (bench/RESULTS.md), not element by element.
    if (training && GetParam().precision != ir::Precision::kFp32 && usesMaxPool(*module)) continue;
    for (const auto& f : module->functions())
      if (!training || f->name().ends_with(".train_step"))
        compareFunction(*module, *f, file, library, GetParam().precision);
  }
}

// Every file as the CPU compiles it, and every file with matmuls and
// convolutions planned as library calls.
std::vector<DifferentialCase> testCases() {
  std::vector<DifferentialCase> cases;
  for (bool library : {false, true})
    for (const std::string& file : testFiles()) {
      cases.push_back({file, library});
      if (file.ends_with(".dl"))
        for (ir::Precision p : {ir::Precision::kBf16, ir::Precision::kFp16}) cases.push_back({file, library, p});
    }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllModels, Differential, ::testing::ValuesIn(testCases()),
                         [](const ::testing::TestParamInfo<DifferentialCase>& info) {
                           std::string name = info.param.file + (info.param.library ? "_library" : "");
                           if (info.param.precision != ir::Precision::kFp32)
                             name += strCat("_", ir::precisionName(info.param.precision));
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace dlc
