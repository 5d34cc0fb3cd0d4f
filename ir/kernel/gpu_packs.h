// Which accesses of an elementwise phase a GPU thread can make as one
// 16-byte pack (gpu(vector)): the question the gpu-mapping stage asks to
// choose the mapping, and whose answer the CUDA emitter writes.
//
// A phase over a flattened nest of parallel loops takes `width` consecutive
// items a thread. It can pack:
//  - a load, when its index moves by one element per item from a multiple of
//    the width (index_analysis.h), the phase stores nothing to its buffer, and
//    every item evaluates it or its index stays inside the buffer for every
//    group (a select's branch may guard a read that would not);
//  - a store, when it is unconditional, not accumulating, the only store to
//    its buffer, the phase reads nothing from that buffer, and its index
//    moves the same way.
// A contiguous load that cannot be packed (a shifted slice) leaves nothing
// packed: one item a thread reads it coalesced. Buffers start 64-byte
// aligned, so an element index that is a multiple of four is a 16-byte (or,
// for 8-byte types, 32-byte) aligned address.
#ifndef DLC_IR_KERNEL_GPU_PACKS_H_
#define DLC_IR_KERNEL_GPU_PACKS_H_

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

struct PackAccess {
  BufferId buffer;
  ExprRef first_lane;  // the index at the group's first item, in the flat counter
};

struct PhasePacks {
  std::vector<PackAccess> loads, stores;
  std::map<const Expr*, size_t> load_of;  // every load node reading a packed load
  std::map<const StoreStmt*, size_t> store_of;
  bool empty() const { return loads.empty() && stores.empty(); }
};

// The packs of a phase over `nest` running `body` (straight-line), with
// `width` items a thread and `flat` the counter of its items (a var the
// kernel does not use). Empty when nothing packs or the phase does not
// qualify (no whole group, locals, loops or reductions in the body).
PhasePacks findPhasePacks(const Kernel& kernel, const std::vector<const ForStmt*>& nest, std::span<const Stmt> body,
                          const Var& flat, int width);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_GPU_PACKS_H_
