#include "runtime/cuda/cudnn.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "runtime/cuda/cudnn_abi.h"
#include "runtime/cuda/dynamic_library.h"
#include "support/env.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {

using dnn::Status;

struct CudnnApi {
  Status (*create)(void** handle);
  Status (*destroy)(void* handle);
  Status (*setStream)(void* handle, CuStream stream);
  std::size_t (*getVersion)();
  const char* (*errorString)(Status status);
  Status (*createTensor)(void** desc);
  Status (*destroyTensor)(void* desc);
  Status (*setTensor4d)(void* desc, int format, int type, int n, int c, int h, int w);
  Status (*createFilter)(void** desc);
  Status (*destroyFilter)(void* desc);
  Status (*setFilter4d)(void* desc, int type, int format, int k, int c, int h, int w);
  Status (*createConv)(void** desc);
  Status (*destroyConv)(void* desc);
  Status (*setConv2d)(void* desc, int pad_h, int pad_w, int u, int v, int dilation_h, int dilation_w, int mode,
                      int compute_type);
  Status (*setConvMath)(void* desc, int math);
  Status (*forwardAlgos)(void* handle, void* x, void* w, void* conv, void* y, int requested, int* returned,
                         dnn::AlgoPerf* perf);
  Status (*forwardWorkspace)(void* handle, void* x, void* w, void* conv, void* y, int algo, std::size_t* bytes);
  Status (*forward)(void* handle, const void* alpha, void* x_desc, const void* x, void* w_desc, const void* w,
                    void* conv, int algo, void* workspace, std::size_t workspace_bytes, const void* beta, void* y_desc,
                    void* y);
  Status (*backwardDataAlgos)(void* handle, void* w, void* dy, void* conv, void* dx, int requested, int* returned,
                              dnn::AlgoPerf* perf);
  Status (*backwardDataWorkspace)(void* handle, void* w, void* dy, void* conv, void* dx, int algo, std::size_t* bytes);
  Status (*backwardData)(void* handle, const void* alpha, void* w_desc, const void* w, void* dy_desc, const void* dy,
                         void* conv, int algo, void* workspace, std::size_t workspace_bytes, const void* beta,
                         void* dx_desc, void* dx);
  Status (*backwardFilterAlgos)(void* handle, void* x, void* dy, void* conv, void* dw, int requested, int* returned,
                                dnn::AlgoPerf* perf);
  Status (*backwardFilterWorkspace)(void* handle, void* x, void* dy, void* conv, void* dw, int algo,
                                    std::size_t* bytes);
  Status (*backwardFilter)(void* handle, const void* alpha, void* x_desc, const void* x, void* dy_desc, const void* dy,
                           void* conv, int algo, void* workspace, std::size_t workspace_bytes, const void* beta,
                           void* dw_desc, void* dw);

  absl::Status check(Status status, std::string_view call) const {
    if (status == dnn::kSuccess) return absl::OkStatus();
    return absl::InternalError(strCat(call, ": ", errorString(status), " (cuDNN status ", status, ")"));
  }
};

