#include "runtime/cpu/executor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "runtime/cpu/library_calls.h"
#include "support/clock.h"
#include "support/env.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime::cpu {

using runtime::Slot;
using runtime::Tensor;

void Executor::ArenaDeleter::operator()(std::byte* p) const { std::free(p); }

Executor::Executor(const runtime::Executable& executable, std::vector<KernelFn> kernels)
    : executable_(executable), kernels_(std::move(kernels)) {}

Executor::~Executor() = default;

absl::StatusOr<std::vector<Tensor>> Executor::run(std::span<const Tensor> inputs, const runtime::TensorMap& params,
                                                  const RunOptions& options, runtime::TensorMap* assigned) {
  const runtime::Executable& exe = executable_;
  RETURN_IF_ERROR(runtime::checkHostMemory("running the compiled function",
                                           runtime::hostCallNeed(exe, arena_ != nullptr || exe.arena_bytes == 0)));
  if (!arena_ && exe.arena_bytes > 0) {
    void* p = std::aligned_alloc(64, static_cast<size_t>((exe.arena_bytes + 63) / 64 * 64));
    if (!p) return absl::ResourceExhaustedError(strCat("cannot allocate ", exe.arena_bytes, " bytes of workspace"));
    arena_.reset(static_cast<std::byte*>(p));
  }
  int64_t run_state[2] = {static_cast<int64_t>(options.seed), static_cast<int64_t>(options.step)};
  ASSIGN_OR_RETURN(std::vector<const void*> host, runtime::hostAddresses(exe, inputs, params));
  std::vector<void*> address(exe.slots.size(), nullptr);
  for (size_t s = 0; s < exe.slots.size(); ++s) {
    const Slot& slot = exe.slots[s];
    if (slot.kind == Slot::Kind::kArena)
      address[s] = arena_.get() + slot.offset;
    else if (slot.kind == Slot::Kind::kRunState)
      address[s] = run_state;
    else
      address[s] = const_cast<void*>(host[s]);
  }
  RETURN_IF_ERROR(runtime::checkIndices(exe, std::vector<const void*>(address.begin(), address.end())));
  std::vector<void*> buffers;
  // DLC_PROFILE=1: the time of every kernel call on stderr, slowest first.
  static const bool profile = envFlag("DLC_PROFILE");
  std::vector<std::pair<double, std::string>> times;
  for (const runtime::Step& step : exe.steps) {
    buffers.clear();
    for (int s : step.slots) buffers.push_back(s < 0 ? nullptr : address[s]);
    auto start = std::chrono::steady_clock::now();
    if (step.isLibraryCall()) {
      RETURN_IF_ERROR(runLibraryCallOnHost(exe.library_calls[step.library], buffers));
    } else {
      kernels_[step.kernel](buffers.data());
    }
    if (profile) times.emplace_back(millisecondsSince(start), runtime::stepName(exe, step));
  }
  if (profile) {
    std::sort(times.rbegin(), times.rend());
    double total = 0;
    for (const auto& [ms, name] : times) total += ms;
    std::fprintf(stderr, "dlc profile: run of %zu kernels: %.3f ms\n", times.size(), total);
    for (const auto& [ms, name] : times) std::fprintf(stderr, "dlc profile: %10.3f ms  %s\n", ms, name.c_str());
  }
  auto copyOut = [&](int s) -> absl::StatusOr<Tensor> {
    const Slot& slot = exe.slots[s];
    ASSIGN_OR_RETURN(Tensor t, Tensor::zeros(slot.dtype, slot.shape));
    if (slot.bytes > 0) std::memcpy(t.data(), address[s], static_cast<size_t>(slot.bytes));
    return t;
  };
  std::vector<Tensor> outputs;
  for (int s : exe.outputs) {
    ASSIGN_OR_RETURN(Tensor t, copyOut(s));
    outputs.push_back(std::move(t));
  }
  if (assigned) {
    // A write of a parameter's own value (assign(a, b) of two parameters)
    // reads it before any write lands in place.
    std::vector<std::pair<std::string, Tensor>> of_params;
    for (const runtime::ParamWrite& w : exe.writes) {
      if (exe.slots[w.slot].kind != Slot::Kind::kParam) continue;
      ASSIGN_OR_RETURN(Tensor t, copyOut(w.slot));
      of_params.emplace_back(w.name, std::move(t));
    }
    for (const runtime::ParamWrite& w : exe.writes) {
      const Slot& slot = exe.slots[w.slot];
      if (slot.kind == Slot::Kind::kParam) continue;
      auto it = assigned->find(w.name);
      if (it != assigned->end() && it->second.dtype() == slot.dtype && it->second.shape() == slot.shape &&
          static_cast<int64_t>(it->second.byteSize()) == slot.bytes) {
        if (slot.bytes > 0) std::memcpy(it->second.data(), address[w.slot], static_cast<size_t>(slot.bytes));
        continue;
      }
      ASSIGN_OR_RETURN(Tensor t, copyOut(w.slot));
      (*assigned)[w.name] = std::move(t);
    }
    for (auto& [name, t] : of_params) (*assigned)[name] = std::move(t);
  }
  return outputs;
}

}  // namespace dlc::runtime::cpu
