#include "tests/unit/artifact/sample_artifacts.h"

#include <gtest/gtest.h>

#include <cstring>

namespace dlc::runtime::artifact::testing {
namespace {

using runtime::ConvCall;
using runtime::Executable;
using runtime::LibraryCall;
using runtime::Slot;
using runtime::Tensor;
using DT = ir::DType;

Tensor filled(DT dtype, std::vector<int64_t> shape, double start) {
  Tensor t = *Tensor::zeros(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, dtype == DT::kBool ? i % 2 : start + 0.25 * i);
  return t;
}

TensorSignature tensor(std::string name, DT dtype, std::vector<int64_t> shape, std::vector<std::string> symbols = {},
                       bool trainable = true) {
  return TensorSignature{std::move(name), dtype, std::move(shape), std::move(symbols), trainable};
}

int64_t bytesOf(DT dtype, const std::vector<int64_t>& shape) {
  int64_t n = ir::dtypeSize(dtype);
  for (int64_t d : shape) n *= d;
  return n;
}

Slot slot(Slot::Kind kind, int index, int64_t offset, DT dtype, std::vector<int64_t> shape) {
  int64_t bytes = bytesOf(dtype, shape);
  return Slot{kind, index, offset, bytes, dtype, std::move(shape)};
}

// Bytes with NULs and every value, as code has.
std::string binary(std::string_view prefix, size_t size) {
  std::string out(prefix);
  for (size_t i = 0; out.size() < size; ++i) out.push_back(static_cast<char>((i * 37 + 11) & 0xff));
  return out;
}

Signature tinySignature() {
  Signature s;
  s.model = "tiny";
  s.inputs = {tensor("x", DT::kF32, {-1, 4}, {"batch", ""}), tensor("ids", DT::kI32, {-1}, {"batch"})};
  s.outputs = {tensor("y", DT::kF32, {-1, 3}, {"batch", ""})};
  s.parameters = {tensor("dense.kernel", DT::kF32, {4, 3}, {"", ""}), tensor("dense.bias", DT::kF32, {3}),
                  tensor("bn.mean", DT::kF32, {3}, {}, false)};
  s.parameters[0].init = "random_uniform";
  s.parameters[0].init_args = {{"minval", -0.05}, {"maxval", 0.1}};
  s.parameters[2].init = "constant";
  s.parameters[2].init_args = {{"value", 0.3}};
  s.optimizer_state = {tensor("optimizer.m.dense.kernel", DT::kF32, {4, 3}, {}, false)};
  return s;
}

CompiledFunction cpuInference() {
  CompiledFunction f;
  f.name = "tiny";
  f.role = FunctionRole::kInference;
  f.target = "cpu";
  f.input_shapes = {{2, 4}, {2}};
  Executable& e = f.executable;
  e.kernels = {"k_dense", "k_softmax"};
  e.params = {"dense.kernel", "dense.bias", "bn.mean"};
  e.constants.push_back(filled(DT::kF32, {3}, -1.0));
  e.constants.push_back(filled(DT::kBool, {2}, 0));
  e.slots = {
      slot(Slot::Kind::kInput, 0, 0, DT::kF32, {2, 4}),    // 0
      slot(Slot::Kind::kInput, 1, 0, DT::kI32, {2}),       // 1
      slot(Slot::Kind::kParam, 0, 0, DT::kF32, {4, 3}),    // 2
      slot(Slot::Kind::kParam, 1, 0, DT::kF32, {3}),       // 3
      slot(Slot::Kind::kParam, 2, 0, DT::kF32, {3}),       // 4
      slot(Slot::Kind::kConstant, 0, 0, DT::kF32, {3}),    // 5
      slot(Slot::Kind::kConstant, 1, 0, DT::kBool, {2}),   // 6
      slot(Slot::Kind::kArena, -1, 0, DT::kF32, {2, 3}),   // 7
      slot(Slot::Kind::kArena, -1, 64, DT::kF32, {2, 3}),  // 8
      slot(Slot::Kind::kRunState, -1, 0, DT::kI64, {2}),   // 9
  };
  e.steps = {{0, -1, {0, 1, 2, 3, 4, 5, -1, 7}}, {1, -1, {7, 6, 9, 8}}};
  e.outputs = {8};
  e.index_checks = {{1, 10, "embedding"}};
  e.arena_bytes = 128;
  e.unshared_bytes = 192;
  f.cpu.triple = "x86_64-unknown-linux-gnu";
  f.cpu.cpu = "x86-64-v3";
  f.cpu.features = {"avx2", "fma"};
  f.cpu.shared_object = binary(
      "\x7f"
      "ELF\x02\x01\x01",
      300);
  return f;
}

CompiledFunction cudaTrainStep() {
  CompiledFunction f;
  f.name = "tiny.train_step";
  f.role = FunctionRole::kTrainStep;
  f.target = "cuda";
  f.input_shapes = {{2, 4}, {2, 3}};
  Executable& e = f.executable;
  e.kernels = {"k_loss", "k_update"};
  e.params = {"dense.kernel", "dense.bias", "optimizer.m.dense.kernel"};
  LibraryCall gemm;
  gemm.kind = LibraryCall::Kind::kGemm;
  gemm.gemm = {2, 3, 4, true, runtime::GemmCall::Activation::kRelu};
  gemm.allow_tf32 = true;  // --precision tf32
  LibraryCall conv;
  conv.kind = LibraryCall::Kind::kConv2d;
  conv.dtype = DT::kF16;
  conv.conv = ConvCall{ConvCall::Direction::kForward, 1, 5, 5, 2, 3, 3, 3, 3, 3, {2, 2}, {1, 1}, {1, 1}};
  LibraryCall conv_back = conv;
  conv_back.conv = ConvCall{ConvCall::Direction::kBackwardData, 1, 7, 5, 2, 2, 2, 4, 3, 2, {2, 3}, {0, 1}, {2, 1}};
  e.library_calls = {gemm, conv, conv_back};
  e.slots = {
      slot(Slot::Kind::kInput, 0, 0, DT::kF32, {2, 4}),           // 0
      slot(Slot::Kind::kInput, 1, 0, DT::kF32, {2, 3}),           // 1
      slot(Slot::Kind::kParam, 0, 0, DT::kF32, {4, 3}),           // 2
      slot(Slot::Kind::kParam, 1, 0, DT::kF32, {3}),              // 3
      slot(Slot::Kind::kParam, 2, 0, DT::kF32, {4, 3}),           // 4
      slot(Slot::Kind::kArena, -1, 0, DT::kF32, {2, 3}),          // 5: gemm result
      slot(Slot::Kind::kArena, -1, 64, DT::kF32, {1}),            // 6: loss
      slot(Slot::Kind::kArena, -1, 128, DT::kF32, {4, 3}),        // 7: new kernel
      slot(Slot::Kind::kArena, -1, 192, DT::kF32, {4, 3}),        // 8: new m
      slot(Slot::Kind::kArena, -1, 256, DT::kF16, {1, 5, 5, 2}),  // 9: conv x
      slot(Slot::Kind::kArena, -1, 384, DT::kF16, {3, 3, 3, 2}),  // 10: conv w (KRSC)
      slot(Slot::Kind::kArena, -1, 512, DT::kF16, {1, 3, 3, 3}),  // 11: conv y
      slot(Slot::Kind::kArena, -1, 640, DT::kF16, {1, 2, 2, 4}),  // 12: dy
      slot(Slot::Kind::kArena, -1, 704, DT::kF16, {4, 3, 2, 2}),  // 13: w
      slot(Slot::Kind::kArena, -1, 832, DT::kF16, {1, 7, 5, 2}),  // 14: dx
  };
  e.steps = {
      {0, 0, {0, 2, 3, 5}}, {0, -1, {5, 1, 6}}, {1, -1, {2, 4, 7, 8, -1}}, {7, 1, {9, 10, 11}}, {0, 2, {12, 13, 14}}};
  e.outputs = {6};
  e.writes = {{"dense.kernel", 7}, {"optimizer.m.dense.kernel", 8}};
  e.arena_bytes = 1024;
  e.unshared_bytes = 2048;
  f.cuda.kernels = {{"k_update", {{"k_update", 3, 1, 256, 0}}},
                    {"k_loss", {{"k_loss_0", 4, 2, 128, 1024}, {"k_loss_1", 1, 1, 32, 0}}}};
  f.cuda.cubins = {{"sm_80", binary("\x7f"
                                    "ELF cubin 80",
                                    200)},
                   {"sm_90", binary("\x7f"
                                    "ELF cubin 90",
                                    180)}};
  f.cuda.ptx_arch = "compute_90";
  f.cuda.ptx = ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k_loss() { ret; }\n";
  return f;
}

runtime::NamedTensors tinyWeights() {
  runtime::NamedTensors w;
  w.emplace_back("dense.kernel", filled(DT::kF32, {4, 3}, 0.5));
  w.emplace_back("dense.bias", filled(DT::kF32, {3}, -0.5));
  w.emplace_back("bn.mean", filled(DT::kF32, {3}, 2));
  w.emplace_back("optimizer.m.dense.kernel", filled(DT::kF32, {4, 3}, 0));
  return w;
}

void expectSameTensor(const Tensor& a, const Tensor& b, const std::string& what) {
  EXPECT_EQ(a.typeString(), b.typeString()) << what;
  ASSERT_EQ(a.byteSize(), b.byteSize()) << what;
  if (a.byteSize() != 0) {
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.byteSize()), 0) << what;
  }
}

