// The machine's copy bandwidth, the yardstick for memory-bound kernels:
// one thread per core copies its share of a 256 MiB buffer (memcpy), best
// of 20. Counts bytes read plus bytes written, as the kernel benchmarks do.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

int main() {
  const size_t bytes = size_t{256} << 20;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  char* src = static_cast<char*>(std::aligned_alloc(64, bytes));
  char* dst = static_cast<char*>(std::aligned_alloc(64, bytes));
  std::memset(src, 1, bytes);
  std::memset(dst, 0, bytes);
  double best = 1e9;
  for (int rep = 0; rep < 20; ++rep) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        size_t begin = bytes * t / threads, end = bytes * (t + 1) / threads;
        std::memcpy(dst + begin, src + begin, end - begin);
      });
    for (std::thread& th : pool) th.join();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("{\"bench\": \"copy\", \"threads\": %u, \"bytes\": %zu, \"ms\": %.3f, \"GBps\": %.2f}\n", threads,
              2 * bytes, best * 1e3, 2.0 * bytes / best / 1e9);
  std::free(src);
  std::free(dst);
  return 0;
}
