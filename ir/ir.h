// The graph IR: modules of parameters, functions and train blocks; functions
// of ops in SSA form over tensor values.
#ifndef DLC_IR_IR_H_
#define DLC_IR_IR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/attribute.h"
#include "ir/op_table.h"
#include "ir/type.h"
#include "support/source_manager.h"

namespace dlc::ir {

class Operation;
class Function;

// A tensor value: a function argument or an op result. Values keep the list
// of ops that use them so that rewrites can replace uses cheaply.
class Value {
 public:
  Value(TensorType type, Operation* producer, int index) : type_(std::move(type)), producer_(producer), index_(index) {}

  const TensorType& type() const { return type_; }
  void setType(TensorType type) { type_ = std::move(type); }
  Operation* producer() const { return producer_; }  // null for arguments
  int index() const { return index_; }               // result index, or argument index
  bool isArgument() const { return producer_ == nullptr; }

  // A readable name for printing (`conv2d`, `x`); may be empty.
  const std::string& nameHint() const { return name_hint_; }
  void setNameHint(std::string name) { name_hint_ = std::move(name); }

  // One entry per use (an op using a value twice appears twice).
  const std::vector<Operation*>& users() const { return users_; }
  bool hasUsers() const { return !users_.empty(); }
  // Whether its function returns it (kept by Function's output setters, so
  // that asking costs nothing however many outputs there are).
  bool isOutput() const { return output_count_ > 0; }

 private:
  friend class Operation;
  friend class Function;
  TensorType type_;
  Operation* producer_;
  int index_;
  std::string name_hint_;
  std::vector<Operation*> users_;
  int output_count_ = 0;  // entries of its function's outputs
};

class Operation {
 public:
  Operation(OpKind kind, std::vector<Value*> operands, Attrs attrs, std::vector<TensorType> result_types, Location loc);
  ~Operation();
  Operation(const Operation&) = delete;
  Operation& operator=(const Operation&) = delete;

  OpKind kind() const { return kind_; }
  const OpDef& def() const { return opDef(kind_); }
  std::string_view name() const { return def().name; }

  const std::vector<Value*>& operands() const { return operands_; }
  Value* operand(size_t i) const { return operands_[i]; }
  size_t numOperands() const { return operands_.size(); }
  void setOperand(size_t i, Value* value);
  // Detaches every operand; used before an op is erased.
  void dropOperands();

  size_t numResults() const { return results_.size(); }
  Value* result(size_t i = 0) const { return results_[i].get(); }

  const Attrs& attrs() const { return attrs_; }
  Attrs& mutableAttrs() { return attrs_; }

  Location location() const { return loc_; }
  void setLocation(Location loc) { loc_ = loc; }

 private:
  friend class Function;
  OpKind kind_;
  std::vector<Value*> operands_;
  std::vector<std::unique_ptr<Value>> results_;
  Attrs attrs_;
  Location loc_;
};

class Function {
 public:
  explicit Function(std::string name) : name_(std::move(name)) {}
  // Ops are destroyed in order; every use is detached first so that no op
  // touches an already-destroyed producer's results.
  ~Function();
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  const std::string& name() const { return name_; }
  Location location() const { return loc_; }
  void setLocation(Location loc) { loc_ = loc; }

  Value* addArgument(TensorType type, std::string name);
  const std::vector<std::unique_ptr<Value>>& arguments() const { return args_; }
  Value* argument(size_t i) const { return args_[i].get(); }

  // Ops in program order (operands are defined before use).
  const std::vector<std::unique_ptr<Operation>>& ops() const { return ops_; }

  // Creates an op at the end (or before `before`, an index into ops()),
  // normalizing attributes and inferring result types with the op table.
  // Ops marked kGivenType take `given` as their result types.
  absl::StatusOr<Operation*> append(OpKind kind, std::vector<Value*> operands, Attrs attrs, Location loc = {},
                                    std::vector<TensorType> given = {});
  absl::StatusOr<Operation*> insert(size_t before, OpKind kind, std::vector<Value*> operands, Attrs attrs,
                                    Location loc = {}, std::vector<TensorType> given = {});
  // Adds an op whose result types are already known (the IR parser, which
  // checks them afterwards with the verifier).
  Operation* appendUnchecked(OpKind kind, std::vector<Value*> operands, Attrs attrs,
                             std::vector<TensorType> result_types, Location loc);

  // Points every use of `from` (ops and outputs) at `to`.
  void replaceAllUses(Value* from, Value* to);
  // Removes ops for which `dead` returns true; they must have no users left
  // outside the removed set.
  template <typename Pred>
  void eraseOpsIf(Pred dead);

  const std::vector<Value*>& outputs() const { return outputs_; }
  void setOutputs(std::vector<Value*> outputs);
  void setOutput(size_t i, Value* v);

 private:
  std::string name_;
  Location loc_;
  std::vector<std::unique_ptr<Value>> args_;
  std::vector<std::unique_ptr<Operation>> ops_;
  std::vector<Value*> outputs_;

  // Detaches the operands of `ops`, which are about to be erased, filtering
  // each operand's use list once.
  static void detachOps(const std::vector<Operation*>& ops);
};

// A trainable (or frozen) tensor of the model, read by `param` ops.
struct ParamDecl {
  std::string name;  // LAYER.PARAM, e.g. conv2d.kernel
  TensorType type;
  Attrs attrs;  // init = "glorot_uniform", trainable = true, ...
  Location loc;
};

// A `train` block of the language, kept with the module.
struct TrainSpec {
  std::string model;
  Attrs attrs;
  Location loc;
};

class Module {
 public:
  std::vector<ParamDecl>& params() { return params_; }
  const std::vector<ParamDecl>& params() const { return params_; }
  const ParamDecl* findParam(std::string_view name) const;

  Function* addFunction(std::string name);
  const std::vector<std::unique_ptr<Function>>& functions() const { return functions_; }
  Function* findFunction(std::string_view name) const;

  std::vector<TrainSpec>& trainSpecs() { return train_; }
  const std::vector<TrainSpec>& trainSpecs() const { return train_; }

 private:
  std::vector<ParamDecl> params_;
  std::vector<std::unique_ptr<Function>> functions_;
  std::vector<TrainSpec> train_;
};

template <typename Pred>
void Function::eraseOpsIf(Pred dead) {
  // Decide first, then detach, so that the predicate sees the graph unchanged.
  std::vector<bool> erase(ops_.size());
  std::vector<Operation*> erased;
  for (size_t i = 0; i < ops_.size(); ++i) {
    erase[i] = dead(*ops_[i]);
    if (erase[i]) erased.push_back(ops_[i].get());
  }
  detachOps(erased);
  size_t kept = 0;
  for (size_t i = 0; i < ops_.size(); ++i)
    if (!erase[i]) ops_[kept++] = std::move(ops_[i]);
  ops_.resize(kept);
}

}  // namespace dlc::ir

#endif  // DLC_IR_IR_H_
