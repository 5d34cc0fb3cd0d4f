// Winograd's minimal filtering F(m x m, 3 x 3), m = 2 or 4, for the CPU's
// 3x3 stride-1 convolutions, their input gradients and their kernel
// gradients (the `winograd` kernel stage, between fusion and layout; Lavin
// & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
//
// Each m x m block of outputs ("tile") is A^T [(G g G^T) . (B^T d B)] A for
// the a x a input patch d around it (a = m + 2) and each 3x3 filter g: a^2
// multiplies per tile and channel pair instead of 9 m^2 (16 for 36 at m = 2,
// 36 for 144 at m = 4). Over all channels the a^2 element products become a^2
// independent GEMMs, so a convolution runs as
//   1. the input transform:   V[e][t][c] = (B^T d_t,c B)[e]     (a kernel)
//   2. the filter transform:  U[e][c][k] = (G g_c,k G^T)[e]     (a kernel)
//   3. the tile products:     M[e][t][k] = sum_c V[e][t][c] U[e][c][k]
//      (a^2 GEMMs, register-tiled as any reduction, run as one parallel
//      loop over the planes and chunks of their rows)
//   4. the output transform A^T M_t,k A, with the conv's bias, read by the
//      group's own kernel in place of the convolution, so the epilogue
//      (activation, the next elementwise ops) stays fused.
// for e in the a^2 positions of the transform, t in the output tiles (image,
// tile row, tile column) and c, k the input and output channels.
//
// A kernel gradient dW[kh, kw, c, k] = sum over n, h, w of x[n, h + kh, w +
// kw, c] g[n, h, w, k] is the same bilinear form read the other way: with
// the tiles over g, dW = G^T [sum_t (B^T d_t B) . (A g_t A^T)] G, so step 2
// transforms g's m x m tiles (Ĝ[e][t][k] = (A g_t,k A^T)[e]), step 3 sums
// over tiles (M[e][c][k] = sum_t V[e][t][c] Ĝ[e][t][k]: a^2 GEMMs whose
// reduction is the tiles) and step 4 is G^T M G at (kh, kw), fused with the
// optimizer's update that reads dW.
//
// The cost rule: the GEMMs do a^2 / (9 m^2) of the direct convolution's
// multiply-adds (4/9 at m = 2, 1/4 at m = 4, before the edge tiles' waste),
// while V and M add memory traffic (each written once, read once: a^2 values
// per tile and channel) and three kernels and a^2 parallel loops to the step.
// Measured (bench/RESULTS.md): every VGG16 layer with at least 64 input and
// output channels gains at batch 8, and so does the Keras MNIST CNN's 32 ->
// 64 on 11x11 outputs at batch 64. A convolution of a few tiles loses: the
// loops' forks and joins cost more than the multiply-adds saved; so do
// small images, whose edge tiles are mostly outside the output (the CNN's
// 3x3 output takes 4 tiles at m = 2: 16 x 4 multiplies per channel pair
// against the direct 81; its 5x5 input gradient, 9 tiles, 144 against 225,
// gains: 0.58 -> 0.43 ms). So: at least kMinChannels input and output
// channels, kMinTiles tiles, and tiles whose multiplies are at most
// kMaxWorkRatio of the direct convolution's; of the tile sizes that pass,
// the one with the fewest multiplies, m = 2 on a tie (its transforms are
// cheaper and its rounding closer to the direct sum's). V and M are scratch
// of a^2 floats per tile and channel, whole (the kernels are not blocked to
// keep them in cache yet): a convolution whose scratch would take more than
// kMaxScratchBytes stays direct (VGG16's block1 at batch 32 would take GBs).
//
// Only f32, stride 1, dilation 1, ungrouped, whose operands come from
// outside the group. Rounding: m = 2's coefficients are 0, +-1, +-1/2 (exact
// scalings), its results within a few ulps of the direct sum's; m = 4's
// reach 8 and 1/24, and its results differ from the direct sum by about
// 1e-5 of the largest magnitude (as oneDNN's and cuDNN's F(4x4, 3x3) do).
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
// A forward's V that the kernel gradient of the same convolution reads
// instead of transforming x again, kept from the forward to the backward
// pass when at most this large (the MNIST CNN's conv2: 2.7 MB at batch 64;
// VGG16's would take hundreds of MB each).
inline constexpr int64_t kMaxKeptTransformBytes = int64_t{32} << 20;

