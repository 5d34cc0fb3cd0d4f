// embedding and lstm.
#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "reference/evaluators.h"
#include "support/strings.h"

namespace dlc::reference {
absl::StatusOr<int64_t> embeddingRow(const OpContext& c, const Array& ids, int64_t p, int64_t rows) {
  double id = ids[p];
  if (id >= 0 && id < static_cast<double>(rows)) return static_cast<int64_t>(id);
  // Ids beyond 2^62 (i64 only) would not convert back to int64 safely.
  std::string text = std::fabs(id) < 0x1p62 ? strCat(static_cast<int64_t>(id)) : strCat(id);
  return absl::InvalidArgumentError(strCat(c.describe(), ": id ", text, " at index ",
                                           indexString(unravel(p, ids.shape)), " is outside [0, ", rows, ")"));
}

// out[..., :] = embeddings[ids[...], :]. An id outside [0, input_dim) is the
// caller's error, never a silent read.
absl::StatusOr<Results> evalEmbedding(const OpContext& c) {
  Array out = c.result();
  const Array& ids = c.operand(0);
  const Array& table = c.operand(1);
  int64_t rows = table.shape[0], dim = table.shape[1];
  for (int64_t p = 0; p < ids.size(); ++p) {
    absl::StatusOr<int64_t> row = embeddingRow(c, ids, p, rows);
    if (!row.ok()) return row.status();
    for (int64_t k = 0; k < dim; ++k) out[p * dim + k] = table[*row * dim + k];
  }
  return out;
}

// Keras LSTM with zero initial state, tanh activation and sigmoid recurrent
// activation; gate order i, f, c, o in the last axis of the kernels:
//   z = x_t @ kernel + h @ recurrent_kernel + bias
//   i = sigmoid(z_i), f = sigmoid(z_f), g = tanh(z_c), o = sigmoid(z_o)
//   c = f * c + i * g,  h = o * tanh(c)
// The dot products are accumulated in double; h and c are rounded to the
// result dtype after each step, as a state tensor of that dtype would be.
absl::StatusOr<Results> evalLstm(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  const Array& kernel = c.operand(1);
  const Array& recurrent = c.operand(2);
  const Array& bias = c.operand(3);
  bool sequences = c.attrs().getBool("return_sequences");
  int64_t batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
  int64_t units = c.attrs().getInt("units"), gates = 4 * units;
  std::vector<double> h(static_cast<size_t>(units)), cell(static_cast<size_t>(units));
  std::vector<double> z(static_cast<size_t>(gates));
  for (int64_t n = 0; n < batch; ++n) {
    std::fill(h.begin(), h.end(), 0.0);
    std::fill(cell.begin(), cell.end(), 0.0);
    for (int64_t t = 0; t < steps; ++t) {
      const double* xt = x.data.data() + (n * steps + t) * features;
      for (int64_t g = 0; g < gates; ++g) {
        double sum = bias[g];
        for (int64_t f = 0; f < features; ++f) sum += xt[f] * kernel[f * gates + g];
        for (int64_t u = 0; u < units; ++u) sum += h[static_cast<size_t>(u)] * recurrent[u * gates + g];
        z[static_cast<size_t>(g)] = sum;
      }
      for (int64_t u = 0; u < units; ++u) {
        size_t k = static_cast<size_t>(u), n_units = static_cast<size_t>(units);
        double in = sigmoid(z[k]);
        double forget = sigmoid(z[n_units + k]);
        double candidate = std::tanh(z[2 * n_units + k]);
        double output = sigmoid(z[3 * n_units + k]);
        cell[k] = roundToDType(forget * cell[k] + in * candidate, c.dtype);
        h[k] = roundToDType(output * std::tanh(cell[k]), c.dtype);
      }
      if (sequences)
        for (int64_t u = 0; u < units; ++u) out[(n * steps + t) * units + u] = h[static_cast<size_t>(u)];
    }
    if (!sequences)
      for (int64_t u = 0; u < units; ++u) out[n * units + u] = h[static_cast<size_t>(u)];
  }
  return out;
}

}  // namespace dlc::reference
