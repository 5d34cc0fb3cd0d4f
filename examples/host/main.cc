// A C++ application using dlc as a library: load a model, initialise (or
// load) its weights, run it on a batch and read the outputs.
//
//   dlc_host_example MODEL.dl [WEIGHTS.safetensors]
#include <cstdio>
#include <iostream>

#include "dlc/dlc.h"
#include "run_and_print.h"

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
  // (the batch) become 2.
  std::vector<int64_t> shape;
  for (int64_t d : model->inputs().at(0).shape) shape.push_back(d < 0 ? 2 : d);
  return runAndPrint(*model, shape);
}
