// Model::compileArtifact: the model's functions compiled ahead of time for a
// target and a set of batch sizes, with the signature and (optionally) the
// weights, as a `.dlx` artifact (runtime/artifact/artifact.h) that the
// runtime alone loads.
#include "runtime/artifact/artifact.h"

#include <algorithm>
#include <set>

#include "api/execute.h"
#include "api/model_impl.h"
#include "codegen/cpu_function.h"
#include "codegen/cuda_function.h"
#include "dlc/dlc.h"
#include "runtime/sha256.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {
namespace {

runtime::artifact::TensorSignature signatureOf(const TensorSpec& spec) {
  return runtime::artifact::TensorSignature{spec.name, spec.dtype, spec.shape, spec.symbols, true, "zeros", {}};
}

runtime::artifact::TensorSignature paramSignature(const ir::ParamDecl& p) {
  runtime::artifact::TensorSignature t{p.name, p.type.dtype, staticShape(p.type), {}, true, "zeros", {}};
  t.symbols.assign(t.shape.size(), "");
  if (const ir::Attribute* trainable = p.attrs.find("trainable"); trainable && trainable->kind() == ir::AttrKind::kBool)
    t.trainable = trainable->asBool();
  if (const ir::Attribute* init = p.attrs.find("init"); init && init->kind() == ir::AttrKind::kString)
    t.init = init->asString();
  for (const char* key : {"minval", "maxval", "value"}) {
    const ir::Attribute* a = p.attrs.find(key);
    if (a && a->kind() == ir::AttrKind::kFloat) t.init_args[key] = a->asFloat();
    if (a && a->kind() == ir::AttrKind::kInt) t.init_args[key] = static_cast<double>(a->asInt());
  }
  return t;
}

bool isOptimizerState(const ir::ParamDecl& p) {
  const ir::Attribute* role = p.attrs.find("role");
  return role && role->kind() == ir::AttrKind::kString && role->asString() == "optimizer";
}

struct ArtifactTarget {
  bool cuda = false;
  codegen::CpuTarget cpu;
  std::vector<std::string> cuda_archs;  // "sm_80", ascending
};

absl::StatusOr<ArtifactTarget> parseTarget(const std::string& target) {
  ArtifactTarget t;
  if (target == "cpu" || target.starts_with("cpu:")) {
    ASSIGN_OR_RETURN(t.cpu, codegen::resolveCpuTarget(target == "cpu" ? "host" : std::string_view(target).substr(4)));
    return t;
  }
  if (target == "cuda" || target.starts_with("cuda:")) {
    t.cuda = true;
    std::string list = target == "cuda" ? "sm_80,sm_90" : target.substr(5);
    std::set<int> archs;
    std::vector<std::string> names;
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      names.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    for (const std::string& arch : names) {
      std::string_view digits = arch;
      if (!digits.starts_with("sm_") || digits.size() < 5 || digits.size() > 6 ||
          digits.substr(3).find_first_not_of("0123456789") != std::string_view::npos)
        return absl::InvalidArgumentError(
            strCat("unknown CUDA architecture '", arch, "' (sm_72, sm_80, sm_87, sm_90, ...)"));
      archs.insert(std::stoi(std::string(digits.substr(3))));
    }
    for (int a : archs) t.cuda_archs.push_back(strCat("sm_", a));
    return t;
  }
  return absl::InvalidArgumentError(
      strCat("unknown artifact target '", target, "' (cpu, cpu:NAME such as cpu:x86-64-v3, cuda:sm_XX[,sm_YY...])"));
}

absl::StatusOr<runtime::artifact::CompiledFunction> compileFunction(const ir::Function& function,
                                                                    runtime::artifact::FunctionRole role, int64_t batch,
                                                                    const ArtifactTarget& target,
                                                                    ir::Precision precision) {
  RETURN_IF_ERROR(requireTf32Target(precision, target.cuda ? "cuda" : "cpu"));
  codegen::CudaCompileOptions cuda_options;
  cuda_options.libraries.allow_tf32 = precision == ir::Precision::kTf32;
  runtime::artifact::CompiledFunction out;
  out.name = function.name();
  out.role = role;
  out.input_shapes = codegen::argumentShapes(function, batch);
  if (!target.cuda) {
    out.target = "cpu";
    codegen::CpuCompileOptions options;
    options.target = target.cpu;
    ASSIGN_OR_RETURN(codegen::CpuCompiled compiled, codegen::compileCpuFunction(function, out.input_shapes, options));
    out.executable = std::move(compiled.lowered.executable);
    out.cpu = runtime::artifact::CpuCode{compiled.code.triple, compiled.code.cpu, compiled.code.isa,
                                         std::move(compiled.code.shared_object)};
    return out;
  }
  out.target = "cuda";
  for (const std::string& arch : target.cuda_archs) {
    absl::StatusOr<codegen::CudaCompiled> made =
        codegen::compileCudaModuleOnly(function, out.input_shapes, arch, cuda_options);
    if (!made.ok() && made.status().message().find("gpu-architecture") != std::string_view::npos)
      return absl::InvalidArgumentError(
          strCat("this NVRTC cannot compile for ", arch,
                 " (CUDA 13 dropped sm_72 and older: Xavier needs CUDA 12): ", made.status().message()));
    if (!made.ok()) return made.status();
    // The plan and the launches are the same for every architecture.
    if (out.cuda.cubins.empty()) {
      out.executable = std::move(made->lowered.executable);
      for (const codegen::cuda::CudaKernelPlan& plan : made->module.kernels)
        out.cuda.kernels.push_back({plan.kernel, plan.launches});
    }
    out.cuda.cubins[arch] = std::move(made->image);
  }
  // PTX of the newest architecture, for GPUs newer than every cubin.
  std::string ptx_arch = strCat("compute_", target.cuda_archs.back().substr(3));
  ASSIGN_OR_RETURN(codegen::CudaCompiled ptx,
                   codegen::compileCudaModuleOnly(function, out.input_shapes, ptx_arch, cuda_options));
  out.cuda.ptx_arch = ptx_arch;
  out.cuda.ptx = std::move(ptx.image);
  return out;
}

absl::StatusOr<runtime::artifact::Artifact> buildArtifact(Model& model, Model::Impl& impl,
                                                          const ArtifactOptions& options) {
  ASSIGN_OR_RETURN(ArtifactTarget target, parseTarget(options.target));
  if (options.batch_sizes.empty()) return absl::InvalidArgumentError("an artifact needs at least one batch size");
  runtime::artifact::Artifact a;
  a.signature.model = model.name();
  // The model's source: its file and every file it imports.
  std::string sources;
  for (int32_t b = 0; b < impl.sources.bufferCount(); ++b)
    strAppend(&sources, impl.sources.buffer(b).name(), std::string_view("\0", 1), impl.sources.buffer(b).text(),
              std::string_view("\0", 1));
  a.source_hash = runtime::hexDigest(runtime::sha256(sources));
  for (const TensorSpec& s : model.inputs()) a.signature.inputs.push_back(signatureOf(s));
  for (const TensorSpec& s : model.outputs()) a.signature.outputs.push_back(signatureOf(s));
  for (const ir::ParamDecl& p : impl.module->params()) a.signature.parameters.push_back(paramSignature(p));
  TrainingState* training = nullptr;
  if (options.train) {
    ASSIGN_OR_RETURN(training, ensureTraining(impl));
    for (const ir::ParamDecl& p : training->module->params())
      if (isOptimizerState(p)) a.signature.optimizer_state.push_back(paramSignature(p));
  }
  std::set<int64_t> batches(options.batch_sizes.begin(), options.batch_sizes.end());
  for (int64_t batch : batches) {
    if (batch < 1 || batch > (int64_t{1} << 20))
      return absl::InvalidArgumentError(strCat("batch size ", batch, " is outside [1, 1048576]"));
    ASSIGN_OR_RETURN(
        runtime::artifact::CompiledFunction inference,
        compileFunction(*impl.function, runtime::artifact::FunctionRole::kInference, batch, target, impl.precision));
    a.functions.push_back(std::move(inference));
    if (training) {
      ASSIGN_OR_RETURN(runtime::artifact::CompiledFunction step,
                       compileFunction(*training->train_step, runtime::artifact::FunctionRole::kTrainStep, batch,
                                       target, impl.precision));
      a.functions.push_back(std::move(step));
    }
  }
  if (options.embed_weights) {
    RETURN_IF_ERROR(syncWeights(impl));
    RETURN_IF_ERROR(requireWeights(impl, *impl.module));
    for (const ir::ParamDecl& p : impl.module->params())
      a.weights.emplace_back(p.name, impl.weights.at(p.name).clone());
  }
  return a;
}

}  // namespace

absl::StatusOr<std::string> Model::compileArtifact(const ArtifactOptions& options) {
  ASSIGN_OR_RETURN(runtime::artifact::Artifact a, buildArtifact(*this, *impl_, options));
  return runtime::artifact::serializeArtifact(std::move(a));
}

absl::Status Model::saveArtifact(const std::string& path, const ArtifactOptions& options) {
  ASSIGN_OR_RETURN(runtime::artifact::Artifact a, buildArtifact(*this, *impl_, options));
  return runtime::artifact::writeArtifactFile(path, a);
}

}  // namespace dlc
