#include "runtime/cuda/executor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>

#include "support/env.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cuda {

using runtime::Slot;
using runtime::Tensor;

namespace {

// `status` with `context` appended to its message, keeping its code.
absl::Status annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), strCat(status.message(), context));
}

// The memory budget on the GPU: everything allocate() makes, checked before
// the first allocation (each parameter and input once, however many slots
// read it; library workspaces are small and come after).
absl::Status checkDeviceMemory(const CudaDevice& device, const runtime::Executable& exe) {
  std::set<int> params, inputs;
  int64_t param_bytes = 0, input_bytes = 0, constant_bytes = 0;
  for (const Slot& slot : exe.slots) {
    if (slot.kind == Slot::Kind::kParam && params.insert(slot.index).second) param_bytes += slot.bytes;
    if (slot.kind == Slot::Kind::kInput && inputs.insert(slot.index).second) input_bytes += slot.bytes;
    if (slot.kind == Slot::Kind::kConstant) constant_bytes += slot.bytes;
  }
  MemoryNeed need;
  need.add("workspace", exe.arena_bytes);
  need.add("parameters", param_bytes);
  need.add("inputs", input_bytes);
  need.add("constants", constant_bytes);
  ASSIGN_OR_RETURN(MemoryHeadroom headroom, deviceMemoryHeadroom(device));
  return checkFits("the compiled function", need, headroom, "GPU memory");
}

}  // namespace

ExecutorOptions ExecutorOptions::fromEnvironment() {
  ExecutorOptions options;
  options.graphs = envFlag("DLC_CUDA_GRAPHS", true);
  options.sync_each_launch = envFlag("DLC_CUDA_SYNC_LAUNCHES", false);
  options.profile = envFlag("DLC_PROFILE", false);
  return options;
}

Executor::Executor(const CudaDevice& device, const runtime::Executable& executable, std::vector<BoundKernel> kernels,
                   ExecutorOptions options, Stream stream)
    : device_(device),
      executable_(executable),
      kernels_(std::move(kernels)),
      options_(options),
      stream_(std::move(stream)) {}

Executor::~Executor() {
  // Work still queued (an error path returned before synchronizing) must
  // finish before the buffers it uses are freed.
  (void)device_.makeCurrent();
  (void)stream_.synchronize();
}

absl::StatusOr<std::unique_ptr<Executor>> Executor::create(const CudaDevice& device,
                                                           const runtime::Executable& executable,
                                                           std::vector<BoundKernel> kernels, ExecutorOptions options) {
  if (kernels.size() != executable.kernels.size())
    return absl::InternalError(
        strCat("cuda executor: ", kernels.size(), " kernels bound for an executable of ", executable.kernels.size()));
  RETURN_IF_ERROR(device.makeCurrent());
  ASSIGN_OR_RETURN(Stream stream, Stream::create(device));
  std::unique_ptr<Executor> e(new Executor(device, executable, std::move(kernels), options, std::move(stream)));
  RETURN_IF_ERROR(e->allocate());
  if (!executable.library_calls.empty()) {
    ASSIGN_OR_RETURN(e->library_, LibraryCalls::create(device, executable));
    e->device_bytes_ += e->library_->workspaceBytes();
  }
  return e;
}

