// CPU figures of issue 6 for one model through the public API: the cold
// compile of its training step, training-step throughput, and inference
// latency at batch 1 and throughput at batch 64. Prints JSON lines.
//
// usage: model_bench MODEL.dl [--model NAME] [--steps N] [--target cpu|cpu:NAME|cuda|reference]
//                    [--precision fp32|tf32|bf16|fp16] [--train-batches 64,512] [--infer-batches 1,64]
//                    [--infer-reps N]
// Image inputs are uniform in [0, 1); integer inputs (token ids) are drawn
// from [0, 100).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dlc/dlc.h"
#include "support/clock.h"

namespace {

using Clock = std::chrono::steady_clock;
using dlc::millisecondsSince;

dlc::Tensor randomImages(int64_t batch, const dlc::TensorSpec& spec, std::mt19937& rng) {
  std::vector<int64_t> shape = spec.shape;
  shape[0] = batch;
  dlc::Tensor t = *dlc::Tensor::zeros(spec.dtype, shape);
  if (spec.dtype == dlc::DType::kI32) {
    for (int32_t& v : t.values<int32_t>()) v = static_cast<int32_t>(rng() % 100);
    return t;
  }
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& v : t.values<float>()) v = uniform(rng);
  return t;
}

// "64,512" -> {64, 512}; "" -> {}.
std::vector<int64_t> batchList(const char* text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(std::atoll(item.c_str()));
  return out;
}

// Class ids, or one-hot rows for categorical cross-entropy.
dlc::Tensor randomLabels(int64_t batch, int64_t classes, bool one_hot, std::mt19937& rng) {
  if (!one_hot) {
    dlc::Tensor t = *dlc::Tensor::zeros(dlc::DType::kI32, {batch});
    for (int32_t& v : t.values<int32_t>()) v = static_cast<int32_t>(rng() % classes);
    return t;
  }
  dlc::Tensor t = *dlc::Tensor::zeros(dlc::DType::kF32, {batch, classes});
  for (int64_t i = 0; i < batch; ++i) t.values<float>()[i * classes + rng() % classes] = 1.0f;
  return t;
}

std::vector<std::pair<std::string, dlc::Tensor>> named(const std::string& name, const dlc::Tensor& t) {
  std::vector<std::pair<std::string, dlc::Tensor>> v;
  v.emplace_back(name, t.clone());
  return v;
}

