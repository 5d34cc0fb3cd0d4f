// dlc_gpu_bench: memory bandwidth and GEMM throughput on the GPU, one JSON
// line per measurement (bench/gpu/torch_bench.py measures the same work with
// PyTorch). usage: dlc_gpu_bench [FILTER...] runs the benchmarks whose name
// contains one of the filters (copy, chain, softmax, layernorm, gemm).
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench/gpu/cublas.h"
#include "bench/gpu/harness.h"
#include "bench/gpu/kernels.h"
#include "runtime/cuda/cublaslt.h"
#include "runtime/cuda/device.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::bench {
namespace {

using runtime::cuda::CudaDevice;
using runtime::cuda::CuDevicePtr;
using runtime::cuda::DeviceBuffer;
using runtime::cuda::GemmShape;
using runtime::cuda::GemmType;
using runtime::cuda::KernelArgs;
using runtime::cuda::LaunchConfig;
using runtime::cuda::Stream;

constexpr std::size_t kStreamBytes = 256u << 20;  // 256 MiB: far beyond the 50 MiB L2
constexpr unsigned kRows = 65536, kCols = 1024;   // 256 MiB of f32 rows

unsigned gridFor(const CudaDevice& device, std::size_t items, unsigned block) {
  // A grid-stride loop needs only enough blocks to fill the machine a few times.
  std::size_t blocks = (items + block - 1) / block;
  std::size_t cap = static_cast<std::size_t>(device.multiprocessors()) * 32;
  return static_cast<unsigned>(blocks < cap ? blocks : cap);
}

absl::Status fill(const CudaDevice& device, Stream& stream, CuDevicePtr p, std::size_t count, GemmType type,
                  unsigned seed) {
  // Compiled on first use, kept for the process (one device per run).
  static absl::StatusOr<runtime::cuda::Module>* module = nullptr;
  if (module == nullptr) module = new absl::StatusOr<runtime::cuda::Module>(compileModule(device, kFillSource, {}));
  RETURN_IF_ERROR(module->status());
  const char* name = type == GemmType::kF16 ? "fill_f16" : type == GemmType::kBF16 ? "fill_bf16" : "fill_f32";
  ASSIGN_OR_RETURN(runtime::cuda::Kernel kernel, (*module)->kernel(name));
  KernelArgs args;
  args.add(p).add(static_cast<unsigned long long>(count)).add(seed);
  return stream.launch(kernel, LaunchConfig{{gridFor(device, count, 256), 1, 1}, {256, 1, 1}, 0}, args.data());
}

absl::Status benchCopy(const CudaDevice& device, Stream& stream) {
  ASSIGN_OR_RETURN(DeviceBuffer x, DeviceBuffer::allocate(device, kStreamBytes));
  ASSIGN_OR_RETURN(DeviceBuffer y, DeviceBuffer::allocate(device, kStreamBytes));
  RETURN_IF_ERROR(fill(device, stream, x.ptr(), kStreamBytes / 4, GemmType::kF32, 1));
  ASSIGN_OR_RETURN(Timing t,
                   timeOnStream(device, stream, [&] { return stream.copyOnDevice(y.ptr(), x.ptr(), kStreamBytes); }));
  const double bytes = 2.0 * kStreamBytes;
  printJson({{"bench", jsonString("copy")},
             {"impl", jsonString("cuMemcpyDtoDAsync")},
             {"bytes", jsonNumber(bytes)},
             {"ms", jsonNumber(t.median_ms)},
             {"min_ms", jsonNumber(t.min_ms)},
             {"GBps", jsonNumber(bytes / (t.median_ms * 1e6))}});
  const std::size_t n4 = kStreamBytes / 16;
  KernelBench k{"copy", kCopySource, "copy_f32x4", {}, {{gridFor(device, n4, 256), 1, 1}, {256, 1, 1}, 0}, {}, bytes};
  k.args.add(x.ptr()).add(y.ptr()).add(static_cast<unsigned long long>(n4));
  return runKernelBench(device, stream, std::move(k));
}

absl::Status benchChain(const CudaDevice& device, Stream& stream) {
  ASSIGN_OR_RETURN(DeviceBuffer x, DeviceBuffer::allocate(device, kStreamBytes));
  ASSIGN_OR_RETURN(DeviceBuffer y, DeviceBuffer::allocate(device, kStreamBytes));
  RETURN_IF_ERROR(fill(device, stream, x.ptr(), kStreamBytes / 4, GemmType::kF32, 2));
  const std::size_t n4 = kStreamBytes / 16;
  KernelBench k{"chain", kChainSource,      "chain_f32x4", {}, {{gridFor(device, n4, 256), 1, 1}, {256, 1, 1}, 0},
                {},      2.0 * kStreamBytes};
  k.args.add(x.ptr()).add(y.ptr()).add(static_cast<unsigned long long>(n4));
  return runKernelBench(device, stream, std::move(k));
}

absl::Status benchRows(const CudaDevice& device, Stream& stream, bool layernorm) {
  const std::size_t bytes = std::size_t{kRows} * kCols * 4;
  ASSIGN_OR_RETURN(DeviceBuffer x, DeviceBuffer::allocate(device, bytes));
  ASSIGN_OR_RETURN(DeviceBuffer y, DeviceBuffer::allocate(device, bytes));
  ASSIGN_OR_RETURN(DeviceBuffer gamma, DeviceBuffer::allocate(device, kCols * 4));
  ASSIGN_OR_RETURN(DeviceBuffer beta, DeviceBuffer::allocate(device, kCols * 4));
  RETURN_IF_ERROR(fill(device, stream, x.ptr(), bytes / 4, GemmType::kF32, 3));
  RETURN_IF_ERROR(fill(device, stream, gamma.ptr(), kCols, GemmType::kF32, 4));
  RETURN_IF_ERROR(fill(device, stream, beta.ptr(), kCols, GemmType::kF32, 5));
  const unsigned threads = 256;
  KernelBench k{layernorm ? "layernorm" : "softmax",
                kRowSource,
                layernorm ? "layernorm_rows" : "softmax_rows",
                {strCat("-DCOLS=", kCols), strCat("-DTHREADS=", threads)},
                {{kRows, 1, 1}, {threads, 1, 1}, 0},
                {},
                2.0 * bytes};
  if (layernorm) {
    k.args.add(x.ptr()).add(gamma.ptr()).add(beta.ptr()).add(y.ptr());
  } else {
    k.args.add(x.ptr()).add(y.ptr());
  }
  return runKernelBench(device, stream, std::move(k));
}

// GEMMs: square ones, and the seed CNN's (batch 64): conv layers as
// im2col products [positions, taps·cin]·[taps·cin, cout], the dense layers.
absl::Status benchGemm(const CudaDevice& device, Stream& stream) {
  const std::vector<std::pair<std::string, GemmShape>> shapes = {
      {"square_1024", {1024, 1024, 1024}},      {"square_4096", {4096, 4096, 4096}},
      {"cnn_conv1_b64", {64 * 26 * 26, 32, 9}}, {"cnn_conv2_b64", {64 * 11 * 11, 64, 288}},
      {"cnn_conv3_b64", {64 * 3 * 3, 64, 576}}, {"cnn_dense1_b64", {64, 64, 576}},
      {"m64_k1600_n128", {64, 128, 1600}}};
  ASSIGN_OR_RETURN(auto lt, runtime::cuda::CublasLt::create(device));
  auto blas = Cublas::create(device);
  if (!blas.ok()) printError("gemm", "cublas", blas.status());
  std::size_t most = 0;
  for (const auto& [name, s] : shapes) most = std::max<std::size_t>(most, std::max({s.m * s.k, s.k * s.n, s.m * s.n}));
  ASSIGN_OR_RETURN(DeviceBuffer a, DeviceBuffer::allocate(device, most * 4));
  ASSIGN_OR_RETURN(DeviceBuffer b, DeviceBuffer::allocate(device, most * 4));
  ASSIGN_OR_RETURN(DeviceBuffer d, DeviceBuffer::allocate(device, most * 4));
  ASSIGN_OR_RETURN(DeviceBuffer bias, DeviceBuffer::allocate(device, 4096 * 4));
  for (GemmType type : {GemmType::kF32, GemmType::kF32Tf32, GemmType::kF16, GemmType::kBF16}) {
    RETURN_IF_ERROR(fill(device, stream, a.ptr(), most, type, 6));
    RETURN_IF_ERROR(fill(device, stream, b.ptr(), most, type, 7));
    RETURN_IF_ERROR(fill(device, stream, bias.ptr(), 4096, type, 8));
    for (const auto& [name, s] : shapes) {
      const double flops = 2.0 * s.m * s.n * s.k;
      auto report = [&](const std::string& impl, const absl::StatusOr<Timing>& t) {
        if (!t.ok()) return printError("gemm", impl, t.status());
        printJson({{"bench", jsonString("gemm")},
                   {"impl", jsonString(impl)},
                   {"shape", jsonString(name)},
                   {"m", jsonNumber(s.m)},
                   {"n", jsonNumber(s.n)},
                   {"k", jsonNumber(s.k)},
                   {"dtype", jsonString(std::string(gemmTypeName(type)))},
                   {"ms", jsonNumber(t->median_ms)},
                   {"min_ms", jsonNumber(t->min_ms)},
                   {"TFLOPs", jsonNumber(flops / (t->median_ms * 1e9))}});
      };
      using runtime::cuda::Epilogue;
      report("cublasLt", timeOnStream(device, stream, [&] {
               return lt->matmul(stream, s, type, Epilogue::kNone, a.ptr(), b.ptr(), 0, d.ptr());
             }));
      report("cublasLt_bias_relu", timeOnStream(device, stream, [&] {
               return lt->matmul(stream, s, type, Epilogue::kBiasRelu, a.ptr(), b.ptr(), bias.ptr(), d.ptr());
             }));
      if (blas.ok()) {
        report(type == GemmType::kF32 ? "cublasSgemm" : "cublasGemmEx",
               timeOnStream(device, stream, [&] { return (*blas)->gemm(stream, s, type, a.ptr(), b.ptr(), d.ptr()); }));
      }
    }
  }
  return absl::OkStatus();
}

bool wanted(const std::vector<std::string>& filters, const std::string& name) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (name.find(f) != std::string::npos) return true;
  }
  return false;
}

