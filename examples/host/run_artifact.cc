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
#include "run_and_print.h"

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
  // `dlc compile --batch`).
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
  return runAndPrint(*model, *shape);
}