namespace {

absl::StatusOr<const CudnnApi*> loadCudnn() {
  static const absl::StatusOr<const CudnnApi*> api = []() -> absl::StatusOr<const CudnnApi*> {
    static constexpr std::array<std::string_view, 2> kNames = {"libcudnn.so.9", "libcudnn.so"};
    ASSIGN_OR_RETURN(const DynamicLibrary* lib, openForProcess("cuDNN", kNames));
    auto* api = new CudnnApi{};
    SymbolBinder bind(*lib);
    bind(api->create, {"cudnnCreate"});
    bind(api->destroy, {"cudnnDestroy"});
    bind(api->setStream, {"cudnnSetStream"});
    bind(api->getVersion, {"cudnnGetVersion"});
    bind(api->errorString, {"cudnnGetErrorString"});
    bind(api->createTensor, {"cudnnCreateTensorDescriptor"});
    bind(api->destroyTensor, {"cudnnDestroyTensorDescriptor"});
    bind(api->setTensor4d, {"cudnnSetTensor4dDescriptor"});
    bind(api->createFilter, {"cudnnCreateFilterDescriptor"});
    bind(api->destroyFilter, {"cudnnDestroyFilterDescriptor"});
    bind(api->setFilter4d, {"cudnnSetFilter4dDescriptor"});
    bind(api->createConv, {"cudnnCreateConvolutionDescriptor"});
    bind(api->destroyConv, {"cudnnDestroyConvolutionDescriptor"});
    bind(api->setConv2d, {"cudnnSetConvolution2dDescriptor"});
    bind(api->setConvMath, {"cudnnSetConvolutionMathType"});
    bind(api->forwardAlgos, {"cudnnGetConvolutionForwardAlgorithm_v7"});
    bind(api->forwardWorkspace, {"cudnnGetConvolutionForwardWorkspaceSize"});
    bind(api->forward, {"cudnnConvolutionForward"});
    bind(api->backwardDataAlgos, {"cudnnGetConvolutionBackwardDataAlgorithm_v7"});
    bind(api->backwardDataWorkspace, {"cudnnGetConvolutionBackwardDataWorkspaceSize"});
    bind(api->backwardData, {"cudnnConvolutionBackwardData"});
    bind(api->backwardFilterAlgos, {"cudnnGetConvolutionBackwardFilterAlgorithm_v7"});
    bind(api->backwardFilterWorkspace, {"cudnnGetConvolutionBackwardFilterWorkspaceSize"});
    bind(api->backwardFilter, {"cudnnConvolutionBackwardFilter"});
    RETURN_IF_ERROR(bind.check("cuDNN"));
    return api;
  }();
  return api;
}

absl::StatusOr<int> dataType(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kF32: return dnn::kFloat;
    case ir::DType::kF16: return dnn::kHalf;
    case ir::DType::kBF16: return dnn::kBFloat16;
    case ir::DType::kF64:
    case ir::DType::kI32:
    case ir::DType::kI64:
    case ir::DType::kBool: break;
  }
  return absl::InvalidArgumentError(strCat("cuDNN convolutions take f32, f16 or bf16, not ", ir::dtypeName(dtype)));
}

// FFT and Winograd convolutions trade accuracy (relative errors around 1e-4
// to 1e-3 in f32) for speed; dlc keeps f32 results within an f32 sum's
// rounding of the reference, so it does not pick them.
bool isTransformAlgorithm(ConvCall::Direction direction, int algo) {
  switch (direction) {
    case ConvCall::Direction::kForward:
      return algo == dnn::kFwdFft || algo == dnn::kFwdFftTiling || algo == dnn::kFwdWinograd ||
             algo == dnn::kFwdWinogradNonfused;
    case ConvCall::Direction::kBackwardData:
      return algo == dnn::kBwdDataFft || algo == dnn::kBwdDataFftTiling || algo == dnn::kBwdDataWinograd ||
             algo == dnn::kBwdDataWinogradNonfused;
    case ConvCall::Direction::kBackwardFilter:
      return algo == dnn::kBwdFilterFft || algo == dnn::kBwdFilterFftTiling || algo == dnn::kBwdFilterWinograd ||
             algo == dnn::kBwdFilterWinogradNonfused;
  }
  return true;
}

// The math type a convolution's descriptor starts with: what its
// heuristics may rank (conv2d's precision rule in cudnn.h).
int mathFor(ir::DType dtype, bool allow_tf32) {
  if (dtype != ir::DType::kF32) return dnn::kTensorOpMath;
  return allow_tf32 ? dnn::kDefaultMath : dnn::kFmaMath;
}

