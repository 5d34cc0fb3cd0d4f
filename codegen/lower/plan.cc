#include "codegen/lower/plan.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <numeric>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "codegen/lower/in_place.h"
#include "codegen/lower/layouts.h"
#include "codegen/lower/schedule.h"
#include "codegen/lower/winograd.h"
#include "ir/kernel/gpu_mapping.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/register_tiling.h"
#include "ir/kernel/verifier.h"
#include "support/clock.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

using runtime::Slot;

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

struct Lifetime {
  int slot;
  int first, last;  // steps
};

// Places arena slots (see plan.h); returns the arena's size. The placed
// buffers are kept sorted by offset, so each placement walks them once, from
// offset 0 up to the first gap that fits, without sorting or allocating: the
// offsets are those of scanning every conflicting buffer in offset order,
// since a buffer that begins at or after the candidate's end cannot move it,
// nor can any buffer after it.
int64_t placeBuffers(std::vector<Slot>& slots, const std::vector<Lifetime>& lifetimes) {
  std::vector<size_t> order(lifetimes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return slots[lifetimes[a].slot].bytes > slots[lifetimes[b].slot].bytes; });
  struct Placed {
    int64_t begin, end;  // bytes
    int first, last;     // steps
  };
  std::vector<Placed> placed;  // by begin
  placed.reserve(lifetimes.size());
  int64_t arena = 0;
  for (size_t i : order) {
    const Lifetime& life = lifetimes[i];
    int64_t size = alignUp(std::max<int64_t>(slots[life.slot].bytes, 1));
    int64_t offset = 0;
    for (const Placed& other : placed) {
      if (offset + size <= other.begin) break;
      if (other.last < life.first || life.last < other.first) continue;
      offset = std::max(offset, other.end);
    }
    slots[life.slot].offset = offset;
    arena = std::max(arena, offset + size);
    Placed p{offset, offset + size, life.first, life.last};
    auto at = std::upper_bound(placed.begin(), placed.end(), offset,
                               [](int64_t begin, const Placed& q) { return begin < q.begin; });
    placed.insert(at, p);
  }
  return arena;
}

class Planner {
 public:
  Planner(const ir::Function& function, LoweredFunction& out, const LowerOptions& options)
      : function_(function),
        out_(out),
        schedule_(options.schedule),
        library_(options.library),
        stages_(options.stages),
        verify_each_(options.stages.verify_each) {}

