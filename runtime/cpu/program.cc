#include "runtime/cpu/program.h"

#include "support/strings.h"

namespace dlc::runtime::cpu {

absl::StatusOr<std::unique_ptr<Program>> Program::load(const runtime::Executable& executable, std::string_view triple,
                                                       const std::vector<std::string>& isa,
                                                       std::string_view shared_object) {
  std::unique_ptr<Program> program(new Program());
  absl::StatusOr<std::unique_ptr<NativeModule>> code = NativeModule::load(triple, isa, shared_object);
  if (!code.ok()) return code.status();
  program->code_ = std::move(*code);
  std::vector<KernelFn> kernels;
  for (const std::string& name : executable.kernels) {
    KernelFn fn = program->code_->find(name);
    if (!fn) return absl::InvalidArgumentError(strCat("the compiled CPU code has no kernel '", name, "'"));
    kernels.push_back(fn);
  }
  program->executor_ = std::make_unique<Executor>(executable, std::move(kernels));
  return program;
}

}  // namespace dlc::runtime::cpu
