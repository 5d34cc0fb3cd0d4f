// dropout, random_flip, random_crop and random_crop_grad.
//
// With training=false they are the identity, the identity and a centre crop
// (offset (in - out) / 2, rounded down). With training=true they draw from a
// counter-based stream, so that a run is a pure function of the options:
//   stream = splitmix64(splitmix64(splitmix64(seed) ^ key) ^ step)
//   draw(k) = splitmix64(stream ^ k)
//   uniform(k) = (draw(k) >> 11) * 2^-53, in [0, 1)
// where seed and step are InterpretOptions::seed and ::step, key is the op's
// `key` attribute (as a 64-bit two's-complement pattern), and k counts as
// follows.
//   dropout:      k = element index; kept when uniform(k) >= rate, and then
//                 scaled by 1 / (1 - rate) (inverted dropout)
//   random_flip:  k = 2 * n for the horizontal (width) flip of image n and
//                 2 * n + 1 for the vertical (height) flip; flipped when
//                 uniform(k) < 0.5
//   random_crop:  k = 2 * n for the row offset of image n, 2 * n + 1 for its
//                 column offset; offset = floor(uniform(k) * (in - out + 1))
// The draws do not depend on where the op is or on its operand's values, so
// a backward op with the same key, in the same run and step, sees the same
// masks: dropout of the gradient with the forward op's key drops the same
// elements, random_flip of the gradient flips the same images back, and
// random_crop_grad puts the gradient back at the forward crop's offsets. Ops
// that should draw independently need different keys.
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
  Stream(uint64_t seed, uint64_t key, uint64_t step) : key_(splitmix64(splitmix64(splitmix64(seed) ^ key) ^ step)) {}
  double uniform(uint64_t k) const { return static_cast<double>(splitmix64(key_ ^ k) >> 11) * 0x1p-53; }

 private:
  uint64_t key_;
};

Stream streamFor(const OpContext& c) {
  return Stream(c.options.seed, static_cast<uint64_t>(c.attrs().getInt("key")), c.options.step);
}

bool training(const OpContext& c) { return c.attrs().getBool("training"); }

// The top-left corner of image n's crop of out_h x out_w from in_h x in_w.
struct Offset {
  int64_t top, left;
};

Offset cropOffset(const OpContext& c, int64_t n, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w) {
  if (!training(c)) return {(in_h - out_h) / 2, (in_w - out_w) / 2};
  Stream stream = streamFor(c);
  uint64_t k = 2 * static_cast<uint64_t>(n);
  auto draw = [&](uint64_t index, int64_t room) {
    return std::min<int64_t>(static_cast<int64_t>(stream.uniform(index) * static_cast<double>(room + 1)), room);
  };
  return {draw(k, in_h - out_h), draw(k + 1, in_w - out_w)};
}

// Calls cell(big_index, small_index) for every cell of the crops of
// big[N, H, W, C] to small[N, height, width, C], small_index its place in the
// crop and big_index where it comes from: random_crop and its adjoint.
template <typename F>
void forEachCropCell(const OpContext& c, const std::vector<int64_t>& big, const std::vector<int64_t>& small, F cell) {
  int64_t batch = big[0], h = big[1], w = big[2], ch = big[3];
  int64_t oh = small[1], ow = small[2];
  for (int64_t n = 0; n < batch; ++n) {
    auto [top, left] = cropOffset(c, n, h, w, oh, ow);
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t q = 0; q < ch; ++q)
          cell(((n * h + top + i) * w + left + j) * ch + q, ((n * oh + i) * ow + j) * ch + q);
  }
}

}  // namespace

absl::StatusOr<Results> evalDropout(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  double rate = c.attrs().getFloat("rate");
  if (!training(c) || rate == 0.0) {
    out.data = x.data;
    return out;
  }
  Stream stream = streamFor(c);
  double scale = 1.0 / (1.0 - rate);
  for (int64_t i = 0; i < x.size(); ++i) out[i] = stream.uniform(static_cast<uint64_t>(i)) >= rate ? x[i] * scale : 0.0;
  return out;
}

// x[N, H, W, C]; each image is flipped on its own.
absl::StatusOr<Results> evalRandomFlip(const OpContext& c) {
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
        for (int64_t q = 0; q < ch; ++q) out[((n * h + i) * w + j) * ch + q] = x[((n * h + si) * w + sj) * ch + q];
      }
  }
  return out;
}

// x[N, H, W, C] -> [N, height, width, C].
absl::StatusOr<Results> evalRandomCrop(const OpContext& c) {
  Array out = c.result();
  const Array& x = c.operand(0);
  forEachCropCell(c, x.shape, out.shape, [&](int64_t big, int64_t small) { out[small] = x[big]; });
  return out;
}

// g[N, height, width, C] and like[N, H, W, C] -> zeros like `like` with g at
// the offsets random_crop with the same key (and training flag) used: the
// adjoint of the crop.
absl::StatusOr<Results> evalRandomCropGrad(const OpContext& c) {
  Array out = c.result();
  const Array& g = c.operand(0);
  forEachCropCell(c, out.shape, g.shape, [&](int64_t big, int64_t small) { out[big] = g[small]; });
  return out;
}

}  // namespace dlc::reference