  absl::Status run() {
    runtime::Executable& exe = out_.executable;
    for (size_t i = 0; i < function_.arguments().size(); ++i)
      bindValue(function_.argument(i), Slot::Kind::kInput, static_cast<int>(i));
    findLastReaders();
    if (schedule_.cpu) pairSavedActivations();
    for (const FusionGroup& group : out_.fusion.groups) {
      if (group.library) {
        std::optional<LibraryPlan> plan = planLibraryCall(*group.library, out_.types, library_);
        if (!plan)
          return absl::InternalError(strCat("'", group.library->name(), "' was fused as a library call but has none"));
        RETURN_IF_ERROR(addLibraryGroup(group, std::move(*plan)));
        continue;
      }
      int winograd_product = -1;
      std::optional<WinogradShape> winograd;
      if (group.winograd) {
        winograd = winogradShape(*group.winograd, out_.types);
        if (!winograd) return absl::InternalError("a convolution chosen for Winograd's transforms does not fit them");
        ASSIGN_OR_RETURN(winograd_product, addWinogradSteps(group, *winograd));
      }
      RETURN_IF_ERROR(addLayoutSteps(group));
      std::string name = strCat("k", group.id, "_", group.root()->name());
      LibraryResult product;
      if (winograd)
        product = LibraryResult{{winograd->planes(), winograd->mStride()},
                                {},
                                group.winograd->kind() == ir::OpKind::kConv2d && group.winograd->numOperands() > 2,
                                &*winograd};
      SavedActivations saved;
      if (auto it = saved_.find(group.root()); group.built && it != saved_.end()) saved = it->second;
      ASSIGN_OR_RETURN(LoweredGroup lowered,
                       lowerGroup(group, out_.types, name, schedule_, winograd ? &product : nullptr, saved));
      RETURN_IF_ERROR(afterSchedule(lowered));
      if (schedule_.cpu && schedule_.in_place) updateInPlaceWherePossible(lowered, group.id);
      RETURN_IF_ERROR(afterStage("in-place", lowered.kernel));
      RETURN_IF_ERROR(addKernelStep(std::move(lowered), winograd_product));
      relaid_.clear();
    }
    int end = static_cast<int>(exe.steps.size());
    for (const auto& op : function_.ops()) {
      if (op->kind() != ir::OpKind::kAssign) continue;
      ASSIGN_OR_RETURN(int slot, slotOf(op->operand(0), false, end));
      exe.writes.push_back(runtime::ParamWrite{op->attrs().getString("name"), slot});
    }
    for (const ir::Value* v : function_.outputs()) {
      ASSIGN_OR_RETURN(int slot, slotOf(v, false, end));
      exe.outputs.push_back(slot);
    }
    // Embedding ids that come straight from an input are checked up front.
    for (const auto& op : function_.ops()) {
      if (op->kind() != ir::OpKind::kEmbedding && op->kind() != ir::OpKind::kEmbeddingGrad) continue;
      const ir::Value* ids = op->operand(0);
      auto it = slot_of_.find(ids);
      if (!ids->isArgument() || it == slot_of_.end()) continue;
      const ir::Value* table = op->kind() == ir::OpKind::kEmbedding ? op->operand(1) : op->operand(2);
      std::string what = strCat(
          op->name(), op->result(0)->nameHint().empty() ? std::string() : strCat(" '", op->result(0)->nameHint(), "'"));
      if (op->location().valid()) strAppend(&what, " at line ", op->location().line);
      exe.index_checks.push_back(runtime::IndexCheck{it->second, out_.types.at(table).shape[0], what});
    }
    for (Lifetime& life : lifetimes_) {
      const Slot& s = exe.slots[life.slot];
      exe.unshared_bytes += alignUp(std::max<int64_t>(s.bytes, 1));
    }
    exe.arena_bytes = placeBuffers(exe.slots, lifetimes_);
    return absl::OkStatus();
  }

 private:
  // For each value: the last group that reads it from memory; and the values
  // needed after the last step (function outputs, values written to
  // parameters).
  void findLastReaders() {
    for (const FusionGroup& group : out_.fusion.groups)
      for (const ir::Operation* op : group.ops)
        for (const ir::Value* v : op->operands()) {
          const ir::Operation* producer = v->producer();
          if (producer && out_.fusion.groupOf(producer) == &group && !group.library) continue;
          int& last = last_reader_[v];
          last = std::max(last, group.id);
        }
    for (const auto& op : function_.ops())
      if (op->kind() == ir::OpKind::kAssign) live_out_.insert(op->operand(0));
    for (const ir::Value* v : function_.outputs()) live_out_.insert(v);
  }

  // An lstm whose gradient (an lstm_grad of the same operands and
  // attributes) runs later keeps every step's activations for it, and the
  // gradient reads them instead of running the forward again
  // (BuildContext::saved).
  void pairSavedActivations() {
    for (const auto& grad : function_.ops()) {
      if (grad->kind() != ir::OpKind::kLstmGrad) continue;
      const FusionGroup* grad_group = out_.fusion.groupOf(grad.get());
      for (const auto& forward : function_.ops()) {
        if (forward->kind() != ir::OpKind::kLstm) continue;
        const ir::Attrs &a = forward->attrs(), &b = grad->attrs();
        if (a.getInt("units") != b.getInt("units") || a.getBool("return_sequences") != b.getBool("return_sequences"))
          continue;
        bool same = true;
        for (size_t i = 0; i < forward->numOperands(); ++i) same = same && forward->operand(i) == grad->operand(i);
        const FusionGroup* forward_group = out_.fusion.groupOf(forward.get());
        if (!same || !forward_group || !grad_group || forward_group->id >= grad_group->id ||
            saved_.contains(forward.get()))
          continue;
        saved_[forward.get()] = SavedActivations{BuildContext::Saved::kWrite, forward.get()};
        saved_[grad.get()] = SavedActivations{BuildContext::Saved::kRead, forward.get()};
        break;
      }
    }
  }

