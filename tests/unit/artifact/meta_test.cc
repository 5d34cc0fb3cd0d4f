// The meta section and what it says: malformed JSON, missing and mistyped
// fields, and plans, code and weights that do not hold together. Each file
// here has a valid hash, so that these checks are the ones reached.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/container.h"
#include "runtime/tensor_file.h"
#include "tests/unit/artifact/sample_artifacts.h"

namespace dlc::runtime::artifact {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
using testing::bytesOf;
using testing::editMeta;
using testing::fullArtifact;
using testing::parseError;

const std::string kBytes = bytesOf(fullArtifact());

// parseArtifact's message once `edit` has changed the meta JSON.
std::string metaError(const std::function<void(Json&)>& edit) { return parseError(editMeta(kBytes, edit)); }

Json& plan(Json& meta, int function) { return meta["functions"][function]["plan"]; }

std::string withSection(const std::string& name, std::string payload) {
  testing::Parts parts = testing::takeApart(kBytes);
  parts.find(name)->payload = std::move(payload);
  return parts.build();
}

std::string weightsFile(runtime::NamedTensors tensors) {
  absl::StatusOr<std::string> bytes = runtime::serializeSafetensors(tensors);
  EXPECT_TRUE(bytes.ok());
  return *bytes;
}

runtime::Tensor zeros(ir::DType dtype, std::vector<int64_t> shape) { return *runtime::Tensor::zeros(dtype, shape); }

TEST(ArtifactMeta, NotJson) {
  testing::Parts parts = testing::takeApart(kBytes);
  std::string text = "{\"source_hash\": ";
  std::vector<Section> sections;
  for (const testing::Parts::Part& p : parts.sections)
    sections.push_back(Section{p.name, p.kind, p.name == "meta" ? text : p.payload});
  absl::StatusOr<std::string> bytes = writeContainer(parts.dlc_version, sections);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(parseError(*bytes), HasSubstr("model.dlx: section 'meta' is not valid JSON: parse error at line 1"));
  EXPECT_EQ(metaError([](Json& m) { m = Json::array(); }), "model.dlx: meta: must be an object");
}

TEST(ArtifactMeta, DeepNestingDoesNotOverflowTheStack) {
  testing::Parts parts = testing::takeApart(kBytes);
  std::string text = "{\"source_hash\": " + std::string(200000, '[') + std::string(200000, ']') + "}";
  std::vector<Section> sections;
  for (const testing::Parts::Part& p : parts.sections)
    sections.push_back(Section{p.name, p.kind, p.name == "meta" ? text : p.payload});
  absl::StatusOr<std::string> bytes = writeContainer(parts.dlc_version, sections);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(parseError(*bytes), "model.dlx: meta.source_hash: must be a string");
}

TEST(ArtifactMeta, MissingAndUnexpectedFields) {
  EXPECT_EQ(metaError([](Json& m) { m["signature"].erase("model"); }), "model.dlx: meta.signature: missing 'model'");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0).erase("arena_bytes"); }),
            "model.dlx: meta.functions[0].plan: missing 'arena_bytes'");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][1]["cuda"].erase("cubins"); }),
            "model.dlx: meta.functions[1].cuda: missing 'cubins'");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["extra"] = 1; }),
            "model.dlx: meta.functions[0]: unexpected key 'extra'");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["cuda"] = Json::object(); }),
            "model.dlx: meta.functions[0]: unexpected key 'cuda'");
}