absl::Status Executor::allocate() {
  const runtime::Executable& exe = executable_;
  auto newBuffer = [&](int64_t bytes, std::string_view what) -> absl::StatusOr<int> {
    absl::StatusOr<DeviceBuffer> b =
        DeviceBuffer::allocate(device_, static_cast<std::size_t>(std::max<int64_t>(bytes, 0)));
    if (!b.ok()) return annotate(b.status(), strCat(" (", what, ")"));
    device_bytes_ += b->size();
    buffers_.push_back(std::move(*b));
    return static_cast<int>(buffers_.size() - 1);
  };
  RETURN_IF_ERROR(checkDeviceMemory(device_, exe));
  absl::StatusOr<DeviceArena> arena =
      DeviceArena::create(device_, static_cast<std::size_t>(std::max<int64_t>(exe.arena_bytes, 0)));
  if (!arena.ok()) return annotate(arena.status(), strCat(" (the arena of ", exe.arena_bytes, " bytes)"));
  arena_.emplace(std::move(*arena));
  device_bytes_ += arena_->size();

  param_buffer_.assign(exe.params.size(), -1);
  param_slot_.assign(exe.params.size(), -1);
  resident_.assign(exe.params.size(), false);
  int run_state_buffer = -1;
  address_.assign(exe.slots.size(), 0);
  std::vector<std::pair<int, int>> constants;  // (buffer, constant index) to upload
  for (size_t s = 0; s < exe.slots.size(); ++s) {
    const Slot& slot = exe.slots[s];
    switch (slot.kind) {
      case Slot::Kind::kInput: {
        if (slot.index < 0) return absl::InternalError("cuda executor: input slot without an index");
        if (static_cast<size_t>(slot.index) >= input_buffer_.size()) input_buffer_.resize(slot.index + 1, -1);
        int& b = input_buffer_[slot.index];
        if (b < 0) {
          ASSIGN_OR_RETURN(b, newBuffer(slot.bytes, strCat("input ", slot.index)));
        }
        address_[s] = buffers_[b].ptr();
        break;
      }
      case Slot::Kind::kParam: {
        if (slot.index < 0 || static_cast<size_t>(slot.index) >= exe.params.size())
          return absl::InternalError("cuda executor: parameter slot without a parameter");
        int& b = param_buffer_[slot.index];
        param_slot_[slot.index] = static_cast<int>(s);
        if (b < 0) {
          ASSIGN_OR_RETURN(b, newBuffer(slot.bytes, strCat("parameter '", exe.params[slot.index], "'")));
        }
        if (static_cast<int64_t>(buffers_[b].size()) != std::max<int64_t>(slot.bytes, 0))
          return absl::InternalError(
              strCat("cuda executor: parameter '", exe.params[slot.index], "' is read with two sizes"));
        address_[s] = buffers_[b].ptr();
        break;
      }
      case Slot::Kind::kArena: {
        ASSIGN_OR_RETURN(DeviceSpan span, arena_->at(static_cast<std::size_t>(slot.offset),
                                                     static_cast<std::size_t>(std::max<int64_t>(slot.bytes, 0))));
        address_[s] = span.ptr;
        break;
      }
      case Slot::Kind::kConstant: {
        if (slot.index < 0 || static_cast<size_t>(slot.index) >= exe.constants.size())
          return absl::InternalError("cuda executor: constant slot without a constant");
        ASSIGN_OR_RETURN(int b, newBuffer(slot.bytes, "constant"));
        constants.emplace_back(b, slot.index);
        address_[s] = buffers_[b].ptr();
        break;
      }
      case Slot::Kind::kRunState: {
        if (run_state_buffer < 0) {
          ASSIGN_OR_RETURN(run_state_buffer, newBuffer(sizeof(run_state_), "run state"));
        }
        address_[s] = buffers_[run_state_buffer].ptr();
        break;
      }
    }
  }
  for (auto [b, c] : constants) {
    const Tensor& t = executable_.constants[c];
    if (t.byteSize() != buffers_[b].size())
      return absl::InternalError(
          strCat("cuda executor: constant ", c, " has ", t.byteSize(), " bytes, its slot ", buffers_[b].size()));
    if (t.byteSize() > 0) RETURN_IF_ERROR(stream_.copyToDevice(buffers_[b].ptr(), t.data(), t.byteSize()));
  }
  RETURN_IF_ERROR(stream_.synchronize());

  step_args_.resize(exe.steps.size());
  step_bytes_.assign(exe.steps.size(), 0);
  for (size_t i = 0; i < exe.steps.size(); ++i) {
    const runtime::Step& step = exe.steps[i];
    if (step.isLibraryCall() ? static_cast<size_t>(step.library) >= exe.library_calls.size()
                             : step.kernel < 0 || static_cast<size_t>(step.kernel) >= kernels_.size())
      return absl::InternalError(strCat("cuda executor: step ", i, " names no kernel or library call"));
    for (int s : step.slots) {
      if (s < 0) continue;  // a local buffer: not a kernel parameter
      if (static_cast<size_t>(s) >= address_.size())
        return absl::InternalError(strCat("cuda executor: step ", i, " uses slot ", s, ", which does not exist"));
      step_args_[i].push_back(address_[s]);
      step_bytes_[i] += std::max<int64_t>(exe.slots[s].bytes, 0);
    }
  }
  return absl::OkStatus();
}

