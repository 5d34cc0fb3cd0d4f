#include "runtime/artifact/plan_check.h"

#include <algorithm>
#include <climits>
#include <set>

#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::artifact {
namespace {

using runtime::ConvCall;
using runtime::Executable;
using runtime::LibraryCall;
using runtime::Slot;

constexpr int64_t kMaxArenaBytes = int64_t{1} << 56;

template <typename... Args>
absl::Status invalid(const Args&... parts) {
  return absl::InvalidArgumentError(strCat(parts...));
}

std::string_view kindName(Slot::Kind kind) {
  switch (kind) {
    case Slot::Kind::kInput: return "input";
    case Slot::Kind::kParam: return "param";
    case Slot::Kind::kArena: return "arena";
    case Slot::Kind::kConstant: return "constant";
    case Slot::Kind::kRunState: return "run_state";
  }
  return "?";
}

bool inRange(int64_t index, size_t size) { return index >= 0 && static_cast<uint64_t>(index) < size; }

// The element count of a product of sizes already known to be positive and int-sized.
absl::StatusOr<int64_t> elements(std::initializer_list<int64_t> dims) {
  return runtime::checkedElementCount(std::vector<int64_t>(dims));
}

// The elements each operand of a (checked) call reads or writes, in slot order.
absl::StatusOr<std::vector<int64_t>> operandElements(const LibraryCall& call) {
  if (call.kind == LibraryCall::Kind::kGemm) {
    const runtime::GemmCall& g = call.gemm;
    ASSIGN_OR_RETURN(int64_t a, elements({g.m, g.k}));
    ASSIGN_OR_RETURN(int64_t b, elements({g.k, g.n}));
    ASSIGN_OR_RETURN(int64_t d, elements({g.m, g.n}));
    if (g.bias) return std::vector<int64_t>{a, b, g.n, d};
    return std::vector<int64_t>{a, b, d};
  }
  const ConvCall& c = call.conv;
  ASSIGN_OR_RETURN(int64_t x, elements({c.batch, c.in_h, c.in_w, c.in_c}));
  ASSIGN_OR_RETURN(int64_t w, elements({c.out_c, c.kernel_h, c.kernel_w, c.in_c}));
  ASSIGN_OR_RETURN(int64_t y, elements({c.batch, c.out_h, c.out_w, c.out_c}));
  switch (c.direction) {
    case ConvCall::Direction::kForward: return std::vector<int64_t>{x, w, y};
    case ConvCall::Direction::kBackwardData: return std::vector<int64_t>{y, w, x};
    case ConvCall::Direction::kBackwardFilter: return std::vector<int64_t>{x, y, w};
  }
  return invalid("unknown convolution direction");
}

class PlanChecker {
 public:
  PlanChecker(const Executable& e, const PlanContext& context)
      : e_(e), input_shapes_(context.input_shapes), state_(context.state ? *context.state : kNoState) {}

