#include "runtime/cpu/thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "support/env.h"

namespace dlc::runtime::cpu {
namespace {

// Long enough to cover the gap between two small kernels, short enough that
// an idle pool does not burn a core (tens of microseconds).
constexpr int kSpinIterations = 1 << 12;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

template <typename Ready>
void ThreadPool::await(Ready ready) {
  for (int i = 0; i < kSpinIterations; ++i) {
    if (ready()) return;
    cpuRelax();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  // seq_cst on both sides: either wake() sees this sleeper, or ready() sees
  // the change that wake() follows.
  sleepers_.fetch_add(1);
  cv_.wait(lock, ready);
  sleepers_.fetch_sub(1);
}

void ThreadPool::wake() {
  if (sleepers_.load() == 0) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
  }  // a sleeper is now waiting or sees the change
  cv_.notify_all();
}

ThreadPool::ThreadPool(int num_threads) {
  int workers = std::max(num_threads, 1) - 1;
  workers_.reserve(workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this, i] { workerLoop(i + 1); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  wake();
  for (std::thread& t : workers_) t.join();
}

int ThreadPool::defaultNumThreads() {
  if (std::optional<int64_t> n = envInteger("DLC_NUM_THREADS", 1, 1 << 30))
    return static_cast<int>(std::min<int64_t>(*n, 1024));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool& ThreadPool::global() {
  // Never destroyed: kernels may still run from other static destructors.
  static ThreadPool* pool = new ThreadPool(defaultNumThreads());
  return *pool;
}

void ThreadPool::runChunk(const Job& job, int index) const {
  int64_t begin = job.n * index / job.chunks;
  int64_t end = job.n * (index + 1) / job.chunks;
  if (begin < end) job.body(job.ctx, begin, end);
}

void ThreadPool::parallelFor(int64_t n, Body body, void* ctx) {
  if (n <= 0) return;
  bool expected = false;
  if (n == 1 || workers_.empty() || !busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
    body(ctx, 0, n);
    return;
  }
  job_ = Job{body, ctx, n, static_cast<int>(std::min<int64_t>(n, numThreads()))};
  // Every worker acknowledges every job, so none can read job_ while the
  // next one is being written.
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1);
  wake();
  runChunk(job_, 0);
  await([this] { return pending_.load() == 0; });
  busy_.store(false, std::memory_order_release);
}

void ThreadPool::workerLoop(int index) {
  // Not generation_'s value now: a job may have been posted before this
  // thread started.
  uint32_t seen = 0;
  for (;;) {
    await([&] { return generation_.load() != seen; });
    seen = generation_.load();
    if (stop_.load()) return;
    if (index < job_.chunks) runChunk(job_, index);
    if (pending_.fetch_sub(1) == 1) wake();
  }
}

}  // namespace dlc::runtime::cpu

extern "C" void dlc_cpu_parallel_for(void (*body)(void* ctx, int64_t begin, int64_t end), void* ctx, int64_t n) {
  dlc::runtime::cpu::ThreadPool::global().parallelFor(n, body, ctx);
}
