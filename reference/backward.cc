// The ops that gradients introduce: shape plumbing (sum_to, broadcast_to,
// slice, pad) and the backward ops of layers. Each is written from the
// forward evaluator's definition, as plain loops in double, and shares no
// code with the gradient rules (ir/gradients/) that emit them, so that the
// oracle does not share their mistakes. random_crop_grad lives in random.cc
// beside the crop offsets it shares with random_crop.
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "reference/evaluators.h"
#include "reference/windows.h"
#include "support/strings.h"

namespace dlc::reference {
// --------------------------------------------------------- shape plumbing

// x summed down to like's shape: each element of x adds into the element of
// the result it broadcasts from.
absl::StatusOr<Results> evalSumTo(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  IndexWalker walk(x.shape, {broadcastStrides(out.shape, x.shape)});
  for (int64_t i = 0; i < x.size(); ++i, walk.next()) out[walk.offset(0)] += x[i];
  return out;
}

// x repeated to like's shape (NumPy broadcasting).
absl::StatusOr<Results> evalBroadcastTo(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  IndexWalker walk(out.shape, {broadcastStrides(x.shape, out.shape)});
  for (int64_t i = 0; i < out.size(); ++i, walk.next()) out[i] = x[walk.offset(0)];
  return out;
}

// The elements [start, start + size) of x on `axis`.
absl::StatusOr<Results> evalSlice(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  int64_t axis = normalizeAxis(c.attrs().getInt("axis"), x.rank());
  int64_t start = c.attrs().getInt("start");
  AxisSplit in(x.shape, axis), sliced(out.shape, axis);
  for (int64_t o = 0; o < sliced.outer; ++o)
    for (int64_t a = 0; a < sliced.len; ++a)
      for (int64_t i = 0; i < sliced.inner; ++i) out[sliced.at(o, a, i)] = x[in.at(o, start + a, i)];
  return out;
}

// x with `before` zeros ahead of it and `after` zeros behind it on `axis`.
absl::StatusOr<Results> evalPad(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  int64_t axis = normalizeAxis(c.attrs().getInt("axis"), x.rank());
  int64_t before = c.attrs().getInt("before");
  AxisSplit in(x.shape, axis), padded(out.shape, axis);
  for (int64_t o = 0; o < in.outer; ++o)
    for (int64_t a = 0; a < in.len; ++a)
      for (int64_t i = 0; i < in.inner; ++i) out[padded.at(o, before + a, i)] = x[in.at(o, a, i)];
  return out;
}

// ------------------------------------------------------------- convolution

// (g, kernel, like) -> dx: every tap x[a] * kernel[b] -> y[o] of the forward
// conv2d gives dx[a] += g[o] * kernel[b].
absl::StatusOr<Results> evalConv2dGradInput(const OpContext& c) {
  Array dx = c.result();
  const Array& g = c.operand(0);
  const Array& kernel = c.operand(1);
  Conv k = convGeometry(c, dx.shape, kernel.shape, g.shape);
  forEachTap(k, [&](int64_t a, int64_t b, int64_t o) { dx[a] += g[o] * kernel[b]; });
  return dx;
}

// (x, g, like) -> dkernel: every tap gives dkernel[b] += x[a] * g[o].
absl::StatusOr<Results> evalConv2dGradKernel(const OpContext& c) {
  Array dk = c.result();
  const Array& x = c.operand(0);
  const Array& g = c.operand(1);
  Conv k = convGeometry(c, x.shape, dk.shape, g.shape);
  forEachTap(k, [&](int64_t a, int64_t b, int64_t o) { dk[b] += x[a] * g[o]; });
  return dk;
}

// (x, g) -> dx: each window's gradient goes to one cell, the first maximum of
// the window in row-major order (PyTorch's choice: with ties, one cell gets
// all of it rather than a share each). NaN counts as larger than any number,
// as in the forward pool, so a window holding NaN sends its gradient to its
// first NaN. Overlapping windows that pick the same cell add up there.
absl::StatusOr<Results> evalMaxpool2dGrad(const OpContext& c) {
  Array dx = c.result();
  const Array& x = c.operand(0);
  const Array& g = c.operand(1);
  Pool p = poolGeometry(c, x.shape, g.shape);
  forEachOutput(p, [&](int64_t n, int64_t y, int64_t z, int64_t k, int64_t o) {
    int64_t best = -1;
    double best_value = 0;
    forWindow(p, n, y, z, k, [&](int64_t a) {
      double v = x[a];
      if (best >= 0 && std::isnan(best_value)) return;
      if (best < 0 || std::isnan(v) || v > best_value) {
        best = a;
        best_value = v;
      }
    });
    if (best >= 0) dx[best] += g[o];
  });
  return dx;
}

// (x, g) -> dx: each window spreads g / count over its valid cells, count
// being the number of valid cells (padding is not counted, as in the
// forward pool).
absl::StatusOr<Results> evalAvgpool2dGrad(const OpContext& c) {
  Array dx = c.result();
  const Array& g = c.operand(1);
  Pool p = poolGeometry(c, dx.shape, g.shape);
  forEachOutput(p, [&](int64_t n, int64_t y, int64_t z, int64_t k, int64_t o) {
    int64_t count = 0;
    forWindow(p, n, y, z, k, [&](int64_t) { ++count; });
    if (count == 0) return;
    double share = g[o] / static_cast<double>(count);
    forWindow(p, n, y, z, k, [&](int64_t a) { dx[a] += share; });
  });
  return dx;
}

// ------------------------------------------------------------- reductions

// (x, g) -> dx: each reduced group's gradient is split equally among the
// cells equal to its maximum (NaN cells, when the maximum is NaN), as
// TensorFlow's gradient of reduce_max does; the other cells get 0. `axes`
// empty means every axis, as in reduce_max.
absl::StatusOr<Results> evalReduceMaxGrad(const OpContext& c) {
  Array dx = c.result();
  const Array& x = c.operand(0);
  const Array& g = c.operand(1);
  const std::vector<int64_t>& axes = c.attrs().getIntList("axes");
  std::vector<bool> reduced(x.shape.size(), axes.empty());
  for (int64_t a : axes) reduced[static_cast<size_t>(normalizeAxis(a, x.rank()))] = true;
  // Strides into the groups (g's elements, row-major over the kept axes).
  std::vector<int64_t> kept;
  for (size_t d = 0; d < x.shape.size(); ++d)
    if (!reduced[d]) kept.push_back(x.shape[d]);
  std::vector<int64_t> kept_strides = rowMajorStrides(kept);
  std::vector<int64_t> strides(x.shape.size(), 0);
  for (size_t d = 0, k = 0; d < x.shape.size(); ++d)
    if (!reduced[d]) strides[d] = kept_strides[k++];

  std::vector<double> best(static_cast<size_t>(g.size()), -std::numeric_limits<double>::infinity());
  std::vector<int64_t> ties(static_cast<size_t>(g.size()), 0);
  // Calls cell(i, j) for every element i of x, j being its group.
  auto forEachCell = [&](auto cell) {
    IndexWalker walk(x.shape, {strides});
    for (int64_t i = 0; i < x.size(); ++i, walk.next()) cell(i, static_cast<size_t>(walk.offset(0)));
  };
  forEachCell([&](int64_t i, size_t j) {
    double& m = best[j];
    if (!std::isnan(m) && (std::isnan(x[i]) || x[i] > m)) m = x[i];
  });
  auto isMax = [](double v, double m) { return std::isnan(m) ? std::isnan(v) : v == m; };
  forEachCell([&](int64_t i, size_t j) {
    if (isMax(x[i], best[j])) ++ties[j];
  });
  forEachCell([&](int64_t i, size_t j) {
    if (isMax(x[i], best[j])) dx[i] = g[static_cast<int64_t>(j)] / static_cast<double>(ties[j]);
  });
  return dx;
}

// ----------------------------------------------------------- normalization

// Training-mode batchnorm backward. With per-channel batch statistics over
// the m = outer * inner cells of channel a (biased variance),
// xhat = (x - mean) / sqrt(var + epsilon) and y = gamma * xhat + beta:
//   dbeta[a]  = sum g
//   dgamma[a] = sum g * xhat
//   dx = gamma[a] / sqrt(var + epsilon) * (g - dbeta[a] / m - xhat * dgamma[a] / m)
absl::StatusOr<Results> evalBatchnormGrad(const OpContext& c) {
  const Array& x = c.operand(0);
  const Array& gamma = c.operand(1);
  const Array& g = c.operand(2);
  Array dx = c.result(0), dgamma = c.result(1), dbeta = c.result(2);
  double epsilon = c.attrs().getFloat("epsilon");
  AxisSplit s(x.shape, normalizeAxis(c.attrs().getInt("axis"), x.rank()));
  int64_t m = s.outer * s.inner;
  if (m == 0) return std::vector<Array>{dx, dgamma, dbeta};
  for (int64_t a = 0; a < s.len; ++a) {
    auto [mean, variance] = momentsAcross(x, s, a);
    double inv = 1.0 / std::sqrt(variance + epsilon);
    double sum_g = 0, sum_gx = 0;
    for (int64_t o = 0; o < s.outer; ++o)
      for (int64_t i = 0; i < s.inner; ++i) {
        int64_t p = s.at(o, a, i);
        sum_g += g[p];
        sum_gx += g[p] * (x[p] - mean) * inv;
      }
    dbeta[a] = sum_g;
    dgamma[a] = sum_gx;
    for (int64_t o = 0; o < s.outer; ++o)
      for (int64_t i = 0; i < s.inner; ++i) {
        int64_t p = s.at(o, a, i);
        double xhat = (x[p] - mean) * inv;
        dx[p] = gamma[a] * inv * (g[p] - sum_g / static_cast<double>(m) - xhat * sum_gx / static_cast<double>(m));
      }
  }
  return std::vector<Array>{std::move(dx), std::move(dgamma), std::move(dbeta)};
}

// layernorm backward. For each position of the other axes, the L cells on
// `axis` have xhat = (x - mean) / sqrt(var + epsilon) and
// y = xhat * gamma + beta; with h = g * gamma:
//   dx = (h - sum h / L - xhat * sum(h * xhat) / L) / sqrt(var + epsilon)
//   dgamma[a] = sum over positions of g * xhat,  dbeta[a] = sum of g
absl::StatusOr<Results> evalLayernormGrad(const OpContext& c) {
  const Array& x = c.operand(0);
  const Array& gamma = c.operand(1);
  const Array& g = c.operand(2);
  Array dx = c.result(0), dgamma = c.result(1), dbeta = c.result(2);
  double epsilon = c.attrs().getFloat("epsilon");
  AxisSplit s(x.shape, normalizeAxis(c.attrs().getInt("axis"), x.rank()));
  if (s.len == 0) return std::vector<Array>{dx, dgamma, dbeta};
  double len = static_cast<double>(s.len);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      auto [mean, variance] = momentsAlong(x, s, o, i);
      double inv = 1.0 / std::sqrt(variance + epsilon);
      double sum_h = 0, sum_hx = 0;
      for (int64_t a = 0; a < s.len; ++a) {
        int64_t p = s.at(o, a, i);
        double xhat = (x[p] - mean) * inv;
        double h = g[p] * gamma[a];
        sum_h += h;
        sum_hx += h * xhat;
        dgamma[a] += g[p] * xhat;
        dbeta[a] += g[p];
      }
      for (int64_t a = 0; a < s.len; ++a) {
        int64_t p = s.at(o, a, i);
        double xhat = (x[p] - mean) * inv;
        dx[p] = inv * (g[p] * gamma[a] - sum_h / len - xhat * sum_hx / len);
      }
    }
  return std::vector<Array>{std::move(dx), std::move(dgamma), std::move(dbeta)};
}

