// The models the CUDA function tests compile: every example (examples/*.dl)
// and every conformance case (../shared/conformance/*/model.dl), lowered as
// the API lowers them: inference form, and training form with the training
// functions (grad, train_step, evaluate).
#ifndef DLC_TESTS_UNIT_CODEGEN_CUDA_FUNCTION_MODELS_H_
#define DLC_TESTS_UNIT_CODEGEN_CUDA_FUNCTION_MODELS_H_

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "ir/ir.h"
#include "passes/pass_manager.h"
#include "passes/pipeline.h"
#include "support/diagnostics.h"
#include "support/env.h"
#include "support/source_manager.h"

namespace dlc::cuda_test {

namespace fs = std::filesystem;

constexpr int64_t kBatch = 2;

// The source tree: $DLC_SOURCE_DIR, else the one this binary was built from,
// else the working directory (a binary carried to another machine and run
// from a copy of the repository).
inline fs::path sourceRoot() {
  if (std::optional<std::string> env = envString("DLC_SOURCE_DIR")) return *env;
  if (fs::exists(fs::path(DLC_SOURCE_DIR) / "examples")) return DLC_SOURCE_DIR;
  return fs::current_path();
}

// $DLC_CONFORMANCE_DIR, else ../shared/conformance beside the source tree.
inline fs::path conformanceRoot() {
  if (std::optional<std::string> env = envString("DLC_CONFORMANCE_DIR")) return *env;
  return sourceRoot() / ".." / "shared" / "conformance";
}

// "examples/mnist_cnn.dl", "conformance/mnist_cnn_grad/model.dl", ... sorted.
inline std::vector<std::string> modelFiles(bool with_conformance) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sourceRoot() / "examples", ec))
    if (entry.path().extension() == ".dl") files.push_back("examples/" + entry.path().filename().string());
  if (with_conformance && fs::exists(conformanceRoot())) {
    for (const auto& entry : fs::directory_iterator(conformanceRoot(), ec))
      if (fs::exists(entry.path() / "model.dl"))
        files.push_back("conformance/" + entry.path().filename().string() + "/model.dl");
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Small models whose kernels take each of the CUDA emitter's mappings (vector
// accesses, rows in registers, reductions split across blocks), with static
// shapes: "tests/unit/codegen_cuda_function/mappings/rows_10.dl", ... sorted.
inline std::vector<std::string> mappingModelFiles() {
  const std::string folder = "tests/unit/codegen_cuda_function/mappings";
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(sourceRoot() / folder, ec))
    if (entry.path().extension() == ".dl") files.push_back(folder + "/" + entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

inline fs::path modelPath(const std::string& file) {
  if (file.starts_with("conformance/")) return conformanceRoot() / file.substr(12);
  return sourceRoot() / file;
}

// A model lowered both ways; `sources` outlives the modules.
struct LoweredModel {
  SourceManager sources;
  std::unique_ptr<ir::Module> inference, training;
};

inline std::unique_ptr<LoweredModel> lowerModel(const std::string& file) {
  auto model = std::make_unique<LoweredModel>();
  DiagnosticEngine diags(model->sources);
  std::unique_ptr<ast::Program> program = frontend::parseProgram(model->sources, diags, modelPath(file).string());
  if (!program || diags.hadError()) {
    ADD_FAILURE() << file << " does not parse";
    return nullptr;
  }
  for (bool training : {false, true}) {
    std::unique_ptr<ir::Module> module = frontend::lowerProgram(*program, diags, {"", training});
    if (!module || diags.hadError()) {
      ADD_FAILURE() << file << " does not lower (training = " << training << ")";
      return nullptr;
    }
    passes::PassManager pm;
    if (training && !module->trainSpecs().empty() && !pm.add("training").ok()) return nullptr;
    if (!passes::buildGraphPipeline(pm).ok() || !pm.run(*module).ok()) {
      ADD_FAILURE() << file << ": the pipeline fails";
      return nullptr;
    }
    (training ? model->training : model->inference) = std::move(module);
  }
  return model;
}

// The VGG16 models (224x224 inputs): minutes in NVRTC and the reference.
inline bool isLarge(const std::string& file) {
  return file.find("vgg16") != std::string::npos || file.find("transfer") != std::string::npos;
}

// The input shapes of `function` with every symbolic dim kBatch.
inline std::vector<std::vector<int64_t>> inputShapes(const ir::Function& function) {
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& arg : function.arguments()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& d : arg->type().dims) shape.push_back(d.isStatic() ? d.size() : kBatch);
    shapes.push_back(shape);
  }
  return shapes;
}

inline std::string testName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace dlc::cuda_test

#endif  // DLC_TESTS_UNIT_CODEGEN_CUDA_FUNCTION_MODELS_H_
