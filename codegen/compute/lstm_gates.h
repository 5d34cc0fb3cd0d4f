// The LSTM kernels' copies of their weights (kernel, recurrent_kernel,
// bias), with the gate columns interleaved by blocks of units: column
// (u / B) * 4B + g * B + u % B holds gate g (i, f, c, o) of unit u. A block of
// 4B columns then holds every gate of B units, so a step's product can run
// a block at a time with its sums in registers and the gate maths in the
// block's epilogue. B is 16 (one AVX-512 register, two AVX2 ones) when it
// divides the units, else all of them (Keras's order, one block).
#ifndef DLC_CODEGEN_COMPUTE_LSTM_GATES_H_
#define DLC_CODEGEN_COMPUTE_LSTM_GATES_H_

#include "codegen/compute/stmt.h"

namespace dlc::codegen::cx {

// What an lstm keeps for the lstm_grad of the same operands
// (BuildContext::saved), rows n * steps + t: every step's gate activations
// (in the copies' interleaved columns), c and h.
inline constexpr const char* kSavedGates = "lstm.steps.act";
inline constexpr const char* kSavedCells = "lstm.steps.c";
inline constexpr const char* kSavedHidden = "lstm.steps.h";

struct LstmGates {
  // Appends the loops that make the copies to ctx.kernel.body.
  LstmGates(BuildContext& ctx, int64_t units, ScalarType type);

  int64_t units, units_per_block, block, count;  // block = 4 * units_per_block, count = 4 * units
  View kernel, recurrent, bias;                  // the copies: [features, count], [units, count], [count]

  // into[r, q] = bias[q] + x[r, :] @ kernel[:, q] for every row r of x
  // ([batch * steps, features]): the input projections of every step, one
  // product appended to `list` (at the top level, register tiling takes it).
  void projectInputs(kir::Kernel& k, StmtList& list, ScalarType type, const View& x, const View& into) const;

  // The column of gate g of unit u in the copies.
  ExprRef column(ExprRef u, int64_t g) const;
  // The column of the operands (g * units + u) that copied column c holds.
  ExprRef original(ExprRef c) const;
};

}  // namespace dlc::codegen::cx

#endif  // DLC_CODEGEN_COMPUTE_LSTM_GATES_H_