void expectSameTensors(const std::vector<TensorSignature>& a, const std::vector<TensorSignature>& b,
                       const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    std::string where = what + "[" + std::to_string(i) + "]";
    EXPECT_EQ(a[i].name, b[i].name) << where;
    EXPECT_EQ(a[i].dtype, b[i].dtype) << where;
    EXPECT_EQ(a[i].shape, b[i].shape) << where;
    EXPECT_EQ(a[i].symbols, b[i].symbols) << where;
    EXPECT_EQ(a[i].trainable, b[i].trainable) << where;
    EXPECT_EQ(a[i].init, b[i].init) << where;
    EXPECT_EQ(a[i].init_args, b[i].init_args) << where;
  }
}

void expectSameCall(const LibraryCall& a, const LibraryCall& b, const std::string& what) {
  EXPECT_EQ(a.kind, b.kind) << what;
  EXPECT_EQ(a.dtype, b.dtype) << what;
  EXPECT_EQ(a.allow_tf32, b.allow_tf32) << what;
  EXPECT_EQ(a.gemm.m, b.gemm.m) << what;
  EXPECT_EQ(a.gemm.n, b.gemm.n) << what;
  EXPECT_EQ(a.gemm.k, b.gemm.k) << what;
  EXPECT_EQ(a.gemm.bias, b.gemm.bias) << what;
  EXPECT_EQ(a.gemm.activation, b.gemm.activation) << what;
  if (a.kind == LibraryCall::Kind::kConv2d) {
    const ConvCall &x = a.conv, &y = b.conv;
    EXPECT_EQ(x.direction, y.direction) << what;
    EXPECT_EQ(
        std::vector<int64_t>({x.batch, x.in_h, x.in_w, x.in_c, x.out_h, x.out_w, x.out_c, x.kernel_h, x.kernel_w}),
        std::vector<int64_t>({y.batch, y.in_h, y.in_w, y.in_c, y.out_h, y.out_w, y.out_c, y.kernel_h, y.kernel_w}))
        << what;
    EXPECT_EQ(x.stride, y.stride) << what;
    EXPECT_EQ(x.pad, y.pad) << what;
    EXPECT_EQ(x.dilation, y.dilation) << what;
  }
}