int run(const std::vector<std::string>& filters) {
  auto device = runtime::cuda::openDefaultDevice();
  if (!device.ok()) {
    printError("device", "openDefaultDevice", device.status());
    return 1;
  }
  const CudaDevice& dev = **device;
  printJson({{"bench", jsonString("device")},
             {"name", jsonString(dev.name())},
             {"arch", jsonString(dev.arch())},
             {"sms", jsonNumber(dev.multiprocessors())},
             {"memory_bytes", jsonNumber(double(dev.totalMemory()))},
             {"driver", jsonNumber(dev.driverVersion())}});
  auto stream = Stream::create(dev);
  if (!stream.ok()) {
    printError("device", "Stream::create", stream.status());
    return 1;
  }
  int failures = 0;
  const std::vector<std::pair<std::string, std::function<absl::Status()>>> benches = {
      {"copy", [&] { return benchCopy(dev, *stream); }},
      {"chain", [&] { return benchChain(dev, *stream); }},
      {"softmax", [&] { return benchRows(dev, *stream, false); }},
      {"layernorm", [&] { return benchRows(dev, *stream, true); }},
      {"gemm", [&] { return benchGemm(dev, *stream); }}};
  for (const auto& [name, bench] : benches) {
    if (!wanted(filters, name)) continue;
    // One failure does not stop the others.
    absl::Status s = bench();
    if (!s.ok()) {
      printError(name, "", s);
      ++failures;
      (void)stream->synchronize();
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace dlc::bench

int main(int argc, char** argv) { return dlc::bench::run(std::vector<std::string>(argv + 1, argv + argc)); }