enum class WinogradKind {
  kForward,         // conv2d: x, filter -> y
  kInputGradient,   // conv2d_grad_input: g convolved with the filter rotated by 180 degrees -> dx
  kKernelGradient,  // conv2d_grad_kernel: x, g -> dW
};

// A convolution's sizes as the transforms see them. The tiles cover the
// grid of `out_height` x `out_width` positions: y, dx for an input gradient
// (g [N, OH, OW, O] convolved with the filter rotated by 180 degrees and its
// channels swapped gives dx [N, H, W, I], with 2 - before zeros around g),
// and g for a kernel gradient. The input patches are read from operand 0 (x;
// g for an input gradient).
struct WinogradShape {
  WinogradKind kind = WinogradKind::kForward;
  int64_t m = 2;                           // the tile's side
  int64_t batch, height, width, channels;  // operand 0
  int64_t filters;                         // k (the input gradient's channels)
  int64_t out_height, out_width;           // the tiled grid
  int64_t top, left;                       // zeros before operand 0's first row and column
  int64_t tile_rows, tile_cols;            // ceil(out / m)

  int64_t alpha() const { return m + 2; }
  int64_t planes() const { return alpha() * alpha(); }
  int64_t tiles() const { return batch * tile_rows * tile_cols; }
  // M's rows per plane: tiles, or the input channels of a kernel gradient.
  int64_t productRows() const { return kind == WinogradKind::kKernelGradient ? channels : tiles(); }
  // Their reduction: the input channels, or the tiles of a kernel gradient.
  int64_t productDepth() const { return kind == WinogradKind::kKernelGradient ? tiles() : channels; }
  // Elements from one plane to the next in V, in U (Ĝ) and in M.
  int64_t vStride() const;
  int64_t uStride() const;
  int64_t mStride() const;
};

// Elements between the planes of a [a^2, rows, width] scratch tensor: rows x
// width rounded up to an odd number of 64-byte lines, so that a tile's a^2
// values of one channel, one per plane, fall in different sets of the L1
// cache. Planes a multiple of 4 KiB apart share one set, and the transforms'
// 36 loads or stores per tile and channel thrashed its 8 ways (the CNN's
// output transform: 0.22 -> 1.2 ms).
int64_t planeStride(int64_t rows, int64_t width);

// The shape when `conv` is a convolution, input gradient or kernel gradient
// that F(m x m, 3 x 3) computes (the conditions above), with the tile size
// the cost rule picks; nullopt when none pays.
std::optional<WinogradShape> winogradShape(const ir::Operation& conv, const ConcreteTypes& types);

// Sets FusionGroup::winograd where the cost rule says so; returns how many.
int selectWinograd(FusionPlan& plan, const ConcreteTypes& types);

// The decisions, one line per convolution, for --print-ir-after=winograd.
std::string printWinograd(const FusionPlan& plan, const ConcreteTypes& types);

// The kernels of steps 1-3. Buffers, in order: input: operand 0, V; filter:
// the HWIO filter, U; gradient (of a kernel gradient): g, Ĝ; product: V, U
// (Ĝ), M, then the scheduled accumulator.
kir::Kernel winogradInputKernel(std::string name, std::string origin, const WinogradShape& s);
kir::Kernel winogradFilterKernel(std::string name, std::string origin, const WinogradShape& s);
kir::Kernel winogradGradientKernel(std::string name, std::string origin, const WinogradShape& s);
kir::Kernel winogradProductKernel(std::string name, std::string origin, const WinogradShape& s);

// Step 4: the op's value (without bias) at `index` from M, read by
// `m(offset)`: M's f32 element at that offset (planes mStride() apart).
kir::ExprRef winogradOutputAt(const WinogradShape& s, const std::vector<kir::ExprRef>& index,
                              const std::function<kir::ExprRef(kir::ExprRef offset)>& m);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_WINOGRAD_H_
