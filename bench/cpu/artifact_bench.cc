// Deployment figures of issue 13 for one model, in process:
//  - runtime: CompiledModel::load of a `.dlx` + weights + the first inference
//    (what a deployed host pays before its first answer), then the steady
//    batch-1 latency;
//  - JIT: Model::fromFile + weights + the first inference, with an empty
//    kernel cache (cold) and again with the cache it filled (warm).
// Prints JSON lines. Run with DLC_CACHE_DIR pointing at an empty folder.
//
// usage: artifact_bench MODEL.dl MODEL.dlx [--runs N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dlc/dlc.h"
#include "dlc/runtime.h"
#include "support/clock.h"

namespace {

using Clock = std::chrono::steady_clock;
using dlc::millisecondsSince;

int fail(const absl::Status& s) {
  std::fprintf(stderr, "artifact_bench: %s\n", std::string(s.message()).c_str());
  return 1;
}

// One input of batch 1: the model's first input with every symbolic dim 1.
dlc::NamedTensors batchOne(const std::vector<dlc::TensorSpec>& inputs) {
  const dlc::TensorSpec& spec = inputs.at(0);
  std::vector<int64_t> shape = spec.shape;
  for (int64_t& d : shape)
    if (d < 0) d = 1;
  dlc::Tensor t = *dlc::Tensor::zeros(spec.dtype, shape);
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, static_cast<double>(i % 13) / 13.0);
  dlc::NamedTensors named;
  named.emplace_back(spec.name, std::move(t));
  return named;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Model::fromFile, initializeWeights, run: milliseconds to the first output.
absl::StatusOr<double> jitFirstInference(const std::string& path) {
  auto start = Clock::now();
  absl::StatusOr<dlc::Model> model = dlc::Model::fromFile(path, {.target = "cpu"});
  if (!model.ok()) return model.status();
  if (absl::Status s = model->initializeWeights(0); !s.ok()) return s;
  absl::StatusOr<std::vector<dlc::Tensor>> out = model->run(batchOne(model->inputs()));
  if (!out.ok()) return out.status();
  return millisecondsSince(start);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: artifact_bench MODEL.dl MODEL.dlx [--runs N]\n");
    return 2;
  }
  std::string source = argv[1], artifact = argv[2];
  int runs = 200;
  for (int i = 3; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);

  // The runtime first, in a process that has loaded nothing yet.
  auto start = Clock::now();
  absl::StatusOr<dlc::CompiledModel> model = dlc::CompiledModel::load(artifact);
  if (!model.ok()) return fail(model.status());
  double load_ms = millisecondsSince(start);
  if (!model->hasAllWeights())
    if (absl::Status s = model->initializeWeights(0); !s.ok()) return fail(s);
  dlc::NamedTensors inputs = batchOne(model->inputs());
  auto first = Clock::now();
  absl::StatusOr<std::vector<dlc::Tensor>> out = model->run(inputs);
  if (!out.ok()) return fail(out.status());
  double first_run_ms = millisecondsSince(first), total_ms = millisecondsSince(start);
  std::vector<double> latencies;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    if (!model->run(inputs).ok()) return 1;
    latencies.push_back(millisecondsSince(t) * 1000.0);
  }
  std::printf(
      "{\"bench\": \"artifact_first_inference\", \"artifact\": \"%s\", \"load_ms\": %.3f, "
      "\"first_run_ms\": %.3f, \"load_and_first_inference_ms\": %.3f, \"b1_latency_us\": %.1f}\n",
      artifact.c_str(), load_ms, first_run_ms, total_ms, median(latencies));

  absl::StatusOr<double> cold = jitFirstInference(source);
  if (!cold.ok()) return fail(cold.status());
  absl::StatusOr<double> warm = jitFirstInference(source);
  if (!warm.ok()) return fail(warm.status());
  std::printf(
      "{\"bench\": \"jit_first_inference\", \"model\": \"%s\", \"cold_cache_ms\": %.3f, "
      "\"warm_cache_ms\": %.3f}\n",
      source.c_str(), *cold, *warm);
  return 0;
}