  absl::Status check() {
    if (e_.arena_bytes < 0 || e_.arena_bytes > kMaxArenaBytes)
      return invalid("arena_bytes ", e_.arena_bytes, " is outside [0, 2^56]");
    if (e_.unshared_bytes < 0) return invalid("unshared_bytes ", e_.unshared_bytes, " is negative");
    for (size_t k = 0; k < e_.kernels.size(); ++k)
      if (e_.kernels[k].empty()) return invalid("kernel ", k, " has no name");
    for (size_t c = 0; c < e_.library_calls.size(); ++c)
      if (absl::Status s = checkLibraryCall(e_.library_calls[c]); !s.ok())
        return invalid("library call ", c, ": ", s.message());
    std::set<std::string_view> params;
    for (size_t p = 0; p < e_.params.size(); ++p) {
      const std::string& name = e_.params[p];
      if (!params.insert(name).second) return invalid("parameter '", name, "' is listed twice");
      if (!state_.contains(name))
        return invalid("parameter '", name, "' is not a parameter or optimizer state of the signature");
    }
    for (size_t s = 0; s < e_.slots.size(); ++s)
      if (absl::Status status = checkSlot(e_.slots[s]); !status.ok())
        return invalid("slot ", s, ": ", status.message());
    for (size_t i = 0; i < e_.steps.size(); ++i)
      if (absl::Status status = checkStep(e_.steps[i]); !status.ok())
        return invalid("step ", i, ": ", status.message());
    for (size_t o = 0; o < e_.outputs.size(); ++o) RETURN_IF_ERROR(slotIndex(e_.outputs[o], strCat("output ", o)));
    for (size_t w = 0; w < e_.writes.size(); ++w)
      if (absl::Status status = checkWrite(e_.writes[w]); !status.ok())
        return invalid("write ", w, " (of '", e_.writes[w].name, "'): ", status.message());
    for (size_t c = 0; c < e_.index_checks.size(); ++c) {
      const runtime::IndexCheck& check = e_.index_checks[c];
      std::string what = strCat("index check ", c);
      RETURN_IF_ERROR(slotIndex(check.slot, what));
      Slot::Kind kind = e_.slots[static_cast<size_t>(check.slot)].kind;
      if (kind != Slot::Kind::kInput && kind != Slot::Kind::kParam && kind != Slot::Kind::kConstant)
        return invalid(what, ": slot ", check.slot, " is of kind ", kindName(kind),
                       ", which is not in host memory before the run");
      if (check.limit < 0) return invalid(what, ": limit ", check.limit, " is negative");
    }
    return absl::OkStatus();
  }

 private:
  absl::Status slotIndex(int64_t slot, std::string_view what) const {
    if (!inRange(slot, e_.slots.size()))
      return invalid(what, ": slot ", slot, " is out of range (the plan has ", e_.slots.size(), " slots)");
    return absl::OkStatus();
  }

  absl::Status checkSlot(const Slot& slot) const {
    if (ir::dtypeSize(slot.dtype) == 0) return invalid("unknown dtype ", static_cast<int>(slot.dtype));
    absl::StatusOr<int64_t> count = runtime::checkedElementCount(slot.shape);
    if (!count.ok())
      return invalid("shape [", strJoin(slot.shape, ", "), "] has a negative dimension or too many elements");
    int64_t bytes = *count * ir::dtypeSize(slot.dtype);
    if (slot.bytes != bytes)
      return invalid("holds ", slot.bytes, " bytes, but ", typeString(slot.dtype, slot.shape), " takes ", bytes);
    switch (slot.kind) {
      case Slot::Kind::kInput: {
        if (!inRange(slot.index, input_shapes_.size()))
          return invalid("input ", slot.index, " is out of range (the function has ", input_shapes_.size(), " inputs)");
        const std::vector<int64_t>& shape = input_shapes_[static_cast<size_t>(slot.index)];
        if (shape != slot.shape)
          return invalid("input ", slot.index, " has shape [", strJoin(slot.shape, ", "),
                         "], but the function was compiled for [", strJoin(shape, ", "), "]");
        return absl::OkStatus();
      }
      case Slot::Kind::kParam: {
        if (!inRange(slot.index, e_.params.size()))
          return invalid("parameter ", slot.index, " is out of range (the plan has ", e_.params.size(), " parameters)");
        const std::string& name = e_.params[static_cast<size_t>(slot.index)];
        const TensorSignature& signature = *state_.find(name)->second;
        if (!matchesSignature(signature, slot.dtype, slot.shape))
          return invalid("parameter '", name, "' is ", typeString(slot.dtype, slot.shape), ", but the signature says ",
                         typeString(signature));
        return absl::OkStatus();
      }
      case Slot::Kind::kArena:
        if (slot.offset < 0 || slot.offset > e_.arena_bytes || slot.bytes > e_.arena_bytes - slot.offset)
          return invalid(slot.bytes, " bytes at arena offset ", slot.offset, " lie outside the arena (", e_.arena_bytes,
                         " bytes)");
        return absl::OkStatus();
      case Slot::Kind::kConstant: {
        if (!inRange(slot.index, e_.constants.size()))
          return invalid("constant ", slot.index, " is out of range (the plan has ", e_.constants.size(),
                         " constants)");
        const runtime::Tensor& t = e_.constants[static_cast<size_t>(slot.index)];
        if (t.dtype() != slot.dtype || t.shape() != slot.shape)
          return invalid("constant ", slot.index, " is ", t.typeString(), ", but the slot is ",
                         typeString(slot.dtype, slot.shape));
        return absl::OkStatus();
      }
      case Slot::Kind::kRunState:
        if (slot.dtype != ir::DType::kI64 || slot.shape != std::vector<int64_t>{2})
          return invalid("the run state is i64[2], not ", typeString(slot.dtype, slot.shape));
        return absl::OkStatus();
    }
    return invalid("unknown slot kind");
  }

