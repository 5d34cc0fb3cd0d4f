// Shape ops, reductions and the shape plumbing of gradients.
#include "tests/unit/codegen_compute/harness.h"

namespace dlc::codegen::testing {
namespace {

Attribute ints(std::vector<int64_t> v) { return Attribute::intList(std::move(v)); }
Attribute integer(int64_t v) { return Attribute::integer(v); }

}  // namespace

std::vector<OpCase> shapeCases() {
  return {
      {"flatten", "flatten", {f32({2, 3, 4})}, {}, 0},
      {"reshape", "reshape", {f32({2, 3, 4})}, attrs({{"shape", ints({4, -1, 2})}}), 0},
      {"reshape_ones", "reshape", {f32({6, 1, 2})}, attrs({{"shape", ints({1, 3, 4})}}), 0},
      {"transpose", "transpose", {f32({2, 3, 4})}, attrs({{"perm", ints({2, 0, 1})}}), 0},
      {"concat",
       "concat",
       {f32({2, 1, 3}), f32({2, 0, 3}), f32({2, 4, 3}), f32({2, 2, 3})},
       attrs({{"axis", integer(1)}}),
       0},
      {"concat_last", "concat", {f32({2, 2}), f32({2, 3})}, {}, 0},
      {"reduce_sum",
       "reduce_sum",
       {f32({3, 4, 5})},
       attrs({{"axes", ints({1})}, {"keepdims", Attribute::boolean(true)}})},
      {"reduce_sum_all", "reduce_sum", {f32({3, 4})}, attrs({{"axes", ints({})}})},
      {"reduce_mean", "reduce_mean", {f32({3, 4, 5})}, attrs({{"axes", ints({0, -1})}})},
      {"reduce_max",
       "reduce_max",
       {f32({3, 4, 5}, Fill::kTies)},
       attrs({{"axes", ints({0, 2})}, {"keepdims", Attribute::boolean(true)}}),
       0},
      {"reduce_max_nan", "reduce_max", {f32({4, 5}, Fill::kNan)}, attrs({{"axes", ints({1})}}), 0},
      {"reduce_max_i32", "reduce_max", {ids(DType::kI32, {4, 5}, 50)}, attrs({{"axes", ints({0})}}), 0},
      {"reduce_mean_empty", "reduce_mean", {f32({3, 0})}, attrs({{"axes", ints({1})}})},
      {"sum_to", "sum_to", {f32({2, 3, 4}), f32({3, 1})}, {}},
      {"sum_to_same_rank", "sum_to", {f32({2, 3, 4}), f32({1, 3, 1})}, {}},
      {"broadcast_to", "broadcast_to", {f32({3, 1}), f32({2, 3, 4})}, {}, 0},
      {"slice",
       "slice",
       {f32({3, 6, 2})},
       attrs({{"axis", integer(1)}, {"start", integer(2)}, {"size", integer(3)}}),
       0},
      {"pad",
       "pad",
       {f32({3, 4, 2})},
       attrs({{"axis", integer(-2)}, {"before", integer(2)}, {"after", integer(1)}}),
       0},
      {"pad_empty",
       "pad",
       {f32({3, 0})},
       attrs({{"axis", integer(1)}, {"before", integer(1)}, {"after", integer(2)}}),
       0},
  };
}

}  // namespace dlc::codegen::testing
