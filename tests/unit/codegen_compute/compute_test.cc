// Every op's lowering against the reference interpreter (harness.h), and a
// check that the cases cover every op of ir/ops.def.
#include "codegen/compute/compute.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "ir/op_table.h"
#include "tests/unit/codegen_compute/harness.h"

namespace dlc::codegen::testing {
namespace {

std::vector<OpCase> allCases() {
  std::vector<OpCase> all;
  for (auto family : {elementwiseCases, layerCases, shapeCases, randomCases, backwardCases})
    for (OpCase& c : family()) all.push_back(std::move(c));
  return all;
}

class LoweringTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(LoweringTest, MatchesReference) { checkCase(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Ops, LoweringTest, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; });

// The planner binds these; every other op has a compute or a builder.
bool boundByPlanner(ir::OpKind kind) {
  return kind == ir::OpKind::kParam || kind == ir::OpKind::kConstant || kind == ir::OpKind::kAssign;
}

TEST(LoweringTable, EveryOpHasOneLoweringAndCases) {
  std::set<std::string> tested;
  for (const OpCase& c : allCases()) tested.insert(c.op);
  for (const ir::OpDef& def : ir::allOps()) {
    const OpLowering& lowering = opLowering(def.kind);
    if (boundByPlanner(def.kind)) {
      EXPECT_FALSE(lowering.compute || lowering.build) << def.name;
      continue;
    }
    EXPECT_TRUE((lowering.compute != nullptr) != (lowering.build != nullptr)) << def.name;
    EXPECT_TRUE(tested.contains(std::string(def.name))) << def.name << " has no test case";
  }
}

}  // namespace
}  // namespace dlc::codegen::testing
