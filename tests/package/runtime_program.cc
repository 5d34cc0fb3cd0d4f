// A program that uses only dlc's runtime (dlc-runtime.pc): tensors and
// tensor files, no compiler. Writes a bf16 tensor to a safetensors file in
// the folder given and reads it back; a bf16 .npy is refused.
#include <cstdio>
#include <string>
#include <utility>

#include "dlc/tensor.h"
#include "dlc/tensor_file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: runtime_program DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  absl::StatusOr<dlc::runtime::Tensor> t = dlc::runtime::Tensor::zeros(dlc::ir::DType::kBF16, {3, 4});
  if (!t.ok()) return 1;
  for (int64_t i = 0; i < t->numElements(); ++i) t->set(i, 0.5 * static_cast<double>(i));
  if (dlc::runtime::writeNpy(dir + "/t.npy", *t).ok()) {  // bf16 has no .npy dtype
    std::printf("npy: bf16 accepted\n");
    return 1;
  }
  dlc::runtime::NamedTensors tensors;
  tensors.emplace_back("t", std::move(*t));
  if (absl::Status s = dlc::runtime::writeSafetensors(dir + "/t.safetensors", tensors, {{"k", "v"}}); !s.ok()) {
    std::printf("%s\n", std::string(s.message()).c_str());
    return 1;
  }
  dlc::runtime::TensorMetadata metadata;
  absl::StatusOr<dlc::runtime::NamedTensors> read = dlc::runtime::readSafetensors(dir + "/t.safetensors", &metadata);
  if (!read.ok()) {
    std::printf("%s\n", std::string(read.status().message()).c_str());
    return 1;
  }
  const dlc::runtime::Tensor& r = (*read)[0].second;
  std::printf(
      "runtime: %s %s sum %.1f metadata k=%s\n", (*read)[0].first.c_str(), r.typeString().c_str(),
      [&] {
        double s = 0;
        for (int64_t i = 0; i < r.numElements(); ++i) s += r.get(i);
        return s;
      }(),
      metadata["k"].c_str());
  return 0;
}
