#include "tests/unit/train/fake_model.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <limits>
#include <thread>

#include "runtime/initializers.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::tool::testing {
namespace {

using ir::DType;
using runtime::Batch;
using runtime::NamedTensors;
using runtime::Tensor;

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

class FakeModel : public TrainableModel {
 public:
  explicit FakeModel(FakeConfig config) : config_(std::move(config)) {}

  absl::StatusOr<TrainSettings> settings() override {
    return TrainSettings{config_.loss, config_.metrics, config_.batch_size, config_.epochs};
  }

  absl::StatusOr<runtime::DataSpec> dataSpec(runtime::LabelForm labels) override {
    return runtime::DataSpec{DType::kF32, {config_.inputs}, {config_.classes}, labels};
  }

  absl::Status initialize(uint64_t seed) override {
    ASSIGN_OR_RETURN(kernel_, Tensor::zeros(DType::kF32, {config_.inputs, config_.classes}));
    ASSIGN_OR_RETURN(bias_, Tensor::zeros(DType::kF32, {config_.classes}));
    ASSIGN_OR_RETURN(kernel_v_, Tensor::zeros(DType::kF32, {config_.inputs, config_.classes}));
    ASSIGN_OR_RETURN(bias_v_, Tensor::zeros(DType::kF32, {config_.classes}));
    ASSIGN_OR_RETURN(iterations_, Tensor::zeros(DType::kI64, {1}));
    runtime::Random rng(seed, "dense.kernel");
    for (float& w : kernel_.values<float>()) w = static_cast<float>(rng.uniform() - 0.5);
    return absl::OkStatus();
  }