TEST(ArtifactMeta, WrongTypes) {
  const std::string integer = "must be an integer in [-9223372036854775808, 9223372036854775807]";
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][0]["bytes"] = "32"; }),
            "model.dlx: meta.functions[0].plan.slots[0].bytes: " + integer);
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][0]["bytes"] = 32.0; }),
            "model.dlx: meta.functions[0].plan.slots[0].bytes: " + integer);
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][7]["bytes"] = uint64_t{1} << 63; }),
            "model.dlx: meta.functions[0].plan.slots[7].bytes: " + integer);
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["steps"][0]["kernel"] = int64_t{1} << 40; }),
            "model.dlx: meta.functions[0].plan.steps[0].kernel: must be an integer in [-2147483648, 2147483647]");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["inputs"] = Json::object(); }),
            "model.dlx: meta.signature.inputs: must be an array");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["inputs"][0]["trainable"] = 1; }),
            "model.dlx: meta.signature.inputs[0].trainable: must be true or false");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["model"] = nullptr; }),
            "model.dlx: meta.signature.model: must be a string");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][1]["stride"] = {1, 2, 3}; }),
            "model.dlx: meta.functions[1].plan.library_calls[1].stride: must hold 2 integers");
}

TEST(ArtifactMeta, UnknownNames) {
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][0]["dtype"] = "f8"; }),
            "model.dlx: meta.functions[0].plan.slots[0].dtype: unknown dtype 'f8'");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["parameters"][0]["dtype"] = "float32"; }),
            "model.dlx: meta.signature.parameters[0].dtype: unknown dtype 'float32'");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][0]["kind"] = "global"; }),
            "model.dlx: meta.functions[0].plan.slots[0].kind: unknown value 'global' (expected input, param, "
            "arena, constant, run_state)");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["role"] = "train"; }),
            "model.dlx: meta.functions[0].role: unknown value 'train' (expected inference, grad, train_step)");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["target"] = "tpu"; }),
            "model.dlx: meta.functions[0].target: unknown target 'tpu' (expected cpu or cuda)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][0]["activation"] = "gelu"; }),
            "model.dlx: meta.functions[1].plan.library_calls[0].activation: unknown value 'gelu' (expected none, "
            "relu)");
}

TEST(ArtifactMeta, Shapes) {
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][7]["shape"] = {-2, 3}; }),
            "model.dlx: function 0 ('tiny', cpu): slot 7: shape [-2, 3] has a negative dimension or too many "
            "elements");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][7]["shape"] = {int64_t{1} << 40, int64_t{1} << 40}; }),
            "model.dlx: function 0 ('tiny', cpu): slot 7: shape [1099511627776, 1099511627776] has a negative "
            "dimension or too many elements");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["input_shapes"][1] = {-1}; }),
            "model.dlx: function 0 ('tiny', cpu): input shape 1 [-1] has a negative dimension or too many elements");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["inputs"][0]["symbols"] = {"", ""}; }),
            "model.dlx: signature: input 0 ('x') dim 0 is -1 without a symbol");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["outputs"][0]["shape"] = {-1, int64_t{1} << 62}; }),
            "model.dlx: signature: output 0 ('y') shape [-1, 4611686018427387904] has a negative dimension or too "
            "many elements");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["parameters"][1]["name"] = "dense.kernel"; }),
            "model.dlx: signature: parameter 'dense.kernel' appears twice");
  EXPECT_EQ(metaError([](Json& m) { m["source_hash"] = "abc"; }),
            "model.dlx: source hash 'abc' is not 64 lower-case hex digits");
}

