// Training-time randomness: training=true must draw exactly the reference's
// masks, flips and crops, so these compare for identical values.
#include "tests/unit/codegen_compute/harness.h"

namespace dlc::codegen::testing {
namespace {

Attribute yes() { return Attribute::boolean(true); }
Attribute key(int64_t k) { return Attribute::integer(k); }

}  // namespace

std::vector<OpCase> randomCases() {
  return {
      {"dropout",
       "dropout",
       {f32({4, 50})},
       attrs({{"rate", Attribute::real(0.3)}, {"training", yes()}, {"key", key(7)}}),
       0},
      {"dropout_negative_key",
       "dropout",
       {{DType::kF16, {3, 40}}},
       attrs({{"rate", Attribute::real(0.6)}, {"training", yes()}, {"key", key(-123456789)}}),
       0},
      {"dropout_inference", "dropout", {f32({3, 4})}, attrs({{"rate", Attribute::real(0.5)}}), 0},
      {"random_flip",
       "random_flip",
       {f32({8, 3, 4, 2})},
       attrs({{"mode", Attribute::string("horizontal_and_vertical")}, {"training", yes()}, {"key", key(3)}}),
       0},
      {"random_flip_vertical",
       "random_flip",
       {f32({8, 3, 4, 2})},
       attrs({{"mode", Attribute::string("vertical")}, {"training", yes()}, {"key", key(11)}}),
       0},
      {"random_flip_inference", "random_flip", {f32({2, 3, 4, 2})}, {}, 0},
      {"random_crop",
       "random_crop",
       {f32({6, 7, 6, 2})},
       attrs(
           {{"height", Attribute::integer(4)}, {"width", Attribute::integer(3)}, {"training", yes()}, {"key", key(5)}}),
       0},
      {"random_crop_inference",
       "random_crop",
       {f32({2, 7, 6, 2})},
       attrs({{"height", Attribute::integer(4)}, {"width", Attribute::integer(3)}}),
       0},
      {"random_crop_grad",
       "random_crop_grad",
       {f32({6, 4, 3, 2}), f32({6, 7, 6, 2})},
       attrs(
           {{"height", Attribute::integer(4)}, {"width", Attribute::integer(3)}, {"training", yes()}, {"key", key(5)}}),
       0},
      {"random_crop_grad_inference",
       "random_crop_grad",
       {f32({2, 4, 3, 2}), f32({2, 7, 6, 2})},
       attrs({{"height", Attribute::integer(4)}, {"width", Attribute::integer(3)}}),
       0},
  };
}

}  // namespace dlc::codegen::testing