void expectSameExecutable(const Executable& a, const Executable& b, const std::string& what) {
  EXPECT_EQ(a.kernels, b.kernels) << what;
  ASSERT_EQ(a.library_calls.size(), b.library_calls.size()) << what;
  for (size_t i = 0; i < a.library_calls.size(); ++i)
    expectSameCall(a.library_calls[i], b.library_calls[i], what + ".library_calls[" + std::to_string(i) + "]");
  ASSERT_EQ(a.slots.size(), b.slots.size()) << what;
  for (size_t i = 0; i < a.slots.size(); ++i) {
    std::string where = what + ".slots[" + std::to_string(i) + "]";
    EXPECT_EQ(a.slots[i].kind, b.slots[i].kind) << where;
    EXPECT_EQ(a.slots[i].index, b.slots[i].index) << where;
    EXPECT_EQ(a.slots[i].offset, b.slots[i].offset) << where;
    EXPECT_EQ(a.slots[i].bytes, b.slots[i].bytes) << where;
    EXPECT_EQ(a.slots[i].dtype, b.slots[i].dtype) << where;
    EXPECT_EQ(a.slots[i].shape, b.slots[i].shape) << where;
  }
  ASSERT_EQ(a.steps.size(), b.steps.size()) << what;
  for (size_t i = 0; i < a.steps.size(); ++i) {
    std::string where = what + ".steps[" + std::to_string(i) + "]";
    EXPECT_EQ(a.steps[i].kernel, b.steps[i].kernel) << where;
    EXPECT_EQ(a.steps[i].library, b.steps[i].library) << where;
    EXPECT_EQ(a.steps[i].slots, b.steps[i].slots) << where;
  }
  EXPECT_EQ(a.params, b.params) << what;
  ASSERT_EQ(a.constants.size(), b.constants.size()) << what;
  for (size_t i = 0; i < a.constants.size(); ++i)
    expectSameTensor(a.constants[i], b.constants[i], what + ".constants[" + std::to_string(i) + "]");
  EXPECT_EQ(a.outputs, b.outputs) << what;
  ASSERT_EQ(a.writes.size(), b.writes.size()) << what;
  for (size_t i = 0; i < a.writes.size(); ++i) {
    EXPECT_EQ(a.writes[i].name, b.writes[i].name) << what;
    EXPECT_EQ(a.writes[i].slot, b.writes[i].slot) << what;
  }
  ASSERT_EQ(a.index_checks.size(), b.index_checks.size()) << what;
  for (size_t i = 0; i < a.index_checks.size(); ++i) {
    EXPECT_EQ(a.index_checks[i].slot, b.index_checks[i].slot) << what;
    EXPECT_EQ(a.index_checks[i].limit, b.index_checks[i].limit) << what;
    EXPECT_EQ(a.index_checks[i].what, b.index_checks[i].what) << what;
  }
  EXPECT_EQ(a.arena_bytes, b.arena_bytes) << what;
  EXPECT_EQ(a.unshared_bytes, b.unshared_bytes) << what;
}

}  // namespace

