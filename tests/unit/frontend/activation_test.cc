// `activation=` is read from the op table: "linear" and every op marked
// kActivation in ir/ops.def, each lowering to that op after the layer.
#include <string>
#include <vector>

#include "frontend/lower.h"
#include "frontend/signatures.h"
#include "gtest/gtest.h"
#include "ir/op_table.h"
#include "tests/unit/frontend/frontend_test_util.h"

namespace dlc::frontend::testing {
namespace {

TEST(Activations, NamesComeFromTheOpTable) {
  std::vector<std::string> expected = {"linear"};
  for (const ir::OpDef& def : ir::allOps())
    if (def.has(ir::kActivation)) expected.emplace_back(def.name);
  EXPECT_EQ(activationNames(), expected);
  // Today's language: exactly these, in table order.
  EXPECT_EQ(activationNames(), (std::vector<std::string>{"linear", "relu", "sigmoid", "tanh", "gelu", "softmax"}));
}

// The last op of a one-layer model's function, by name ("" if none).
std::string lastOp(const std::string& layer, std::vector<std::string>* errors = nullptr) {
  auto parsed = parse("model m(x: f32[batch, 8]) {\n  " + layer + "\n}\n");
  std::unique_ptr<ir::Module> module = lowerProgram(*parsed->program, parsed->diags);
  if (errors) *errors = parsed->messages();
  if (!module || module->functions().empty() || module->functions()[0]->ops().empty()) return "";
  return std::string(module->functions()[0]->ops().back()->name());
}

TEST(Activations, EachNameAppliesItsOp) {
  for (const std::string& name : activationNames()) {
    std::string last = lastOp("dense(4, activation=" + name + ")");
    EXPECT_EQ(last, name == "linear" ? "dense" : name) << name;
  }
}

TEST(Activations, OtherOpsAreNotActivations) {
  std::vector<std::string> errors;
  EXPECT_EQ(lastOp("dense(4, activation=exp)", &errors), "");
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("unknown activation 'exp' for 'dense'; expected one of linear, relu, sigmoid, tanh, "
                           "gelu, softmax"),
            std::string::npos)
      << errors[0];
}

}  // namespace
}  // namespace dlc::frontend::testing
