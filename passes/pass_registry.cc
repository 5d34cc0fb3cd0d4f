#include "passes/pass.h"

namespace dlc::passes {

std::span<const PassInfo> registeredPasses() {
  static const PassInfo kPasses[] = {
#define PASS(Name, Factory, Summary) {Name, Summary, &Factory},
#include "passes/passes.def"
#undef PASS
  };
  return kPasses;
}

const PassInfo* findPass(std::string_view name) {
  for (const PassInfo& info : registeredPasses())
    if (info.name == name) return &info;
  return nullptr;
}

}  // namespace dlc::passes
