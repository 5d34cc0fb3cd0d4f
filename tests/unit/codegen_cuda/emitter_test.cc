// The CUDA emitter's mapping of kernel IR shapes to launches and source.
#include "codegen/cuda/emitter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ir/kernel/gpu_mapping.h"
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

int countOf(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The text of the __global__ function `name`.
std::string functionText(const std::string& source, const std::string& name) {
  size_t start = source.find(") " + name + "(");
  if (start == std::string::npos) return "";
  start = source.rfind("extern", start);
  return source.substr(start, source.find("\n}\n", start) - start);
}

TEST(CudaEmitter, ElementwiseNestLoadsAndStoresFourItemsAtOnce) {
  CudaModule m = emitOne(tk::elementwiseChain(64, 12));
  ASSERT_EQ(m.kernels.size(), 1u);
  ASSERT_EQ(m.kernels[0].launches.size(), 1u);
  const CudaLaunch& l = m.kernels[0].launches[0];
  EXPECT_EQ(l.name, "fused_bias_relu");
  EXPECT_EQ(l.block_x, 192);  // 768 items, 192 groups of four
  EXPECT_EQ(l.grid_x, 1);
  EXPECT_EQ(l.shared_bytes, 0);
  std::string f = functionText(m.source, "fused_bias_relu");
  EXPECT_THAT(f, HasSubstr("const float* __restrict__ b0_x, const float* __restrict__ b1_b, "
                           "float* __restrict__ b2_y"));
  EXPECT_THAT(f, HasSubstr("grp < 192; grp += gridDim.x"));
  EXPECT_THAT(f, HasSubstr("const dlc_pack<float, 4> pk0 = dlc_load_pack<4>(&b0_x[flat_3]);"));
  // b[j], j = flat % 12: four items of a group share a row, so b is a pack too.
  EXPECT_THAT(f, HasSubstr("const dlc_pack<float, 4> pk1 = dlc_load_pack<4>(&b1_b[(flat_3 % 12LL)]);"));
  EXPECT_THAT(f, HasSubstr("[[maybe_unused]] const long long i_0 = 0LL + (long long)((item0 + lane) / 12);"));
  EXPECT_THAT(f, HasSubstr("tanhf(((pk0.v[lane] * 2.0f) + pk1.v[lane]))"));
  EXPECT_THAT(f, HasSubstr("st0.v[lane] = fmaxf((t_2 * pk0.v[lane]), 0.0f);"));
  EXPECT_THAT(f, HasSubstr("dlc_store_pack<4>(&b2_y[flat_3], st0);"));
  EXPECT_THAT(f, Not(HasSubstr("flat < 768")));  // no tail: 768 is a multiple of four
  EXPECT_THAT(f, Not(HasSubstr("dlc_block_reduce")));
  EXPECT_THAT(m.source, HasSubstr("// origin: add, tanh, mul, relu at m.dl:7\nextern \"C\" __global__"));
  EXPECT_THAT(m.source, Not(HasSubstr("cuda_fp16.h")));
}

TEST(CudaEmitter, ItemsAfterTheLastGroupRunOnePerThread) {
  CudaModule m = emitOne(tk::named(tk::elementwiseChain(5, 7), "chain_tail"));  // 35 items
  std::string f = functionText(m.source, "chain_tail");
  EXPECT_THAT(f, HasSubstr("grp < 8;"));
  EXPECT_THAT(f, HasSubstr("for (unsigned flat = 32 + blockIdx.x * (unsigned)blockDim.x + threadIdx.x; flat < 35;"));
  EXPECT_THAT(f, HasSubstr("b2_y[dlc_add(dlc_mul(i_0, 7LL), j_1)] = "));
  // b[j] with rows of 7: a group's items span two rows, so b is read per item.
  EXPECT_THAT(f, HasSubstr("b1_b[j_1]"));
}

TEST(CudaEmitter, AContiguousReadThatNoPackCanAlignKeepsOneItemPerThread) {
  CudaModule m = emitOne(tk::shiftedCopy(1001));
  std::string f = functionText(m.source, "shifted_copy");
  EXPECT_THAT(f, HasSubstr("flat < 1001; flat += gridDim.x"));
  EXPECT_THAT(f, Not(HasSubstr("dlc_pack")));
}

TEST(CudaEmitter, AReadInABranchIsPackedWhenEveryGroupStaysInside) {
  CudaModule m = emitOne(tk::reluGrad(1027));
  std::string f = functionText(m.source, "relu_grad");
  EXPECT_THAT(f, HasSubstr("pk1 = dlc_load_pack<4>(&b1_g[flat_1]);"));
  EXPECT_THAT(f, HasSubstr("((pk0.v[lane] > 0.0f) ? pk1.v[lane] : 0.0f)"));
  EXPECT_THAT(f, HasSubstr("flat = 1024 + blockIdx.x"));
}

TEST(CudaEmitter, SoftmaxRowsReadMemoryOnceAndExponentiateOnce) {
  CudaModule m = emitOne(tk::softmaxRows(32, 1000));
  ASSERT_EQ(m.kernels[0].launches.size(), 1u);
  const CudaLaunch& l = m.kernels[0].launches[0];
  EXPECT_EQ(l.grid_x, 32);
  EXPECT_EQ(l.block_x, 64);  // 250 packs a row, four a thread
  EXPECT_EQ(l.shared_bytes, 256);
  std::string f = functionText(m.source, "softmax");
  EXPECT_THAT(f, HasSubstr("row < 32; row += gridDim.x"));
  EXPECT_THAT(f, HasSubstr("dlc_pack<float, 4> rc0[4];"));
  EXPECT_THAT(f, HasSubstr("const long long col0 = 0LL + 4LL * ((long long)glane + 64LL * s);"));
  EXPECT_THAT(f, HasSubstr("if (col0 < 1000LL) {"));
  // x is loaded by the max pass only; the sum and the output read registers.
  EXPECT_EQ(countOf(f, "b0_x["), 1);
  EXPECT_THAT(f, HasSubstr("rc0[s] = dlc_load_pack<4>(&b0_x[dlc_add(dlc_mul(r_0, 1000LL), col_7)]);"));
  EXPECT_THAT(f, HasSubstr("acc0 = dlc_max(acc0, rc0[s].v[lane]);"));
  // exp(x - max) too: the sum computes it once for the output.
  EXPECT_THAT(f, HasSubstr("rc1[s].v[lane] = expf((rc0[s].v[lane] - m_1));\n"
                           "          acc1 = dlc_add(acc1, rc1[s].v[lane]);"));
  EXPECT_THAT(f, HasSubstr("rs0.v[lane] = (rc1[s].v[lane] / s_2);"));
  EXPECT_EQ(countOf(f, "expf("), 1);
  EXPECT_THAT(f, HasSubstr("dlc_store_pack<4>(&b1_y[dlc_add(dlc_mul(r_0, 1000LL), col_7)], rs0);"));
  EXPECT_THAT(f, HasSubstr("dlc_block_reduce<3>"));  // max
  EXPECT_THAT(f, HasSubstr("dlc_block_reduce<0>"));  // add
  EXPECT_THAT(m.source, HasSubstr("__shfl_xor_sync(0xffffffffu"));
}

TEST(CudaEmitter, ShortRowsShareAWarp) {
  CudaModule m = emitOne(tk::named(tk::softmaxRows(70, 10), "softmax_short"));
  const CudaLaunch& l = m.kernels[0].launches[0];
  EXPECT_EQ(l.block_x, 256);
  EXPECT_EQ(l.grid_x, 2);  // 64 rows a block of 256 threads
  EXPECT_EQ(l.shared_bytes, 0);
  std::string f = functionText(m.source, "softmax_short");
  EXPECT_THAT(f, HasSubstr("const unsigned glane = threadIdx.x % 4u;"));
  // The last block's spare rows redo row 69, so that every lane shuffles.
  EXPECT_THAT(f, HasSubstr("const bool active = mine < 70;"));
  EXPECT_THAT(f, HasSubstr("const unsigned row = active ? mine : 69;"));
  EXPECT_THAT(f, HasSubstr("acc0 = dlc_group_reduce<3, 4>(acc0);"));
  EXPECT_THAT(f, HasSubstr("if (active) {"));
  EXPECT_THAT(f, Not(HasSubstr("dlc_pack<float, 4>")));  // rows of 10 are not 16-byte aligned
  EXPECT_THAT(f, Not(HasSubstr("__syncthreads")));
}

TEST(CudaEmitter, AnOddRowLengthReadsOneColumnAtATime) {
  CudaModule m = emitOne(tk::named(tk::softmaxRows(9, 1001), "softmax_odd"));
  EXPECT_EQ(m.kernels[0].launches[0].block_x, 256);
  std::string f = functionText(m.source, "softmax_odd");
  EXPECT_THAT(f, HasSubstr("dlc_pack<float, 1> rc0[4];"));
  EXPECT_THAT(f, HasSubstr("if (col0 < 1001LL) {"));
}

TEST(CudaEmitter, LayernormReducesInsideExpressionsAndStoresOnLaneZero) {
  CudaModule m = emitOne(tk::layernorm());
  std::string f = functionText(m.source, "layernorm");
  EXPECT_EQ(m.kernels[0].launches[0].grid_x, 16);
  // mean = div(reduce, n): the reduction inside the division is split too.
  EXPECT_THAT(f, HasSubstr("acc0 = dlc_block_reduce<0>"));
  EXPECT_THAT(f, HasSubstr("acc1 = dlc_block_reduce<0>"));
  EXPECT_THAT(f, HasSubstr("if (glane == 0) {\n      b4_mean[r_0] = mean_1;"));
  EXPECT_THAT(f, HasSubstr("rsqrtf("));
  EXPECT_THAT(f, HasSubstr("dlc_load_pack<4>(&b1_gamma[col_7])"));
  EXPECT_EQ(countOf(f, "&b0_x["), 1);
}

// The emitter decides nothing: it writes what the gpu-mapping stage's marks
// say, and marks set by hand change the launches.
TEST(CudaEmitter, FollowsTheMarks) {
  kir::Kernel k = tk::elementwiseChain(64, 12);
  EXPECT_EQ(kir::mapForGpu(k), 2);
  auto* loop = k.body[0].as<kir::ForStmt>();
  ASSERT_TRUE(k.gpu && loop->gpu);
  EXPECT_EQ(loop->gpu->kind, kir::GpuKind::kVector);
  EXPECT_EQ(emitOne(k).source, emitOne(tk::elementwiseChain(64, 12)).source);  // unmapped kernels are mapped
  loop->gpu = kir::GpuMark{kir::GpuKind::kGridStride, 64, 3};
  CudaModule m = emitOne(k);
  ASSERT_EQ(m.kernels[0].launches.size(), 1u);
  EXPECT_EQ(m.kernels[0].launches[0].block_x, 64);
  EXPECT_EQ(m.kernels[0].launches[0].grid_x, 3);
  EXPECT_THAT(m.source, HasSubstr("__launch_bounds__(64)"));
  EXPECT_THAT(functionText(m.source, "fused_bias_relu"), Not(HasSubstr("dlc_load_pack")));
}

TEST(CudaEmitter, WholeTensorReductionIsSplitAcrossBlocks) {
  CudaModule m = emitOne(tk::wholeSum(100000));
  ASSERT_EQ(m.kernels[0].launches.size(), 2u);
  const CudaLaunch& part = m.kernels[0].launches[0];
  EXPECT_EQ(part.name, "sum_all_part1");
  EXPECT_EQ(part.block_x, 256);
  EXPECT_EQ(part.grid_x, 1);
  EXPECT_EQ(part.grid_y, 44);  // chunks of 2304 steps
  EXPECT_EQ(part.shared_bytes, 256);
  const CudaLaunch& comb = m.kernels[0].launches[1];
  EXPECT_EQ(comb.name, "sum_all_comb1");
  EXPECT_EQ(comb.grid_x, 1);
  EXPECT_THAT(m.source, HasSubstr("__device__ float dlc_sum_all_part0[44];"));
  std::string p = functionText(m.source, "sum_all_part1");
  EXPECT_THAT(p, HasSubstr("const unsigned begin = (unsigned)blockIdx.y * 2304;"));
  EXPECT_THAT(p, HasSubstr("acc0 = dlc_block_reduce<0>"));
  EXPECT_THAT(p, HasSubstr("dlc_sum_all_part0[(long long)row * 44 + blockIdx.y] = acc0;"));
  std::string c = functionText(m.source, "sum_all_comb1");
  EXPECT_THAT(c, HasSubstr("for (int q = lane; q < 44; q += 32) acc0 = dlc_add(acc0, dlc_sum_all_part0["));
  EXPECT_THAT(c, HasSubstr("if (lane == 0 && active) {\n    b1_out[0LL] = acc0;"));
  EXPECT_THAT(m.source, Not(HasSubstr("atomicAdd")));
}

TEST(CudaEmitter, ChannelSumsSplitWithWarpsAcrossChannels) {
  CudaModule m = emitOne(tk::channelSum(300000, 64));
  ASSERT_EQ(m.kernels[0].launches.size(), 2u);
  const CudaLaunch& part = m.kernels[0].launches[0];
  EXPECT_EQ(part.grid_x, 1);
  EXPECT_EQ(part.grid_y, 1014);
  EXPECT_EQ(part.shared_bytes, 2048);
  std::string p = functionText(m.source, "channel_sum_part1");
  // 64 channels by 4 step lanes: a warp reads 32 neighbouring channels.
  EXPECT_THAT(p, HasSubstr("tile_lane = threadIdx.x % 64u, step_lane = threadIdx.x / 64u;"));
  EXPECT_THAT(p, HasSubstr("step += 4) {"));
  EXPECT_THAT(p, HasSubstr("acc0 = dlc_add(acc0, b0_x[dlc_add(dlc_mul(u_"));
  EXPECT_THAT(p, HasSubstr("lanes[t * 64 + tile_lane]"));
}

TEST(CudaEmitter, AReductionOfAReductionIsASecondStage) {
  CudaModule m = emitOne(tk::channelMoments(5000, 24));
  std::vector<std::string> names;
  for (const CudaLaunch& l : m.kernels[0].launches) names.push_back(l.name);
  EXPECT_THAT(names, ElementsAre("channel_moments_part1", "channel_moments_comb1", "channel_moments_part2",
                                 "channel_moments_comb2"));
  EXPECT_THAT(m.source, HasSubstr("__device__ float dlc_channel_moments_value1[24];"));
  EXPECT_THAT(functionText(m.source, "channel_moments_comb1"),
              HasSubstr("if (lane == 0 && active) dlc_channel_moments_value1[row] = mean_1;"));
  EXPECT_THAT(functionText(m.source, "channel_moments_part2"),
              HasSubstr("const float mean_1 = dlc_channel_moments_value1[row];"));
  EXPECT_THAT(functionText(m.source, "channel_moments_comb1"), Not(HasSubstr("b1_mean[")));
  EXPECT_THAT(functionText(m.source, "channel_moments_comb2"), HasSubstr("b1_mean["));
}

TEST(CudaEmitter, ScatterAccumulatesAtomicallyAfterItsOwnZeroing) {
  CudaModule m = emitOne(tk::scatterAccumulate());
  ASSERT_EQ(m.kernels[0].launches.size(), 2u);  // zero, then scatter
  EXPECT_EQ(m.kernels[0].launches[0].name, "embedding_grad_0");
  EXPECT_EQ(m.kernels[0].launches[1].name, "embedding_grad_1");
  EXPECT_THAT(functionText(m.source, "embedding_grad_0"), Not(HasSubstr("atomicAdd")));
  EXPECT_THAT(functionText(m.source, "embedding_grad_1"),
              HasSubstr("atomicAdd(&b2_table[dlc_add(dlc_mul(b0_ids[t_1], 16LL), d_2)], pk0.v[lane]);"));
}

TEST(CudaEmitter, HalfTypesComputeInFloat) {
  CudaModule m = emitOne(tk::halfCasts());
  EXPECT_THAT(m.source, HasSubstr("#include <cuda_fp16.h>"));
  EXPECT_THAT(m.source, HasSubstr("#include <cuda_bf16.h>"));
  std::string f = functionText(m.source, "half_casts");
  EXPECT_THAT(f, HasSubstr("const __half* __restrict__ b0_x"));
  EXPECT_THAT(f, HasSubstr("const dlc_pack<__half, 8> pk0 = dlc_load_pack<8>(&b0_x[flat_1]);"));
  EXPECT_THAT(f, HasSubstr("st0.v[lane] = __float2half((float)((((float)(__half2float(pk0.v[lane])) * 0.5f)"));
  EXPECT_THAT(f, HasSubstr("__bfloat162float(pk1.v[lane])"));
  EXPECT_THAT(f, HasSubstr("__float2half((__half2float(pk0.v[lane]) * __half2float(__float2half(0.5f))))"));
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