TEST(ArtifactPlan, IndicesOutOfRange) {
  const std::string cpu = "model.dlx: function 0 ('tiny', cpu): ";
  const std::string cuda = "model.dlx: function 1 ('tiny.train_step', cuda): ";
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["steps"][0]["slots"][0] = 99; }),
            cpu + "step 0: kernel 'k_dense': slot 99 is out of range (the plan has 10 slots)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["steps"][0]["slots"][6] = -2; }),
            cpu + "step 0: kernel 'k_dense': slot -2 is out of range (the plan has 10 slots)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["steps"][1]["kernel"] = 2; }),
            cpu + "step 1: kernel 2 is out of range (the plan has 2 kernels)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["steps"][0]["library"] = 3; }),
            cuda + "step 0: library call 3 is out of range (the plan has 3 library calls)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["steps"][0]["library"] = -5; }),
            cuda + "step 0: library call -5 is out of range");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][2]["index"] = 3; }),
            cpu + "slot 2: parameter 3 is out of range (the plan has 3 parameters)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][5]["index"] = 2; }),
            cpu + "slot 5: constant 2 is out of range (the plan has 2 constants)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][0]["index"] = 2; }),
            cpu + "slot 0: input 2 is out of range (the function has 2 inputs)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["outputs"][0] = 10; }),
            cpu + "output 0: slot 10 is out of range (the plan has 10 slots)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["writes"][1]["slot"] = -1; }),
            cuda +
                "write 1 (of 'optimizer.m.dense.kernel'): the value: slot -1 is out of range (the plan has 15 "
                "slots)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["index_checks"][0]["slot"] = 12; }),
            cpu + "index check 0: slot 12 is out of range (the plan has 10 slots)");
}

TEST(ArtifactPlan, SlotsAndArena) {
  const std::string cpu = "model.dlx: function 0 ('tiny', cpu): ";
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][7]["bytes"] = 20; }),
            cpu + "slot 7: holds 20 bytes, but f32[2, 3] takes 24");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][8]["offset"] = 110; }),
            cpu + "slot 8: 24 bytes at arena offset 110 lie outside the arena (128 bytes)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][8]["offset"] = -8; }),
            cpu + "slot 8: 24 bytes at arena offset -8 lie outside the arena (128 bytes)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][8]["offset"] = INT64_MAX; }),
            cpu + "slot 8: 24 bytes at arena offset 9223372036854775807 lie outside the arena (128 bytes)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["arena_bytes"] = -1; }), cpu + "arena_bytes -1 is outside [0, 2^56]");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["input_shapes"][0] = {3, 4}; }),
            cpu + "slot 0: input 0 has shape [2, 4], but the function was compiled for [3, 4]");
  EXPECT_EQ(metaError([](Json& m) {
              plan(m, 0)["slots"][9]["shape"] = {3};
              plan(m, 0)["slots"][9]["bytes"] = 24;
            }),
            cpu + "slot 9: the run state is i64[2], not i64[3]");
  EXPECT_EQ(metaError([](Json& m) {
              plan(m, 0)["slots"][5]["dtype"] = "f16";
              plan(m, 0)["slots"][5]["bytes"] = 6;
            }),
            cpu + "slot 5: constant 0 is f32[3], but the slot is f16[3]");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["index_checks"][0]["slot"] = 7; }),
            cpu + "index check 0: slot 7 is of kind arena, which is not in host memory before the run");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["index_checks"][0]["limit"] = -1; }),
            cpu + "index check 0: limit -1 is negative");
}

TEST(ArtifactPlan, ParametersMatchTheSignature) {
  const std::string cpu = "model.dlx: function 0 ('tiny', cpu): ";
  const std::string cuda = "model.dlx: function 1 ('tiny.train_step', cuda): ";
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["params"][2] = "ghost"; }),
            cpu + "parameter 'ghost' is not a parameter or optimizer state of the signature");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["params"][2] = "dense.bias"; }),
            cpu + "parameter 'dense.bias' is listed twice");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 0)["slots"][4]["index"] = 0; }),
            cpu + "slot 4: parameter 'dense.kernel' is f32[3], but the signature says f32[4, 3]");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["writes"][0]["name"] = "nope"; }),
            cuda + "write 0 (of 'nope'): not a parameter or optimizer state of the signature");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["writes"][0]["name"] = "dense.bias"; }),
            cuda + "write 0 (of 'dense.bias'): slot 7 is f32[4, 3], but the signature says f32[3]");
}

