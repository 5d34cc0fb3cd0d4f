#include "tests/unit/codegen_compute/harness.h"

#include <cmath>
#include <functional>
#include <random>

#include "codegen/compute/compute.h"
#include "codegen/compute/expr.h"
#include "gtest/gtest.h"
#include "ir/ir.h"
#include "reference/interpreter.h"
#include "runtime/tensor.h"
#include "support/strings.h"
#include "tests/unit/codegen_compute/kir_eval.h"

namespace dlc::codegen::testing {
namespace {

constexpr uint64_t kSeed = 0x5eed1234abcdull;
constexpr uint64_t kStep = 42;

std::vector<int64_t> unravel(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size(), 0);
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 0) continue;
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  return index;
}

double draw(const OperandSpec& s, std::mt19937_64& rng) {
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto integer = [&](int64_t lo, int64_t hi) {
    return static_cast<double>(std::uniform_int_distribution<int64_t>(lo, hi)(rng));
  };
  switch (s.fill) {
    case Fill::kUniform: return uniform(-2, 2);
    case Fill::kPositive: return uniform(0.1, 3);
    case Fill::kWide: return uniform(-30, 30);
    case Fill::kTies: return integer(0, 2);
    case Fill::kNan: return integer(0, 4) == 0 ? NAN : integer(0, 2);
    case Fill::kInfinite: {
      int64_t pick = integer(0, 19);
      return pick < 10 ? -INFINITY : pick < 12 ? INFINITY : integer(0, 2);
    }
    case Fill::kIds: return integer(0, s.bound - 1);
    case Fill::kIdsWide: return integer(-1, s.bound);
    case Fill::kNonZero: {
      double v = integer(-5, 4);
      return v >= 0 ? v + 1 : v;
    }
  }
  return 0;
}

runtime::Tensor makeTensor(const OperandSpec& s, std::mt19937_64& rng) {
  runtime::Tensor t = *runtime::Tensor::zeros(s.dtype, s.shape);
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, draw(s, rng));
  return t;
}

bool close(double have, double want, double tolerance) {
  if (std::isnan(want)) return std::isnan(have);
  if (tolerance == 0 || std::isinf(want)) return have == want;
  return std::fabs(have - want) <= tolerance * (1 + std::fabs(want));
}

// Fills the operand buffers and the run state [seed, step].
void bindInputs(KirEval& ev, const std::vector<kir::BufferId>& buffers, const std::vector<runtime::Tensor>& inputs,
                kir::BufferId run_state) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<Scalar>& b = ev.buffer(buffers[i]);
    for (int64_t k = 0; k < inputs[i].numElements(); ++k)
      b[static_cast<size_t>(k)] = fromDouble(inputs[i].get(k), inputs[i].dtype());
  }
  ev.buffer(run_state)[0] = Scalar{0, static_cast<int64_t>(kSeed)};
  ev.buffer(run_state)[1] = Scalar{0, static_cast<int64_t>(kStep)};
}

void compare(const OpCase& c, const std::vector<runtime::Tensor>& expected,
             const std::vector<std::vector<Scalar>>& got) {
  int mismatches = 0;
  for (size_t r = 0; r < expected.size(); ++r) {
    const runtime::Tensor& want = expected[r];
    ASSERT_EQ(got[r].size(), static_cast<size_t>(want.numElements()));
    for (int64_t i = 0; i < want.numElements() && mismatches < 10; ++i) {
      double have = toDouble(got[r][static_cast<size_t>(i)], want.dtype());
      if (close(have, want.get(i), c.tolerance)) continue;
      ++mismatches;
      ADD_FAILURE() << c.name << ": result " << r << " element " << i << " is " << have << ", the reference has "
                    << want.get(i);
    }
  }
}

}  // namespace