  // Lets each output of `lowered` that no step has placed yet take the
  // memory of an input of the same type that dies in this group, where the
  // kernel reads each element before writing it (in_place.h). CPU only for
  // now: the CUDA emitter's vectorized phases are not checked on aliased
  // buffers yet.
  void updateInPlaceWherePossible(LoweredGroup& lowered, int group_id) {
    const runtime::Executable& exe = out_.executable;
    absl::flat_hash_set<int> taken;
    for (size_t o = 0; o < lowered.sources.size(); ++o) {
      const BufferSource& out = lowered.sources[o];
      if (out.kind != BufferSource::Kind::kValue || lowered.kernel.buffers[o].role != kir::BufferRole::kOut ||
          slot_of_.contains(out.value))
        continue;
      for (size_t i = 0; i < lowered.sources.size(); ++i) {
        const BufferSource& in = lowered.sources[i];
        if (in.kind != BufferSource::Kind::kValue || lowered.kernel.buffers[i].role != kir::BufferRole::kIn ||
            relaid_.contains(in.value))  // the kernel reads a converted copy, not the value's memory
          continue;
        auto slot = slot_of_.find(in.value);
        if (slot == slot_of_.end() || exe.slots[slot->second].kind != Slot::Kind::kArena ||
            taken.contains(slot->second) || live_out_.contains(in.value))
          continue;
        auto last = last_reader_.find(in.value);
        if (last == last_reader_.end() || last->second != group_id) continue;
        if (!(out_.types.at(in.value) == out_.types.at(out.value))) continue;
        if (!canUpdateInPlace(lowered.kernel, static_cast<kir::BufferId>(i), static_cast<kir::BufferId>(o))) continue;
        updateInPlace(lowered.kernel, static_cast<kir::BufferId>(i), static_cast<kir::BufferId>(o));
        int shared = slot->second;  // the insertion below may move the map's entries
        slot_of_[out.value] = shared;
        taken.insert(shared);
        break;
      }
    }
  }

  // After each per-kernel stage: the verifier (--verify-each, debug
  // builds), and a copy of the kernel for --print-ir-after STAGE.
  absl::Status afterStage(std::string_view stage, const kir::Kernel& kernel) {
    if (verify_each_) {
      absl::Status s = kir::verifyKernel(kernel);
      if (!s.ok()) return absl::InternalError(strCat(stage, " produced invalid kernel IR: ", s.message()));
    }
    if (stages_.print_after_all || stages_.print_after.contains(stage))
      out_.snapshots[std::string(stage)].kernels.push_back(kernel);
    return absl::OkStatus();
  }

  // The register budget of the target's vector registers.
  kir::RegisterTilingOptions tilingOptions() const {
    kir::RegisterTilingOptions tiling;
    tiling.vector_registers = schedule_.vector_registers;
    tiling.vector_bytes = schedule_.vector_bytes;
    return tiling;
  }

  // The schedule's kernel, then the register-tiling stage on it (CPU): the
  // tiles' accumulators are new local buffers.
  absl::Status afterSchedule(LoweredGroup& lowered) {
    RETURN_IF_ERROR(afterStage("schedule", lowered.kernel));
    if (schedule_.cpu && schedule_.register_tiling) {
      kir::tileRegisters(lowered.kernel, tilingOptions());
      lowered.sources.resize(lowered.kernel.buffers.size(), BufferSource{BufferSource::Kind::kLocal, nullptr});
    }
    RETURN_IF_ERROR(afterStage("register-tiling", lowered.kernel));
    if (!schedule_.cpu) kir::mapForGpu(lowered.kernel);
    return afterStage("gpu-mapping", lowered.kernel);
  }