TEST(ArtifactPlan, LibraryCalls) {
  const std::string cuda = "model.dlx: function 1 ('tiny.train_step', cuda): ";
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["steps"][0]["slots"] = {0, 2, 5}; }),
            cuda + "step 0: gemm f32 tf32 [2x4]x[4x3] +bias relu takes 4 slots, but the step binds 3");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["steps"][0]["slots"] = {1, 2, 3, 5}; }),
            cuda +
                "step 0: gemm f32 tf32 [2x4]x[4x3] +bias relu, operand 0: slot 1 is f32[2, 3] (24 bytes), but the "
                "call takes 8 f32 elements");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["steps"][0]["slots"][3] = -1; }),
            cuda +
                "step 0: gemm f32 tf32 [2x4]x[4x3] +bias relu, operand 3: slot -1 is out of range (the plan has 15 "
                "slots)");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][0]["m"] = 0; }),
            cuda + "library call 0: gemm sizes m 0, n 3, k 4 must be positive and int-sized");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][0]["dtype"] = "i32"; }),
            cuda + "library call 0: library calls take f32, f16 or bf16, not i32");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][1]["out"] = {4, 3, 3}; }),
            cuda +
                "library call 1: rows: a window of 3 (dilation 1, stride 2, padding 1) over 5 cells gives 3 "
                "outputs, not 4");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][1]["stride"] = {0, 2}; }),
            cuda +
                "library call 1: rows: stride 0, padding 1 and dilation 1 must be positive (padding "
                "non-negative) and int-sized");
  EXPECT_EQ(metaError([](Json& m) { plan(m, 1)["library_calls"][1]["in"] = {int64_t{1} << 40, 5, 2}; }),
            cuda +
                "library call 1: convolution sizes must be positive and int-sized: conv2d_forward f16 "
                "x[1,1099511627776,5,2] w[3,3,3,2] y[1,3,3,3] stride 2x2 pad 1x1 dilation 1x1");
  // A library call's unused kernel index may be anything.
  EXPECT_TRUE(parseArtifact(editMeta(kBytes, [](Json& m) { plan(m, 1)["steps"][3]["kernel"] = -7; }), "x").ok());
}

TEST(ArtifactSectionsAndCode, References) {
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["cpu"]["shared_object"] = "nothing"; }),
            "model.dlx: meta.functions[0].cpu.shared_object: names section 'nothing', which the file lacks");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["cpu"]["shared_object"] = "ptx.1"; }),
            "model.dlx: meta.functions[0].cpu.shared_object: names section 'ptx.1', which holds ptx, not "
            "shared_object");
  EXPECT_EQ(metaError([](Json& m) { m.erase("weights"); }),
            "model.dlx: section 'weights' (weights) is not named by the metadata");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][1] = m["functions"][0]; }),
            "model.dlx: section 'cuda.1.sm_80' (cubin) is not named by the metadata");
}

TEST(ArtifactSectionsAndCode, Functions) {
  EXPECT_EQ(parseError(withSection("cpu.0", "")),
            "model.dlx: function 0 ('tiny', cpu): targets cpu but has no shared object");
  EXPECT_EQ(metaError([](Json& m) {
              m["functions"][1]["cuda"]["cubins"]["sm90"] = m["functions"][1]["cuda"]["cubins"]["sm_90"];
              m["functions"][1]["cuda"]["cubins"].erase("sm_90");
            }),
            "model.dlx: function 1 ('tiny.train_step', cuda): cubin architecture 'sm90' is not of the form sm_90");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][1]["cuda"]["ptx_arch"] = ""; }),
            "model.dlx: function 1 ('tiny.train_step', cuda): holds PTX without its architecture");
  // The same function twice (its code sections shared).
  std::string twice = editMeta(kBytes, [](Json& m) { m["functions"].push_back(m["functions"][0]); });
  EXPECT_EQ(parseError(twice), "model.dlx: function 2 ('tiny', cpu) repeats function 0 for the same input shapes");
  EXPECT_EQ(metaError([](Json& m) { m["functions"][0]["name"] = ""; }), "model.dlx: function 0 ('', cpu): has no name");
}

