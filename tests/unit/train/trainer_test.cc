#include "tools/dlc/trainer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/initializers.h"
#include "runtime/tensor_file.h"
#include "tests/unit/train/fake_model.h"
#include "tools/dlc/checkpoint.h"
#include "tools/dlc/progress.h"

namespace dlc::tool {
namespace {

namespace fs = std::filesystem;
using ir::DType;
using runtime::NamedTensors;
using runtime::Tensor;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

template <typename T>
std::string errorOf(const absl::StatusOr<T>& r) {
  return std::string(r.status().message());
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// --- progress --------------------------------------------------------------

TEST(ProgressTest, FormatsLikeKeras) {
  EXPECT_EQ(formatBar(0, 10, 10), "[..........]");
  EXPECT_EQ(formatBar(5, 10, 10), "[====>.....]");
  EXPECT_EQ(formatBar(10, 10, 10), "[==========]");
  EXPECT_EQ(formatElapsed(12.4), "12s");
  EXPECT_EQ(formatPerStep(0.0254), "25ms/step");
  EXPECT_EQ(formatPerStep(2.4), "2s/step");
  EXPECT_EQ(formatPerStep(0.00042), "420us/step");
  EXPECT_EQ(formatMetrics({0.51234, 0.8122}), " - loss: 0.5123 - accuracy: 0.8122");
  EXPECT_EQ(formatMetrics({0.0001234, std::nullopt}), " - loss: 1.2340e-04");
  EXPECT_EQ(formatStepLine(469, 938, 11.725, {0.5123, 0.8122}, true),
            "469/938 [==============>...............] - 12s 25ms/step - loss: 0.5123 - accuracy: 0.8122");
  EXPECT_EQ(formatStepLine(7, 938, 0.175, {0.5, std::nullopt}, false), "  7/938 - 0s 25ms/step - loss: 0.5000");
  EXPECT_EQ(formatTestLine({0.3812, 0.8655}), "test: loss 0.3812 - accuracy 0.8655");
}

TEST(ProgressTest, PlainLinesWhenNotATerminal) {
  std::ostringstream out;
  Progress progress(out, false);
  progress.beginEpoch(1, 2, 20, 0);
  for (int64_t step = 1; step <= 20; ++step) progress.update(step, 0.1 * step, {1.0 / step, std::nullopt});
  progress.endEpoch(20, 2.0, {0.05, std::nullopt}, ShownMetrics{0.25, std::nullopt});
  std::string text = out.str();
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_THAT(text, StartsWith("Epoch 1/2\n 2/20 - 0s 100ms/step - loss: 0.5000\n 4/20 - 0s 100ms/step"));
  // A line every 10% (9 of them) and the summary.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);
  EXPECT_THAT(text, HasSubstr("\n18/20 - 2s 100ms/step - loss: 0.0556\n"
                              "20/20 - 2s 100ms/step - loss: 0.0500 - test_loss: 0.2500\n"));
}

TEST(ProgressTest, RedrawsOneLineOnATerminal) {
  std::ostringstream out;
  Progress progress(out, true);
  progress.beginEpoch(2, 2, 4, 1);  // resumed after the first batch
  progress.update(2, 1.0, {0.5, 0.75});
  progress.update(3, 1.01, {0.5, 0.75});  // within 50 ms: not drawn
  progress.update(4, 1.02, {0.4, 0.8});   // the last: always drawn
  progress.endEpoch(4, 1.1, {0.4, 0.8}, std::nullopt);
  EXPECT_EQ(out.str(),
            "Epoch 2/2\n"
            "\r2/4 [==============>...............] - 1s 500ms/step - loss: 0.5000 - accuracy: 0.7500"
            "\r4/4 [==============================] - 1s 255ms/step - loss: 0.4000 - accuracy: 0.8000"
            "\r4/4 [==============================] - 1s 275ms/step - loss: 0.4000 - accuracy: 0.8000\n");
}

// --- checkpoints -----------------------------------------------------------

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("dlc_trainer_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
};

using CheckpointTest = TempDirTest;

NamedTensors someState() {
  NamedTensors state;
  Tensor w = *Tensor::zeros(DType::kF32, {2, 3});
  for (int i = 0; i < 6; ++i) w.values<float>()[i] = 0.1f * static_cast<float>(i) - 0.25f;
  state.emplace_back("dense.kernel", std::move(w));
  Tensor it = *Tensor::zeros(DType::kI64, {1});
  it.values<int64_t>()[0] = 17;
  state.emplace_back("optimizer/iterations", std::move(it));
  return state;
}

TEST_F(CheckpointTest, RoundTripsStateAndPosition) {
  TrainPosition position;
  position.epoch = 2;
  position.batch = 17;
  position.step = 955;
  position.seed = 18446744073709551615ull;
  position.batch_size = 64;
  position.data = "npy:a.npy,b.npy";
  position.model_hash = "0123456789abcdef";
  position.loss_sum = 0.1 + 0.2;  // not exactly representable in few digits
  position.accuracy_sum = 1.0 / 3.0;
  position.samples = 1088;
  position.seconds = 12.5;
  position.metrics_bytes = 321;
  std::string dir = path("a/b");  // created as needed
  ASSERT_TRUE(writeCheckpoint(dir, someState(), position).ok());
  auto checkpoint = readCheckpoint(dir);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->position, position);
  ASSERT_EQ(checkpoint->state.size(), 2u);
  EXPECT_EQ(checkpoint->state[0].first, "dense.kernel");
  EXPECT_EQ(readFile(checkpointPath(dir)).size(), fs::file_size(checkpointPath(dir)));
  NamedTensors expected = someState();
  EXPECT_EQ(std::memcmp(checkpoint->state[0].second.data(), expected[0].second.data(), 24), 0);
  EXPECT_EQ(checkpoint->state[1].second.values<int64_t>()[0], 17);
  EXPECT_TRUE(checkStateMatches(checkpoint->state, expected, "c").ok());
}

TEST_F(CheckpointTest, ReplacesAtomicallyAndRemovesLeftovers) {
  TrainPosition position;
  position.batch_size = 8;
  ASSERT_TRUE(writeCheckpoint(dir_, someState(), position).ok());
  // A run killed while writing leaves its temporary file behind.
  std::string leftover = checkpointPath(dir_) + ".tmp.999999999.0";
  std::ofstream(leftover) << "partial";
  position.step = 5;
  ASSERT_TRUE(writeCheckpoint(dir_, someState(), position).ok());
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_EQ(readCheckpoint(dir_)->position.step, 5);
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir_)) files.push_back(entry.path().filename().string());
  EXPECT_THAT(files, ::testing::ElementsAre("checkpoint.safetensors"));
}