// Whether a ranked candidate's math keeps to that rule: an f32 convolution
// never converts its operands to f16, and uses tensor cores (TF32) only
// when allowed.
bool mathAllowed(ir::DType dtype, bool allow_tf32, int math) {
  if (dtype != ir::DType::kF32) return true;
  if (math == dnn::kTensorOpMathAllowConversion) return false;
  return allow_tf32 || math != dnn::kTensorOpMath;
}

absl::StatusOr<int> asInt(int64_t v, std::string_view what) {
  if (v <= 0 || v > std::numeric_limits<int>::max())
    return absl::InvalidArgumentError(strCat("cuDNN convolution: ", what, " ", v, " is not in [1, 2^31)"));
  return static_cast<int>(v);
}

}  // namespace

struct Cudnn::Plan {
  const CudnnApi* api = nullptr;
  ConvCall::Direction direction = ConvCall::Direction::kForward;
  void* x = nullptr;  // x or dx
  void* y = nullptr;  // y or dy
  void* w = nullptr;  // w or dw
  void* conv = nullptr;
  int algo = 0;
  int math = 0;
  std::size_t workspace = 0;
  std::string candidates;  // the heuristics' list, for describePlan()
  ~Plan() {
    if (x != nullptr) api->destroyTensor(x);
    if (y != nullptr) api->destroyTensor(y);
    if (w != nullptr) api->destroyFilter(w);
    if (conv != nullptr) api->destroyConv(conv);
  }
};

bool Cudnn::available() { return loadCudnn().ok(); }

absl::StatusOr<std::unique_ptr<Cudnn>> Cudnn::create(const CudaDevice& device) {
  RETURN_IF_ERROR(device.makeCurrent());
  std::unique_ptr<Cudnn> dnn(new Cudnn());
  ASSIGN_OR_RETURN(dnn->api_, loadCudnn());
  RETURN_IF_ERROR(dnn->api_->check(dnn->api_->create(&dnn->handle_), "cudnnCreate"));
  return dnn;
}

Cudnn::~Cudnn() {
  plans_.clear();
  if (handle_ != nullptr) api_->destroy(handle_);
}

std::size_t Cudnn::version() const { return api_->getVersion(); }

std::size_t Cudnn::workspaceBytes(int plan) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return plans_[static_cast<size_t>(plan)]->workspace;
}