TEST(ArtifactSectionsAndCode, CudaLaunches) {
  const std::string cuda = "model.dlx: function 1 ('tiny.train_step', cuda): ";
  auto launches = [&](Json& m) -> Json& { return m["functions"][1]["cuda"]["kernels"]; };
  EXPECT_EQ(metaError([&](Json& m) { launches(m).erase(0); }), cuda + "kernel 'k_update' of its plan has no launches");
  EXPECT_EQ(metaError([&](Json& m) { launches(m)[0]["kernel"] = "k_other"; }),
            cuda + "has launches for 'k_other', which is not a kernel of its plan");
  EXPECT_EQ(metaError([&](Json& m) { launches(m)[0]["kernel"] = "k_loss"; }),
            cuda + "has launches for kernel 'k_loss' twice");
  EXPECT_EQ(metaError([&](Json& m) { launches(m)[1]["launches"][0]["block_x"] = 2048; }),
            cuda +
                "launch 'k_loss_0' of kernel 'k_loss' has grid (4, 2), block 2048 and 1024 bytes of shared "
                "memory, outside CUDA's limits");
  EXPECT_EQ(metaError([&](Json& m) { launches(m)[1]["launches"][1]["grid_y"] = 65536; }),
            cuda +
                "launch 'k_loss_1' of kernel 'k_loss' has grid (1, 65536), block 32 and 0 bytes of shared "
                "memory, outside CUDA's limits");
  EXPECT_EQ(metaError([&](Json& m) { launches(m)[1]["launches"][1]["name"] = ""; }),
            cuda + "kernel 'k_loss' has a launch without a name");
  EXPECT_EQ(metaError([&](Json& m) { launches(m)[1]["launches"][1].erase("shared_bytes"); }),
            "model.dlx: meta.functions[1].cuda.kernels[1].launches[1]: missing 'shared_bytes'");
  // Launches are CUDA code: a CPU function has none.
  Artifact a = fullArtifact();
  a.functions[0].cuda.kernels = {{"k_dense", {}}};
  EXPECT_EQ(serializeArtifact(std::move(a)).status().message(),
            "function 0 ('tiny', cpu): targets cpu but holds CUDA code");
}

TEST(ArtifactMeta, InitialiserArguments) {
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["parameters"][0]["init_args"]["minval"] = "small"; }),
            "model.dlx: meta.signature.parameters[0].init_args.minval: must be a number");
  EXPECT_EQ(metaError([](Json& m) { m["signature"]["parameters"][0]["init_args"] = Json::array(); }),
            "model.dlx: meta.signature.parameters[0].init_args: must be an object");
  Artifact a = fullArtifact();
  a.signature.parameters[0].init_args["maxval"] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(serializeArtifact(std::move(a)).status().message(),
            "signature: parameter 0 ('dense.kernel') initialiser argument 'maxval' is not a finite number");
}

TEST(ArtifactSectionsAndCode, Constants) {
  runtime::NamedTensors bad;
  bad.emplace_back("0", zeros(ir::DType::kF32, {3}));
  bad.emplace_back("5", zeros(ir::DType::kBool, {2}));
  EXPECT_EQ(parseError(withSection("constants.0", weightsFile(std::move(bad)))),
            "model.dlx: section 'constants.0': constant '5' is not an index below 2");
  EXPECT_THAT(parseError(withSection("constants.0", "garbage")),
              HasSubstr("model.dlx: section 'constants.0': too short for a safetensors file"));
}