absl::Status Executor::enqueueSteps(Stream& stream, bool sync_each, bool profile) {
  std::vector<void*> args;
  for (size_t i = 0; i < executable_.steps.size(); ++i) {
    const runtime::Step& step = executable_.steps[i];
    if (profile) RETURN_IF_ERROR(profile_events_[2 * i].record(stream));
    if (step.isLibraryCall()) {
      auto context = [&] {
        return strCat(" (step ", i, " of ", executable_.steps.size(), ", ", runtime::stepName(executable_, step), ")");
      };
      RETURN_IF_ERROR(annotate(library_->enqueue(stream, step.library, step_args_[i]), context()));
      if (sync_each) RETURN_IF_ERROR(annotate(stream.synchronize(), strCat(" after", context())));
      if (profile) RETURN_IF_ERROR(profile_events_[2 * i + 1].record(stream));
      continue;
    }
    const BoundKernel& kernel = kernels_[step.kernel];
    args.clear();
    for (CuDevicePtr& p : step_args_[i]) args.push_back(&p);
    for (const BoundLaunch& launch : kernel.launches) {
      if (launch.config.grid.x == 0 || launch.config.grid.y == 0 || launch.config.grid.z == 0) continue;
      auto context = [&] {
        return strCat(" (step ", i, " of ", executable_.steps.size(), ", kernel '", kernel.name, "', launch '",
                      launch.kernel.name, "')");
      };
      RETURN_IF_ERROR(annotate(stream.launch(launch.kernel, launch.config, args.data()), context()));
      if (sync_each) RETURN_IF_ERROR(annotate(stream.synchronize(), strCat(" after", context())));
    }
    if (profile) RETURN_IF_ERROR(profile_events_[2 * i + 1].record(stream));
  }
  return absl::OkStatus();
}