  // A step for `lowered`, binding its buffers to slots; a kLibraryResult
  // buffer reads `library_result`.
  absl::Status addKernelStep(LoweredGroup lowered, int library_result = -1) {
    runtime::Executable& exe = out_.executable;
    runtime::Step step;
    int step_index = static_cast<int>(exe.steps.size());
    for (size_t b = 0; b < lowered.sources.size(); ++b) {
      const BufferSource& source = lowered.sources[b];
      const kir::Buffer& buffer = lowered.kernel.buffers[b];
      int slot = -1;
      switch (source.kind) {
        case BufferSource::Kind::kValue: {
          if (auto relaid = relaid_.find(source.value);
              relaid != relaid_.end() && buffer.role == kir::BufferRole::kIn) {
            slot = relaid->second;  // the copy in the layout the kernel reads
            extendLifetime(slot, step_index);
            break;
          }
          ASSIGN_OR_RETURN(slot, slotOf(source.value, buffer.role != kir::BufferRole::kIn, step_index));
          break;
        }
        case BufferSource::Kind::kRunState: slot = runStateSlot(); break;
        case BufferSource::Kind::kScratch: slot = scratchSlot(buffer.dtype, {buffer.size}, step_index); break;
        case BufferSource::Kind::kLocal: break;  // private to the kernel: no slot
        case BufferSource::Kind::kSaved: {
          auto [it, inserted] = saved_slots_.try_emplace(std::pair(lowered.saved_for, buffer.name), -1);
          if (inserted) {
            it->second = scratchSlot(buffer.dtype, {buffer.size}, step_index);
          } else {
            extendLifetime(it->second, step_index);
          }
          slot = it->second;
          break;
        }
        case BufferSource::Kind::kLibraryResult:
          if (library_result < 0) return absl::InternalError("a kernel reads a library result that no call made");
          slot = library_result;
          extendLifetime(slot, step_index);
          break;
      }
      step.slots.push_back(slot);
    }
    step.kernel = internKernel(std::move(lowered.kernel));
    exe.steps.push_back(std::move(step));
    return absl::OkStatus();
  }

  // The index of `kernel` in the module: a kernel identical to an earlier
  // one but for its name, origin and buffer names (the layers of a deep
  // stack, a block repeated in a network) runs the earlier one's code with
  // its own slots, so code generation sees each distinct kernel once.
  int internKernel(kir::Kernel kernel) {
    kir::Kernel probe;  // the kernel with neutral names, printed as the key
    probe.buffers = kernel.buffers;
    for (size_t b = 0; b < probe.buffers.size(); ++b) probe.buffers[b].name = strCat("b", b);
    probe.body = std::move(kernel.body);
    std::string key = kir::printKernel(probe);
    kernel.body = std::move(probe.body);
    auto [it, inserted] = kernel_index_.try_emplace(std::move(key), static_cast<int>(out_.kernels.kernels.size()));
    if (!inserted) return it->second;
    out_.executable.kernels.push_back(kernel.name);
    out_.kernels.kernels.push_back(std::move(kernel));
    return it->second;
  }

