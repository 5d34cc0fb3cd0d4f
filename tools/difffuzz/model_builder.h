// The state of one model while the generator writes it: the values it has
// named (with their shapes, so that every op is given inputs it accepts),
// the current value of sequential statements, the inputs it declared and
// the statements so far. Shared by generator.cc (the model's structure) and
// ops.cc (one emitter per op of the language).
#ifndef DLC_TOOLS_DIFFFUZZ_MODEL_BUILDER_H_
#define DLC_TOOLS_DIFFFUZZ_MODEL_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/difffuzz/rng.h"

namespace dlc::difffuzz {

// Symbolic dims, as they appear in a Value's dims.
constexpr int64_t kBatch = -1;  // `batch`, always axis 0 when present
constexpr int64_t kSeq = -2;    // `seq`, a sequence length bound at run time
// The size the generator assumes for `seq` when it budgets elements.
constexpr int64_t kSeqBudget = 4;
// Per-sample elements a value may have: keeps one model well under a second.
constexpr int64_t kMaxElements = 2048;

struct Value {
  std::string text;           // a name or a parenthesised expression; "" = only the current value
  std::string dtype = "f32";  // f32, or i32/i64 for ids
  std::vector<int64_t> dims;  // kBatch/kSeq for symbols
  bool bounded = false;       // |x| stays small: exp is safe
  bool positive = false;      // x >= 0.5: log, sqrt and division are safe
  bool exact = false;         // a model input: identical on every target, so comparisons are safe
  // Not f32: ids (i32/i64) or another input type; only casts read these.
  bool isInt() const { return dtype != "f32"; }
  int64_t rank() const { return static_cast<int64_t>(dims.size()); }
  // Every dim but the batch is a fixed size.
  bool staticRest() const;
  int64_t elements() const;  // per sample, `seq` counted as kSeqBudget
};

std::string dimsText(const std::vector<int64_t>& dims);  // "batch, 4, seq"

// What the whole model may contain (the train block decides some of it).
struct ModelTraits {
  bool training = false;              // a train block follows: every op on the loss's path must be differentiable
  bool sequential = false;            // prefer sequential statements
  int submodel_depth = 0;             // models used as layers nest at most 2 deep
  bool inputs_exact = true;           // the inputs are the caller's inputs (see Value::exact)
  int max_inputs = 6;                 // a model used as a layer takes one
  std::vector<std::string> excluded;  // emitters not to use (ops.cc's table names)
};

class ModelBuilder {
 public:
  ModelBuilder(Rng& rng, std::string name, ModelTraits traits);

  Rng& rng() { return rng_; }
  const ModelTraits& traits() const { return traits_; }

  // Declares an input; it becomes the current value when it is the first.
  Value addInput(const std::string& dtype, std::vector<int64_t> dims);
  // A named value of exactly this type: an existing one, or a new input;
  // text "" when there is none and no input may be added.
  Value partner(const std::string& dtype, const std::vector<int64_t>& dims);
  const std::vector<Value>& pool() const { return pool_; }
  const Value& current() const { return current_; }
  void setCurrent(Value v) { current_ = std::move(v); }
  // Which value the next op reads: the current one, or (in functional
  // style) any named float value.
  Value pickOperand();

  // Applies `op` to `inputs` with configuration `config` (", "-separated,
  // may be empty) and makes the result, of type `result`, current. Written
  // as a sequential statement when inputs[0] is the current value and the
  // style allows, else as `hN = op(inputs..., config)`.
  void call(const std::string& op, const std::vector<Value>& inputs, const std::string& config, Value result);
  // Binds `hN = expr` (an expression over named values) as the result.
  void bind(const std::string& expr, Value result);

  // Extra text before this model (models used as layers).
  std::string& prelude() { return prelude_; }
  std::string& name() { return name_; }
  // `model NAME(inputs) { statements [return] }`
  std::string text(const std::vector<std::string>& returns) const;
  int statements() const { return static_cast<int>(lines_.size()); }
  // A new name for a value or a layer: h1, h2, ...
  std::string fresh();
  // Names of models already defined in the file, to keep them unique.
  std::vector<std::string>* models = nullptr;

 private:
  Rng& rng_;
  std::string name_;
  ModelTraits traits_;
  std::vector<std::string> inputs_;  // "x: f32[batch, 4]"
  std::vector<std::string> lines_;
  std::vector<Value> pool_;  // named values
  Value current_;
  std::string prelude_;
  int counter_ = 0;
};

// Emits one random op applicable to an operand and returns whether it did
// (ops.cc).
bool emitRandomOp(ModelBuilder& b);
// The names --exclude accepts.
std::vector<std::string> emitterNames();
// Defines a small model before this one and applies it to `v` as a layer
// (generator.cc).
bool emitSubmodel(ModelBuilder& b, const Value& v);

}  // namespace dlc::difffuzz

#endif  // DLC_TOOLS_DIFFFUZZ_MODEL_BUILDER_H_