  absl::Status checkStep(const runtime::Step& step) const {
    if (step.library < -1) return invalid("library call ", step.library, " is out of range");
    if (!step.isLibraryCall()) {
      if (!inRange(step.kernel, e_.kernels.size()))
        return invalid("kernel ", step.kernel, " is out of range (the plan has ", e_.kernels.size(), " kernels)");
      for (int s : step.slots)
        if (s != -1)
          RETURN_IF_ERROR(slotIndex(s, strCat("kernel '", e_.kernels[static_cast<size_t>(step.kernel)], "'")));
      return absl::OkStatus();
    }
    if (!inRange(step.library, e_.library_calls.size()))
      return invalid("library call ", step.library, " is out of range (the plan has ", e_.library_calls.size(),
                     " library calls)");
    const LibraryCall& call = e_.library_calls[static_cast<size_t>(step.library)];
    std::string what = runtime::describeLibraryCall(call);
    if (static_cast<int64_t>(step.slots.size()) != call.slotCount())
      return invalid(what, " takes ", call.slotCount(), " slots, but the step binds ", step.slots.size());
    ASSIGN_OR_RETURN(std::vector<int64_t> operands, operandElements(call));
    for (size_t i = 0; i < step.slots.size(); ++i) {
      RETURN_IF_ERROR(slotIndex(step.slots[i], strCat(what, ", operand ", i)));
      const Slot& slot = e_.slots[static_cast<size_t>(step.slots[i])];
      int64_t bytes = operands[i] * ir::dtypeSize(call.dtype);
      if (slot.dtype != call.dtype || slot.bytes != bytes)
        return invalid(what, ", operand ", i, ": slot ", step.slots[i], " is ", typeString(slot.dtype, slot.shape),
                       " (", slot.bytes, " bytes), but the call takes ", operands[i], " ", ir::dtypeName(call.dtype),
                       " elements");
    }
    return absl::OkStatus();
  }

  absl::Status checkWrite(const runtime::ParamWrite& write) const {
    RETURN_IF_ERROR(slotIndex(write.slot, "the value"));
    auto it = state_.find(write.name);
    if (it == state_.end()) return invalid("not a parameter or optimizer state of the signature");
    const Slot& slot = e_.slots[static_cast<size_t>(write.slot)];
    if (!matchesSignature(*it->second, slot.dtype, slot.shape))
      return invalid("slot ", write.slot, " is ", typeString(slot.dtype, slot.shape), ", but the signature says ",
                     typeString(*it->second));
    return absl::OkStatus();
  }

