// The CPU thread pool behind `parallel` loops of compiled kernels.
//
// One pool per process uses every core (std::thread::hardware_concurrency, or
// the environment variable DLC_NUM_THREADS). parallelFor splits [0, n) into
// one contiguous chunk per thread (static chunking, so a kernel's memory
// traffic per thread is predictable); the calling thread runs the first chunk
// itself. Workers spin briefly before sleeping, so back-to-back small kernels
// do not pay a futex wake-up each.
//
// A parallelFor issued while the pool is busy (from inside a body, or from a
// second application thread) runs serially on its caller: nested parallelism
// only oversubscribes the cores.
#ifndef DLC_RUNTIME_CPU_THREAD_POOL_H_
#define DLC_RUNTIME_CPU_THREAD_POOL_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace dlc::runtime::cpu {

class ThreadPool {
 public:
  // The body of a parallel loop: runs iterations [begin, end).
  using Body = void (*)(void* ctx, int64_t begin, int64_t end);

  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // The process-wide pool, created on first use.
  static ThreadPool& global();
  // DLC_NUM_THREADS when set to a positive number, else the core count.
  static int defaultNumThreads();

  int numThreads() const { return static_cast<int>(workers_.size()) + 1; }

  void parallelFor(int64_t n, Body body, void* ctx);

  template <typename Fn>
    requires std::is_invocable_v<Fn&, int64_t, int64_t>
  void parallelFor(int64_t n, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    parallelFor(
        n, [](void* ctx, int64_t begin, int64_t end) { (*static_cast<F*>(ctx))(begin, end); },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  struct Job {
    Body body = nullptr;
    void* ctx = nullptr;
    int64_t n = 0;
    int chunks = 0;
  };

  void workerLoop(int index);
  void runChunk(const Job& job, int index) const;
  // Spins briefly, then sleeps, until `ready()`; wake() after each change
  // of the state it reads.
  template <typename Ready>
  void await(Ready ready);
  void wake();

  std::vector<std::thread> workers_;
  std::atomic<bool> busy_{false};  // a job is running; later callers run serially
  Job job_;                        // written before generation_ is bumped
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};  // workers yet to finish the current job
  std::atomic<bool> stop_{false};
  std::mutex mutex_;  // only for sleeping: the state above is atomic
  std::condition_variable cv_;
  std::atomic<int> sleepers_{0};
};

}  // namespace dlc::runtime::cpu

// The entry generated code calls: runs body over [0, n) on the global pool.
extern "C" void dlc_cpu_parallel_for(void (*body)(void* ctx, int64_t begin, int64_t end), void* ctx, int64_t n);

#endif  // DLC_RUNTIME_CPU_THREAD_POOL_H_