absl::StatusOr<int> Cudnn::prepare(const ConvCall& c, ir::DType dtype, bool allow_tf32,
                                   std::size_t max_workspace_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  const CudnnApi& api = *api_;
  ASSIGN_OR_RETURN(int type, dataType(dtype));
  ASSIGN_OR_RETURN(int n, asInt(c.batch, "batch"));
  ASSIGN_OR_RETURN(int in_c, asInt(c.in_c, "input channels"));
  ASSIGN_OR_RETURN(int in_h, asInt(c.in_h, "input height"));
  ASSIGN_OR_RETURN(int in_w, asInt(c.in_w, "input width"));
  ASSIGN_OR_RETURN(int out_c, asInt(c.out_c, "output channels"));
  ASSIGN_OR_RETURN(int out_h, asInt(c.out_h, "output height"));
  ASSIGN_OR_RETURN(int out_w, asInt(c.out_w, "output width"));
  ASSIGN_OR_RETURN(int kh, asInt(c.kernel_h, "kernel height"));
  ASSIGN_OR_RETURN(int kw, asInt(c.kernel_w, "kernel width"));
  auto plan = std::make_unique<Plan>();
  plan->api = api_;
  plan->direction = c.direction;
  RETURN_IF_ERROR(api.check(api.createTensor(&plan->x), "cudnnCreateTensorDescriptor"));
  RETURN_IF_ERROR(api.check(api.createTensor(&plan->y), "cudnnCreateTensorDescriptor"));
  RETURN_IF_ERROR(api.check(api.createFilter(&plan->w), "cudnnCreateFilterDescriptor"));
  RETURN_IF_ERROR(api.check(api.createConv(&plan->conv), "cudnnCreateConvolutionDescriptor"));
  RETURN_IF_ERROR(api.check(api.setTensor4d(plan->x, dnn::kTensorNhwc, type, n, in_c, in_h, in_w),
                            strCat("cudnnSetTensor4dDescriptor(x [", n, ",", in_h, ",", in_w, ",", in_c, "])")));
  RETURN_IF_ERROR(api.check(api.setTensor4d(plan->y, dnn::kTensorNhwc, type, n, out_c, out_h, out_w),
                            strCat("cudnnSetTensor4dDescriptor(y [", n, ",", out_h, ",", out_w, ",", out_c, "])")));
  RETURN_IF_ERROR(
      api.check(api.setFilter4d(plan->w, type, dnn::kTensorNhwc, out_c, in_c, kh, kw), "cudnnSetFilter4dDescriptor"));
  RETURN_IF_ERROR(api.check(
      api.setConv2d(plan->conv, static_cast<int>(c.pad[0]), static_cast<int>(c.pad[1]), static_cast<int>(c.stride[0]),
                    static_cast<int>(c.stride[1]), static_cast<int>(c.dilation[0]), static_cast<int>(c.dilation[1]),
                    dnn::kCrossCorrelation, dnn::kFloat),
      "cudnnSetConvolution2dDescriptor"));
  // The sums are f32 (kFloat above) for every dtype; which kernels may run
  // is the math type's (mathFor).
  const int start_math = mathFor(dtype, allow_tf32);
  RETURN_IF_ERROR(api.check(api.setConvMath(plan->conv, start_math), "cudnnSetConvolutionMathType"));

  constexpr int kRequested = 16;
  std::array<dnn::AlgoPerf, kRequested> perf{};
  int returned = 0;
  switch (c.direction) {
    case ConvCall::Direction::kForward:
      RETURN_IF_ERROR(api.check(
          api.forwardAlgos(handle_, plan->x, plan->w, plan->conv, plan->y, kRequested, &returned, perf.data()),
          "cudnnGetConvolutionForwardAlgorithm_v7"));
      break;
    case ConvCall::Direction::kBackwardData:
      RETURN_IF_ERROR(api.check(
          api.backwardDataAlgos(handle_, plan->w, plan->y, plan->conv, plan->x, kRequested, &returned, perf.data()),
          "cudnnGetConvolutionBackwardDataAlgorithm_v7"));
      break;
    case ConvCall::Direction::kBackwardFilter:
      RETURN_IF_ERROR(api.check(
          api.backwardFilterAlgos(handle_, plan->x, plan->y, plan->conv, plan->w, kRequested, &returned, perf.data()),
          "cudnnGetConvolutionBackwardFilterAlgorithm_v7"));
      break;
  }
  // The heuristics rank the algorithms; take the first exact one that works
  // within the workspace limit.
  bool found = false;
  int current_math = start_math;
  for (int i = 0; i < returned && !found; ++i) {
    if (perf[i].status != dnn::kSuccess || isTransformAlgorithm(c.direction, perf[i].algo) ||
        !mathAllowed(dtype, allow_tf32, perf[i].math_type))
      continue;
    // The descriptor runs the candidate's own math, as ranked (exact f32
    // keeps FMA: default math would allow TF32 on sm_80 and later); its
    // workspace is asked for with that math.
    int math = dtype == ir::DType::kF32 && !allow_tf32 ? dnn::kFmaMath : perf[i].math_type;
    if (math != current_math) {
      if (api.setConvMath(plan->conv, math) != dnn::kSuccess) continue;
      current_math = math;
    }
    std::size_t bytes = 0;
    Status st = dnn::kSuccess;
    switch (c.direction) {
      case ConvCall::Direction::kForward:
        st = api.forwardWorkspace(handle_, plan->x, plan->w, plan->conv, plan->y, perf[i].algo, &bytes);
        break;
      case ConvCall::Direction::kBackwardData:
        st = api.backwardDataWorkspace(handle_, plan->w, plan->y, plan->conv, plan->x, perf[i].algo, &bytes);
        break;
      case ConvCall::Direction::kBackwardFilter:
        st = api.backwardFilterWorkspace(handle_, plan->x, plan->y, plan->conv, plan->w, perf[i].algo, &bytes);
        break;
    }
    if (st != dnn::kSuccess || bytes > max_workspace_bytes) continue;
    plan->algo = perf[i].algo;
    plan->math = math;
    plan->workspace = bytes;
    found = true;
  }
  for (int i = 0; i < returned; ++i)
    strAppend(&plan->candidates, i ? " " : "", perf[i].algo, ":", perf[i].math_type,
              perf[i].status == dnn::kSuccess ? "" : "!");
  if (!found) {
    ConvCall described = c;
    LibraryCall call{LibraryCall::Kind::kConv2d, dtype, {}, described, allow_tf32};
    return absl::UnimplementedError(strCat("cuDNN has no algorithm for ", describeLibraryCall(call), " within ",
                                           max_workspace_bytes, " bytes of workspace"));
  }
  plans_.push_back(std::move(plan));
  int id = static_cast<int>(plans_.size() - 1);
  if (envFlag("DLC_CUDNN_VERBOSE")) {
    LibraryCall call{LibraryCall::Kind::kConv2d, dtype, {}, c, allow_tf32};
    std::fprintf(stderr, "dlc cudnn: %s: %s\n", describeLibraryCall(call).c_str(), describe(*plans_.back()).c_str());
  }
  return id;
}

