// Winograd's minimal filtering F(2x2, 3x3) for the CPU's 3x3 convolutions
// and their stride-1 input gradients (the `winograd` kernel stage, between
// fusion and layout; Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2016).
//
// Each 2x2 block of outputs ("tile") is A^T [(G g G^T) . (B^T d B)] A for the
// 4x4 input patch d around it and each 3x3 filter g: 16 multiplies per tile
// and channel pair instead of 36. Over all channels the 16 element products
// become 16 independent GEMMs, so a convolution runs as
//   1. the input transform:   V[e][t][c] = (B^T d_t,c B)[e]     (a kernel)
//   2. the filter transform:  U[e][c][k] = (G g_c,k G^T)[e]     (a kernel)
//   3. the tile products:     M[e][t][k] = sum_c V[e][t][c] U[e][c][k]
//      (16 GEMMs, register-tiled as any reduction)
//   4. the output transform A^T M_t,k A, with the conv's bias, read by the
//      group's own kernel in place of the convolution, so the epilogue
//      (activation, the next elementwise ops) stays fused.
// for e in the 16 positions of the 4x4 transform, t in the output tiles
// (image, tile row, tile column) and c, k the input and output channels.
//
// The cost rule: the GEMMs do 4/9 of the direct convolution's multiply-adds,
// while V and M add memory traffic (each written once, read once: 16 values
// per tile and channel) and three kernels and 16 parallel loops to the step.
// Measured (bench/RESULTS.md): every VGG16 layer with at least 64 input and
// output channels gains at batch 8, block1_conv2's 64 -> 64 at 224x224 too
// (139 -> 104 ms), and so does the Keras MNIST CNN's 32 -> 64 on 11x11
// outputs at batch 64 (its inference 1.7 -> 1.4-1.6 ms, its training step
// 8.3-8.8 -> 7.6-8.6 ms, alternated runs). A convolution of a few tiles
// loses: the loops' forks and joins cost more than the multiply-adds saved;
// so do small images, whose edge tiles are mostly outside the output (the
// CNN's 3x3 output takes 4 tiles: 16 x 4 multiplies per channel pair against
// the direct 81; its 5x5 input gradient, 9 tiles, 144 against 225, gains:
// 0.58 -> 0.43 ms). So: at least kMinChannels input and output channels,
// kMinTiles tiles, and tiles whose multiplies are at most kMaxWorkRatio of
// the direct convolution's. V and M are scratch of 16 floats per tile and
// channel, whole (the kernels are not blocked to keep them in cache yet): a
// convolution whose V and M would take more than kMaxScratchBytes stays
// direct (VGG16's block1 at batch 32 would take 3.3 GB).
// Only f32, stride 1, dilation 1, ungrouped, whose operands come from
// outside the group. Rounding differs from the direct sum by the transforms'
// few extra additions (coefficients 0, +-1, +-1/2: exact scalings).
#ifndef DLC_CODEGEN_LOWER_WINOGRAD_H_
#define DLC_CODEGEN_LOWER_WINOGRAD_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "codegen/lower/fusion.h"
#include "codegen/lower/shapes.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

inline constexpr int64_t kMinChannels = 32;
inline constexpr int64_t kMinTiles = 128;
inline constexpr double kMaxWorkRatio = 0.65;
inline constexpr int64_t kMaxScratchBytes = int64_t{1} << 30;

// A convolution's sizes as the transforms see them. A stride-1 input
// gradient is one too (`adjoint`): g [N, OH, OW, O] convolved with the
// filter rotated by 180 degrees and its channels swapped gives dx [N, H, W,
// I], with 2 - before zeros around g.
struct WinogradShape {
  int64_t batch, height, width, channels;  // x (g)
  int64_t filters;                         // k (the input gradient's channels)
  int64_t out_height, out_width;           // y (dx)
  int64_t top, left;                       // zeros before x's first row and column
  int64_t tile_rows, tile_cols;            // ceil(out / 2)
  bool adjoint = false;                    // the filter HWIO [3, 3, filters, channels], read rotated

  int64_t tiles() const { return batch * tile_rows * tile_cols; }
};

// The shape when `conv` is a convolution or a convolution's input gradient
// that F(2x2, 3x3) computes (the conditions above, the cost rule aside),
// else nullopt.
std::optional<WinogradShape> winogradShape(const ir::Operation& conv, const ConcreteTypes& types);

// Sets FusionGroup::winograd where the cost rule says so; returns how many.
int selectWinograd(FusionPlan& plan, const ConcreteTypes& types);

// The decisions, one line per convolution, for --print-ir-after=winograd.
std::string printWinograd(const FusionPlan& plan, const ConcreteTypes& types);

// The kernels of steps 1-3. Buffers, in order: input: x, V; filter: the
// HWIO filter, U; product: V, U, M, then the scheduled accumulator.
kir::Kernel winogradInputKernel(std::string name, std::string origin, const WinogradShape& s);
kir::Kernel winogradFilterKernel(std::string name, std::string origin, const WinogradShape& s);
kir::Kernel winogradProductKernel(std::string name, std::string origin, const WinogradShape& s);

// Step 4: the convolution (without bias) at y[n, h, w, k] from M, read by
// `m(row, k)`: the f32 element M[row / tiles][row % tiles][k].
kir::ExprRef winogradOutputAt(const WinogradShape& s, const std::vector<kir::ExprRef>& index,
                              const std::function<kir::ExprRef(kir::ExprRef row, kir::ExprRef k)>& m);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_WINOGRAD_H_
