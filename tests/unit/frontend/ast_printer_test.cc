#include "frontend/ast_printer.h"

#include <sstream>

#include "frontend_test_util.h"
#include "gtest/gtest.h"

namespace dlc::frontend {
namespace {

using testing::parse;

TEST(AstPrinter, WholeProgram) {
  auto p = parse(R"(import "vgg16.dl"
model mnist_cnn(x: f32[batch, 28, 28, 1], y: i64[batch]) {
  conv2d(32, kernel=3, activation=relu)
  h = dense(x, 10, name="out\tput") + 1e-7
  relu
  return h, y
}
train mnist_cnn {
  loss = categorical_crossentropy
  optimizer = adam(learning_rate=0.001)
  metrics = [accuracy, loss]
  epochs = 5
}
)");
  ASSERT_FALSE(p->diags.hadError());
  EXPECT_EQ(p->ast(), R"(import "vgg16.dl" @1:1
model mnist_cnn(x: f32[batch, 28, 28, 1], y: i64[batch]) @2:1
  call conv2d @3:3
    arg 32 @3:10
    kwarg kernel = 3 @3:21
    kwarg activation = relu @3:35
  assign h = binary + @4:37
    call dense @4:7
      arg x @4:13
      arg 10 @4:16
      kwarg name = "out\tput" @4:25
    1e-7 @4:39
  relu @5:3
  return @6:3
    h @6:10
    y @6:13
train mnist_cnn @8:1
  entry loss = categorical_crossentropy @9:10
  entry optimizer = call adam @10:15
    kwarg learning_rate = 0.001 @10:34
  entry metrics = list @11:13
    accuracy @11:14
    loss @11:24
  entry epochs = 5 @12:12
)");
}

TEST(AstPrinter, IsStable) {
  const char* text = "model m(x: f32[2]) { y = -(x @ x) * 2\n return y }";
  EXPECT_EQ(parse(text)->ast(), parse(text)->ast());
}

}  // namespace
}  // namespace dlc::frontend