absl::Status Executor::printProfile() {
  double total = 0;
  for (size_t i = 0; i < executable_.steps.size(); ++i) {
    ASSIGN_OR_RETURN(float ms, Event::elapsedMs(profile_events_[2 * i], profile_events_[2 * i + 1]));
    total += ms;
    double bytes = static_cast<double>(step_bytes_[i]);
    double gbps = ms > 0 ? bytes / (static_cast<double>(ms) * 1e6) : 0.0;
    std::fprintf(stderr, "dlc profile: %.4f ms %s %lld bytes %.1f GB/s\n", static_cast<double>(ms),
                 runtime::stepName(executable_, executable_.steps[i]).c_str(), static_cast<long long>(step_bytes_[i]),
                 gbps);
  }
  std::fprintf(stderr, "dlc profile-total: %.4f ms %zu steps\n", total, executable_.steps.size());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Tensor>> Executor::run(std::span<const Tensor> inputs, const runtime::TensorMap& params,
                                                  const RunOptions& options, runtime::TensorMap* assigned) {
  const runtime::Executable& exe = executable_;
  // Check everything before anything is enqueued; ids used as indices
  // (embedding rows) are checked on the host, as the CPU executor does.
  ASSIGN_OR_RETURN(std::vector<const void*> host, runtime::hostAddresses(exe, inputs, params));
  std::vector<const Tensor*> param_values(exe.params.size(), nullptr);
  for (size_t s = 0; s < exe.slots.size(); ++s) {
    const Slot& slot = exe.slots[s];
    if (slot.kind == Slot::Kind::kParam) param_values[slot.index] = &params.find(exe.params[slot.index])->second;
  }
  for (const runtime::IndexCheck& check : exe.index_checks)
    if (check.slot < 0 || static_cast<size_t>(check.slot) >= host.size() || host[check.slot] == nullptr)
      return absl::InternalError(
          strCat("cuda executor: index check of '", check.what, "' reads a slot that is not on the host"));
  RETURN_IF_ERROR(runtime::checkIndices(exe, host));
  RETURN_IF_ERROR(device_.makeCurrent());

  // Host -> device.
  for (size_t i = 0; i < input_buffer_.size() && i < inputs.size(); ++i) {
    if (input_buffer_[i] < 0 || inputs[i].byteSize() == 0) continue;
    RETURN_IF_ERROR(stream_.copyToDevice(buffers_[input_buffer_[i]].ptr(), inputs[i].data(), inputs[i].byteSize()));
  }
  for (size_t p = 0; p < param_buffer_.size(); ++p) {
    if (param_buffer_[p] < 0 || resident_[p] || param_values[p] == nullptr || param_values[p]->byteSize() == 0)
      continue;
    RETURN_IF_ERROR(
        stream_.copyToDevice(buffers_[param_buffer_[p]].ptr(), param_values[p]->data(), param_values[p]->byteSize()));
  }
  run_state_[0] = static_cast<int64_t>(options.seed);
  run_state_[1] = static_cast<int64_t>(options.step);
  for (size_t s = 0; s < exe.slots.size(); ++s) {
    if (exe.slots[s].kind != Slot::Kind::kRunState) continue;
    RETURN_IF_ERROR(stream_.copyToDevice(address_[s], run_state_, sizeof(run_state_)));
    break;  // one buffer serves every run-state slot
  }

  // The steps: eagerly on the first call, then as a graph.
  bool sync_each = options_.sync_each_launch;
  bool profile = options_.profile && !exe.steps.empty();
  if (profile && profile_events_.size() != 2 * exe.steps.size()) {
    profile_events_.clear();
    for (size_t i = 0; i < 2 * exe.steps.size(); ++i) {
      ASSIGN_OR_RETURN(Event e, Event::create(device_));
      profile_events_.push_back(std::move(e));
    }
  }
  bool use_graph = options_.graphs && !sync_each && !profile && !exe.steps.empty();
  if (use_graph && !graph_ && stats_.runs >= 1) {
    absl::StatusOr<Graph> graph =
        Graph::capture(stream_, [&](Stream& s) { return enqueueSteps(s, /*sync_each=*/false); });
    if (!graph.ok()) return annotate(graph.status(), " (capturing the CUDA graph of the steps)");
    graph_.emplace(std::move(*graph));
    stats_.graph_captured = true;
  }
  if (use_graph && graph_) {
    RETURN_IF_ERROR(annotate(graph_->launch(stream_), " (launching the CUDA graph of the steps)"));
    ++stats_.graph_replays;
  } else {
    // A profiled first call of a function that writes no parameters runs the
    // steps once more before the timed pass, so that module loading and
    // first-launch costs stay out of the times (the steps recompute the
    // arena from the inputs, parameters and constants, which they only read).
    if (profile && stats_.runs == 0 && exe.writes.empty()) RETURN_IF_ERROR(enqueueSteps(stream_, sync_each));
    RETURN_IF_ERROR(enqueueSteps(stream_, sync_each, profile));
    ++stats_.eager_runs;
  }

  // Device -> host: outputs and writes, then the writes into the device
  // copies of the parameters (after every read of them is enqueued).
  auto copyOut = [&](int s) -> absl::StatusOr<Tensor> {
    const Slot& slot = exe.slots[s];
    ASSIGN_OR_RETURN(Tensor t, Tensor::zeros(slot.dtype, slot.shape));
    if (static_cast<int64_t>(t.byteSize()) != slot.bytes)
      return absl::InternalError(
          strCat("cuda executor: slot ", s, " holds ", slot.bytes, " bytes, not ", t.byteSize()));
    if (slot.bytes > 0) RETURN_IF_ERROR(stream_.copyToHost(t.data(), address_[s], static_cast<size_t>(slot.bytes)));
    return t;
  };
  std::vector<Tensor> outputs;
  for (int s : exe.outputs) {
    ASSIGN_OR_RETURN(Tensor t, copyOut(s));
    outputs.push_back(std::move(t));
  }
  std::set<std::string_view> written;
  for (const runtime::ParamWrite& w : exe.writes) written.insert(w.name);
  // A write that can stay on the device: large, to a parameter the executor
  // holds at that size, and not the old value of another written parameter
  // (the loop below skips those copies).
  auto keepOnDevice = [&](const runtime::ParamWrite& w) {
    const Slot& source = exe.slots[w.slot];
    if (!options.keep_writes_on_device || source.bytes <= 64) return false;
    if (source.kind == Slot::Kind::kParam && written.contains(exe.params[source.index])) return false;
    bool held = false;
    for (size_t p = 0; p < exe.params.size(); ++p)
      if (exe.params[p] == w.name && param_buffer_[p] >= 0 &&
          static_cast<int64_t>(buffers_[param_buffer_[p]].size()) == source.bytes)
        held = true;
    return held;
  };
  runtime::TensorMap writes;
  std::set<std::string_view> kept;
  for (const runtime::ParamWrite& w : exe.writes) {
    if (keepOnDevice(w)) {
      kept.insert(w.name);
      continue;
    }
    ASSIGN_OR_RETURN(Tensor t, copyOut(w.slot));
    writes[w.name] = std::move(t);
  }
  for (size_t p = 0; p < exe.params.size(); ++p) {
    if (kept.contains(exe.params[p]))
      resident_[p] = true;
    else if (written.contains(exe.params[p]))
      resident_[p] = false;  // the caller gets the new value
  }
  for (const runtime::ParamWrite& w : exe.writes) {
    const Slot& source = exe.slots[w.slot];
    // A write of another written parameter's old value would read a copy
    // this loop may already have replaced: skip it. The device copies are
    // refreshed from the host on the next call in any case.
    if (source.kind == Slot::Kind::kParam && written.contains(exe.params[source.index])) continue;
    for (size_t p = 0; p < exe.params.size(); ++p) {
      if (exe.params[p] != w.name || param_buffer_[p] < 0) continue;
      const DeviceBuffer& target = buffers_[param_buffer_[p]];
      if (static_cast<int64_t>(target.size()) == source.bytes && source.bytes > 0)
        RETURN_IF_ERROR(stream_.copyOnDevice(target.ptr(), address_[w.slot], target.size()));
    }
  }
  absl::Status synced = stream_.synchronize();
  if (!synced.ok()) {
    return annotate(synced, strCat(" (running ", exe.steps.size(), " steps",
                                   sync_each ? "" : "; DLC_CUDA_SYNC_LAUNCHES=1 names the failing kernel", ")"));
  }
  if (profile) RETURN_IF_ERROR(annotate(printProfile(), " (reading the profile's events)"));
  if (assigned) *assigned = std::move(writes);
  ++stats_.runs;
  return outputs;
}

bool Executor::hasResident() const { return std::find(resident_.begin(), resident_.end(), true) != resident_.end(); }

void Executor::dropResident() { std::fill(resident_.begin(), resident_.end(), false); }

absl::StatusOr<runtime::TensorMap> Executor::downloadResident() {
  runtime::TensorMap out;
  if (!hasResident()) return out;
  RETURN_IF_ERROR(device_.makeCurrent());
  for (size_t p = 0; p < resident_.size(); ++p) {
    if (!resident_[p]) continue;
    const Slot& slot = executable_.slots[param_slot_[p]];
    ASSIGN_OR_RETURN(Tensor t, Tensor::zeros(slot.dtype, slot.shape));
    const DeviceBuffer& b = buffers_[param_buffer_[p]];
    if (t.byteSize() != b.size())
      return absl::InternalError(strCat("cuda executor: parameter '", executable_.params[p], "' holds ", b.size(),
                                        " bytes, not ", t.byteSize()));
    if (t.byteSize() > 0) RETURN_IF_ERROR(stream_.copyToHost(t.data(), b.ptr(), t.byteSize()));
    out[executable_.params[p]] = std::move(t);
  }
  RETURN_IF_ERROR(stream_.synchronize());
  dropResident();
  return out;
}

}  // namespace dlc::runtime::cuda
