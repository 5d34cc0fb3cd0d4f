#include "bench/gpu/harness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "codegen/cuda/nvrtc.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::bench {

absl::StatusOr<Timing> timeOnStream(const runtime::cuda::CudaDevice& device, runtime::cuda::Stream& stream,
                                    const std::function<absl::Status()>& enqueue, int warmup, int iterations) {
  for (int i = 0; i < warmup; ++i) RETURN_IF_ERROR(enqueue());
  RETURN_IF_ERROR(stream.synchronize());
  std::vector<runtime::cuda::Event> events;
  for (int i = 0; i <= iterations; ++i) {
    ASSIGN_OR_RETURN(runtime::cuda::Event e, runtime::cuda::Event::create(device));
    events.push_back(std::move(e));
  }
  RETURN_IF_ERROR(events[0].record(stream));
  for (int i = 0; i < iterations; ++i) {
    RETURN_IF_ERROR(enqueue());
    RETURN_IF_ERROR(events[i + 1].record(stream));
  }
  RETURN_IF_ERROR(stream.synchronize());
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    ASSIGN_OR_RETURN(float t, runtime::cuda::Event::elapsedMs(events[i], events[i + 1]));
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  return Timing{ms[ms.size() / 2], ms.front(), iterations};
}

absl::StatusOr<runtime::cuda::Module> compileModule(const runtime::cuda::CudaDevice& device, const std::string& source,
                                                    const std::vector<std::string>& options) {
  ASSIGN_OR_RETURN(codegen::cuda::CompiledCuda compiled, codegen::cuda::compileCuda(source, device.arch(), options));
  return runtime::cuda::Module::load(device, compiled.cubin.empty() ? compiled.ptx : compiled.cubin);
}

absl::Status runKernelBench(const runtime::cuda::CudaDevice& device, runtime::cuda::Stream& stream, KernelBench bench) {
  ASSIGN_OR_RETURN(runtime::cuda::Module module, compileModule(device, bench.source, bench.options));
  ASSIGN_OR_RETURN(runtime::cuda::Kernel kernel, module.kernel(bench.kernel));
  void** args = bench.args.data();
  ASSIGN_OR_RETURN(Timing t, timeOnStream(device, stream, [&] { return stream.launch(kernel, bench.config, args); }));
  printJson({{"bench", jsonString(bench.name)},
             {"impl", jsonString("nvrtc:" + bench.kernel)},
             {"bytes", jsonNumber(bench.bytes_moved)},
             {"ms", jsonNumber(t.median_ms)},
             {"min_ms", jsonNumber(t.min_ms)},
             {"GBps", jsonNumber(bench.bytes_moved / (t.median_ms * 1e6))}});
  return absl::OkStatus();
}

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string jsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void printJson(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    strAppend(&line, i ? ", " : "", jsonString(fields[i].first), ": ", fields[i].second);
  }
  std::printf("%s}\n", line.c_str());
  std::fflush(stdout);
}

void printError(const std::string& bench, const std::string& impl, const absl::Status& status) {
  printJson({{"bench", jsonString(bench)}, {"impl", jsonString(impl)}, {"error", jsonString(status.ToString())}});
}

}  // namespace dlc::bench