// -------------------------------------------------------------- sequences

// (ids, g, like) -> a zero table shaped like `like` ([V, D]) with each row
// g[p, :] added into row ids[p]. An id outside [0, V) is the caller's error,
// as in embedding.
absl::StatusOr<Results> evalEmbeddingGrad(const OpContext& c) {
  Array out = c.result();
  const Array& ids = c.operand(0);
  const Array& g = c.operand(1);
  int64_t rows = out.shape[0], dim = out.shape[1];
  for (int64_t p = 0; p < ids.size(); ++p) {
    absl::StatusOr<int64_t> row = embeddingRow(c, ids, p, rows);
    if (!row.ok()) return row.status();
    for (int64_t k = 0; k < dim; ++k) out[*row * dim + k] += g[p * dim + k];
  }
  return out;
}

// Backpropagation through time of the Keras LSTM that evalLstm computes
// (gate order i, f, c, o; zero initial state; h and c rounded to x's dtype
// after each step, as there). Per sequence, the forward pass is run again,
// keeping each step's gates and states; then, from the last step back, with
// dh the gradient reaching h_t (from g and from step t + 1) and dc the one
// reaching c_t from step t + 1:
//   dc += dh * o * (1 - tanh(c_t)^2)
//   dz_i = dc * cand * i (1 - i)      dz_f = dc * c_{t-1} * f (1 - f)
//   dz_c = dc * i * (1 - cand^2)      dz_o = dh * tanh(c_t) * o (1 - o)
//   dbias += dz,  dkernel += x_t^T dz,  drecurrent_kernel += h_{t-1}^T dz
//   dx_t = dz kernel^T,  dh for step t - 1 = dz recurrent_kernel^T,
//   dc for step t - 1 = dc * f
absl::StatusOr<Results> evalLstmGrad(const OpContext& c) {
  const Array& x = c.operand(0);
  const Array& kernel = c.operand(1);
  const Array& recurrent = c.operand(2);
  const Array& bias = c.operand(3);
  const Array& g = c.operand(4);
  Array dx = c.result(0), dkernel = c.result(1), drecurrent = c.result(2), dbias = c.result(3);
  bool sequences = c.attrs().getBool("return_sequences");
  int64_t batch = x.shape[0], steps = x.shape[1], features = x.shape[2];
  int64_t units = c.attrs().getInt("units"), gates = 4 * units;
  ir::DType dtype = c.dtypes[0];
  auto at = [](std::vector<double>& v, int64_t i) -> double& { return v[static_cast<size_t>(i)]; };

  // Per step t: the gate activations (i, f, cand, o), c_t and h_t.
  std::vector<double> act(static_cast<size_t>(steps * gates));
  std::vector<double> cell(static_cast<size_t>(steps * units)), hidden(cell.size());
  std::vector<double> dh(static_cast<size_t>(units)), dc(dh.size()), dz(static_cast<size_t>(gates));
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t t = 0; t < steps; ++t) {
      const double* xt = x.data.data() + (n * steps + t) * features;
      for (int64_t q = 0; q < gates; ++q) {
        double sum = bias[q];
        for (int64_t f = 0; f < features; ++f) sum += xt[f] * kernel[f * gates + q];
        if (t > 0)
          for (int64_t u = 0; u < units; ++u) sum += at(hidden, (t - 1) * units + u) * recurrent[u * gates + q];
        at(act, t * gates + q) = q / units == 2 ? std::tanh(sum) : sigmoid(sum);
      }
      for (int64_t u = 0; u < units; ++u) {
        const double* a = act.data() + t * gates;
        double prev = t > 0 ? at(cell, (t - 1) * units + u) : 0.0;
        double ct = roundToDType(a[units + u] * prev + a[u] * a[2 * units + u], dtype);
        at(cell, t * units + u) = ct;
        at(hidden, t * units + u) = roundToDType(a[3 * units + u] * std::tanh(ct), dtype);
      }
    }

    std::fill(dh.begin(), dh.end(), 0.0);
    std::fill(dc.begin(), dc.end(), 0.0);
    for (int64_t t = steps - 1; t >= 0; --t) {
      if (sequences)
        for (int64_t u = 0; u < units; ++u) at(dh, u) += g[(n * steps + t) * units + u];
      else if (t == steps - 1)
        for (int64_t u = 0; u < units; ++u) at(dh, u) += g[n * units + u];
      const double* a = act.data() + t * gates;
      for (int64_t u = 0; u < units; ++u) {
        double in = a[u], forget = a[units + u], cand = a[2 * units + u], out = a[3 * units + u];
        double tanh_c = std::tanh(at(cell, t * units + u));
        double prev = t > 0 ? at(cell, (t - 1) * units + u) : 0.0;
        double dcu = at(dc, u) + at(dh, u) * out * (1 - tanh_c * tanh_c);
        at(dz, u) = dcu * cand * in * (1 - in);
        at(dz, units + u) = dcu * prev * forget * (1 - forget);
        at(dz, 2 * units + u) = dcu * in * (1 - cand * cand);
        at(dz, 3 * units + u) = at(dh, u) * tanh_c * out * (1 - out);
        at(dc, u) = dcu * forget;
      }
      const double* xt = x.data.data() + (n * steps + t) * features;
      for (int64_t q = 0; q < gates; ++q) {
        double d = at(dz, q);
        dbias[q] += d;
        for (int64_t f = 0; f < features; ++f) dkernel[f * gates + q] += xt[f] * d;
        if (t > 0)
          for (int64_t u = 0; u < units; ++u) drecurrent[u * gates + q] += at(hidden, (t - 1) * units + u) * d;
      }
      for (int64_t f = 0; f < features; ++f) {
        double sum = 0;
        for (int64_t q = 0; q < gates; ++q) sum += at(dz, q) * kernel[f * gates + q];
        dx[(n * steps + t) * features + f] = sum;
      }
      for (int64_t u = 0; u < units; ++u) {
        double sum = 0;
        for (int64_t q = 0; q < gates; ++q) sum += at(dz, q) * recurrent[u * gates + q];
        at(dh, u) = sum;
      }
    }
  }
  return std::vector<Array>{std::move(dx), std::move(dkernel), std::move(drecurrent), std::move(dbias)};
}

}  // namespace dlc::reference
