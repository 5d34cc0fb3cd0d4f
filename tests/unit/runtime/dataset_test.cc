#include "runtime/data/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "runtime/tensor_file.h"
#include "tests/unit/common/runtime_helpers.h"

namespace dlc::runtime {
namespace {

namespace fs = std::filesystem;
using dlc::testing::errorOf;
using dlc::testing::idxBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Tensor tensorOf(DType dtype, std::vector<int64_t> shape, std::vector<double> values) {
  Tensor t = *Tensor::zeros(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.set(static_cast<int64_t>(i), values[i]);
  return t;
}

std::vector<double> valuesOf(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i) v.push_back(t.get(i));
  return v;
}

constexpr const char* kX = "x.npy";
constexpr const char* kY = "y.npy";

DataSpec classifier(LabelForm form, std::vector<int64_t> input = {2, 2, 1}, int64_t classes = 3) {
  return {DType::kF32, std::move(input), {classes}, form};
}

// --- the data order --------------------------------------------------------

TEST(EpochOrderTest, IsAPermutationFixedBySeedAndEpoch) {
  std::vector<int64_t> a = epochOrder(1000, 7, 3);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(a, identity);
  EXPECT_EQ(a, epochOrder(1000, 7, 3));
  EXPECT_NE(a, epochOrder(1000, 7, 4));
  EXPECT_NE(a, epochOrder(1000, 8, 3));
}

TEST(EpochOrderTest, IsTheSameOnEveryPlatform) {
  // splitmix64 and Fisher-Yates with Lemire's bounded draws use only integer
  // arithmetic: these values must never change, or resumed runs would differ.
  EXPECT_THAT(epochOrder(8, 0, 0), ElementsAre(3, 0, 7, 2, 5, 4, 6, 1));
  EXPECT_THAT(epochOrder(8, 42, 1), ElementsAre(2, 5, 3, 4, 1, 0, 7, 6));
  EXPECT_THAT(epochOrder(1, 5, 5), ElementsAre(0));
  EXPECT_TRUE(epochOrder(0, 5, 5).empty());
}

TEST(EpochOrderTest, BatchCountKeepsThePartialBatch) {
  EXPECT_EQ(batchCount(60000, 64), 938);
  EXPECT_EQ(batchCount(64, 64), 1);
  EXPECT_EQ(batchCount(65, 64), 2);
}

// --- labels ----------------------------------------------------------------

TEST(DatasetTest, LabelFormFollowsTheLoss) {
  EXPECT_EQ(*labelFormForLoss("categorical_crossentropy"), LabelForm::kOneHot);
  EXPECT_EQ(*labelFormForLoss("sparse_categorical_crossentropy"), LabelForm::kSparse);
  EXPECT_EQ(*labelFormForLoss("mse"), LabelForm::kDense);
  EXPECT_THAT(errorOf(labelFormForLoss("hinge")), HasSubstr("unknown loss 'hinge'"));
}

TEST(DatasetTest, SparseBatchesGatherRowsAndIds) {
  DataSpec spec = classifier(LabelForm::kSparse);
  Tensor x = tensorOf(DType::kF64, {3, 2, 2, 1}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  Tensor y = tensorOf(DType::kI64, {3}, {2, 0, 1});
  auto split = makeSplit(std::move(x), std::move(y), spec, kX, kY);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->x.dtype(), DType::kF32);
  std::vector<int64_t> indices = {2, 0};
  auto batch = makeBatch(*split, indices, spec);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->x.typeString(), "f32[2, 2, 2, 1]");
  EXPECT_THAT(valuesOf(batch->x), ElementsAre(20, 21, 22, 23, 0, 1, 2, 3));
  EXPECT_EQ(batch->y.typeString(), "i32[2]");
  EXPECT_THAT(valuesOf(batch->y), ElementsAre(1, 2));
}

TEST(DatasetTest, CategoricalBatchesAreOneHot) {
  DataSpec spec = classifier(LabelForm::kOneHot);
  auto split = makeSplit(tensorOf(DType::kF32, {2, 2, 2, 1}, {}), tensorOf(DType::kI32, {2}, {2, 0}), spec, kX, kY);
  ASSERT_TRUE(split.ok()) << split.status();
  std::vector<int64_t> indices = {1, 0};
  auto batch = makeBatch(*split, indices, spec);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->y.typeString(), "f32[2, 3]");
  EXPECT_THAT(valuesOf(batch->y), ElementsAre(1, 0, 0, 0, 0, 1));
  // One-hot labels given as they are stay as they are.
  auto dense = makeSplit(tensorOf(DType::kF32, {2, 2, 2, 1}, {}), tensorOf(DType::kF32, {2, 3}, {0, 1, 0, 1, 0, 0}),
                         spec, kX, kY);
  ASSERT_TRUE(dense.ok()) << dense.status();
  EXPECT_FALSE(dense->class_ids);
}