std::string Cudnn::describePlan(int id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return describe(*plans_[static_cast<size_t>(id)]);
}

std::string Cudnn::describe(const Plan& p) {
  return strCat("algo ", p.algo, " (math ", p.math, "), workspace ", p.workspace, " bytes; candidates ", p.candidates);
}

absl::Status Cudnn::run(Stream& stream, int id, CuDevicePtr in0, CuDevicePtr in1, CuDevicePtr out,
                        CuDevicePtr workspace, std::size_t workspace_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (id < 0 || static_cast<size_t>(id) >= plans_.size())
    return absl::InternalError(strCat("cuDNN: no convolution plan ", id));
  const Plan& p = *plans_[static_cast<size_t>(id)];
  if (workspace_bytes < p.workspace)
    return absl::InternalError(
        strCat("cuDNN: the convolution needs ", p.workspace, " bytes of workspace, got ", workspace_bytes));
  const CudnnApi& api = *api_;
  if (bound_stream_ != stream.handle()) {
    RETURN_IF_ERROR(api.check(api.setStream(handle_, stream.handle()), "cudnnSetStream"));
    bound_stream_ = stream.handle();
  }
  const float alpha = 1.0f, beta = 0.0f;
  auto ptr = [](CuDevicePtr p) { return reinterpret_cast<void*>(p); };
  void* ws = ptr(workspace);
  switch (p.direction) {
    case ConvCall::Direction::kForward:
      return api.check(api.forward(handle_, &alpha, p.x, ptr(in0), p.w, ptr(in1), p.conv, p.algo, ws, workspace_bytes,
                                   &beta, p.y, ptr(out)),
                       "cudnnConvolutionForward");
    case ConvCall::Direction::kBackwardData:
      return api.check(api.backwardData(handle_, &alpha, p.w, ptr(in1), p.y, ptr(in0), p.conv, p.algo, ws,
                                        workspace_bytes, &beta, p.x, ptr(out)),
                       "cudnnConvolutionBackwardData");
    case ConvCall::Direction::kBackwardFilter:
      return api.check(api.backwardFilter(handle_, &alpha, p.x, ptr(in0), p.y, ptr(in1), p.conv, p.algo, ws,
                                          workspace_bytes, &beta, p.w, ptr(out)),
                       "cudnnConvolutionBackwardFilter");
  }
  return absl::InternalError("cuDNN: unknown convolution direction");
}

}  // namespace dlc::runtime::cuda