TEST_F(CheckpointTest, Errors) {
  EXPECT_EQ(errorOf(readCheckpoint(dir_)),
            dir_ + ": no checkpoint to resume from (" + dir_ + "/checkpoint.safetensors does not exist)");
  EXPECT_EQ(readCheckpoint(dir_).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(runtime::writeSafetensors(checkpointPath(dir_), someState()).ok());
  EXPECT_THAT(errorOf(readCheckpoint(dir_)), HasSubstr("not a dlc training checkpoint"));
  runtime::TensorMetadata metadata = positionMetadata(TrainPosition{});
  metadata["step"] = "x1";
  EXPECT_THAT(errorOf(parsePositionMetadata(metadata, "c")), HasSubstr("'step' is not a count: 'x1'"));

  NamedTensors current = someState();
  NamedTensors saved = someState();
  saved.pop_back();
  EXPECT_THAT(std::string(checkStateMatches(saved, current, "c").message()),
              HasSubstr("the checkpoint has no tensor 'optimizer/iterations' (i64[1])"));
  EXPECT_THAT(std::string(checkStateMatches(current, saved, "c").message()),
              HasSubstr("has a tensor 'optimizer/iterations' that the model does not"));
  saved = someState();
  saved[0].second = *Tensor::zeros(DType::kF32, {3, 2});
  EXPECT_THAT(std::string(checkStateMatches(saved, current, "c").message()),
              HasSubstr("tensor 'dense.kernel' is f32[3, 2] in the checkpoint, but the model's is f32[2, 3]"));
}

TEST(ModelHashTest, HashesTheFile) {
  EXPECT_EQ(modelFileHash("/nonexistent/model.dl"), "");
  std::string path = (fs::temp_directory_path() / ("dlc_hash_" + std::to_string(::getpid()))).string();
  std::ofstream(path) << "a";
  EXPECT_EQ(modelFileHash(path), "af63dc4c8601ec8c");  // FNV-1a 64 of "a"
  fs::remove(path);
}

// --- the loop over the fake model -------------------------------------------

class TrainLoopTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    // 52 samples of 4 features (the last batch of 8 is partial); the class
    // is the largest of the first three features.
    Tensor x = *Tensor::zeros(DType::kF32, {52, 4});
    Tensor y = *Tensor::zeros(DType::kI32, {52});
    runtime::Random rng(1, "data");
    for (int i = 0; i < 52; ++i) {
      int best = 0;
      for (int j = 0; j < 4; ++j) {
        x.values<float>()[i * 4 + j] = static_cast<float>(rng.uniform());
        if (j < 3 && x.values<float>()[i * 4 + j] > x.values<float>()[i * 4 + best]) best = j;
      }
      y.values<int32_t>()[i] = best;
    }
    ASSERT_TRUE(runtime::writeNpy(path("x.npy"), x).ok());
    ASSERT_TRUE(runtime::writeNpy(path("y.npy"), y).ok());
    writeConfig("model.fake", "");
  }

  void writeConfig(const std::string& name, const std::string& extra) {
    std::ofstream(path(name)) << "inputs = 4\nclasses = 3\nbatch_size = 8\nepochs = 3\n" << extra;
  }

  TrainFlags flags(const std::string& model = "model.fake") const {
    TrainFlags f;
    f.input = path(model);
    f.data = "npy:" + path("x.npy") + "," + path("y.npy");
    f.seed = 5;
    f.progress = "lines";
    return f;
  }

  int train(const TrainFlags& f) {
    out_.str("");
    ::testing::internal::CaptureStderr();
    int status = runTrain(f, testing::loadFakeModel, out_);
    err_ = ::testing::internal::GetCapturedStderr();
    return status;
  }

  std::ostringstream out_;
  std::string err_;
};