TEST(DatasetTest, LabelsOutOfRangeAreAClearError) {
  DataSpec spec = classifier(LabelForm::kSparse);
  auto split = makeSplit(tensorOf(DType::kF32, {3, 2, 2, 1}, {}), tensorOf(DType::kI32, {3}, {0, 1, 3}), spec, kX, kY);
  EXPECT_EQ(errorOf(split), "y.npy: label 3 of sample 2 is outside the model's 3 classes [0, 3)");
  split = makeSplit(tensorOf(DType::kF32, {1, 2, 2, 1}, {}), tensorOf(DType::kI32, {1}, {-1}), spec, kX, kY);
  EXPECT_THAT(errorOf(split), HasSubstr("label -1 of sample 0 is outside"));
  split = makeSplit(tensorOf(DType::kF32, {1, 2, 2, 1}, {}), tensorOf(DType::kF32, {1}, {0.5}), spec, kX, kY);
  EXPECT_THAT(errorOf(split), HasSubstr("label 0.5 at index 0 is not a class id"));
}

TEST(DatasetTest, ShapesThatDoNotFitTheModelAreErrors) {
  DataSpec spec = classifier(LabelForm::kSparse);
  auto split = makeSplit(tensorOf(DType::kF32, {3, 4}, {}), tensorOf(DType::kI32, {3}, {}), spec, kX, kY);
  EXPECT_EQ(errorOf(split), "x.npy: inputs f32[3, 4] do not fit the model's input f32[batch, 2, 2, 1]");
  split = makeSplit(tensorOf(DType::kF32, {3, 2, 2, 1}, {}), tensorOf(DType::kI32, {3, 2}, {}), spec, kX, kY);
  EXPECT_THAT(errorOf(split), HasSubstr("labels i32[3, 2] do not fit the model's output [batch, 3]"));
}

TEST(DatasetTest, MseTargetsAreKeptAsFloats) {
  DataSpec spec{DType::kF32, {2}, {1}, LabelForm::kDense};
  auto split =
      makeSplit(tensorOf(DType::kF32, {2, 2}, {1, 2, 3, 4}), tensorOf(DType::kF64, {2}, {0.25, -1}), spec, kX, kY);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->y.typeString(), "f32[2, 1]");
  EXPECT_THAT(valuesOf(split->y), ElementsAre(0.25, -1));
}

// --- sources ---------------------------------------------------------------

class DataSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("dlc_dataset_test_" + std::to_string(::getpid()))).string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& bytes, bool gz) {
    std::string path = dir_ + "/" + name;
    if (!gz) {
      std::ofstream(path, std::ios::binary) << bytes;
      return;
    }
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  }

  // n images of 2x2 with pixel values 0, 85, 170, 255 and labels `labels`.
  void writeIdx(const std::string& prefix, const std::vector<uint8_t>& labels, bool gz) {
    std::vector<uint8_t> pixels;
    for (size_t i = 0; i < labels.size(); ++i) pixels.insert(pixels.end(), {0, 85, 170, 255});
    uint32_t n = static_cast<uint32_t>(labels.size());
    write(prefix + "-images-idx3-ubyte" + (gz ? ".gz" : ""), idxBytes({n, 2, 2}, pixels), gz);
    write(prefix + "-labels-idx1-ubyte" + (gz ? ".gz" : ""), idxBytes({n}, labels), gz);
  }

  std::string dir_;
};

TEST_F(DataSourceTest, IdxFolderWithTestSplit) {
  writeIdx("train", {0, 1, 2, 1}, true);
  writeIdx("t10k", {2, 2}, false);
  auto data = loadDataset("idx:" + dir_, classifier(LabelForm::kOneHot));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.x.typeString(), "f32[4, 2, 2, 1]");
  EXPECT_THAT(std::vector<double>(valuesOf(data->train.x)).front(), 0.0);
  EXPECT_FLOAT_EQ(data->train.x.values<float>()[3], 1.0f);
  EXPECT_FLOAT_EQ(data->train.x.values<float>()[1], 85.0f / 255.0f);
  ASSERT_TRUE(data->test.has_value());
  EXPECT_EQ(data->test->size(), 2);
  EXPECT_EQ(data->description, "idx:" + dir_ + ": 4 train, 2 test samples");
}