Artifact fullArtifact() {
  Artifact a;
  a.source_hash = std::string(64, 'a');
  a.source_hash[5] = '3';
  a.signature = tinySignature();
  a.functions.push_back(cpuInference());
  a.functions.push_back(cudaTrainStep());
  a.weights = tinyWeights();
  return a;
}

Artifact smallCpuArtifact() {
  Artifact a;
  a.signature.model = "m";
  a.signature.inputs = {tensor("x", DT::kF32, {-1, 2}, {"batch", ""})};
  a.signature.outputs = {tensor("y", DT::kF32, {-1, 2}, {"batch", ""})};
  a.signature.parameters = {tensor("w", DT::kF32, {2})};
  CompiledFunction f;
  f.name = "m";
  f.target = "cpu";
  f.input_shapes = {{1, 2}};
  f.executable.kernels = {"k"};
  f.executable.params = {"w"};
  f.executable.constants.push_back(filled(DT::kF32, {2}, 1));
  f.executable.slots = {slot(Slot::Kind::kInput, 0, 0, DT::kF32, {1, 2}), slot(Slot::Kind::kParam, 0, 0, DT::kF32, {2}),
                        slot(Slot::Kind::kConstant, 0, 0, DT::kF32, {2}),
                        slot(Slot::Kind::kArena, -1, 0, DT::kF32, {1, 2})};
  f.executable.steps = {{0, -1, {0, 1, 2, 3}}};
  f.executable.outputs = {3};
  f.executable.arena_bytes = 64;
  f.executable.unshared_bytes = 64;
  f.cpu = {"x86_64-unknown-linux-gnu",
           "generic",
           {},
           binary("\x7f"
                  "ELF",
                  64)};
  a.functions.push_back(std::move(f));
  a.weights.emplace_back("w", filled(DT::kF32, {2}, 3));
  return a;
}

Artifact smallCudaArtifact() {
  Artifact a;
  a.signature = tinySignature();
  a.functions.push_back(cudaTrainStep());
  CudaCode& cuda = a.functions[0].cuda;
  cuda.cubins.erase("sm_80");
  cuda.cubins["sm_90"].resize(16);
  cuda.ptx = ".version 8.0\n";
  return a;
}

Artifact signatureOnlyArtifact() {
  Artifact a;
  a.signature = tinySignature();
  return a;
}