TEST_F(TrainLoopTest, TrainsAndSaves) {
  TrainFlags f = flags();
  f.save = path("w.safetensors");
  f.metrics_out = path("m.jsonl");
  ASSERT_EQ(train(f), 0) << err_;
  EXPECT_THAT(out_.str(), StartsWith("npy:"));
  EXPECT_THAT(out_.str(), HasSubstr(": 52 train samples\nEpoch 1/3\n"));
  EXPECT_THAT(out_.str(), HasSubstr("\n7/7 - "));
  EXPECT_THAT(out_.str(), HasSubstr("Epoch 3/3\n"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("test:")));  // npy: has no test split
  auto weights = runtime::readSafetensors(f.save);
  ASSERT_TRUE(weights.ok()) << weights.status();
  EXPECT_EQ(weights->size(), 2u);
  std::string metrics = readFile(f.metrics_out);
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 3);
  EXPECT_THAT(metrics, StartsWith("{\"accuracy\":"));
  EXPECT_THAT(metrics, HasSubstr("\"epoch\":3,\"global_step\":21,"));
  EXPECT_THAT(metrics, HasSubstr("\"test_accuracy\":null,\"test_loss\":null}"));
}

// The fields of --metrics-out that do not depend on the clock.
std::string withoutTimes(const std::string& jsonl) {
  std::string out;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    size_t a = line.find(",\"samples_per_s\"");
    size_t b = line.find(",\"steps\"");
    out += line.substr(0, a) + line.substr(b) + "\n";
  }
  return out;
}