void checkCase(const OpCase& c) {
  std::optional<ir::OpKind> kind = ir::lookupOp(c.op);
  ASSERT_TRUE(kind) << c.op;
  ir::Module module;
  ir::Function* fn = module.addFunction("main");
  std::vector<ir::Value*> args;
  std::vector<runtime::Tensor> inputs;
  std::mt19937_64 rng(std::hash<std::string>{}(c.name));
  OpTypes types;
  for (size_t i = 0; i < c.operands.size(); ++i) {
    const OperandSpec& s = c.operands[i];
    ir::TensorType t{s.dtype, {}};
    for (int64_t d : s.shape) t.dims.push_back(ir::Dim::fixed(d));
    args.push_back(fn->addArgument(t, strCat("x", i)));
    inputs.push_back(makeTensor(s, rng));
    types.operand_dtypes.push_back(s.dtype);
    types.operand_shapes.push_back(s.shape);
  }
  absl::StatusOr<ir::Operation*> op = fn->append(*kind, args, c.attrs);
  ASSERT_TRUE(op.ok()) << op.status();
  std::vector<ir::Value*> outputs;
  for (size_t r = 0; r < (*op)->numResults(); ++r) outputs.push_back((*op)->result(r));
  fn->setOutputs(outputs);
  reference::InterpretOptions options;
  options.seed = kSeed;
  options.step = kStep;
  absl::StatusOr<std::vector<runtime::Tensor>> expected = reference::interpret(module, *fn, inputs, {}, options);
  ASSERT_TRUE(expected.ok()) << expected.status();
  for (const runtime::Tensor& t : *expected) {
    types.result_dtypes.push_back(t.dtype());
    types.result_shapes.push_back(t.shape());
  }

  kir::Kernel kernel;
  kernel.name = c.name;
  std::vector<kir::BufferId> operand_buffers, result_buffers;
  for (size_t i = 0; i < inputs.size(); ++i)
    operand_buffers.push_back(
        kernel.addBuffer({strCat("x", i), inputs[i].dtype(), inputs[i].numElements(), kir::BufferRole::kIn}));
  for (size_t r = 0; r < expected->size(); ++r)
    result_buffers.push_back(kernel.addBuffer(
        {strCat("y", r), (*expected)[r].dtype(), (*expected)[r].numElements(), kir::BufferRole::kOut}));
  kir::BufferId run_state = kernel.addBuffer({"run_state", kir::ScalarType::kI64, 2, kir::BufferRole::kIn});

  const OpLowering& lowering = opLowering(*kind);
  ASSERT_TRUE((lowering.compute != nullptr) != (lowering.build != nullptr))
      << c.op << " needs exactly one of compute and build";
  // Lower: one expression per result (over index vars), or statements.
  std::vector<kir::ExprRef> exprs;
  std::vector<std::vector<kir::Var>> vars(expected->size());
  if (lowering.compute) {
    // Operands are loads whose index must be in range on every dim: an
    // out-of-range one loads from -1, which the evaluator reports.
    auto operand = [&](size_t i, std::vector<kir::ExprRef> index) -> kir::ExprRef {
      const std::vector<int64_t>& shape = types.operand_shapes[i];
      EXPECT_EQ(index.size(), shape.size()) << "operand " << i << " of " << c.op;
      kir::ExprRef ok = kir::constant(kir::ScalarType::kBool, 1);
      for (size_t d = 0; d < index.size() && d < shape.size(); ++d) ok = cx::both(ok, cx::inRange(index[d], shape[d]));
      kir::ExprRef flat = cx::select(ok, cx::linearize(index, shape), cx::idx(-1));
      return kir::load(operand_buffers[i], types.operand_dtypes[i], flat);
    };
    for (size_t r = 0; r < expected->size(); ++r) {
      cx::Index index;
      for (size_t d = 0; d < types.result_shapes[r].size(); ++d) {
        vars[r].push_back(kernel.newVar(kir::ScalarType::kI64, strCat("i", d)));
        index.push_back(kir::var(vars[r].back()));
      }
      ComputeContext ctx{**op, types, kernel, RunState{run_state}, operand};
      absl::StatusOr<kir::ExprRef> e = lowering.compute(ctx, r, index);
      ASSERT_TRUE(e.ok()) << e.status();
      ASSERT_EQ((*e)->type, types.result_dtypes[r]);
      exprs.push_back(*e);
    }
  } else {
    BuildContext ctx{**op, types, kernel, RunState{run_state}, operand_buffers, result_buffers};
    absl::Status built = lowering.build(ctx);
    ASSERT_TRUE(built.ok()) << built;
  }

  // Evaluate, with either answer of min/max on NaN when the inputs hold NaN:
  // a lowering must not depend on it.
  bool has_nan = false;
  for (const OperandSpec& s : c.operands) has_nan |= s.fill == Fill::kNan;
  for (bool nan_wins : {false, true}) {
    if (nan_wins && !has_nan) break;
    SCOPED_TRACE(nan_wins ? "min/max of NaN is NaN" : "min/max of NaN is the other operand");
    std::vector<std::vector<Scalar>> got(expected->size());
    KirEval ev(kernel);
    ev.setNanWins(nan_wins);
    bindInputs(ev, operand_buffers, inputs, run_state);
    if (lowering.compute) {
      for (size_t r = 0; r < exprs.size(); ++r) {
        int64_t count = (*expected)[r].numElements();
        for (int64_t flat = 0; flat < count; ++flat) {
          std::vector<int64_t> at = unravel(flat, types.result_shapes[r]);
          for (size_t d = 0; d < vars[r].size(); ++d) ev.bind(vars[r][d], Scalar{0, at[d]});
          got[r].push_back(ev.eval(exprs[r]));
          ASSERT_EQ(ev.error(), "") << "at element " << flat;
        }
      }
    } else {
      ev.run(kernel.body);
      ASSERT_EQ(ev.error(), "");
      for (size_t r = 0; r < result_buffers.size(); ++r) got[r] = ev.buffer(result_buffers[r]);
    }
    compare(c, *expected, got);
  }
}

}  // namespace dlc::codegen::testing
