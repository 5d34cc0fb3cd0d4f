// Artifacts for the tests: one with every field filled, small ones for the
// fuzzer's seed corpus, and helpers to take a file apart and rebuild it.
#ifndef DLC_TESTS_UNIT_ARTIFACT_SAMPLE_ARTIFACTS_H_
#define DLC_TESTS_UNIT_ARTIFACT_SAMPLE_ARTIFACTS_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/container.h"

namespace dlc::runtime::artifact::testing {

// Model `tiny`: inputs x f32[batch, 4] and ids i32[batch]; parameters
// dense.kernel f32[4, 3], dense.bias f32[3], bn.mean f32[3] (not
// trainable); one optimizer state. Function 0 is the inference function on
// the CPU (fake shared object, constants, an index check); function 1 the
// train step on CUDA (cubins for sm_80 and sm_90, PTX, a GEMM with bias and
// relu, a forward and a backward-data convolution, parameter writes).
// Weights embedded.
Artifact fullArtifact();
// Small artifacts (under 4 KiB as files) for the fuzzer's seeds.
Artifact smallCpuArtifact();
Artifact smallCudaArtifact();
Artifact signatureOnlyArtifact();

// The bytes of an artifact that must serialize.
std::string bytesOf(Artifact artifact);
// parseArtifact's message for `bytes` as "model.dlx", checking that it fails
// with InvalidArgument and a message that starts with the name.
std::string parseError(const std::string& bytes, const ParseOptions& options = {});

// Exact equality, field by field, with gtest failures naming the field.
void expectSameArtifact(const Artifact& expected, const Artifact& actual);

// A file taken apart and put back together: sections by name in file order.
struct Parts {
  struct Part {
    std::string name;
    SectionKind kind;
    std::string payload;  // for `meta`, replaced by meta.dump()
  };
  std::string dlc_version;
  std::vector<Part> sections;
  nlohmann::json meta;

  Part* find(std::string_view name);
  std::string build() const;  // with a valid hash
};
Parts takeApart(const std::string& bytes);
// The bytes with the meta JSON changed by `edit`.
std::string editMeta(const std::string& bytes, const std::function<void(nlohmann::json&)>& edit);
// Where section table entry `i` starts.
size_t tableEntryOffset(const std::string& bytes, size_t i);
void putLE(std::string& bytes, size_t at, uint64_t value, int n);

}  // namespace dlc::runtime::artifact::testing

#endif  // DLC_TESTS_UNIT_ARTIFACT_SAMPLE_ARTIFACTS_H_