  absl::Status loadWeights(const std::string& path) override {
    RETURN_IF_ERROR(initialize(0));
    ASSIGN_OR_RETURN(NamedTensors file, runtime::readSafetensors(path));
    for (auto& [name, t] : file) {
      Tensor* target = name == "dense.kernel" ? &kernel_ : name == "dense.bias" ? &bias_ : nullptr;
      if (!target || t.shape() != target->shape() || t.dtype() != DType::kF32)
        return absl::InvalidArgumentError(strCat(path, ": unexpected tensor '", name, "'"));
      *target = std::move(t);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<BatchMetrics> trainStep(Batch batch) override {
    int64_t step = iterations_.values<int64_t>()[0] + 1;
    if (config_.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(config_.sleep_ms));
    if (step == config_.signal_at_step) std::raise(SIGTERM);
    ASSIGN_OR_RETURN(BatchMetrics m, forward(batch, true));
    iterations_.values<int64_t>()[0] = step;
    if (step == config_.nan_at_step) m.loss = std::numeric_limits<double>::quiet_NaN();
    return m;
  }

  absl::StatusOr<BatchMetrics> evaluate(Batch batch) override { return forward(batch, false); }

  absl::StatusOr<NamedTensors> state() override {
    NamedTensors out;
    out.emplace_back("dense.kernel", kernel_.clone());
    out.emplace_back("dense.bias", bias_.clone());
    out.emplace_back("optimizer/dense.kernel/momentum", kernel_v_.clone());
    out.emplace_back("optimizer/dense.bias/momentum", bias_v_.clone());
    out.emplace_back("optimizer/iterations", iterations_.clone());
    return out;
  }

  absl::Status restoreState(NamedTensors state) override {
    for (auto& [name, t] : state) {
      Tensor* target = name == "dense.kernel"                      ? &kernel_
                       : name == "dense.bias"                      ? &bias_
                       : name == "optimizer/dense.kernel/momentum" ? &kernel_v_
                       : name == "optimizer/dense.bias/momentum"   ? &bias_v_
                       : name == "optimizer/iterations"            ? &iterations_
                                                                   : nullptr;
      if (!target) return absl::InvalidArgumentError(strCat("unknown state tensor '", name, "'"));
      *target = std::move(t);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<NamedTensors> weights() override {
    NamedTensors out;
    out.emplace_back("dense.kernel", kernel_.clone());
    out.emplace_back("dense.bias", bias_.clone());
    return out;
  }

 private:
  // Loss and accuracy of the batch; with `update`, one SGD-momentum step.
  absl::StatusOr<BatchMetrics> forward(const Batch& batch, bool update) {
    const int64_t b = batch.size(), d = config_.inputs, c = config_.classes;
    bool sparse = batch.y.dtype() == DType::kI32;
    std::span<const float> x = batch.x.values<float>();
    std::span<float> w = kernel_.values<float>(), bias = bias_.values<float>();
    std::vector<float> grad_w(static_cast<size_t>(d * c)), grad_b(static_cast<size_t>(c)), p(static_cast<size_t>(c));
    double loss = 0, correct = 0;
    for (int64_t i = 0; i < b; ++i) {
      int64_t label = 0;
      if (sparse) {
        label = batch.y.values<int32_t>()[i];
        if (label < 0 || label >= c)
          return absl::InvalidArgumentError(strCat("label ", label, " is outside [0, ", c, ")"));
      } else {
        for (int64_t k = 0; k < c; ++k)
          if (batch.y.values<float>()[i * c + k] > 0.5f) label = k;
      }
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < c; ++k) {
        float z = bias[k];
        for (int64_t j = 0; j < d; ++j) z += x[i * d + j] * w[j * c + k];
        p[k] = z;
        max = std::max(max, z);
      }
      float sum = 0;
      int64_t best = 0;
      for (int64_t k = 0; k < c; ++k) {
        if (p[k] > p[best]) best = k;
        p[k] = std::exp(p[k] - max);
        sum += p[k];
      }
      for (int64_t k = 0; k < c; ++k) p[k] /= sum;
      loss += -std::log(std::max(p[label], 1e-7f));
      correct += best == label;
      for (int64_t k = 0; k < c; ++k) {
        float g = (p[k] - (k == label ? 1.0f : 0.0f)) / static_cast<float>(b);
        grad_b[k] += g;
        for (int64_t j = 0; j < d; ++j) grad_w[j * c + k] += x[i * d + j] * g;
      }
    }
    if (update) {
      auto apply = [&](std::span<float> param, std::span<float> velocity, const std::vector<float>& grad) {
        for (size_t i = 0; i < param.size(); ++i) {
          velocity[i] = config_.momentum * velocity[i] - config_.learning_rate * grad[i];
          param[i] += velocity[i];
        }
      };
      apply(w, kernel_v_.values<float>(), grad_w);
      apply(bias, bias_v_.values<float>(), grad_b);
    }
    return BatchMetrics{loss / static_cast<double>(b), correct / static_cast<double>(b)};
  }

  FakeConfig config_;
  Tensor kernel_, bias_, kernel_v_, bias_v_, iterations_;
};

}  // namespace

absl::StatusOr<FakeConfig> readFakeConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(strCat(path, ": cannot open file"));
  FakeConfig config;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) return absl::InvalidArgumentError(strCat(path, ":", number, ": expected key = value"));
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "loss") {
      config.loss = value;
    } else if (key == "metrics") {
      config.metrics.clear();
      for (size_t start = 0; start <= value.size() && !value.empty();) {
        size_t comma = value.find(',', start);
        config.metrics.push_back(trim(value.substr(start, comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (key == "learning_rate" || key == "momentum") {
      (key == "momentum" ? config.momentum : config.learning_rate) = std::stof(value);
    } else {
      int64_t v = std::stoll(value);
      if (key == "inputs")
        config.inputs = v;
      else if (key == "classes")
        config.classes = v;
      else if (key == "batch_size")
        config.batch_size = v;
      else if (key == "epochs")
        config.epochs = v;
      else if (key == "nan_at_step")
        config.nan_at_step = v;
      else if (key == "signal_at_step")
        config.signal_at_step = v;
      else if (key == "sleep_ms")
        config.sleep_ms = v;
      else
        return absl::InvalidArgumentError(strCat(path, ":", number, ": unknown key '", key, "'"));
    }
  }
  return config;
}

std::unique_ptr<TrainableModel> makeFakeModel(const FakeConfig& config) { return std::make_unique<FakeModel>(config); }

absl::StatusOr<std::unique_ptr<TrainableModel>> loadFakeModel(const TrainFlags& flags) {
  ASSIGN_OR_RETURN(FakeConfig config, readFakeConfig(flags.input));
  return makeFakeModel(config);
}

}  // namespace dlc::tool::testing
