#include "runtime/cuda/cublaslt.h"

#include <array>
#include <initializer_list>

#include "runtime/cuda/cublas_abi.h"
#include "runtime/cuda/dynamic_library.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {

using blas::Status;

struct CublasLtApi {
  Status (*create)(void** handle);
  Status (*destroy)(void* handle);
  std::size_t (*getVersion)();
  const char* (*statusName)(Status status);
  const char* (*statusString)(Status status);
  Status (*descCreate)(void** desc, int compute_type, int scale_type);
  Status (*descDestroy)(void* desc);
  Status (*descSetAttribute)(void* desc, int attribute, const void* value, std::size_t size);
  Status (*layoutCreate)(void** layout, int type, std::uint64_t rows, std::uint64_t cols, std::int64_t ld);
  Status (*layoutDestroy)(void* layout);
  Status (*prefCreate)(void** pref);
  Status (*prefDestroy)(void* pref);
  Status (*prefSetAttribute)(void* pref, int attribute, const void* value, std::size_t size);
  Status (*algoGetHeuristic)(void* handle, void* op, void* a, void* b, void* c, void* d, void* pref, int requested,
                             blas::HeuristicResult* results, int* returned);
  Status (*matmul)(void* handle, void* op, const void* alpha, const void* a, void* a_desc, const void* b, void* b_desc,
                   const void* beta, const void* c, void* c_desc, void* d, void* d_desc, const blas::MatmulAlgo* algo,
                   void* workspace, std::size_t workspace_bytes, CuStream stream);

  absl::Status check(Status status, std::string_view call) const {
    if (status == blas::kSuccess) return absl::OkStatus();
    return absl::InternalError(strCat(call, ": ", statusName(status), " (", statusString(status), ")"));
  }
};

namespace {

absl::StatusOr<const CublasLtApi*> loadCublasLt() {
  static const absl::StatusOr<const CublasLtApi*> api = []() -> absl::StatusOr<const CublasLtApi*> {
    static constexpr std::array<std::string_view, 2> kNames = {"libcublasLt.so.13", "libcublasLt.so"};
    ASSIGN_OR_RETURN(const DynamicLibrary* lib, openForProcess("cuBLASLt", kNames));
    auto* api = new CublasLtApi{};
    SymbolBinder bind(*lib);
    bind(api->create, {"cublasLtCreate"});
    bind(api->destroy, {"cublasLtDestroy"});
    bind(api->getVersion, {"cublasLtGetVersion"});
    bind(api->statusName, {"cublasLtGetStatusName"});
    bind(api->statusString, {"cublasLtGetStatusString"});
    bind(api->descCreate, {"cublasLtMatmulDescCreate"});
    bind(api->descDestroy, {"cublasLtMatmulDescDestroy"});
    bind(api->descSetAttribute, {"cublasLtMatmulDescSetAttribute"});
    bind(api->layoutCreate, {"cublasLtMatrixLayoutCreate"});
    bind(api->layoutDestroy, {"cublasLtMatrixLayoutDestroy"});
    bind(api->prefCreate, {"cublasLtMatmulPreferenceCreate"});
    bind(api->prefDestroy, {"cublasLtMatmulPreferenceDestroy"});
    bind(api->prefSetAttribute, {"cublasLtMatmulPreferenceSetAttribute"});
    bind(api->algoGetHeuristic, {"cublasLtMatmulAlgoGetHeuristic"});
    bind(api->matmul, {"cublasLtMatmul"});
    RETURN_IF_ERROR(bind.check("cuBLASLt"));
    return api;
  }();
  return api;
}

int epilogueCode(Epilogue e) {
  switch (e) {
    case Epilogue::kNone: return blas::kEpilogueDefault;
    case Epilogue::kRelu: return blas::kEpilogueRelu;
    case Epilogue::kGelu: return blas::kEpilogueGelu;
    case Epilogue::kBias: return blas::kEpilogueBias;
    case Epilogue::kBiasRelu: return blas::kEpilogueReluBias;
    case Epilogue::kBiasGelu: return blas::kEpilogueGeluBias;
  }
  return blas::kEpilogueDefault;
}

// The largest power of two up to 256 that divides every pointer: what the
// heuristics may assume of them (0 pointers do not count).
std::uint32_t commonAlignment(std::initializer_list<CuDevicePtr> pointers) {
  std::uint32_t alignment = 256;
  for (CuDevicePtr p : pointers) {
    while (p != 0 && p % alignment != 0) alignment /= 2;
  }
  return alignment;
}

}  // namespace

// The descriptors and algorithm of one (shape, type, epilogue), made once.
struct CublasLt::Plan {
  const CublasLtApi* api = nullptr;
  void* op = nullptr;
  void* a = nullptr;  // cuBLASLt's A: our B as column-major [n, k]
  void* b = nullptr;  // cuBLASLt's B: our A as column-major [k, m]
  void* d = nullptr;  // column-major [n, m]
  blas::MatmulAlgo algo{};
  ~Plan() {
    for (void* layout : {a, b, d}) {
      if (layout != nullptr) api->layoutDestroy(layout);
    }
    if (op != nullptr) api->descDestroy(op);
  }
};

bool CublasLt::available() { return loadCublasLt().ok(); }

