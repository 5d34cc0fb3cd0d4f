// Builds small graphs with the IR API and runs them through the reference
// interpreter; helpers to make tensors and compare results.
#ifndef DLC_TESTS_UNIT_REFERENCE_TEST_GRAPH_H_
#define DLC_TESTS_UNIT_REFERENCE_TEST_GRAPH_H_

#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ir.h"
#include "reference/interpreter.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::reference::testing {

using namespace dlc::testing;  // NOLINT: the shared IR builders

// `type("f32", {"batch", 4})`-like: dims given as ints; symbolic ones by name.
inline TensorType type(DType dtype, std::vector<Dim> dims) { return TensorType{dtype, std::move(dims)}; }
inline Dim d(int64_t size) { return Dim::fixed(size); }
inline Dim sym(std::string name) { return Dim::symbolic(std::move(name)); }
inline TensorType f32(std::vector<int64_t> shape) {
  TensorType t{DType::kF32, {}};
  for (int64_t s : shape) t.dims.push_back(Dim::fixed(s));
  return t;
}

inline Tensor f32(std::vector<int64_t> shape, const std::vector<double>& values) {
  return tensor(DType::kF32, std::move(shape), values);
}

// Tensors are move-only, so lists of them are built by moving.
template <typename... Ts>
std::vector<Tensor> tensors(Ts&&... ts) {
  std::vector<Tensor> v;
  (v.push_back(std::move(ts)), ...);
  return v;
}

inline std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.numElements(); ++i) out.push_back(t.get(i));
  return out;
}

// Checks shape and values within `tolerance` (absolute plus relative).
inline void expectTensor(const Tensor& t, std::vector<int64_t> shape, const std::vector<double>& expected,
                         double tolerance = 1e-6) {
  EXPECT_EQ(t.shape(), shape);
  ASSERT_EQ(static_cast<size_t>(t.numElements()), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    double got = t.get(static_cast<int64_t>(i));
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got)) << "at " << i;
      continue;
    }
    if (std::isinf(expected[i])) {
      EXPECT_EQ(got, expected[i]) << "at " << i;
      continue;
    }
    EXPECT_NEAR(got, expected[i], tolerance * (1 + std::fabs(expected[i]))) << "at " << i;
  }
}

class Graph {
 public:
  Graph() : fn_(module_.addFunction("main")) {}

  Value* input(std::string name, TensorType t) {
    Value* v = fn_->addArgument(std::move(t), name);
    v->setNameHint(name);
    return v;
  }

  Value* op(OpKind kind, std::vector<Value*> operands, Attrs a = {}, std::vector<TensorType> given = {},
            Location loc = {}) {
    auto r = fn_->append(kind, std::move(operands), std::move(a), loc, std::move(given));
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    return (*r)->result();
  }

  // A declared parameter and the op that reads it.
  Value* param(std::string name, TensorType t) {
    module_.params().push_back({name, t, {}, {}});
    Value* v = op(OpKind::kParam, {}, attrs({{"name", Attribute::string(name)}}), {t});
    if (v) v->setNameHint(name);
    return v;
  }

  Value* constant(TensorType t, std::vector<double> values) {
    return op(OpKind::kConstant, {}, attrs({{"value", Attribute::floatList(std::move(values))}}), {std::move(t)});
  }

  absl::StatusOr<std::vector<Tensor>> run(std::vector<Value*> outputs, const std::vector<Tensor>& inputs,
                                          const ParamMap& params = {}, InterpretOptions options = {}) {
    fn_->setOutputs(std::move(outputs));
    return interpret(module_, *fn_, inputs, params, options);
  }

  // Runs and expects success with one output.
  Tensor run1(Value* output, const std::vector<Tensor>& inputs, const ParamMap& params = {},
              InterpretOptions options = {}) {
    auto r = run({output}, inputs, params, options);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->empty()) return Tensor();
    return std::move((*r)[0]);
  }

  ir::Module& module() { return module_; }
  ir::Function& function() { return *fn_; }

 private:
  ir::Module module_;
  ir::Function* fn_;
};

// Runs a one-op graph on the given operand tensors, all passed as inputs.
inline Tensor runOp(OpKind kind, const std::vector<Tensor>& operands, Attrs a = {}) {
  Graph g;
  std::vector<Value*> args;
  for (size_t i = 0; i < operands.size(); ++i) {
    TensorType t{operands[i].dtype(), {}};
    for (int64_t s : operands[i].shape()) t.dims.push_back(Dim::fixed(s));
    std::string name = "x";
    name += std::to_string(i);
    args.push_back(g.input(name, t));
  }
  Value* out = g.op(kind, args, std::move(a));
  if (!out) return Tensor();
  return g.run1(out, operands);
}

}  // namespace dlc::reference::testing

#endif  // DLC_TESTS_UNIT_REFERENCE_TEST_GRAPH_H_