void expectSameArtifact(const Artifact& expected, const Artifact& actual) {
  EXPECT_EQ(expected.source_hash, actual.source_hash);
  EXPECT_EQ(expected.signature.model, actual.signature.model);
  expectSameTensors(expected.signature.inputs, actual.signature.inputs, "inputs");
  expectSameTensors(expected.signature.outputs, actual.signature.outputs, "outputs");
  expectSameTensors(expected.signature.parameters, actual.signature.parameters, "parameters");
  expectSameTensors(expected.signature.optimizer_state, actual.signature.optimizer_state, "optimizer_state");
  ASSERT_EQ(expected.functions.size(), actual.functions.size());
  for (size_t i = 0; i < expected.functions.size(); ++i) {
    const CompiledFunction &a = expected.functions[i], &b = actual.functions[i];
    std::string what = "functions[" + std::to_string(i) + "]";
    EXPECT_EQ(a.name, b.name) << what;
    EXPECT_EQ(a.role, b.role) << what;
    EXPECT_EQ(a.target, b.target) << what;
    EXPECT_EQ(a.input_shapes, b.input_shapes) << what;
    expectSameExecutable(a.executable, b.executable, what + ".executable");
    EXPECT_EQ(a.cpu.triple, b.cpu.triple) << what;
    EXPECT_EQ(a.cpu.cpu, b.cpu.cpu) << what;
    EXPECT_EQ(a.cpu.features, b.cpu.features) << what;
    EXPECT_EQ(a.cpu.shared_object, b.cpu.shared_object) << what;
    EXPECT_TRUE(a.cuda.kernels == b.cuda.kernels) << what;
    EXPECT_EQ(a.cuda.cubins, b.cuda.cubins) << what;
    EXPECT_EQ(a.cuda.ptx_arch, b.cuda.ptx_arch) << what;
    EXPECT_EQ(a.cuda.ptx, b.cuda.ptx) << what;
  }
  ASSERT_EQ(expected.weights.size(), actual.weights.size());
  for (size_t i = 0; i < expected.weights.size(); ++i) {
    EXPECT_EQ(expected.weights[i].first, actual.weights[i].first);
    expectSameTensor(expected.weights[i].second, actual.weights[i].second, "weights " + expected.weights[i].first);
  }
}

std::string bytesOf(Artifact artifact) {
  absl::StatusOr<std::string> bytes = serializeArtifact(std::move(artifact));
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

std::string parseError(const std::string& bytes, const ParseOptions& options) {
  absl::StatusOr<Artifact> a = parseArtifact(bytes, "model.dlx", options);
  EXPECT_FALSE(a.ok()) << "parsed";
  if (a.ok()) return "";
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << a.status();
  std::string message(a.status().message());
  EXPECT_EQ(message.rfind("model.dlx: ", 0), 0u) << message;
  return message;
}

Parts::Part* Parts::find(std::string_view name) {
  for (Part& p : sections)
    if (p.name == name) return &p;
  return nullptr;
}

std::string Parts::build() const {
  std::string meta_text = meta.dump();
  std::vector<Section> list;
  for (const Part& p : sections) list.push_back(Section{p.name, p.kind, p.name == "meta" ? meta_text : p.payload});
  absl::StatusOr<std::string> bytes = writeContainer(dlc_version, list);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

Parts takeApart(const std::string& bytes) {
  absl::StatusOr<Container> container = readContainer(bytes, "sample.dlx");
  EXPECT_TRUE(container.ok()) << container.status();
  Parts parts;
  if (!container.ok()) return parts;
  parts.dlc_version = container->dlc_version;
  for (size_t i = 0; i < container->table.size(); ++i) {
    parts.sections.push_back({container->table[i].name, container->table[i].kind, std::string(container->payloads[i])});
    if (container->table[i].name == "meta") parts.meta = nlohmann::json::parse(container->payloads[i]);
  }
  return parts;
}

std::string editMeta(const std::string& bytes, const std::function<void(nlohmann::json&)>& edit) {
  Parts parts = takeApart(bytes);
  edit(parts.meta);
  return parts.build();
}

size_t tableEntryOffset(const std::string& bytes, size_t i) {
  auto le = [&](size_t at, int n) {
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(bytes[at + k]);
    return v;
  };
  auto align8 = [](uint64_t v) { return (v + 7) / 8 * 8; };
  size_t pos = 64 + align8(le(60, 4));
  for (size_t k = 0; k < i; ++k) pos += 24 + align8(le(pos + 20, 4));
  return pos;
}

void putLE(std::string& bytes, size_t at, uint64_t value, int n) {
  for (int i = 0; i < n; ++i) bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace dlc::runtime::artifact::testing
