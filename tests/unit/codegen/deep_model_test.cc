// Lowering stays linear in a model's depth: a stack of 2,000 identical dense
// layers, inference and gradient, lowers to as many kernels as a stack of a
// few (steps share identical kernels, codegen/lower/plan.h), its steps and
// graph ops grow by a fixed count per layer, and its memory plan is valid.
// Counts only: no timings in unit tests (bench/cpu/deep_model.py times it).
#include <algorithm>
#include <sstream>

#include "codegen/lower/plan.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

constexpr int64_t kBatch = 32;

std::string deepModel(int depth) {
  std::string text = "model deep(x: f32[batch, 8]) {\n";
  for (int i = 0; i < depth; ++i) text += "  dense(8, activation=tanh)\n";
  text +=
      "  dense(10, activation=softmax)\n}\n\n"
      "train deep {\n  loss = categorical_crossentropy\n  optimizer = adam(learning_rate=0.001)\n}\n";
  return text;
}

struct Lowered {
  size_t graph_ops = 0;  // of the function, after the graph pipeline
  LoweredFunction function;
};

// The model at `depth` through the graph pipeline (with the training
// functions unless `function` is the model's); then `function` ("deep", "deep.grad", "deep.train_step") lowered
// for the CPU at batch kBatch.
Lowered lowerDeep(int depth, const std::string& function) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  int32_t buffer = sources.addBuffer("deep.dl", deepModel(depth));
  std::unique_ptr<ast::Program> program = frontend::parseFile(sources, diags, buffer);
  EXPECT_TRUE(program && !diags.hadError());
  if (!program) return {};
  std::unique_ptr<ir::Module> module = frontend::lowerProgram(*program, diags, {"", function != "deep"});
  EXPECT_TRUE(module && !diags.hadError());
  if (!module) return {};
  passes::PassManager pm;
  EXPECT_TRUE(passes::buildGraphPipeline(pm, /*training=*/function != "deep").ok());
  absl::Status run = pm.run(*module);
  EXPECT_TRUE(run.ok()) << run;
  const ir::Function* f = module->findFunction(function);
  EXPECT_NE(f, nullptr) << function;
  if (!f) return {};
  std::vector<std::vector<int64_t>> shapes = {{kBatch, 8}};
  if (function != "deep") shapes.push_back({kBatch, 10});
  absl::StatusOr<LoweredFunction> lowered = lowerFunction(*f, shapes);
  EXPECT_TRUE(lowered.ok()) << lowered.status();
  if (!lowered.ok()) return {};
  return Lowered{f->ops().size(), std::move(*lowered)};
}

// No two arena buffers that are live at the same step overlap in memory.
void expectValidMemoryPlan(const runtime::Executable& exe) {
  struct Live {
    int64_t begin, end;
    int first = -1, last = -1;
  };
  std::vector<Live> live(exe.slots.size());
  for (size_t s = 0; s < exe.slots.size(); ++s) {
    const runtime::Slot& slot = exe.slots[s];
    live[s].begin = slot.offset;
    live[s].end = slot.offset + std::max<int64_t>(slot.bytes, 1);
  }
  for (size_t i = 0; i < exe.steps.size(); ++i)
    for (int s : exe.steps[i].slots) {
      if (s < 0 || exe.slots[s].kind != runtime::Slot::Kind::kArena) continue;
      if (live[s].first < 0) live[s].first = static_cast<int>(i);
      live[s].last = static_cast<int>(i);
    }
  int end = static_cast<int>(exe.steps.size());
  for (int s : exe.outputs) live[s].last = end;
  for (const runtime::ParamWrite& w : exe.writes) live[w.slot].last = end;
  std::vector<int> arena;
  for (size_t s = 0; s < exe.slots.size(); ++s)
    if (exe.slots[s].kind == runtime::Slot::Kind::kArena && live[s].first >= 0) arena.push_back(static_cast<int>(s));
  int overlaps = 0;
  for (size_t a = 0; a < arena.size() && overlaps < 5; ++a)
    for (size_t b = a + 1; b < arena.size() && overlaps < 5; ++b) {
      const Live &x = live[arena[a]], &y = live[arena[b]];
      bool at_once = !(x.last < y.first || y.last < x.first);
      bool same_memory = x.begin < y.end && y.begin < x.end;
      if (at_once && same_memory) {
        ADD_FAILURE() << "slots " << arena[a] << " and " << arena[b] << " overlap";
        ++overlaps;
      }
    }
  EXPECT_LE(exe.arena_bytes, exe.unshared_bytes);
}

class DeepModel : public ::testing::TestWithParam<std::string> {};

TEST_P(DeepModel, KernelsStayFixedAndStepsGrowByLayer) {
  const std::string& function = GetParam();
  Lowered small = lowerDeep(8, function), larger = lowerDeep(9, function);
  Lowered deep = lowerDeep(2000, function);
  const runtime::Executable &a = small.function.executable, &b = larger.function.executable,
                            &c = deep.function.executable;
  ASSERT_FALSE(a.steps.empty());
  // One more layer: the same kernels, a fixed number of steps and ops more.
  size_t steps_per_layer = b.steps.size() - a.steps.size();
  size_t ops_per_layer = larger.graph_ops - small.graph_ops;
  EXPECT_GT(steps_per_layer, 0u);
  EXPECT_EQ(c.steps.size(), a.steps.size() + (2000 - 8) * steps_per_layer);
  EXPECT_EQ(deep.graph_ops, small.graph_ops + (2000 - 8) * ops_per_layer);
  EXPECT_EQ(deep.function.kernels.kernels.size(), small.function.kernels.kernels.size());
  EXPECT_EQ(c.kernels.size(), deep.function.kernels.kernels.size());
  EXPECT_LT(deep.function.kernels.kernels.size(), 40u);
  // Every step names a kernel of the module, and the plan stays valid.
  for (const runtime::Step& step : c.steps) {
    if (!step.isLibraryCall()) {
      ASSERT_LT(static_cast<size_t>(step.kernel), c.kernels.size());
    }
  }
  expectValidMemoryPlan(c);
}

INSTANTIATE_TEST_SUITE_P(Functions, DeepModel, ::testing::Values("deep", "deep.grad", "deep.train_step"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

TEST(SharedKernels, KernelsThatDifferOnlyInNamesAreOneKernel) {
  // Two layers of one shape share a kernel; a wider one has its own.
  Lowered lowered = lowerDeep(2, "deep");
  const runtime::Executable& exe = lowered.function.executable;
  ASSERT_EQ(exe.steps.size(), 4u) << runtime::describeExecutable(exe);
  EXPECT_EQ(exe.steps[0].kernel, exe.steps[1].kernel) << runtime::describeExecutable(exe);
  EXPECT_NE(exe.steps[1].kernel, exe.steps[2].kernel) << runtime::describeExecutable(exe);
  EXPECT_EQ(lowered.function.kernels.kernels.size(), 3u);
  // Each step still binds its own parameters.
  EXPECT_NE(exe.steps[0].slots, exe.steps[1].slots);
}

}  // namespace
}  // namespace dlc::codegen
