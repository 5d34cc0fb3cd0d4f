// dropout, random_flip and random_crop.
//
// With training=false they are the identity, the identity and a centre crop
// (offset (in - out) / 2, rounded down). With training=true they draw from a
// counter-based stream, so that a run is a pure function of
// InterpretOptions::seed:
//   draw(k) = splitmix64(splitmix64(splitmix64(seed) ^ op_index) ^ k)
//   uniform(k) = (draw(k) >> 11) * 2^-53, in [0, 1)
// where op_index is the op's position in the function and k counts as follows.
//   dropout:      k = element index; kept when uniform(k) >= rate, and then
//                 scaled by 1 / (1 - rate) (inverted dropout)
//   random_flip:  k = 2 * n for the horizontal (width) flip of image n and
//                 2 * n + 1 for the vertical (height) flip; flipped when
//                 uniform(k) < 0.5
//   random_crop:  k = 2 * n for the row offset of image n, 2 * n + 1 for its
//                 column offset; offset = floor(uniform(k) * (in - out + 1))
#include <algorithm>

#include "reference/evaluators.h"

namespace dlc::reference {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

class Stream {
 public:
  Stream(uint64_t seed, uint64_t op_index) : key_(splitmix64(splitmix64(seed) ^ op_index)) {}
  double uniform(uint64_t k) const {
    return static_cast<double>(splitmix64(key_ ^ k) >> 11) * 0x1p-53;
  }

 private:
  uint64_t key_;
};

Stream streamFor(const OpContext& c) { return Stream(c.options.seed, c.op_index); }

bool training(const OpContext& c) { return c.attrs().getBool("training"); }

}  // namespace

absl::StatusOr<Array> evalDropout(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  double rate = c.attrs().getFloat("rate");
  if (!training(c) || rate == 0.0) {
    out.data = x.data;
    return out;
  }
  Stream stream = streamFor(c);
  double scale = 1.0 / (1.0 - rate);
  for (int64_t i = 0; i < x.size(); ++i)
    out[i] = stream.uniform(static_cast<uint64_t>(i)) >= rate ? x[i] * scale : 0.0;
  return out;
}

// x[N, H, W, C]; each image is flipped on its own.
absl::StatusOr<Array> evalRandomFlip(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  if (!training(c)) {
    out.data = x.data;
    return out;
  }
  const std::string& mode = c.attrs().getString("mode");
  bool horizontal = mode != "vertical";
  bool vertical = mode != "horizontal";
  Stream stream = streamFor(c);
  int64_t batch = x.shape[0], h = x.shape[1], w = x.shape[2], ch = x.shape[3];
  for (int64_t n = 0; n < batch; ++n) {
    uint64_t k = 2 * static_cast<uint64_t>(n);
    bool flip_w = horizontal && stream.uniform(k) < 0.5;
    bool flip_h = vertical && stream.uniform(k + 1) < 0.5;
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        int64_t si = flip_h ? h - 1 - i : i, sj = flip_w ? w - 1 - j : j;
        for (int64_t q = 0; q < ch; ++q)
          out[((n * h + i) * w + j) * ch + q] = x[((n * h + si) * w + sj) * ch + q];
      }
  }
  return out;
}

// x[N, H, W, C] -> [N, height, width, C].
absl::StatusOr<Array> evalRandomCrop(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  int64_t batch = x.shape[0], h = x.shape[1], w = x.shape[2], ch = x.shape[3];
  int64_t oh = out.shape[1], ow = out.shape[2];
  Stream stream = streamFor(c);
  for (int64_t n = 0; n < batch; ++n) {
    int64_t top = (h - oh) / 2, left = (w - ow) / 2;
    if (training(c)) {
      uint64_t k = 2 * static_cast<uint64_t>(n);
      top = std::min<int64_t>(
          static_cast<int64_t>(stream.uniform(k) * static_cast<double>(h - oh + 1)), h - oh);
      left = std::min<int64_t>(
          static_cast<int64_t>(stream.uniform(k + 1) * static_cast<double>(w - ow + 1)), w - ow);
    }
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t q = 0; q < ch; ++q)
          out[((n * oh + i) * ow + j) * ch + q] = x[((n * h + top + i) * w + left + j) * ch + q];
  }
  return out;
}

}  // namespace dlc::reference