TEST_F(TrainLoopTest, ResumingGivesTheSameWeightsAndMetrics) {
  TrainFlags whole = flags();
  whole.save = path("a.safetensors");
  whole.metrics_out = path("a.jsonl");
  ASSERT_EQ(train(whole), 0) << err_;

  // Stopped by --steps twice (mid-epoch, then at an epoch end), then resumed
  // to the end.
  TrainFlags part = flags();
  part.checkpoint = path("ckpt");
  part.metrics_out = path("b.jsonl");
  part.steps = 5;
  ASSERT_EQ(train(part), 0) << err_;
  EXPECT_EQ(readCheckpoint(part.checkpoint)->position.step, 5);
  part.resume = true;
  part.steps = 14;
  ASSERT_EQ(train(part), 0) << err_;
  EXPECT_THAT(out_.str(), HasSubstr("resuming from " + path("ckpt/checkpoint.safetensors") +
                                    " at epoch 1, batch 5 (step 5)\nEpoch 1/3\n"));
  part.steps = 0;
  part.save = path("b.safetensors");
  ASSERT_EQ(train(part), 0) << err_;
  EXPECT_EQ(readFile(whole.save), readFile(part.save));
  EXPECT_EQ(withoutTimes(readFile(whole.metrics_out)), withoutTimes(readFile(part.metrics_out)));
}

TEST_F(TrainLoopTest, SigtermWritesACheckpointToResumeFrom) {
  TrainFlags whole = flags();
  whole.save = path("a.safetensors");
  ASSERT_EQ(train(whole), 0) << err_;

  writeConfig("signal.fake", "signal_at_step = 11\n");
  TrainFlags part = flags("signal.fake");
  part.checkpoint = path("ckpt");
  EXPECT_EQ(train(part), 3);
  EXPECT_THAT(err_, HasSubstr("dlc: interrupted by SIGTERM after step 11 (epoch 2, batch 4); checkpoint written to " +
                              path("ckpt/checkpoint.safetensors") + "; continue with --resume"));
  part.input = path("model.fake");
  part.resume = true;
  part.save = path("b.safetensors");
  ASSERT_EQ(train(part), 0) << err_;
  // The model file changed (its signal line): a warning, not an error.
  EXPECT_THAT(err_, HasSubstr("warning: " + path("model.fake") + " has changed since"));
  EXPECT_EQ(readFile(whole.save), readFile(part.save));
}

TEST_F(TrainLoopTest, SigtermWithoutCheckpointSavesNothing) {
  writeConfig("signal.fake", "signal_at_step = 2\n");
  TrainFlags f = flags("signal.fake");
  f.save = path("w.safetensors");
  EXPECT_EQ(train(f), 3);
  EXPECT_THAT(err_, HasSubstr("interrupted by SIGTERM after step 2 (epoch 1, batch 2); nothing was saved"));
  EXPECT_FALSE(fs::exists(f.save));
}

TEST_F(TrainLoopTest, NanLossStopsNamingTheStep) {
  writeConfig("nan.fake", "nan_at_step = 9\n");
  TrainFlags f = flags("nan.fake");
  f.checkpoint = path("ckpt");
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("dlc: error: loss is nan at step 9 (epoch 2, batch 2)"));
  // The checkpoint is the last good one, of the end of epoch 1.
  EXPECT_EQ(readCheckpoint(f.checkpoint)->position.step, 7);
}

