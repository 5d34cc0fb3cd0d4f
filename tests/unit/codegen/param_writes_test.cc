// Parameter writes of compiled CPU code (runtime/cpu/executor.h): into the
// caller's own tensors when it passes its parameters as the map of writes
// (a training step: no allocation per step), with every read still seeing
// the old values.
#include <memory>

#include "codegen/cpu_function.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc::codegen {
namespace {

using runtime::Tensor;

Tensor f32(std::vector<float> values) {
  Tensor t = *Tensor::zeros(ir::DType::kF32, {static_cast<int64_t>(values.size())});
  for (size_t i = 0; i < values.size(); ++i) t.values<float>()[i] = values[i];
  return t;
}

std::vector<float> valuesOf(const Tensor& t) { return {t.values<float>().begin(), t.values<float>().end()}; }

// a and b swap (each a write of the other parameter's own value), c += x.
constexpr const char* kSwapAndAdd = R"(param @a : f32[2] {init = "zeros", trainable = true}
param @b : f32[2] {init = "zeros", trainable = true}
param @c : f32[2] {init = "zeros", trainable = true}

func @f(%x: f32[2]) -> (f32[2]) {
  %a = param() {name = "a"} : f32[2]
  %b = param() {name = "b"} : f32[2]
  %c = param() {name = "c"} : f32[2]
  %0 = add(%c, %x) : f32[2]
  assign(%b) {name = "a"}
  assign(%a) {name = "b"}
  assign(%0) {name = "c"}
  return %c
}
)";

class ParamWrites : public ::testing::Test {
 protected:
  void SetUp() override {
    DiagnosticEngine diags(sources_);
    module_ = ir::parseModule(sources_, sources_.addBuffer("f.dlir", kSwapAndAdd), diags);
    ASSERT_TRUE(module_);
    auto compiled = CpuFunction::compile(*module_->functions().front(), std::vector<std::vector<int64_t>>{{2}});
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    function_ = std::move(*compiled);
    params_.emplace("a", f32({1, 2}));
    params_.emplace("b", f32({3, 4}));
    params_.emplace("c", f32({5, 6}));
  }

  SourceManager sources_;
  std::unique_ptr<ir::Module> module_;
  std::unique_ptr<CpuFunction> function_;
  runtime::TensorMap params_;
};

TEST_F(ParamWrites, LandInTheCallersTensorsInPlace) {
  const std::byte* c_memory = params_.at("c").data();
  std::vector<Tensor> inputs;
  inputs.push_back(f32({10, 20}));
  auto outputs = function_->run(inputs, params_, {}, &params_);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  EXPECT_EQ(valuesOf((*outputs)[0]), (std::vector<float>{5, 6}));  // c read before its write
  EXPECT_EQ(valuesOf(params_.at("a")), (std::vector<float>{3, 4}));
  EXPECT_EQ(valuesOf(params_.at("b")), (std::vector<float>{1, 2}));
  EXPECT_EQ(valuesOf(params_.at("c")), (std::vector<float>{15, 26}));
  EXPECT_EQ(params_.at("c").data(), c_memory);  // updated where it was
}

TEST_F(ParamWrites, GoIntoANewMapWithoutTouchingTheParameters) {
  runtime::TensorMap writes;
  std::vector<Tensor> inputs;
  inputs.push_back(f32({10, 20}));
  auto outputs = function_->run(inputs, params_, {}, &writes);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  EXPECT_EQ(writes.size(), 3u);
  EXPECT_EQ(valuesOf(writes.at("a")), (std::vector<float>{3, 4}));
  EXPECT_EQ(valuesOf(writes.at("c")), (std::vector<float>{15, 26}));
  EXPECT_EQ(valuesOf(params_.at("c")), (std::vector<float>{5, 6}));
}

}  // namespace
}  // namespace dlc::codegen