  static inline const StateSignatures kNoState;
  const Executable& e_;
  std::span<const std::vector<int64_t>> input_shapes_;
  const StateSignatures& state_;
};

bool positiveInt(int64_t v) { return v > 0 && v <= INT_MAX; }

absl::Status checkConvAxis(std::string_view axis, int64_t in, int64_t out, int64_t window, int64_t stride, int64_t pad,
                           int64_t dilation) {
  if (!positiveInt(stride) || !positiveInt(dilation) || pad < 0 || pad > INT_MAX)
    return invalid(axis, ": stride ", stride, ", padding ", pad, " and dilation ", dilation,
                   " must be positive (padding non-negative) and int-sized");
  int64_t span = (window - 1) * dilation + 1, padded = in + 2 * pad;
  if (padded < span || (padded - span) / stride + 1 != out)
    return invalid(axis, ": a window of ", window, " (dilation ", dilation, ", stride ", stride, ", padding ", pad,
                   ") over ", in, " cells gives ", padded < span ? 0 : (padded - span) / stride + 1, " outputs, not ",
                   out);
  return absl::OkStatus();
}

}  // namespace

absl::Status checkPlan(const Executable& executable, const PlanContext& context) {
  return PlanChecker(executable, context).check();
}

absl::Status checkLibraryCall(const LibraryCall& call) {
  if (call.dtype != ir::DType::kF32 && call.dtype != ir::DType::kF16 && call.dtype != ir::DType::kBF16)
    return invalid("library calls take f32, f16 or bf16, not ", ir::dtypeName(call.dtype));
  switch (call.kind) {
    case LibraryCall::Kind::kGemm: {
      const runtime::GemmCall& g = call.gemm;
      if (!positiveInt(g.m) || !positiveInt(g.n) || !positiveInt(g.k))
        return invalid("gemm sizes m ", g.m, ", n ", g.n, ", k ", g.k, " must be positive and int-sized");
      if (g.activation != runtime::GemmCall::Activation::kNone && g.activation != runtime::GemmCall::Activation::kRelu)
        return invalid("unknown gemm activation");
      return absl::OkStatus();
    }
    case LibraryCall::Kind::kConv2d: {
      const ConvCall& c = call.conv;
      for (int64_t d : {c.batch, c.in_h, c.in_w, c.in_c, c.out_h, c.out_w, c.out_c, c.kernel_h, c.kernel_w})
        if (!positiveInt(d))
          return invalid("convolution sizes must be positive and int-sized: ", describeLibraryCall(call));
      if (c.direction != ConvCall::Direction::kForward && c.direction != ConvCall::Direction::kBackwardData &&
          c.direction != ConvCall::Direction::kBackwardFilter)
        return invalid("unknown convolution direction");
      RETURN_IF_ERROR(checkConvAxis("rows", c.in_h, c.out_h, c.kernel_h, c.stride[0], c.pad[0], c.dilation[0]));
      return checkConvAxis("columns", c.in_w, c.out_w, c.kernel_w, c.stride[1], c.pad[1], c.dilation[1]);
    }
  }
  return invalid("unknown library call kind");
}

bool matchesSignature(const TensorSignature& signature, ir::DType dtype, std::span<const int64_t> shape) {
  if (signature.dtype != dtype || signature.shape.size() != shape.size()) return false;
  for (size_t d = 0; d < shape.size(); ++d)
    if (signature.shape[d] != -1 && signature.shape[d] != shape[d]) return false;
  return true;
}

std::string typeString(ir::DType dtype, std::span<const int64_t> shape) {
  return strCat(ir::dtypeName(dtype), "[", strJoin(shape, ", "), "]");
}

std::string typeString(const TensorSignature& signature) {
  std::vector<std::string> dims;
  for (size_t d = 0; d < signature.shape.size(); ++d) {
    bool symbolic = signature.shape[d] == -1 && d < signature.symbols.size() && !signature.symbols[d].empty();
    dims.push_back(symbolic ? signature.symbols[d] : std::to_string(signature.shape[d]));
  }
  return strCat(ir::dtypeName(signature.dtype), "[", strJoin(dims, ", "), "]");
}

}  // namespace dlc::runtime::artifact
