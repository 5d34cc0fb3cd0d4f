// What both host examples do once their model is ready: run it on a ramp of
// the first input's type and shape, and print one line per output.
#ifndef DLC_EXAMPLES_HOST_RUN_AND_PRINT_H_
#define DLC_EXAMPLES_HOST_RUN_AND_PRINT_H_

#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "dlc/signature.h"
#include "dlc/tensor.h"
#include "dlc/tensor_file.h"

// `Model` is dlc::Model (dlc/dlc.h) or dlc::CompiledModel (dlc/runtime.h).
// Returns the process's exit status.
template <typename Model>
int runAndPrint(Model& model, const std::vector<int64_t>& shape) {
  const dlc::TensorSpec& spec = model.inputs().at(0);
  absl::StatusOr<dlc::Tensor> input = dlc::Tensor::zeros(spec.dtype, shape);
  if (!input.ok()) {
    std::cerr << input.status().message() << "\n";
    return 1;
  }
  for (int64_t i = 0; i < input->numElements(); ++i) input->set(i, static_cast<double>(i % 7) / 7.0);

  dlc::NamedTensors inputs;
  inputs.emplace_back(spec.name, std::move(*input));
  absl::StatusOr<std::vector<dlc::Tensor>> outputs = model.run(inputs);
  if (!outputs.ok()) {
    std::cerr << outputs.status().message() << "\n";
    return 1;
  }
  std::printf("model %s on %s: %zu parameters\n", model.name().c_str(), model.target().c_str(),
              model.parameters().size());
  for (size_t i = 0; i < outputs->size(); ++i) {
    const dlc::Tensor& out = (*outputs)[i];
    double sum = 0;
    for (int64_t j = 0; j < out.numElements(); ++j) sum += out.get(j);
    std::printf("output %zu: %s sum %.6f\n", i, out.typeString().c_str(), sum);
  }
  return 0;
}

#endif  // DLC_EXAMPLES_HOST_RUN_AND_PRINT_H_