TEST_F(DataSourceTest, IdxFolderErrors) {
  auto data = loadDataset("idx:" + dir_, classifier(LabelForm::kSparse));
  EXPECT_EQ(errorOf(data), dir_ + ": train-images-idx3-ubyte[.gz] is missing");
  writeIdx("train", {0, 5}, false);
  data = loadDataset("idx:" + dir_, classifier(LabelForm::kSparse));
  EXPECT_EQ(errorOf(data),
            dir_ + "/train-labels-idx1-ubyte: label 5 of sample 1 is outside the model's 3 classes [0, 3)");
  data = loadDataset("idx:" + dir_, classifier(LabelForm::kSparse, {3, 3, 1}));
  EXPECT_THAT(errorOf(data), HasSubstr("images of shape [2, 2] do not fit the model's input f32[batch, 3, 3, 1]"));
  write("train-labels-idx1-ubyte", idxBytes({3}, std::string{0, 1, 2}), false);
  data = loadDataset("idx:" + dir_, classifier(LabelForm::kSparse));
  EXPECT_THAT(errorOf(data), HasSubstr("3 labels for the 2 images"));
  EXPECT_THAT(errorOf(loadDataset("idx:/nonexistent/dlc", classifier(LabelForm::kSparse))),
              HasSubstr("/nonexistent/dlc: no such folder"));
}

TEST_F(DataSourceTest, NpySource) {
  ASSERT_TRUE(writeNpy(dir_ + "/x.npy", tensorOf(DType::kF32, {2, 2, 2, 1}, {})).ok());
  ASSERT_TRUE(writeNpy(dir_ + "/y.npy", tensorOf(DType::kI32, {2}, {1, 2})).ok());
  auto data = loadDataset("npy:" + dir_ + "/x.npy," + dir_ + "/y.npy", classifier(LabelForm::kSparse));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 2);
  EXPECT_FALSE(data->test.has_value());
  EXPECT_THAT(errorOf(loadDataset("npy:" + dir_ + "/x.npy", classifier(LabelForm::kSparse))),
              HasSubstr("expected npy:X.npy,Y.npy"));
  EXPECT_THAT(errorOf(loadDataset("npy:" + dir_ + "/x.npy," + dir_ + "/nope.npy", classifier(LabelForm::kSparse))),
              HasSubstr("nope.npy"));
}

TEST_F(DataSourceTest, TextSourceMakesNextTokenWindows) {
  write("t.txt", "abcdef", false);
  DataSpec spec{DType::kI32, {3}, {256}, LabelForm::kSparse};
  auto data = loadDataset("text:" + dir_ + "/t.txt", spec);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.x.typeString(), "i32[3, 3]");
  EXPECT_THAT(valuesOf(data->train.x), ElementsAre('a', 'b', 'c', 'b', 'c', 'd', 'c', 'd', 'e'));
  EXPECT_THAT(valuesOf(data->train.y), ElementsAre('d', 'e', 'f'));
  // A vocabulary smaller than the bytes used is an error naming the byte.
  spec.output_shape = {100};
  EXPECT_THAT(errorOf(loadDataset("text:" + dir_ + "/t.txt", spec)),
              HasSubstr("byte 100 at offset 3 is outside the model's 100 tokens"));
  spec.input_shape = {6};
  spec.output_shape = {256};
  EXPECT_THAT(errorOf(loadDataset("text:" + dir_ + "/t.txt", spec)), HasSubstr("too few"));
}

TEST(DataSourceErrorsTest, UnknownSource) {
  EXPECT_EQ(errorOf(loadDataset("mnist", classifier(LabelForm::kSparse))),
            "unknown data source 'mnist' (fashion-mnist, idx:DIR, npy:X.npy,Y.npy or text:FILE)");
}

TEST(DataSourceErrorsTest, FashionMnist) {
  if (!fs::exists(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  auto data = loadDataset("fashion-mnist", classifier(LabelForm::kOneHot, {28, 28, 1}, 10));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.x.typeString(), "f32[60000, 28, 28, 1]");
  EXPECT_EQ(data->train.y.typeString(), "i32[60000]");
  ASSERT_TRUE(data->test.has_value());
  EXPECT_EQ(data->test->x.typeString(), "f32[10000, 28, 28, 1]");
  std::span<const float> x = data->train.x.values<float>();
  EXPECT_GE(*std::min_element(x.begin(), x.end()), 0.0f);
  EXPECT_EQ(*std::max_element(x.begin(), x.end()), 1.0f);
  // The first training label of Fashion-MNIST is 9 (ankle boot).
  EXPECT_EQ(data->train.y.values<int32_t>()[0], 9);
}

}  // namespace
}  // namespace dlc::runtime
