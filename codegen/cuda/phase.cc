#include "codegen/cuda/phase.h"

#include <algorithm>

#include "codegen/cuda/syntax.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {

std::string_view counterType(int64_t total) { return total < (int64_t{1} << 31) ? "unsigned" : "long long"; }

void bindNest(BodyWriter& w, const std::vector<const kir::ForStmt*>& nest, std::string_view flat, int indent,
              bool maybe_unused) {
  int64_t stride = 1;
  std::vector<std::string> lines;
  for (size_t k = nest.size(); k-- > 0;) {
    const kir::ForStmt* f = nest[k];
    std::string value(flat);
    if (stride != 1) value = strCat(value, " / ", stride);
    if (k != 0) value = strCat("(", value, ") % ", f->hi - f->lo);
    lines.push_back(strCat(maybe_unused ? "[[maybe_unused]] " : "", "const long long ", w.varName(f->var), " = ", f->lo,
                           "LL + (long long)(", value, ");"));
    stride *= f->hi - f->lo;
  }
  for (size_t k = lines.size(); k-- > 0;) w.line(indent, lines[k]);
}

absl::Status openKernel(BodyWriter& w, const kir::Kernel& kernel, const Phase& phase, const CudaLaunch& launch,
                        bool shared_locals) {
  std::vector<std::string> params;
  for (size_t b = 0; b < kernel.buffers.size(); ++b) {
    const kir::Buffer& buffer = kernel.buffers[b];
    if (buffer.role == kir::BufferRole::kLocal) continue;
    params.push_back(strCat(buffer.role == kir::BufferRole::kIn ? "const " : "", cudaType(buffer.dtype),
                            "* __restrict__ ", w.bufferName(static_cast<int>(b))));
  }
  w.line(0, strCat("extern \"C\" __global__ void __launch_bounds__(", launch.block_x, ") ", launch.name, "(",
                   strJoin(params, ", "), ") {"));
  for (size_t b = 0; b < kernel.buffers.size(); ++b) {
    const kir::Buffer& buffer = kernel.buffers[b];
    if (buffer.role != kir::BufferRole::kLocal) continue;
    if (shared_locals && buffer.size * ir::dtypeSize(buffer.dtype) > kMaxSharedBytes)
      return absl::InvalidArgumentError(strCat("cuda: local buffer '", buffer.name, "' does not fit in shared memory"));
    w.line(1, strCat(shared_locals ? "__shared__ " : "", cudaType(buffer.dtype), " ", w.bufferName(static_cast<int>(b)),
                     "[", std::max<int64_t>(buffer.size, 1), "];"));
  }
  for (const kir::Stmt* let : phase.prefix) RETURN_IF_ERROR(w.thread(std::span(let, 1), 1, false));
  return absl::OkStatus();
}

}  // namespace dlc::codegen::cuda
