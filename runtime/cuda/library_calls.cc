#include "runtime/cuda/library_calls.h"

#include <algorithm>
#include <future>
#include <mutex>

#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {
namespace {

// f16/bf16: tensor cores, f32 sums (cublas_abi.h's computeType). f32: exact
// products, as the reference computes them, unless the call allows TF32.
absl::StatusOr<GemmType> gemmType(const runtime::LibraryCall& call) {
  switch (call.dtype) {
    case ir::DType::kF32: return call.allow_tf32 ? GemmType::kF32Tf32 : GemmType::kF32;
    case ir::DType::kF16: return GemmType::kF16;
    case ir::DType::kBF16: return GemmType::kBF16;
    case ir::DType::kF64:
    case ir::DType::kI32:
    case ir::DType::kI64:
    case ir::DType::kBool: break;
  }
  return absl::InvalidArgumentError(strCat("cuBLASLt GEMMs take f32, f16 or bf16, not ", ir::dtypeName(call.dtype)));
}

Epilogue gemmEpilogue(const GemmCall& g) {
  bool relu = g.activation == GemmCall::Activation::kRelu;
  if (g.bias) return relu ? Epilogue::kBiasRelu : Epilogue::kBias;
  return relu ? Epilogue::kRelu : Epilogue::kNone;
}

// The process's handles, made once (the process has one device,
// openDefaultDevice). Never destroyed, like the device: executors freed by
// static destructors at exit may still use them.
struct SharedLibraries {
  std::mutex mutex;
  std::shared_future<void> ready;
  absl::StatusOr<CublasLt*> cublaslt = absl::UnavailableError("cuBLASLt: not opened");
  absl::StatusOr<Cudnn*> cudnn = absl::UnavailableError("cuDNN: not opened");
};

SharedLibraries& shared() {
  static auto* libraries = new SharedLibraries();
  return *libraries;
}

void openShared(const CudaDevice& device) {
  SharedLibraries& s = shared();
  absl::Status current = device.makeCurrent();  // this may run on another thread
  if (!current.ok()) {
    s.cublaslt = current;
    s.cudnn = current;
    return;
  }
  if (auto lt = CublasLt::create(device); lt.ok())
    s.cublaslt = lt->release();
  else
    s.cublaslt = lt.status();
  if (auto dnn = Cudnn::create(device); dnn.ok())
    s.cudnn = dnn->release();
  else
    s.cudnn = dnn.status();
}

std::shared_future<void> startShared(const CudaDevice& device) {
  SharedLibraries& s = shared();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.ready.valid()) s.ready = std::async(std::launch::async, [&device] { openShared(device); }).share();
  return s.ready;
}

}  // namespace

void prewarmLibraries(const CudaDevice& device) { (void)startShared(device); }

absl::StatusOr<std::unique_ptr<LibraryCalls>> LibraryCalls::create(const CudaDevice& device,
                                                                   const runtime::Executable& executable) {
  std::unique_ptr<LibraryCalls> calls(new LibraryCalls());
  calls->calls_ = executable.library_calls;
  startShared(device).wait();
  RETURN_IF_ERROR(device.makeCurrent());
  std::size_t workspace = 0;
  for (const runtime::LibraryCall& call : calls->calls_) {
    int plan = -1;
    switch (call.kind) {
      case runtime::LibraryCall::Kind::kGemm:
        if (!calls->cublaslt_) {
          ASSIGN_OR_RETURN(calls->cublaslt_, shared().cublaslt);
        }
        RETURN_IF_ERROR(gemmType(call).status());
        break;
      case runtime::LibraryCall::Kind::kConv2d:
        if (!calls->cudnn_) {
          ASSIGN_OR_RETURN(calls->cudnn_, shared().cudnn);
        }
        ASSIGN_OR_RETURN(plan, calls->cudnn_->prepare(call.conv, call.dtype, call.allow_tf32));
        workspace = std::max(workspace, calls->cudnn_->workspaceBytes(plan));
        break;
    }
    calls->conv_plan_.push_back(plan);
  }
  if (workspace > 0) {
    ASSIGN_OR_RETURN(calls->workspace_, DeviceBuffer::allocate(device, workspace));
  }
  return calls;
}

std::string LibraryCalls::describe(int index) const {
  const runtime::LibraryCall& call = calls_[static_cast<size_t>(index)];
  std::string s = describeLibraryCall(call);
  if (conv_plan_[static_cast<size_t>(index)] >= 0)
    strAppend(&s, ": ", cudnn_->describePlan(conv_plan_[static_cast<size_t>(index)]));
  return s;
}

absl::Status LibraryCalls::enqueue(Stream& stream, int index, std::span<const CuDevicePtr> operands) {
  if (index < 0 || static_cast<size_t>(index) >= calls_.size())
    return absl::InternalError(strCat("library call ", index, " does not exist"));
  const runtime::LibraryCall& call = calls_[static_cast<size_t>(index)];
  if (static_cast<int>(operands.size()) != call.slotCount())
    return absl::InternalError(
        strCat(describeLibraryCall(call), " takes ", call.slotCount(), " operands, got ", operands.size()));
  switch (call.kind) {
    case runtime::LibraryCall::Kind::kGemm: {
      const GemmCall& g = call.gemm;
      ASSIGN_OR_RETURN(GemmType type, gemmType(call));
      CuDevicePtr bias = g.bias ? operands[2] : 0;
      return cublaslt_->matmul(stream, GemmShape{g.m, g.n, g.k}, type, gemmEpilogue(g), operands[0], operands[1], bias,
                               operands.back());
    }
    case runtime::LibraryCall::Kind::kConv2d:
      return cudnn_->run(stream, conv_plan_[static_cast<size_t>(index)], operands[0], operands[1], operands[2],
                         workspace_.ptr(), workspace_.size());
  }
  return absl::InternalError("unknown library call");
}

}  // namespace dlc::runtime::cuda