  // The conversions of the group's input_layouts (layouts.h), each a step
  // writing a scratch slot that the group's kernel then reads for the value.
  absl::Status addLayoutSteps(const FusionGroup& group) {
    std::vector<std::pair<const ir::Value*, OperandLayout>> conversions(group.input_layouts.begin(),
                                                                        group.input_layouts.end());
    std::sort(conversions.begin(), conversions.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first->nameHint(), a.first->index()) < std::pair(b.first->nameHint(), b.first->index());
    });
    for (const auto& [value, layout] : conversions) {
      runtime::Executable& exe = out_.executable;
      int step_index = static_cast<int>(exe.steps.size());
      ASSIGN_OR_RETURN(int slot, slotOf(value, false, step_index));
      const ConcreteType& t = out_.types.at(value);
      int converted = scratchSlot(t.dtype, layout.shapeOf(t.shape), step_index);
      std::string origin =
          strCat(layout.role, value->nameHint().empty() ? std::string() : strCat(" ", value->nameHint()), " of ",
                 group.root()->name());
      kir::Kernel kernel =
          copyKernel(strCat("k", group.id, "_copy", relaid_.size()), std::move(origin), t.dtype, t.shape, layout);
      exe.steps.push_back(runtime::Step{internKernel(std::move(kernel)), -1, {slot, converted}});
      relaid_[value] = converted;
    }
    return absl::OkStatus();
  }

  // Winograd's input and filter (or, for a kernel gradient, g's) transforms
  // and the tile products of the group's convolution (winograd.h), each a
  // step; returns the slot of the products, which the group's kernel reads.
  absl::StatusOr<int> addWinogradSteps(const FusionGroup& group, const WinogradShape& s) {
    runtime::Executable& exe = out_.executable;
    const ir::Operation& conv = *group.winograd;
    std::string origin(conv.name());
    if (conv.location().valid()) strAppend(&origin, " at line ", conv.location().line);
    std::string prefix = strCat("k", group.id, "_winograd_");
    int step = static_cast<int>(exe.steps.size());
    const bool kernel_gradient = s.kind == WinogradKind::kKernelGradient;
    // A kernel gradient reads the V its forward made of the same x with the
    // same tiles, where V is small enough to keep from the forward to the
    // backward pass; else (and for the forward) x is transformed here.
    TransformedInput key{conv.operand(0), s.m, s.top, s.left, s.tile_rows, s.tile_cols};
    int v = -1;
    if (auto kept = transformed_inputs_.find(key); kernel_gradient && kept != transformed_inputs_.end()) {
      v = kept->second;
      extendLifetime(v, step);
    } else {
      ASSIGN_OR_RETURN(int x, slotOf(conv.operand(0), false, step));
      v = scratchSlot(ir::DType::kF32, {s.planes(), s.vStride()}, step);
      kir::Kernel input = winogradInputKernel(
          prefix + "input", strCat(s.kind == WinogradKind::kInputGradient ? "g of " : "x of ", origin), s);
      RETURN_IF_ERROR(afterStage("schedule", input));
      exe.steps.push_back(runtime::Step{internKernel(std::move(input)), -1, {x, v}});
      ++step;
      if (s.planes() * s.vStride() * 4 <= kMaxKeptTransformBytes) transformed_inputs_[key] = v;
    }
    // The filter's transform U, or a kernel gradient's g's: Ĝ.
    ASSIGN_OR_RETURN(int w, slotOf(conv.operand(1), false, step));
    int u = scratchSlot(ir::DType::kF32, {s.planes(), s.uStride()}, step);
    kir::Kernel second = kernel_gradient ? winogradGradientKernel(prefix + "gradient", strCat("g of ", origin), s)
                                         : winogradFilterKernel(prefix + "filter", strCat("filter of ", origin), s);
    RETURN_IF_ERROR(afterStage("schedule", second));
    exe.steps.push_back(runtime::Step{internKernel(std::move(second)), -1, {w, u}});
    ++step;
    extendLifetime(v, step);
    extendLifetime(u, step);
    int m = scratchSlot(ir::DType::kF32, {s.planes(), s.mStride()}, step);
    kir::Kernel product = winogradProductKernel(prefix + "product", strCat("tile products of ", origin), s);
    RETURN_IF_ERROR(afterStage("schedule", product));
    if (schedule_.register_tiling) kir::tileRegisters(product, tilingOptions());
    RETURN_IF_ERROR(afterStage("register-tiling", product));
    std::vector<int> slots = {v, u, m};
    slots.resize(product.buffers.size(), -1);  // the accumulators: locals
    exe.steps.push_back(runtime::Step{internKernel(std::move(product)), -1, std::move(slots)});
    return m;
  }

  // Layout kernels, the call, and the group's kernel after it (plan.h).
  absl::Status addLibraryGroup(const FusionGroup& group, LibraryPlan plan) {
    runtime::Executable& exe = out_.executable;
    const ir::Operation& op = *group.library;
    std::string origin(op.name());
    if (op.location().valid()) strAppend(&origin, " at line ", op.location().line);
    std::vector<int> call_slots;
    for (size_t i = 0; i < plan.operands.size(); ++i) {
      const LibraryPlan::Operand& operand = plan.operands[i];
      int step_index = static_cast<int>(exe.steps.size());
      ASSIGN_OR_RETURN(int slot, slotOf(operand.value, false, step_index));
      if (!operand.layout.empty()) {
        const ConcreteType& t = out_.types.at(operand.value);
        std::vector<int64_t> shape;
        for (int d : operand.layout) shape.push_back(t.shape[static_cast<size_t>(d)]);
        if (operand.padded_last > 0) shape.back() = operand.padded_last;
        int converted = scratchSlot(t.dtype, shape, step_index);
        kir::Kernel layout = layoutKernel(strCat("k", group.id, "_layout", i), strCat("operand ", i, " of ", origin),
                                          t.dtype, t.shape, operand.layout, operand.padded_last);
        kir::mapForGpu(layout);  // library calls are a GPU target's
        int kernel = internKernel(std::move(layout));
        exe.steps.push_back(runtime::Step{kernel, -1, {slot, converted}});
        slot = converted;
      }
      call_slots.push_back(slot);
    }
    // Where the call writes: the group's output itself when nothing is
    // left to compute after it.
    const ir::Value* direct = nullptr;
    if (plan.result_layout.empty() && !plan.bias_after && group.outputs.size() == 1) {
      const ir::Operation* root = group.root();
      if (group.ops.size() == 1) {
        direct = op.result(0);
      } else if (plan.call.kind == runtime::LibraryCall::Kind::kGemm && group.ops.size() == 2 &&
                 root->kind() == ir::OpKind::kRelu && root->operand(0) == op.result(0)) {
        direct = root->result(0);
        plan.call.gemm.activation = runtime::GemmCall::Activation::kRelu;
      }
    }
    int call_step = static_cast<int>(exe.steps.size());
    for (int slot : call_slots) extendLifetime(slot, call_step);
    int result = -1;
    if (direct) {
      ASSIGN_OR_RETURN(result, slotOf(direct, true, call_step));
    } else {
      result = scratchSlot(plan.call.dtype, plan.result_shape, call_step);
    }
    call_slots.push_back(result);
    exe.library_calls.push_back(plan.call);
    exe.steps.push_back(runtime::Step{0, static_cast<int>(exe.library_calls.size() - 1), std::move(call_slots)});
    if (direct) return absl::OkStatus();
    LibraryResult library{plan.result_shape, plan.result_layout, plan.bias_after};
    ASSIGN_OR_RETURN(
        LoweredGroup lowered,
        lowerGroup(group, out_.types, strCat("k", group.id, "_", group.root()->name()), schedule_, &library));
    RETURN_IF_ERROR(afterSchedule(lowered));
    RETURN_IF_ERROR(afterStage("in-place", lowered.kernel));
    return addKernelStep(std::move(lowered), result);
  }

  // An arena slot that only the plan's steps use, live from `step`.
  int scratchSlot(ir::DType dtype, std::vector<int64_t> shape, int step) {
    int64_t elements = 1;
    for (int64_t d : shape) elements *= d;
    int slot = newSlot(Slot{Slot::Kind::kArena, -1, 0, elements * ir::dtypeSize(dtype), dtype, std::move(shape)});
    lifetime_of_[slot] = lifetimes_.size();
    lifetimes_.push_back(Lifetime{slot, step, step});
    return slot;
  }

  void extendLifetime(int slot, int step) {
    if (auto life = lifetime_of_.find(slot); life != lifetime_of_.end())
      lifetimes_[life->second].last = std::max(lifetimes_[life->second].last, step);
  }

  int newSlot(Slot slot) {
    out_.executable.slots.push_back(std::move(slot));
    return static_cast<int>(out_.executable.slots.size() - 1);
  }

  int bindValue(const ir::Value* v, Slot::Kind kind, int index) {
    const ConcreteType& t = out_.types.at(v);
    int slot = newSlot(Slot{kind, index, 0, t.numBytes(), t.dtype, t.shape});
    slot_of_[v] = slot;
    return slot;
  }

  int runStateSlot() {
    if (run_state_ < 0) run_state_ = newSlot(Slot{Slot::Kind::kRunState, -1, 0, 16, ir::DType::kI64, {2}});
    return run_state_;
  }

  // The slot holding `v`; `define` when step `step` writes it. Extends the
  // lifetime of arena slots to `step`.
  absl::StatusOr<int> slotOf(const ir::Value* v, bool define, int step) {
    runtime::Executable& exe = out_.executable;
    if (auto it = slot_of_.find(v); it != slot_of_.end()) {
      if (auto life = lifetime_of_.find(it->second); life != lifetime_of_.end())
        lifetimes_[life->second].last = std::max(lifetimes_[life->second].last, step);
      return it->second;
    }
    const ir::Operation* producer = v->producer();
    if (producer && producer->kind() == ir::OpKind::kParam) {
      const std::string& name = producer->attrs().getString("name");
      auto [it, inserted] = param_index_.try_emplace(name, static_cast<int>(exe.params.size()));
      if (inserted) exe.params.push_back(name);
      return bindValue(v, Slot::Kind::kParam, it->second);
    }
    if (producer && producer->kind() == ir::OpKind::kConstant) {
      const ConcreteType& t = out_.types.at(v);
      ASSIGN_OR_RETURN(runtime::Tensor tensor, runtime::Tensor::zeros(t.dtype, t.shape));
      const std::vector<double>& values = producer->attrs().find("value")->asFloatList();
      for (int64_t i = 0; i < tensor.numElements(); ++i)
        tensor.set(i, values.size() == 1 ? values[0] : values[static_cast<size_t>(i)]);
      exe.constants.push_back(std::move(tensor));
      return bindValue(v, Slot::Kind::kConstant, static_cast<int>(exe.constants.size() - 1));
    }
    if (!define)
      return absl::InternalError(
          strCat("value of '", producer ? producer->name() : "argument", "' is read before any kernel writes it"));
    int slot = bindValue(v, Slot::Kind::kArena, -1);
    lifetime_of_[slot] = lifetimes_.size();
    lifetimes_.push_back(Lifetime{slot, step, step});
    return slot;
  }

  const ir::Function& function_;
  LoweredFunction& out_;
  ScheduleOptions schedule_;
  LibraryOptions library_;
  KernelStageOptions stages_;
  bool verify_each_ = false;
  absl::flat_hash_map<const ir::Value*, int> last_reader_;  // group id
  absl::flat_hash_set<const ir::Value*> live_out_;
  absl::flat_hash_map<const ir::Value*, int> slot_of_;
  // The current group's converted operands (addLayoutSteps): value -> slot.
  absl::flat_hash_map<const ir::Value*, int> relaid_;
  // Paired ops' shared intermediates (pairSavedActivations): the part of
  // each, and the slots of the buffers by forward op and name.
  absl::flat_hash_map<const ir::Operation*, SavedActivations> saved_;
  absl::flat_hash_map<std::pair<const ir::Operation*, std::string>, int> saved_slots_;
  absl::flat_hash_map<int, size_t> lifetime_of_;
  // The Winograd input transforms made so far, by value and tiling: a V a
  // kernel gradient may read (addWinogradSteps).
  using TransformedInput = std::tuple<const ir::Value*, int64_t, int64_t, int64_t, int64_t, int64_t>;
  std::map<TransformedInput, int> transformed_inputs_;
  absl::flat_hash_map<std::string, int> param_index_;   // into exe.params
  absl::flat_hash_map<std::string, int> kernel_index_;  // internKernel's key -> kernel
  std::vector<Lifetime> lifetimes_;
  int run_state_ = -1;
};

}  // namespace

