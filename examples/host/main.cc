// A C++ application using dlc as a library: load a model, initialise (or
// load) its weights, run it on a batch and read the outputs.
//
//   dlc_host_example MODEL.dl [WEIGHTS.safetensors]
#include <cstdio>
#include <iostream>

#include "dlc/dlc.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: dlc_host_example MODEL.dl [WEIGHTS.safetensors]\n";
    return 2;
  }
  absl::StatusOr<dlc::Model> model = dlc::Model::fromFile(argv[1]);
  if (!model.ok()) {
    std::cerr << model.status().message() << "\n";
    return 1;
  }
  absl::Status weights = argc == 3 ? model->loadWeights(argv[2]) : model->initializeWeights(/*seed=*/42);
  if (!weights.ok()) {
    std::cerr << weights.message() << "\n";
    return 1;
  }

  // A batch of 2 inputs of the model's first input type; symbolic dims
  // (the batch) become 2, values a simple ramp.
  const dlc::TensorSpec& spec = model->inputs().at(0);
  std::vector<int64_t> shape;
  for (int64_t d : spec.shape) shape.push_back(d < 0 ? 2 : d);
  absl::StatusOr<dlc::Tensor> input = dlc::Tensor::zeros(spec.dtype, shape);
  if (!input.ok()) {
    std::cerr << input.status().message() << "\n";
    return 1;
  }
  for (int64_t i = 0; i < input->numElements(); ++i) input->set(i, static_cast<double>(i % 7) / 7.0);

  std::vector<std::pair<std::string, dlc::Tensor>> inputs;
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