TEST_F(TrainLoopTest, ResumeErrors) {
  TrainFlags f = flags();
  f.resume = true;
  EXPECT_EQ(train(f), 2);
  EXPECT_THAT(err_, HasSubstr("--resume needs --checkpoint DIR"));
  f.checkpoint = path("ckpt");
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("no checkpoint to resume from"));

  f.resume = false;
  f.steps = 3;
  ASSERT_EQ(train(f), 0) << err_;
  f.resume = true;
  f.seed = 6;
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("the checkpoint was written with --seed 5, not 6"));
  f.seed = std::nullopt;  // taken from the checkpoint
  f.batch_size = 4;
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("the checkpoint was written with --batch-size 8, not 4"));
  f.batch_size = 0;
  f.data = "npy:" + path("y.npy") + "," + path("y.npy");
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("the checkpoint was written for --data npy:"));
  // Another model: its state does not match the checkpoint's.
  writeConfig("wide.fake", "classes = 4\n");
  f = flags("wide.fake");
  f.checkpoint = path("ckpt");
  f.resume = true;
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("tensor 'dense.kernel' is f32[4, 3] in the checkpoint, but the model's is f32[4, 4]"));
}

TEST_F(TrainLoopTest, DataErrors) {
  TrainFlags f = flags();
  f.data = "mnist";
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("dlc: error: unknown data source 'mnist'"));
  f.data = "npy:" + path("x.npy") + "," + path("missing.npy");
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("missing.npy"));
  ASSERT_TRUE(runtime::writeNpy(path("bad.npy"), *Tensor::zeros(DType::kI32, {52})).ok());
  Tensor bad = *Tensor::zeros(DType::kI32, {52});
  bad.values<int32_t>()[30] = 3;
  ASSERT_TRUE(runtime::writeNpy(path("bad.npy"), bad).ok());
  f.data = "npy:" + path("x.npy") + "," + path("bad.npy");
  EXPECT_EQ(train(f), 1);
  EXPECT_THAT(err_, HasSubstr("label 3 of sample 30 is outside the model's 3 classes [0, 3)"));
}

TEST_F(TrainLoopTest, IdxSourceWithTestSplitEndsWithTestMetrics) {
  // 16 train and 8 test images of 2x2 (4 features).
  auto write_idx = [&](const std::string& name, std::vector<uint32_t> dims, const std::string& data) {
    std::string bytes = {0, 0, 8, static_cast<char>(dims.size())};
    for (uint32_t d : dims)
      for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<char>(d >> s));
    std::ofstream(path(name), std::ios::binary) << bytes << data;
  };
  std::string pixels, labels;
  for (int i = 0; i < 16; ++i) {
    pixels += std::string({static_cast<char>(i * 16), 0, static_cast<char>(255 - i * 16), 7});
    labels.push_back(static_cast<char>(i % 3));
  }
  write_idx("train-images-idx3-ubyte", {16, 2, 2}, pixels);
  write_idx("train-labels-idx1-ubyte", {16}, labels);
  write_idx("t10k-images-idx3-ubyte", {8, 2, 2}, pixels.substr(0, 32));
  write_idx("t10k-labels-idx1-ubyte", {8}, labels.substr(0, 8));
  TrainFlags f = flags();
  f.data = "idx:" + dir_;
  f.epochs = 2;
  f.metrics_out = path("m.jsonl");
  ASSERT_EQ(train(f), 0) << err_;
  EXPECT_THAT(out_.str(), HasSubstr(": 16 train, 8 test samples\n"));
  EXPECT_THAT(out_.str(), HasSubstr(" - test_loss: "));
  EXPECT_THAT(out_.str(), ::testing::MatchesRegex("(.|\n)*\ntest: loss [0-9.]+ - accuracy [0-9.]+\n"));
  EXPECT_THAT(readFile(f.metrics_out), Not(HasSubstr("\"test_loss\":null")));
}

}  // namespace
}  // namespace dlc::tool