absl::StatusOr<std::unique_ptr<CublasLt>> CublasLt::create(const CudaDevice& device, std::size_t workspace_bytes) {
  std::unique_ptr<CublasLt> lt(new CublasLt());
  ASSIGN_OR_RETURN(lt->api_, loadCublasLt());
  RETURN_IF_ERROR(lt->api_->check(lt->api_->create(&lt->handle_), "cublasLtCreate"));
  ASSIGN_OR_RETURN(lt->workspace_, DeviceBuffer::allocate(device, workspace_bytes));
  return lt;
}

CublasLt::~CublasLt() {
  plans_.clear();
  if (handle_ != nullptr) api_->destroy(handle_);
}

std::size_t CublasLt::version() const { return api_->getVersion(); }

absl::StatusOr<CublasLt::Plan*> CublasLt::plan(const GemmShape& s, GemmType type, Epilogue epilogue,
                                               std::uint32_t alignment) {
  PlanKey key{s.m, s.n, s.k, type, epilogue, alignment};
  if (auto it = plans_.find(key); it != plans_.end()) return it->second.get();
  auto plan = std::make_unique<Plan>();
  plan->api = api_;
  const CublasLtApi& api = *api_;
  RETURN_IF_ERROR(
      api.check(api.descCreate(&plan->op, blas::computeType(type), blas::kR32F), "cublasLtMatmulDescCreate"));
  int code = epilogueCode(epilogue);
  RETURN_IF_ERROR(api.check(api.descSetAttribute(plan->op, blas::kDescEpilogue, &code, sizeof(code)),
                            "cublasLtMatmulDescSetAttribute(EPILOGUE)"));
  int dt = blas::dataType(type);
  RETURN_IF_ERROR(api.check(api.layoutCreate(&plan->a, dt, s.n, s.k, s.n), "cublasLtMatrixLayoutCreate(A)"));
  RETURN_IF_ERROR(api.check(api.layoutCreate(&plan->b, dt, s.k, s.m, s.k), "cublasLtMatrixLayoutCreate(B)"));
  RETURN_IF_ERROR(api.check(api.layoutCreate(&plan->d, dt, s.n, s.m, s.n), "cublasLtMatrixLayoutCreate(D)"));

  void* pref = nullptr;
  RETURN_IF_ERROR(api.check(api.prefCreate(&pref), "cublasLtMatmulPreferenceCreate"));
  std::uint64_t workspace = workspace_.size();
  absl::Status st = api.check(api.prefSetAttribute(pref, blas::kPrefMaxWorkspaceBytes, &workspace, sizeof(workspace)),
                              "cublasLtMatmulPreferenceSetAttribute");
  for (int attribute :
       {blas::kPrefMinAlignmentA, blas::kPrefMinAlignmentB, blas::kPrefMinAlignmentC, blas::kPrefMinAlignmentD}) {
    if (st.ok())
      st = api.check(api.prefSetAttribute(pref, attribute, &alignment, sizeof(alignment)),
                     "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
  }
  blas::HeuristicResult result{};
  int returned = 0;
  if (st.ok()) {
    st = api.check(
        api.algoGetHeuristic(handle_, plan->op, plan->a, plan->b, plan->d, plan->d, pref, 1, &result, &returned),
        "cublasLtMatmulAlgoGetHeuristic");
  }
  api.prefDestroy(pref);
  RETURN_IF_ERROR(st);
  if (returned == 0) {
    return absl::UnimplementedError(strCat("cuBLASLt has no algorithm for ", gemmTypeName(type), " [", s.m, "x", s.k,
                                           "]x[", s.k, "x", s.n, "] with epilogue ", epilogueName(epilogue)));
  }
  plan->algo = result.algo;
  Plan* raw = plan.get();
  plans_.emplace(key, std::move(plan));
  return raw;
}

absl::Status CublasLt::matmul(Stream& stream, const GemmShape& shape, GemmType type, Epilogue epilogue, CuDevicePtr a,
                              CuDevicePtr b, CuDevicePtr bias, CuDevicePtr d) {
  if (shape.m <= 0 || shape.n <= 0 || shape.k <= 0) {
    return absl::InvalidArgumentError(
        strCat("matmul shape [", shape.m, "x", shape.k, "]x[", shape.k, "x", shape.n, "] must be positive"));
  }
  if (epilogueHasBias(epilogue) != (bias != 0)) {
    return absl::InvalidArgumentError(strCat("matmul epilogue ", epilogueName(epilogue),
                                             epilogueHasBias(epilogue) ? " needs a bias" : " takes no bias"));
  }
  // The plans and the bias pointer on their descriptors are shared state.
  std::lock_guard<std::mutex> lock(mutex_);
  ASSIGN_OR_RETURN(Plan * p, plan(shape, type, epilogue, commonAlignment({a, b, bias, d})));
  if (bias != 0) {
    // The pointer is per call; the cached descriptor keeps the last one.
    void* ptr = reinterpret_cast<void*>(bias);
    RETURN_IF_ERROR(api_->check(api_->descSetAttribute(p->op, blas::kDescBiasPointer, &ptr, sizeof(ptr)),
                                "cublasLtMatmulDescSetAttribute(BIAS_POINTER)"));
  }
  const float alpha = 1.0f, beta = 0.0f;
  void* dp = reinterpret_cast<void*>(d);
  return api_->check(api_->matmul(handle_, p->op, &alpha, reinterpret_cast<void*>(b), p->a, reinterpret_cast<void*>(a),
                                  p->b, &beta, dp, p->d, dp, p->d, &p->algo, reinterpret_cast<void*>(workspace_.ptr()),
                                  workspace_.size(), stream.handle()),
                     "cublasLtMatmul");
}

}  // namespace dlc::runtime::cuda
