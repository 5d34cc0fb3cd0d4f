// embedding and lstm.
#include <cmath>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

TEST(Embedding, LooksUpRows) {
  Tensor out = runOp(OpKind::kEmbedding,
                     tensors(tensor(DType::kI32, {2, 2}, {1, 0, 2, 1}), f32({3, 2}, {0, 1, 10, 11, 20, 21})));
  expectTensor(out, {2, 2, 2}, {10, 11, 0, 1, 20, 21, 10, 11});
}

TEST(Embedding, AnIdOutOfRangeIsAnErrorNamingTheLayer) {
  Graph g;
  Value* ids = g.input("ids", type(DType::kI64, {d(4), d(6)}));
  Value* table = g.param("embedding.embeddings", f32({1000, 2}));
  Value* out = g.op(OpKind::kEmbedding, {ids, table});
  out->setNameHint("embedding");
  std::vector<double> id_values(24, 7);
  id_values[3 * 6 + 5] = 1200;
  ParamMap params;
  params.emplace("embedding.embeddings", *Tensor::zeros(DType::kF32, {1000, 2}));
  auto r = g.run({out}, tensors(tensor(DType::kI64, {4, 6}, id_values)), params);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "embedding 'embedding': id 1200 at index [3, 5] is outside [0, 1000)");
}

TEST(Embedding, ANegativeIdIsAnErrorWithTheSourceLine) {
  Graph g;
  Value* ids = g.input("ids", type(DType::kI32, {d(2)}));
  Value* table = g.input("table", f32({3, 1}));
  Value* out = g.op(OpKind::kEmbedding, {ids, table}, {}, {}, Location{0, 7, 3});
  out->setNameHint("words");
  auto r = g.run({out}, tensors(tensor(DType::kI32, {2}, {0, -1}), f32({3, 1}, {1, 2, 3})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "embedding 'words' at line 7: id -1 at index [1] is outside [0, 3)");
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// kernel [1, 4] = [0.5, -0.5, 1, 2] (gates i, f, c, o), recurrent kernel
// [0.3, 0.2, -0.4, 0.1], bias [0, 1, 0, 0] (Keras's forget-gate bias).
Tensor lstm(Tensor x, bool sequences) {
  return runOp(
      OpKind::kLstm,
      tensors(std::move(x), f32({1, 4}, {0.5, -0.5, 1, 2}), f32({1, 4}, {0.3, 0.2, -0.4, 0.1}), f32({4}, {0, 1, 0, 0})),
      attrs({{"units", Attribute::integer(1)}, {"return_sequences", Attribute::boolean(sequences)}}));
}

TEST(Lstm, OneStepByHand) {
  // x = 1, h = c = 0: z = [0.5, -0.5 + 1, 1, 2].
  double i = sigmoid(0.5), g = std::tanh(1.0), o = sigmoid(2.0);
  double c = i * g;  // f * 0 + i * g
  double h = o * std::tanh(c);
  Tensor out = lstm(f32({1, 1, 1}, {1}), false);
  expectTensor(out, {1, 1}, {h});
  EXPECT_NEAR(h, 0.38884988443685425, 1e-12);  // the same step in NumPy
}

TEST(Lstm, TwoStepsCarryTheState) {
  // Step 2 sees x = -2 and h1, c1 from step 1; expected values from a NumPy
  // transcription of the Keras cell.
  Tensor out = lstm(f32({1, 2, 1}, {1, -2}), true);
  expectTensor(out, {1, 2, 1}, {0.38884988443685425, 0.00253621151961624});
  out = lstm(f32({1, 2, 1}, {1, -2}), false);
  expectTensor(out, {1, 1}, {0.00253621151961624});
}

TEST(Lstm, BatchElementsAreIndependent) {
  Tensor out = lstm(f32({2, 1, 1}, {1, 1}), false);
  expectTensor(out, {2, 1}, {0.38884988443685425, 0.38884988443685425});
}

TEST(Lstm, GateOrderIsInputForgetCellOutput) {
  // Two units; only the output gate of unit 1 and the cell gate of unit 0
  // get weight, so a mix-up of gate order shows. Columns: i0 i1 f0 f1 c0 c1 o0 o1.
  Tensor out = runOp(OpKind::kLstm,
                     tensors(f32({1, 1, 1}, {1}), f32({1, 8}, {0, 0, 0, 0, 3, 0, 0, 5}),
                             f32({2, 8}, std::vector<double>(16, 0)), f32({8}, std::vector<double>(8, 0))),
                     attrs({{"units", Attribute::integer(2)}}));
  // unit 0: c = 0.5 * tanh(3), h = 0.5 * tanh(c); unit 1: c = 0.5 * tanh(0) = 0, h = 0.
  double c0 = 0.5 * std::tanh(3.0);
  expectTensor(out, {1, 2}, {0.5 * std::tanh(c0), 0});
}

}  // namespace
}  // namespace dlc::reference::testing
