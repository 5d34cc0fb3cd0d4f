// A C++ application that runs a compiled model with dlc's runtime alone
// (dlc/runtime.h and the dlc::runtime library: no LLVM, no NVRTC, no front
// end): load a `.dlx` written by `dlc compile MODEL.dl`, initialise (or load)
// its weights unless the artifact embeds them, run it on a batch of the shape
// it was compiled for and read the outputs.
//
//   dlc_run_artifact MODEL.dlx [WEIGHTS.safetensors]
#include <cstdio>
#include <iostream>

#include "dlc/runtime.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: dlc_run_artifact MODEL.dlx [WEIGHTS.safetensors]\n";
    return 2;
  }
  absl::StatusOr<dlc::CompiledModel> model = dlc::CompiledModel::load(argv[1]);
  if (!model.ok()) {
    std::cerr << model.status().message() << "\n";
    return 1;
  }
  absl::Status weights = absl::OkStatus();
  if (argc == 3) {
    weights = model->loadWeights(argv[2]);
  } else if (!model->hasAllWeights()) {
    weights = model->initializeWeights(/*seed=*/42);
  }
  if (!weights.ok()) {
    std::cerr << weights.message() << "\n";
    return 1;
  }

  // The first input shape the inference function was compiled for (one per
  // `dlc compile --batch`), values a simple ramp.
  const std::vector<int64_t>* shape = nullptr;
  for (const dlc::CompiledFunctionInfo& f : model->functions()) {
    if (f.role == "inference" && !f.input_shapes.empty()) {
      shape = &f.input_shapes[0];
      break;
    }
  }
  if (shape == nullptr) {
    std::cerr << argv[1] << ": no inference function\n";
    return 1;
  }
  const dlc::TensorSpec& spec = model->inputs().at(0);
  absl::StatusOr<dlc::Tensor> input = dlc::Tensor::zeros(spec.dtype, *shape);
  if (!input.ok()) {
    std::cerr << input.status().message() << "\n";
    return 1;
  }
  for (int64_t i = 0; i < input->numElements(); ++i) input->set(i, static_cast<double>(i % 7) / 7.0);

  dlc::NamedTensors inputs;
  inputs.emplace_back(spec.name, std::move(*input));
  absl::StatusOr<std::vector<dlc::Tensor>> outputs = model->run(inputs);
  if (!outputs.ok()) {
    std::cerr << outputs.status().message() << "\n";
    return 1;
  }
  std::printf("model %s on %s: %zu parameters\n", model->name().c_str(), model->target().c_str(),
              model->parameters().size());
  for (size_t i = 0; i < outputs->size(); ++i) {
    const dlc::Tensor& out = (*outputs)[i];
    double sum = 0;
    for (int64_t j = 0; j < out.numElements(); ++j) sum += out.get(j);
    std::printf("output %zu: %s sum %.6f\n", i, out.typeString().c_str(), sum);
  }
  return 0;
}