int fail(const absl::Status& s) {
  std::fprintf(stderr, "model_bench: %s\n", std::string(s.message()).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: model_bench MODEL.dl [--steps N] [--target T]\n");
    return 2;
  }
  std::string path = argv[1], target = "cpu", model_name, precision;  // "": the file's last model / train block's
  int steps = 50, infer_reps = 0;
  bool static_shape = false;  // a model without symbolic dims: inference at its shape only
  std::vector<int64_t> train_batches = {64, 512}, infer_batches = {1, 64};
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--static")) static_shape = true;
    if (i + 1 >= argc) continue;
    if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--target")) target = argv[i + 1];
    if (!std::strcmp(argv[i], "--model")) model_name = argv[i + 1];
    if (!std::strcmp(argv[i], "--precision")) precision = argv[i + 1];
    if (!std::strcmp(argv[i], "--train-batches")) train_batches = batchList(argv[i + 1]);
    if (!std::strcmp(argv[i], "--infer-batches")) infer_batches = batchList(argv[i + 1]);
    if (!std::strcmp(argv[i], "--infer-reps")) infer_reps = std::atoi(argv[i + 1]);
  }
  std::mt19937 rng(1);
  if (static_shape) {
    absl::StatusOr<dlc::Model> model =
        dlc::Model::fromFile(path, {.model = model_name, .target = target, .precision = precision});
    if (!model.ok()) return fail(model.status());
    const dlc::TensorSpec& input = model->inputs()[0];
    dlc::Tensor x = randomImages(input.shape[0], input, rng);
    int64_t bytes = static_cast<int64_t>(x.byteSize()) * 2;  // read and written once
    std::vector<double> times;
    for (int i = 0; i < steps; ++i) {
      auto t0 = Clock::now();
      if (auto r = model->run(named(input.name, x)); !r.ok()) return fail(r.status());
      times.push_back(millisecondsSince(t0));
    }
    std::sort(times.begin(), times.end());
    std::printf(
        "{\"bench\": \"static_inference\", \"target\": \"%s\", \"best_ms\": %.3f, \"median_ms\": %.3f, "
        "\"GBps_best\": %.2f}\n",
        target.c_str(), times[0], times[times.size() / 2], bytes / times[0] / 1e6);
    return 0;
  }
  // Training: the first step compiles the training step (cold), the next
  // ones are timed.
  for (int64_t batch : train_batches) {
    absl::StatusOr<dlc::Model> model =
        dlc::Model::fromFile(path, {.model = model_name, .target = target, .precision = precision});
    if (!model.ok()) return fail(model.status());
    if (absl::Status s = model->initializeWeights(1); !s.ok()) return fail(s);
    const dlc::TensorSpec& input = model->inputs()[0];
    int64_t classes = model->outputs()[0].shape.back();
    dlc::Tensor x = randomImages(batch, input, rng);
    bool one_hot = model->trainConfig()->loss == "categorical_crossentropy";
    dlc::Tensor y = randomLabels(batch, classes, one_hot, rng);
    auto start = Clock::now();
    absl::StatusOr<dlc::StepMetrics> first = model->trainStep(named(input.name, x), y);
    if (!first.ok()) return fail(first.status());
    double cold_ms = millisecondsSince(start);
    start = Clock::now();
    (void)model->trainStep(named(input.name, x), y);
    double warm_ms = millisecondsSince(start);
    start = Clock::now();
    for (int s = 0; s < steps; ++s) {
      absl::StatusOr<dlc::StepMetrics> m = model->trainStep(named(input.name, x), y);
      if (!m.ok()) return fail(m.status());
    }
    double ms = millisecondsSince(start) / steps;
    std::printf(
        "{\"bench\": \"train_step\", \"target\": \"%s\", \"precision\": \"%s\", \"batch\": %lld, "
        "\"ms_per_step\": %.3f, \"samples_per_s\": %.1f, \"first_step_ms\": %.1f, \"second_step_ms\": %.2f}\n",
        target.c_str(), model->precision().c_str(), static_cast<long long>(batch), ms, batch * 1000.0 / ms, cold_ms,
        warm_ms);
    std::fflush(stdout);
  }
  // Inference.
  absl::StatusOr<dlc::Model> model =
      dlc::Model::fromFile(path, {.model = model_name, .target = target, .precision = precision});
  if (!model.ok()) return fail(model.status());
  (void)model->initializeWeights(1);
  const dlc::TensorSpec& input = model->inputs()[0];
  for (int64_t batch : infer_batches) {
    dlc::Tensor x = randomImages(batch, input, rng);
    auto start = Clock::now();
    if (auto r = model->run(named(input.name, x)); !r.ok()) return fail(r.status());
    double cold_ms = millisecondsSince(start);
    int reps = infer_reps > 0 ? infer_reps : batch == 1 ? 2000 : 200;
    std::vector<double> times;
    for (int i = 0; i < reps; ++i) {
      auto t0 = Clock::now();
      (void)model->run(named(input.name, x));
      times.push_back(millisecondsSince(t0));
    }
    std::sort(times.begin(), times.end());
    double median = times[times.size() / 2];
    std::printf(
        "{\"bench\": \"inference\", \"target\": \"%s\", \"precision\": \"%s\", \"batch\": %lld, "
        "\"median_ms\": %.4f, \"samples_per_s\": %.1f, \"first_call_ms\": %.1f}\n",
        target.c_str(), model->precision().c_str(), static_cast<long long>(batch), median, batch * 1000.0 / median,
        cold_ms);
    std::fflush(stdout);
  }
  return 0;
}