TEST(ArtifactSectionsAndCode, Weights) {
  auto weights = [](std::vector<std::pair<std::string, std::vector<int64_t>>> shapes) {
    runtime::NamedTensors w;
    for (auto& [name, shape] : shapes) w.emplace_back(name, zeros(ir::DType::kF32, shape));
    return weightsFile(std::move(w));
  };
  EXPECT_EQ(
      parseError(withSection("weights", weights({{"dense.kernel", {4, 4}}, {"dense.bias", {3}}, {"bn.mean", {3}}}))),
      "model.dlx: weights: 'dense.kernel' is f32[4, 4], but the signature says f32[4, 3]");
  EXPECT_EQ(parseError(withSection("weights", weights({{"dense.kernel", {4, 3}}, {"dense.bias", {3}}}))),
            "model.dlx: weights: parameter 'bn.mean' is missing");
  EXPECT_EQ(parseError(withSection("weights", weights({{"dense.kernel", {4, 3}}, {"extra", {3}}}))),
            "model.dlx: weights: 'extra' is not a parameter or optimizer state of the model");
  runtime::NamedTensors ints;
  ints.emplace_back("dense.kernel", zeros(ir::DType::kI32, {4, 3}));
  EXPECT_EQ(parseError(withSection("weights", weightsFile(std::move(ints)))),
            "model.dlx: weights: 'dense.kernel' is i32[4, 3], but the signature says f32[4, 3]");
  EXPECT_THAT(parseError(withSection("weights", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8))),
              HasSubstr("model.dlx: section 'weights': header length 9223372036854775807 goes past the end"));
}

// The writer refuses what its reader would refuse.
TEST(SerializeArtifact, RejectsInvalidArtifacts) {
  auto error = [](Artifact a) {
    absl::StatusOr<std::string> bytes = serializeArtifact(std::move(a));
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument) << bytes.status();
    return std::string(bytes.status().message());
  };
  Artifact a = fullArtifact();
  a.functions[0].executable.steps[0].slots[0] = 42;
  EXPECT_EQ(error(std::move(a)),
            "function 0 ('tiny', cpu): step 0: kernel 'k_dense': slot 42 is out of range (the plan has 10 slots)");
  a = fullArtifact();
  a.functions[0].executable.kernels[0] = "k\xff";
  EXPECT_THAT(error(std::move(a)), HasSubstr("not valid UTF-8"));
  a = fullArtifact();
  a.weights.emplace_back("dense.bias", zeros(ir::DType::kF32, {3}));
  EXPECT_EQ(error(std::move(a)), "weights: 'dense.bias' appears twice");
  a = fullArtifact();
  a.functions[1].cuda = CudaCode{};
  EXPECT_EQ(error(std::move(a)), "function 1 ('tiny.train_step', cuda): targets cuda but has neither cubins nor PTX");
  a = fullArtifact();
  a.functions[0].cuda.ptx = "x";
  EXPECT_EQ(error(std::move(a)), "function 0 ('tiny', cpu): targets cpu but holds CUDA code");
  a = fullArtifact();
  a.functions[0].cpu.features = {"+avx2"};
  EXPECT_EQ(error(std::move(a)),
            "function 0 ('tiny', cpu): CPU feature '+avx2' must be a name such as avx2 (without + or -)");
  a = fullArtifact();
  a.functions[0].executable.slots[7].dtype = static_cast<ir::DType>(42);
  EXPECT_EQ(error(std::move(a)), "function 0 ('tiny', cpu): slot 7: unknown dtype 42");
  a = fullArtifact();
  a.functions[0].executable.constants[0] = runtime::Tensor();
  EXPECT_THAT(error(std::move(a)), HasSubstr("function 0 ('tiny', cpu): slot 5: constant 0 is f32[]"));
  a = fullArtifact();
  a.signature.model.clear();
  EXPECT_EQ(error(std::move(a)), "signature: the model has no name");
  a = fullArtifact();
  a.functions[0].target = "gpu";
  EXPECT_EQ(error(std::move(a)), "function 0 ('tiny', gpu): has unknown target 'gpu' (expected cpu or cuda)");
}

}  // namespace
}  // namespace dlc::runtime::artifact
