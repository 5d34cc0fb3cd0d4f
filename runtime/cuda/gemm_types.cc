#include "runtime/cuda/gemm_types.h"

namespace dlc::runtime::cuda {

std::string_view gemmTypeName(GemmType t) {
  switch (t) {
    case GemmType::kF32: return "f32";
    case GemmType::kF32Tf32: return "tf32";
    case GemmType::kF16: return "f16";
    case GemmType::kBF16: return "bf16";
  }
  return "?";
}

std::string_view epilogueName(Epilogue e) {
  switch (e) {
    case Epilogue::kNone: return "none";
    case Epilogue::kRelu: return "relu";
    case Epilogue::kGelu: return "gelu";
    case Epilogue::kBias: return "bias";
    case Epilogue::kBiasRelu: return "bias_relu";
    case Epilogue::kBiasGelu: return "bias_gelu";
  }
  return "?";
}

}  // namespace dlc::runtime::cuda
