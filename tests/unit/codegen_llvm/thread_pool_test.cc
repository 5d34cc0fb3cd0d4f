#include "runtime/cpu/thread_pool.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"

namespace dlc::runtime::cpu {
namespace {

TEST(ThreadPoolTest, CoversEveryIndexOnce) {
  ThreadPool pool(4);
  EXPECT_EQ(pool.numThreads(), 4);
  for (int64_t n : {0, 1, 2, 3, 5, 100, 10007}) {
    std::vector<std::atomic<int>> hits(n);
    pool.parallelFor(n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << n << " " << i;
  }
}

TEST(ThreadPoolTest, ManySmallJobs) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum = 0;
  for (int rep = 0; rep < 20000; ++rep)
    pool.parallelFor(3, [&](int64_t begin, int64_t end) { sum.fetch_add(end - begin); });
  EXPECT_EQ(sum.load(), 60000);
}

TEST(ThreadPoolTest, NestedCallsRunSerially) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum = 0;
  pool.parallelFor(4, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) pool.parallelFor(10, [&](int64_t b, int64_t e) { sum.fetch_add(e - b); });
  });
  EXPECT_EQ(sum.load(), 40);
}

TEST(ThreadPoolTest, CEntryUsesGlobalPool) {
  std::vector<int> out(1000, 0);
  dlc_cpu_parallel_for(
      [](void* ctx, int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) static_cast<int*>(ctx)[i] = static_cast<int>(i);
      },
      out.data(), 1000);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(out[i], i);
  EXPECT_GE(ThreadPool::global().numThreads(), 1);
}

}  // namespace
}  // namespace dlc::runtime::cpu
