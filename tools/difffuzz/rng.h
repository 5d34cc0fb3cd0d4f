// The fuzzer's randomness: SplitMix64, so that a seed gives the same model
// and data on every platform and standard library (std:: distributions are
// implementation-defined).
#ifndef DLC_TOOLS_DIFFFUZZ_RNG_H_
#define DLC_TOOLS_DIFFFUZZ_RNG_H_

#include <cstdint>
#include <vector>

namespace dlc::difffuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (inclusive).
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  bool chance(double p) { return unit() < p; }
  // A size in [lo, hi], and a quarter of the time up to 3 * hi: most
  // tensors stay tiny, some cross vector widths and tile sizes.
  int64_t size(int64_t lo, int64_t hi) { return chance(0.25) ? range(lo, 3 * hi) : range(lo, hi); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[next() % items.size()];
  }

 private:
  uint64_t state_;
};

// Independent streams from one seed: the model's source, its data.
inline uint64_t mixSeed(uint64_t seed, uint64_t stream) { return Rng(seed ^ (stream * 0xd1b54a32d192ed03ULL)).next(); }

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_RNG_H_