namespace {

// The options with the stages --disable-pass turned off.
absl::StatusOr<LowerOptions> withStagesDisabled(LowerOptions options) {
  for (const std::string& name : options.stages.disabled) {
    if (name == "library-selection") {
      options.library = LibraryOptions{};
    } else if (name == "fusion") {
      options.fusion.enabled = false;
    } else if (name == "layout") {
      options.schedule.layouts = false;
    } else if (name == "winograd") {
      options.schedule.winograd = false;
    } else if (name == "register-tiling") {
      options.schedule.register_tiling = false;
    } else if (name == "in-place") {
      options.schedule.in_place = false;
    } else if (name == "schedule" || name == "gpu-mapping" || name == "memory-plan") {
      return absl::InvalidArgumentError(strCat("the kernel stage '", name, "' cannot be disabled"));
    }
  }
  return options;
}

void dumpStage(const KernelStageOptions& stages, std::string_view name, const std::string& text) {
  if (!stages.print_after_all && !stages.print_after.contains(name)) return;
  std::ostream& out = stages.dump ? *stages.dump : std::cerr;
  out << "// -----// Kernel IR Dump After " << name << " //----- //\n" << text << "\n";
}

}  // namespace

absl::StatusOr<LoweredFunction> lowerFunction(const ir::Function& function,
                                              std::span<const std::vector<int64_t>> input_shapes,
                                              const LowerOptions& requested) {
  ASSIGN_OR_RETURN(LowerOptions options, withStagesDisabled(requested));
  LoweredFunction out;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(out.types, concreteTypes(function, input_shapes));
  out.times.bind_shapes_ms = millisecondsSince(start);
  start = std::chrono::steady_clock::now();
  FusionOptions fusion = options.fusion;
  if (options.library.any()) {
    fusion.is_library = [&](const ir::Operation& op) {
      return planLibraryCall(op, out.types, options.library).has_value();
    };
  }
  out.fusion = fuse(function, fusion);
  if (options.schedule.cpu && options.schedule.winograd) selectWinograd(out.fusion, out.types);
  if (options.schedule.cpu && options.schedule.layouts) selectLayouts(out.fusion, out.types);
  out.times.fusion_ms = millisecondsSince(start);
  const KernelStageOptions& stages = options.stages;
  if (stages.print_after_all || !stages.print_after.empty()) {
    std::string groups = printFusion(function, out.fusion);
    dumpStage(stages, "library-selection", groups);
    dumpStage(stages, "fusion", groups);
    if (options.schedule.cpu) dumpStage(stages, "winograd", printWinograd(out.fusion, out.types));
    if (options.schedule.cpu) dumpStage(stages, "layout", printLayouts(out.fusion, out.types));
  }
  start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(Planner(function, out, options).run());
  out.times.plan_ms = millisecondsSince(start);
  if (stages.print_after_all || !stages.print_after.empty()) {
    for (std::string_view name : {"schedule", "register-tiling", "gpu-mapping", "in-place"})
      if (auto it = out.snapshots.find(name); it != out.snapshots.end())
        dumpStage(stages, name, kir::printKernelModule(it->second));
    dumpStage(stages, "memory-plan", runtime::describeExecutable(out.executable));
  }
  return out;
}

}  // namespace dlc::codegen
