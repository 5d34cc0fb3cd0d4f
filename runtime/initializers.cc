#include "runtime/initializers.h"

#include <cmath>
#include <numbers>

#include "absl/status/status.h"
#include "support/strings.h"

namespace dlc::runtime {
namespace {

// FNV-1a: a stable hash of the stream name, the same on every platform.
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Keras's fan computation: [in, out] for matrices, receptive field times
// channels for convolution kernels [kh, kw, in, out].
std::pair<double, double> fans(const std::vector<int64_t>& shape) {
  if (shape.empty()) return {1, 1};
  if (shape.size() == 1) return {double(shape[0]), double(shape[0])};
  double receptive = 1;
  for (size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

// Keras's Orthogonal(gain=1): QR of a normal matrix [rows, cols] (transposed
// when rows < cols), with the signs of R's diagonal folded into Q.
void orthogonal(Tensor& t, Random& rng) {
  const auto& shape = t.shape();
  int64_t cols = shape.empty() ? 1 : shape.back();
  int64_t rows = cols == 0 ? 0 : t.numElements() / cols;
  bool transposed = rows < cols;
  int64_t m = transposed ? cols : rows, n = transposed ? rows : cols;  // m >= n
  std::vector<double> a(static_cast<size_t>(m * n));
  for (double& v : a) v = rng.normal();
  // Modified Gram-Schmidt on the n columns of the m x n matrix, twice for
  // stability; r_jj's sign is kept positive, which is q *= sign(diag(r)).
  for (int64_t j = 0; j < n; ++j) {
    for (int pass = 0; pass < 2; ++pass)
      for (int64_t k = 0; k < j; ++k) {
        double dot = 0;
        for (int64_t i = 0; i < m; ++i) dot += a[i * n + k] * a[i * n + j];
        for (int64_t i = 0; i < m; ++i) a[i * n + j] -= dot * a[i * n + k];
      }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += a[i * n + j] * a[i * n + j];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < m; ++i) a[i * n + j] = norm > 0 ? a[i * n + j] / norm : 0;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t.set(r * cols + c, transposed ? a[c * n + r] : a[r * n + c]);
}

}  // namespace

Random::Random(uint64_t seed, std::string_view stream) : state_(seed ^ fnv1a(stream)) {}

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Random::normal() {
  double u1 = 1.0 - uniform();  // (0, 1]
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

absl::StatusOr<Tensor> initializeParameter(std::string_view name, DType dtype, const std::vector<int64_t>& shape,
                                           const ir::Attrs& attrs, uint64_t seed) {
  absl::StatusOr<Tensor> made = Tensor::zeros(dtype, shape);
  if (!made.ok()) return made.status();
  Tensor t = std::move(*made);
  const ir::Attribute* init_attr = attrs.find("init");
  std::string init = init_attr && init_attr->kind() == ir::AttrKind::kString ? init_attr->asString() : "zeros";
  Random rng(seed, name);
  auto number = [&](std::string_view key, double fallback) {
    const ir::Attribute* a = attrs.find(key);
    if (!a) return fallback;
    if (a->kind() == ir::AttrKind::kFloat) return a->asFloat();
    if (a->kind() == ir::AttrKind::kInt) return static_cast<double>(a->asInt());
    return fallback;
  };
  if (init == "zeros") return t;
  if (init == "ones") {
    for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, 1.0);
    return t;
  }
  if (init == "constant") {  // optimizer hyper-parameters kept as state (learning rate)
    double value = number("value", 0.0);
    for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, value);
    return t;
  }
  if (init == "glorot_uniform" || init == "uniform") {
    double lo, hi;
    if (init == "uniform") {
      lo = number("minval", -0.05);
      hi = number("maxval", 0.05);
    } else {
      auto [fan_in, fan_out] = fans(shape);
      hi = std::sqrt(6.0 / std::max(1.0, fan_in + fan_out));
      lo = -hi;
    }
    for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, lo + (hi - lo) * rng.uniform());
    return t;
  }
  if (init == "orthogonal") {
    orthogonal(t, rng);
    return t;
  }
  if (init == "unit_forget_bias") {
    int64_t units = t.numElements() / 4;
    for (int64_t i = units; i < 2 * units; ++i) t.set(i, 1.0);
    return t;
  }
  return absl::InvalidArgumentError(strCat("parameter '", name, "' has unknown initializer '", init, "'"));
}

}  // namespace dlc::runtime
