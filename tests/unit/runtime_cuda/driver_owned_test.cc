// DriverOwned, the ownership every driver object (module, stream, graph,
// event) is held by: exactly one destroy per handle however it is moved.
// A fake DriverApi stands in for the driver, so this runs without a GPU.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/cuda/driver.h"

namespace dlc::runtime::cuda {
namespace {

std::vector<CuStream> destroyed;

CuResult fakeStreamDestroy(CuStream stream) {
  destroyed.push_back(stream);
  return kCudaSuccess;
}

CuStream handle(uintptr_t n) { return reinterpret_cast<CuStream>(n); }

using OwnedStream = DriverOwned<CuStream, &DriverApi::cuStreamDestroy>;

class DriverOwnedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    destroyed.clear();
    api_.cuStreamDestroy = fakeStreamDestroy;
  }
  DriverApi api_{};
};

TEST_F(DriverOwnedTest, DestroysItsHandleOnce) {
  {
    OwnedStream s(&api_, handle(1));
  }
  EXPECT_EQ(destroyed, std::vector<CuStream>{handle(1)});
}

TEST_F(DriverOwnedTest, MovingTransfersOwnership) {
  {
    OwnedStream a(&api_, handle(1));
    OwnedStream b(std::move(a));
    EXPECT_EQ(static_cast<CuStream>(b), handle(1));
    EXPECT_EQ(static_cast<CuStream>(a), nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state
    OwnedStream c(&api_, handle(2));
    c = std::move(b);  // c's own handle goes first
    EXPECT_EQ(destroyed, std::vector<CuStream>{handle(2)});
  }
  EXPECT_EQ(destroyed, (std::vector<CuStream>{handle(2), handle(1)}));
}

TEST_F(DriverOwnedTest, EmptyHandlesAreNotDestroyed) {
  {
    OwnedStream empty;
  }
  {
    OwnedStream null(&api_, nullptr);
  }
  EXPECT_TRUE(destroyed.empty());
}

}  // namespace
}  // namespace dlc::runtime::cuda
