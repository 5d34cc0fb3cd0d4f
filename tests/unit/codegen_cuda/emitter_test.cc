// The CUDA emitter's mapping of kernel IR shapes to launches and source.
#include "codegen/cuda/emitter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/codegen_cuda/test_kernels.h"

namespace dlc::codegen::cuda {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
namespace tk = dlc::testing_kernels;

CudaModule emitOne(kir::Kernel kernel) {
  kir::KernelModule m;
  m.kernels.push_back(std::move(kernel));
  absl::StatusOr<CudaModule> out = emitCuda(m);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : CudaModule{};
}

// The text of the __global__ function `name`.
std::string functionText(const std::string& source, const std::string& name) {
  size_t start = source.find(") " + name + "(");
  if (start == std::string::npos) return "";
  start = source.rfind("extern", start);
  return source.substr(start, source.find("\n}\n", start) - start);
}

TEST(CudaEmitter, ElementwiseNestIsOneGridStrideLoop) {
  CudaModule m = emitOne(tk::elementwiseChain(64, 12));
  ASSERT_EQ(m.kernels.size(), 1u);
  ASSERT_EQ(m.kernels[0].launches.size(), 1u);
  const CudaLaunch& l = m.kernels[0].launches[0];
  EXPECT_EQ(l.name, "fused_bias_relu");
  EXPECT_EQ(l.block_x, 256);
  EXPECT_EQ(l.grid_x, 3);  // 768 elements
  EXPECT_EQ(l.shared_bytes, 0);
  std::string f = functionText(m.source, "fused_bias_relu");
  EXPECT_THAT(f, HasSubstr("const float* __restrict__ b0_x, const float* __restrict__ b1_b, "
                           "float* __restrict__ b2_y"));
  EXPECT_THAT(f, HasSubstr("flat < 768; flat += gridDim.x"));
  EXPECT_THAT(f, HasSubstr("const long long i_0 = 0LL + (long long)(flat / 12);"));
  EXPECT_THAT(f, HasSubstr("const long long j_1 = 0LL + (long long)((flat) % 12);"));
  EXPECT_THAT(f, HasSubstr("tanhf("));
  EXPECT_THAT(f, HasSubstr("fmaxf("));
  EXPECT_THAT(f, Not(HasSubstr("dlc_block_reduce")));
  EXPECT_THAT(m.source, HasSubstr("// origin: add, tanh, mul, relu at m.dl:7\nextern \"C\" __global__"));
  EXPECT_THAT(m.source, Not(HasSubstr("cuda_fp16.h")));
}

TEST(CudaEmitter, SoftmaxRowsGoOneBlockPerRow) {
  CudaModule m = emitOne(tk::softmaxRows(32, 1000));
  ASSERT_EQ(m.kernels[0].launches.size(), 1u);
  const CudaLaunch& l = m.kernels[0].launches[0];
  EXPECT_EQ(l.grid_x, 32);
  EXPECT_EQ(l.block_x, 256);
  EXPECT_EQ(l.shared_bytes, 256);
  std::string f = functionText(m.source, "softmax");
  EXPECT_THAT(f, HasSubstr("row < 32; row += gridDim.x"));
  EXPECT_THAT(f, HasSubstr("dlc_block_reduce<3>"));  // max
  EXPECT_THAT(f, HasSubstr("dlc_block_reduce<0>"));  // add
  EXPECT_THAT(f, HasSubstr("k_3 = 0LL + (long long)threadIdx.x; k_3 < 1000LL; k_3 += blockDim.x"));
  EXPECT_THAT(f, HasSubstr("j_5 = 0LL + (long long)threadIdx.x; j_5 < 1000LL; j_5 += blockDim.x"));
  EXPECT_THAT(m.source, HasSubstr("__shfl_xor_sync(0xffffffffu"));
}

TEST(CudaEmitter, LayernormReducesInsideExpressionsAndStoresOnThreadZero) {
  CudaModule m = emitOne(tk::layernorm());
  std::string f = functionText(m.source, "layernorm");
  EXPECT_EQ(m.kernels[0].launches[0].grid_x, 16);
  // mean = div(reduce, n): the reduction inside the division is split too.
  EXPECT_THAT(f, HasSubstr("acc0 = dlc_block_reduce<0>"));
  EXPECT_THAT(f, HasSubstr("acc1 = dlc_block_reduce<0>"));
  EXPECT_THAT(f, HasSubstr("if (threadIdx.x == 0) {\n      b4_mean[r_0] = mean_1;"));
  EXPECT_THAT(f, HasSubstr("rsqrtf("));
}

TEST(CudaEmitter, WholeTensorReductionRunsOnOneBlock) {
  CudaModule m = emitOne(tk::wholeSum(100000));
  const CudaLaunch& l = m.kernels[0].launches[0];
  EXPECT_EQ(l.grid_x, 1);
  EXPECT_EQ(l.block_x, 256);
  EXPECT_EQ(l.shared_bytes, 256);
  std::string f = functionText(m.source, "sum_all");
  EXPECT_THAT(f, HasSubstr("dlc_block_reduce<0>"));
  EXPECT_THAT(f, HasSubstr("if (threadIdx.x == 0) {"));
  EXPECT_THAT(f, Not(HasSubstr("atomicAdd")));
}

TEST(CudaEmitter, ScatterAccumulatesAtomicallyAfterItsOwnZeroing) {
  CudaModule m = emitOne(tk::scatterAccumulate());
  ASSERT_EQ(m.kernels[0].launches.size(), 2u);  // zero, then scatter
  EXPECT_EQ(m.kernels[0].launches[0].name, "embedding_grad_0");
  EXPECT_EQ(m.kernels[0].launches[1].name, "embedding_grad_1");
  EXPECT_THAT(functionText(m.source, "embedding_grad_0"), Not(HasSubstr("atomicAdd")));
  EXPECT_THAT(functionText(m.source, "embedding_grad_1"),
              HasSubstr("atomicAdd(&b2_table[dlc_add(dlc_mul(b0_ids[t_1], 16LL), d_2)], b1_g["));
}

TEST(CudaEmitter, HalfTypesComputeInFloat) {
  CudaModule m = emitOne(tk::halfCasts());
  EXPECT_THAT(m.source, HasSubstr("#include <cuda_fp16.h>"));
  EXPECT_THAT(m.source, HasSubstr("#include <cuda_bf16.h>"));
  std::string f = functionText(m.source, "half_casts");
  EXPECT_THAT(f, HasSubstr("const __half* __restrict__ b0_x"));
  EXPECT_THAT(f, HasSubstr("b2_y[i_0] = __float2half((float)((((float)(__half2float(b0_x[i_0])) * 0.5f)"));
  EXPECT_THAT(f, HasSubstr("__bfloat162float(b1_w[i_0])"));
  EXPECT_THAT(f, HasSubstr("__float2half((__half2float(b0_x[i_0]) * __half2float(__float2half(0.5f))))"));
}

TEST(CudaEmitter, IntegerOpsWrapAndShiftLogically) {
  CudaModule m = emitOne(tk::hashBits());
  std::string f = functionText(m.source, "hash");
  EXPECT_THAT(f, HasSubstr("dlc_shr("));
  EXPECT_THAT(f, HasSubstr("dlc_shl("));
  EXPECT_THAT(f, HasSubstr("dlc_mul("));
  EXPECT_THAT(f, HasSubstr("(-49064778989728563LL)"));  // 0xff51afd7ed558ccd
  EXPECT_THAT(m.source, HasSubstr("(long long)((dlc_u64)a >> (b & 63))"));
}

TEST(CudaEmitter, LocalsArePerThreadArraysOrSharedPerRow) {
  CudaModule m = emitOne(tk::localReverse());
  std::string f = functionText(m.source, "reverse4");
  EXPECT_THAT(f, HasSubstr("  float b2_tmp[4];"));
  EXPECT_THAT(f, HasSubstr("#pragma unroll"));
  EXPECT_THAT(f, Not(HasSubstr("b2_tmp,")));  // not a parameter

  CudaModule rows = emitOne(tk::softmaxLocal());
  std::string g = functionText(rows.source, "softmax_local");
  EXPECT_THAT(g, HasSubstr("__shared__ float b2_e[500];"));
  EXPECT_THAT(g, HasSubstr("__syncthreads();"));
}

TEST(CudaEmitter, ReductionInAPerfectNestIsSequential) {
  CudaModule m = emitOne(tk::matmulReduce());
  std::string f = functionText(m.source, "matmul");
  EXPECT_THAT(f, HasSubstr("flat < 768"));
  EXPECT_THAT(f, HasSubstr("for (long long k_2 = 0LL; k_2 < 20LL; ++k_2) {"));
  EXPECT_THAT(f, HasSubstr("if ((j_1 < 24LL)) {"));
  EXPECT_THAT(f, Not(HasSubstr("dlc_block_reduce")));
}

TEST(CudaEmitter, SerialLoopAroundParallelWorkRunsOnOneBlock) {
  CudaModule m = emitOne(tk::recurrence());
  ASSERT_EQ(m.kernels[0].launches.size(), 1u);
  EXPECT_EQ(m.kernels[0].launches[0].grid_x, 1);
  EXPECT_EQ(m.kernels[0].launches[0].block_x, 64);
  std::string f = functionText(m.source, "scan_steps");
  EXPECT_THAT(f, HasSubstr("for (long long t_0 = 0LL; t_0 < 8LL; ++t_0) {"));
  EXPECT_THAT(f, HasSubstr("j_1 += blockDim.x) {"));
  EXPECT_THAT(f, HasSubstr("__syncthreads();"));
}

TEST(CudaEmitter, LibraryCallsAreListedNotEmitted) {
  CudaModule m = emitOne(tk::libraryCall());
  ASSERT_EQ(m.kernels.size(), 1u);
  EXPECT_EQ(m.kernels[0].kernel, "dense_gemm");
  EXPECT_TRUE(m.kernels[0].launches.empty());
  EXPECT_THAT(m.kernels[0].library_routines, ElementsAre("sgemm"));
  EXPECT_THAT(m.source, Not(HasSubstr("dense_gemm")));
}

TEST(CudaEmitter, CallsMixedWithLoopsAreUnimplemented) {
  kir::KernelModule m;
  m.kernels.push_back(tk::libraryCall());
  kir::Kernel extra = tk::elementwiseChain();
  m.kernels[0].body.push_back(extra.body[0]);
  m.kernels[0].buffers = extra.buffers;
  absl::StatusOr<CudaModule> out = emitCuda(m);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(out.status().message(), HasSubstr("dense_gemm"));
}

TEST(CudaEmitter, OpsUndefinedOnATypeAreErrors) {
  kir::Kernel k = tk::hashBits();
  auto* loop = k.body[0].as<kir::ForStmt>();
  loop->body[0].as<kir::LetStmt>()->value = kir::unary(kir::UnaryOp::kExp, kir::var(loop->var));
  kir::KernelModule m;
  m.kernels.push_back(std::move(k));
  absl::StatusOr<CudaModule> out = emitCuda(m);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("'exp' is not defined on i64"));
  EXPECT_THAT(out.status().message(), HasSubstr("kernel 'hash' (dropout at m.dl:6)"));
}

TEST(CudaEmitter, EmptyLoopsLaunchNothing) {
  CudaModule m = emitOne(tk::elementwiseChain(0, 12));
  EXPECT_TRUE(m.kernels[0].launches.empty());
}

}  // namespace
}  // namespace dlc::codegen::cuda
