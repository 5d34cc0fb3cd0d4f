// One emitter per op of the language: each checks that the operand suits
// the op (rank, static dims, dtype, domain), picks a random configuration
// whose result is valid and small, and writes the statement. An emitter
// that does not apply returns false and another is tried.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "tools/difffuzz/model_builder.h"

namespace dlc::difffuzz {
namespace {

using Emitter = std::function<bool(ModelBuilder&, const Value&)>;

std::string num(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3g", v);
  std::string s = buf;
  // The language reads `1e-05` as a number, but keep plain decimals simple.
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string ints(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

// A computed f32 value of this shape (flags off until the emitter sets them).
Value like(const Value&, std::vector<int64_t> dims) {
  Value r;
  r.dims = std::move(dims);
  return r;
}

// Keeps a layer's result small enough.
bool fits(const std::vector<int64_t>& dims) {
  Value v;
  v.dims = dims;
  return v.elements() <= kMaxElements;
}

// A random non-batch axis whose size is fixed, or -1 when there is none;
// written negative half of the time.
int64_t staticAxis(ModelBuilder& b, const Value& v) {
  std::vector<int64_t> axes;
  for (int64_t i = 1; i < v.rank(); ++i)
    if (v.dims[i] > 0) axes.push_back(i);
  return axes.empty() ? -1 : b.rng().pick(axes);
}
std::string axisText(ModelBuilder& b, const Value& v, int64_t axis) {
  return std::to_string(b.rng().chance(0.5) ? axis - v.rank() : axis);
}

std::string activation(ModelBuilder& b) {
  static const std::vector<std::string> kNames = {"linear", "relu", "sigmoid", "tanh", "softmax", "gelu"};
  return b.rng().pick(kNames);
}

// trainable=false and name= now and then, for any layer.
std::string layerExtras(ModelBuilder& b) {
  std::string out;
  if (b.rng().chance(0.12)) out += ", trainable=false";
  if (b.rng().chance(0.08)) out += ", name=\"l" + b.fresh() + "\"";
  return out;
}

// Ops that have no gradient may read only exact inputs of a model that
// trains (their results then are constants to autodiff).
bool noGradientAllowed(ModelBuilder& b, const Value& v) { return !b.traits().training || v.exact; }

// A value >= 0.5 computed from v: log, sqrt and division stay in their domains.
Value makePositive(ModelBuilder& b, const Value& v) {
  if (v.positive) return v;
  if (!v.text.empty() && b.rng().chance(0.6)) {
    Value r = v;
    r.text = b.rng().chance(0.5) ? "(abs(" + v.text + ") + 1)" : "(sigmoid(" + v.text + ") + 0.5)";
    r.positive = true;
    r.exact = false;
    return r;
  }
  Value r = like(v, v.dims);
  r.bounded = v.bounded;
  b.call("abs", {v}, "", r);
  r.positive = true;
  b.call("rescaling", {b.current()}, "1, offset=0.5", r);
  return b.current();
}

// ---- Elementwise.

bool emitUnary(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  static const std::vector<std::string> kOps = {"relu", "sigmoid", "tanh", "gelu", "softplus", "abs", "neg"};
  std::string op = b.rng().pick(kOps);
  Value r = like(v, v.dims);
  r.bounded = v.bounded || op == "sigmoid" || op == "tanh";
  b.call(op, {v}, "", r);
  return true;
}

bool emitLeakyRelu(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  Value r = like(v, v.dims);
  r.bounded = v.bounded;
  b.call("leaky_relu", {v}, b.rng().chance(0.5) ? "" : "alpha=" + num(b.rng().uniform(0.01, 0.5)), r);
  return true;
}

bool emitExp(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  Value in = v;
  if (!v.bounded) {
    Value t = like(v, v.dims);
    t.bounded = true;
    b.call("tanh", {v}, "", t);
    in = b.current();
  }
  b.call("exp", {in}, "", like(v, v.dims));
  return true;
}

bool emitLogOrSqrt(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  Value in = makePositive(b, v);
  b.call(b.rng().chance(0.5) ? "log" : "sqrt", {in}, "", like(v, v.dims));
  return true;
}

bool emitRescaling(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  Value r = like(v, v.dims);
  r.bounded = v.bounded;
  std::string config = num(b.rng().uniform(-2, 2));
  if (b.rng().chance(0.5)) config += ", offset=" + num(b.rng().uniform(-1, 1));
  b.call("rescaling", {v}, config, r);
  return true;
}

bool emitSoftmax(ModelBuilder& b, const Value& v) {
  int64_t axis = staticAxis(b, v);
  if (v.isInt() || axis < 0) return false;
  bool log = b.rng().chance(0.4);
  Value r = like(v, v.dims);
  r.bounded = !log;
  std::string config = b.rng().chance(0.5) && axis == v.rank() - 1 ? "" : "axis=" + axisText(b, v, axis);
  b.call(log ? "log_softmax" : "softmax", {v}, config, r);
  return true;
}

bool emitDropout(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  Value r = like(v, v.dims);
  r.bounded = v.bounded;
  b.call("dropout", {v}, num(b.rng().pick(std::vector<double>{0.0, 0.1, 0.25, 0.5})), r);
  return true;
}

// The other operand of a binary op: the same shape, a broadcast shape
// (a row of the last dim, a keepdims reduction) or a number.
std::string binaryPartner(ModelBuilder& b, const Value& v, bool* exact) {
  int choice = static_cast<int>(b.rng().range(0, 9));
  *exact = false;
  if (choice <= 4) {
    Value p = b.partner("f32", v.dims);
    *exact = p.exact;
    if (!p.text.empty()) return p.text;
  }
  if (choice <= 6 && v.dims.back() > 0) {
    Value p = b.partner("f32", {v.dims.back()});
    *exact = p.exact;
    if (!p.text.empty()) return p.text;
  }
  if (choice <= 8 && !v.text.empty() && v.rank() >= 2) {
    int64_t axis = 1 + b.rng().range(0, v.rank() - 2);
    return "reduce_mean(" + v.text + ", [" + std::to_string(axis) + "], keepdims=true)";
  }
  *exact = true;
  return num(b.rng().uniform(-2, 2));
}

bool emitBinary(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  static const std::vector<std::string> kOps = {"add", "sub", "mul", "div", "maximum", "minimum"};
  std::string op = b.rng().pick(kOps);
  bool exact = false;
  std::string other = binaryPartner(b, v, &exact);
  bool number = other.find_first_not_of("-0123456789.e") == std::string::npos;
  if (op == "div") other = number ? (other == "0.0" ? "2.0" : other) : "(abs(" + other + ") + 1)";
  Value r = like(v, v.dims);
  if (number || other.find('(') != std::string::npos || v.text.empty()) {
    // A number or an expression cannot be a sequential call's input: use
    // the infix form, which needs v named, or a call on a named partner.
    static const std::vector<std::pair<std::string, std::string>> kInfix = {
        {"add", " + "}, {"sub", " - "}, {"mul", " * "}, {"div", " / "}};
    std::string infix;
    for (const auto& [name, sign] : kInfix)
      if (name == op) infix = sign;
    if (v.text.empty()) {
      if (number || infix.empty()) return false;
      Value partner;
      partner.text = other;
      b.call(op, {v, partner}, "", r);
      return true;
    }
    if (infix.empty()) {
      if (number) return false;
      b.bind(op + "(" + v.text + ", " + other + ")", r);
      return true;
    }
    b.bind(v.text + infix + other, r);
    return true;
  }
  Value partner;
  partner.text = other;
  b.call(op, {v, partner}, "", r);
  return true;
}

bool emitMatmul(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() < 2 || v.dims.back() <= 0 || v.text.empty()) return false;
  int64_t k = v.dims.back();
  std::vector<int64_t> dims = v.dims;
  std::string rhs;
  if (v.rank() >= 3 && b.rng().chance(0.4)) {
    // v @ v^T over the last two axes (a Gram matrix).
    if (v.dims[v.rank() - 2] <= 0) return false;
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < v.rank(); ++i) perm.push_back(i);
    std::swap(perm[v.rank() - 1], perm[v.rank() - 2]);
    rhs = "transpose(" + v.text + ", " + ints(perm) + ")";
    dims.back() = v.dims[v.rank() - 2];
  } else {
    int64_t n = b.rng().size(1, 8);
    std::vector<int64_t> rhs_dims = {k, n};
    if (v.rank() >= 3 && b.rng().chance(0.5)) {
      rhs_dims = v.dims;
      rhs_dims[v.rank() - 2] = k;
      rhs_dims[v.rank() - 1] = n;
    }
    rhs = b.partner("f32", rhs_dims).text;
    if (rhs.empty()) return false;
    dims.back() = n;
  }
  if (!fits(dims)) return false;
  b.bind(b.rng().chance(0.5) ? v.text + " @ " + rhs : "matmul(" + v.text + ", " + rhs + ")", like(v, dims));
  return true;
}

// Comparisons and masks: no gradient, exact inputs only when training.
bool emitCompare(ModelBuilder& b, const Value& v) {
  if (v.isInt() || !noGradientAllowed(b, v)) return false;
  Value r = like(v, v.dims);
  r.bounded = true;
  r.exact = v.exact;
  int which = static_cast<int>(b.rng().range(0, 3));
  if (which <= 1) {
    b.call(which == 0 ? "step" : "sign", {v}, "", r);
  } else {
    Value p = b.partner("f32", v.dims);
    if (p.text.empty() || (b.traits().training && !p.exact)) return false;
    r.exact = v.exact && p.exact;
    // equal(v, v) is all ones; v must be named to be read twice.
    bool twice = which == 3 && !v.text.empty() && b.rng().chance(0.5);
    b.call(which == 2 ? "greater" : "equal", {v, twice ? v : p}, "", r);
  }
  return true;
}

// select(cond, v, other) or select(cond, other, v). cond is a mask of exact
// values (a bool input, or greater/step of inputs), so every target takes
// the same branch and autodiff never meets the comparison; cond and other
// have v's shape, its last dim, or (cond) a 1 there.
bool emitSelect(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.text.empty() || v.dims.back() <= 0) return false;
  Rng& g = b.rng();
  std::vector<int64_t> row = {v.dims.back()};
  std::vector<int64_t> column = v.dims;
  column.back() = 1;
  std::vector<int64_t> cond_dims = g.pick(std::vector<std::vector<int64_t>>{v.dims, row, column});
  std::string cond;
  int which = static_cast<int>(g.range(0, 2));
  Value p = b.partner(which == 0 ? "bool" : "f32", cond_dims);
  if (p.text.empty() || !p.exact) return false;
  if (which == 0) {
    cond = p.text;
  } else if (which == 1) {
    cond = "step(" + p.text + ")";
  } else {
    Value q = b.partner("f32", cond_dims);
    if (q.text.empty() || !q.exact) return false;
    cond = "greater(" + p.text + ", " + q.text + ")";
  }
  Value other;
  if (g.chance(0.3)) {
    other.text = "(" + v.text + " * " + num(g.uniform(-2, 2)) + ")";
    other.bounded = v.bounded;
    other.exact = false;
  } else {
    other = b.partner("f32", g.chance(0.7) ? v.dims : row);
    if (other.text.empty()) return false;
  }
  Value r = like(v, v.dims);
  r.bounded = v.bounded && other.bounded;
  r.exact = v.exact && other.exact;
  Value c;
  c.text = cond;
  bool v_first = g.chance(0.5);
  b.call("select", {c, v_first ? v : other, v_first ? other : v}, "", r);
  return true;
}

bool emitArgmax(ModelBuilder& b, const Value& v) {
  int64_t axis = staticAxis(b, v);
  if (v.isInt() || axis < 0 || !noGradientAllowed(b, v)) return false;
  std::vector<int64_t> dims = v.dims;
  dims.erase(dims.begin() + axis);
  Value ids = like(v, dims);
  ids.dtype = "i64";
  b.call("argmax", {v}, axis == v.rank() - 1 && b.rng().chance(0.5) ? "" : "axis=" + axisText(b, v, axis), ids);
  Value r = like(v, dims);
  r.bounded = true;
  if (b.rng().chance(0.5)) {
    b.call("cast", {b.current()}, "f32", r);
  } else {
    int64_t depth = b.rng().range(1, 6);
    dims.push_back(depth);
    r.dims = dims;
    b.call("one_hot", {b.current()}, "depth=" + std::to_string(depth), r);
  }
  return true;
}

bool emitCast(ModelBuilder& b, const Value& v) {
  Value r = like(v, v.dims);
  r.bounded = true;
  if (v.isInt()) {
    b.call("cast", {v}, "f32", r);
    return true;
  }
  // f32 -> f64 -> f32 is exact, and makes the f64 kernels run.
  Value wide = like(v, v.dims);
  wide.dtype = "f64";
  wide.bounded = v.bounded;
  b.call("cast", {v}, "dtype=f64", wide);
  r.bounded = v.bounded;
  b.call("cast", {b.current()}, "f32", r);
  return true;
}

// A detour through f16 or bf16: the cast rounds, an elementwise op runs
// in the narrow type, and the result comes back to f32.
bool emitLowPrecision(ModelBuilder& b, const Value& v) {
  if (v.isInt()) return false;
  std::string narrow = b.rng().chance(0.5) ? "f16" : "bf16";
  Value n = like(v, v.dims);
  n.dtype = narrow;
  n.bounded = v.bounded;
  b.call("cast", {v}, narrow, n);
  static const std::vector<std::string> kOps = {"relu", "abs", "neg", "tanh", "sigmoid"};
  b.call(b.rng().pick(kOps), {b.current()}, "", n);
  Value r = like(v, v.dims);
  r.bounded = v.bounded;
  b.call("cast", {b.current()}, "f32", r);
  return true;
}

// An input of another dtype (f16, bf16, f64, bool, i32) of v's shape, cast
// to f32 and added to v.
bool emitTypedInput(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.text.empty()) return false;
  static const std::vector<std::string> kTypes = {"f16", "bf16", "f64", "bool", "i32"};
  Value in = b.partner(b.rng().pick(kTypes), v.dims);
  if (in.text.empty()) return false;
  Value r = like(v, v.dims);
  b.bind(v.text + " + cast(" + in.text + ", f32)", r);
  return true;
}

bool emitOneHot(ModelBuilder& b, const Value& v) {
  if (!v.isInt()) return false;
  int64_t depth = b.rng().range(1, 6);
  std::vector<int64_t> dims = v.dims;
  dims.push_back(depth);
  if (!fits(dims)) return false;
  Value r = like(v, dims);
  r.bounded = true;
  b.call("one_hot", {v}, std::to_string(depth), r);
  return true;
}

// ---- Layers.

bool emitDense(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.dims.back() <= 0) return false;
  std::vector<int64_t> dims = v.dims;
  dims.back() = b.rng().size(1, 12);
  if (!fits(dims)) return false;
  std::string config = std::to_string(dims.back());
  std::string act = activation(b);
  if (act != "linear" || b.rng().chance(0.3)) config += ", activation=" + act;
  if (b.rng().chance(0.15)) config += ", use_bias=false";
  Value r = like(v, dims);
  r.bounded = act == "sigmoid" || act == "tanh" || act == "softmax";
  b.call("dense", {v}, config + layerExtras(b), r);
  return true;
}

// Output size of a window op (conv, pooling) along one axis; 0 if empty.
int64_t windowOut(int64_t in, int64_t k, int64_t stride, int64_t dilation, bool same) {
  if (same) return (in + stride - 1) / stride;
  int64_t span = (k - 1) * dilation + 1;
  return in < span ? 0 : (in - span) / stride + 1;
}

bool emitConv2d(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() != 4 || !v.staticRest()) return false;
  Rng& g = b.rng();
  int64_t c = v.dims[3];
  int64_t kh = g.range(1, 3), kw = g.chance(0.7) ? kh : g.range(1, 3);
  int64_t sh = g.range(1, 2), sw = g.chance(0.7) ? sh : g.range(1, 2);
  int64_t dh = g.chance(0.75) ? 1 : 2, dw = g.chance(0.7) ? dh : g.range(1, 2);
  bool same = g.chance(0.5);
  std::vector<int64_t> divisors;
  for (int64_t d = 1; d <= c; ++d)
    if (c % d == 0) divisors.push_back(d);
  int64_t groups = g.chance(0.7) ? 1 : g.pick(divisors);
  int64_t filters = groups * g.size(1, std::max<int64_t>(1, 8 / groups));
  int64_t oh = windowOut(v.dims[1], kh, sh, dh, same), ow = windowOut(v.dims[2], kw, sw, dw, same);
  std::vector<int64_t> dims = {kBatch, oh, ow, filters};
  if (oh < 1 || ow < 1 || !fits(dims)) return false;
  std::string config =
      std::to_string(filters) + ", " + (kh == kw && g.chance(0.5) ? std::to_string(kh) : ints({kh, kw}));
  if (sh != 1 || sw != 1) config += ", strides=" + (sh == sw ? std::to_string(sh) : ints({sh, sw}));
  if (same || g.chance(0.2)) config += std::string(", padding=") + (same ? "same" : "valid");
  if (dh != 1 || dw != 1) config += ", dilation=" + ints({dh, dw});
  if (groups != 1) config += ", groups=" + std::to_string(groups);
  std::string act = activation(b);
  if (act != "linear") config += ", activation=" + act;
  if (g.chance(0.15)) config += ", use_bias=false";
  b.call("conv2d", {v}, config + layerExtras(b), like(v, dims));
  return true;
}

bool emitPool2d(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() != 4 || !v.staticRest()) return false;
  Rng& g = b.rng();
  int64_t ph = g.range(1, 3), pw = g.chance(0.7) ? ph : g.range(1, 3);
  bool default_strides = g.chance(0.5);
  int64_t sh = default_strides ? ph : g.range(1, 3), sw = default_strides ? pw : g.range(1, 3);
  bool same = g.chance(0.4);
  int64_t oh = windowOut(v.dims[1], ph, sh, 1, same), ow = windowOut(v.dims[2], pw, sw, 1, same);
  if (oh < 1 || ow < 1) return false;
  std::string config = ph == pw ? std::to_string(ph) : ints({ph, pw});
  if (!default_strides) config += ", strides=" + ints({sh, sw});
  if (same) config += ", padding=same";
  Value r = like(v, {kBatch, oh, ow, v.dims[3]});
  r.bounded = v.bounded;
  b.call(g.chance(0.5) ? "maxpool2d" : "avgpool2d", {v}, config, r);
  return true;
}

bool emitGlobalPool(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() != 4 || !v.staticRest()) return false;
  Value r = like(v, {kBatch, v.dims[3]});
  r.bounded = v.bounded;
  b.call("global_avgpool2d", {v}, "", r);
  return true;
}

bool emitNormalization(ModelBuilder& b, const Value& v) {
  int64_t axis = staticAxis(b, v);
  if (v.isInt() || axis < 0) return false;
  bool batch = b.rng().chance(0.5);
  // layernorm over one element is (x - x) / sqrt(epsilon): rounding noise
  // times up to 300, on every target differently. Not a useful comparison.
  if (!batch && v.dims[axis] < 2) return false;
  std::string config;
  if (axis != v.rank() - 1 || b.rng().chance(0.3)) config = "axis=" + axisText(b, v, axis);
  auto add = [&](const std::string& s) { config += (config.empty() ? "" : ", ") + s; };
  if (batch && b.rng().chance(0.4)) add("momentum=" + num(b.rng().uniform(0.5, 0.99)));
  if (b.rng().chance(0.4)) add("epsilon=" + num(b.rng().pick(std::vector<double>{1e-5, 1e-3, 0.01, 0.1})));
  std::string extras = layerExtras(b);
  if (config.empty() && !extras.empty()) extras = extras.substr(2);
  b.call(batch ? "batchnorm" : "layernorm", {v}, config + extras, like(v, v.dims));
  return true;
}

bool emitEmbedding(ModelBuilder& b, const Value& v) {
  if (!v.isInt()) return false;
  // Ids are drawn from [0, 4) (runner.cc): every table has at least 4 rows.
  int64_t rows = b.rng().range(4, 12), width = b.rng().range(1, 8);
  std::vector<int64_t> dims = v.dims;
  dims.push_back(width);
  if (!fits(dims)) return false;
  Value r = like(v, dims);
  r.bounded = true;
  b.call("embedding", {v}, std::to_string(rows) + ", " + std::to_string(width) + layerExtras(b), r);
  return true;
}

bool emitLstm(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() != 3 || v.dims.back() <= 0 || v.dims[0] != kBatch) return false;
  int64_t units = b.rng().size(1, 8);
  bool sequences = b.rng().chance(0.5);
  Value r = like(v, sequences ? std::vector<int64_t>{kBatch, v.dims[1], units} : std::vector<int64_t>{kBatch, units});
  r.bounded = true;
  b.call("lstm", {v}, std::to_string(units) + (sequences ? ", return_sequences=true" : "") + layerExtras(b), r);
  return true;
}

bool emitRandomImageOp(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() != 4 || !v.staticRest()) return false;
  Value r = like(v, v.dims);
  r.bounded = v.bounded;
  if (b.rng().chance(0.5)) {
    static const std::vector<std::string> kModes = {"horizontal", "vertical", "horizontal_and_vertical"};
    b.call("random_flip", {v}, b.rng().chance(0.3) ? "" : "mode=" + b.rng().pick(kModes), r);
    return true;
  }
  r.dims[1] = b.rng().range(1, v.dims[1]);
  r.dims[2] = b.rng().range(1, v.dims[2]);
  b.call("random_crop", {v}, std::to_string(r.dims[1]) + ", " + std::to_string(r.dims[2]), r);
  return true;
}

// ---- Shapes and reductions.

bool emitFlatten(ModelBuilder& b, const Value& v) {
  if (v.rank() < 3 || !v.staticRest()) return false;
  Value r = like(v, {kBatch, v.elements()});
  r.dtype = v.dtype;
  r.bounded = v.bounded;
  b.call("flatten", {v}, "", r);
  return true;
}

bool emitReshape(ModelBuilder& b, const Value& v) {
  if (v.rank() < 2 || !v.staticRest()) return false;
  int64_t n = v.elements();
  std::vector<int64_t> factors;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0) factors.push_back(d);
  int64_t a = b.rng().pick(factors);
  std::vector<int64_t> dims = {kBatch, a, n / a};
  if (b.rng().chance(0.3)) dims = {kBatch, n};
  // The batch stays `batch`: -1 there would have to equal a symbol.
  std::vector<std::string> parts = {"batch"};
  int unknown = 0;
  for (size_t i = 1; i < dims.size(); ++i) {
    bool free = unknown == 0 && b.rng().chance(0.3);
    parts.push_back(free ? "-1" : std::to_string(dims[i]));
    unknown += free;
  }
  std::string list = "[";
  for (size_t i = 0; i < parts.size(); ++i) list += (i ? ", " : "") + parts[i];
  Value r = like(v, dims);
  r.dtype = v.dtype;
  r.bounded = v.bounded;
  r.exact = v.exact;
  b.call("reshape", {v}, list + "]", r);
  return true;
}

bool emitTranspose(ModelBuilder& b, const Value& v) {
  if (v.rank() < 3 || v.dims[0] != kBatch) return false;
  std::vector<int64_t> perm;
  for (int64_t i = 1; i < v.rank(); ++i) perm.push_back(i);
  for (size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[b.rng().range(0, i - 1)]);
  perm.insert(perm.begin(), 0);
  Value r = like(v, {});
  for (int64_t p : perm) r.dims.push_back(v.dims[p]);
  r.dtype = v.dtype;
  r.bounded = v.bounded;
  r.exact = v.exact;
  b.call("transpose", {v}, ints(perm), r);
  return true;
}

bool emitConcat(ModelBuilder& b, const Value& v) {
  int64_t axis = staticAxis(b, v);
  if (v.isInt() || axis < 0) return false;
  std::vector<Value> inputs = {v};
  std::vector<int64_t> dims = v.dims;
  int n = static_cast<int>(b.rng().range(1, 3));
  for (int i = 0; i < n; ++i) {
    std::vector<int64_t> other = v.dims;
    other[axis] = b.rng().range(1, 4);
    Value p = b.rng().chance(0.2) && !v.text.empty() ? v : b.partner("f32", other);
    if (p.text.empty()) return false;
    dims[axis] += p.dims[axis];
    inputs.push_back(p);
  }
  if (!fits(dims)) return false;
  Value r = like(v, dims);
  r.bounded = v.bounded;
  std::string config = axis == v.rank() - 1 && b.rng().chance(0.5) ? "" : "axis=" + axisText(b, v, axis);
  b.call("concat", inputs, config, r);
  return true;
}

bool emitReduce(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() < 2) return false;
  std::vector<int64_t> axes;
  for (int64_t i = 1; i < v.rank(); ++i)
    if (b.rng().chance(0.5)) axes.push_back(i);
  if (axes.empty()) axes.push_back(v.rank() - 1);
  bool keep = b.rng().chance(0.4);
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < v.rank(); ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced)
      dims.push_back(v.dims[i]);
    else if (keep)
      dims.push_back(1);
  }
  static const std::vector<std::string> kOps = {"reduce_sum", "reduce_mean", "reduce_max"};
  std::string op = b.rng().pick(kOps);
  Value r = like(v, dims);
  r.bounded = v.bounded && op != "reduce_sum";
  b.call(op, {v}, ints(axes) + (keep ? ", keepdims=true" : ""), r);
  return true;
}

bool emitSliceOrPad(ModelBuilder& b, const Value& v) {
  int64_t axis = staticAxis(b, v);
  if (axis < 0) return false;
  Value r = like(v, v.dims);
  r.dtype = v.dtype;
  r.bounded = v.bounded;
  r.exact = v.exact;
  std::string a = axisText(b, v, axis);
  if (b.rng().chance(0.5)) {
    int64_t size = b.rng().range(1, v.dims[axis]);
    int64_t start = b.rng().range(0, v.dims[axis] - size);
    r.dims[axis] = size;
    b.call("slice", {v}, "axis=" + a + ", start=" + std::to_string(start) + ", size=" + std::to_string(size), r);
    return true;
  }
  int64_t before = b.rng().range(0, 2), after = b.rng().range(0, 2);
  r.dims[axis] += before + after;
  if (!fits(r.dims)) return false;
  b.call("pad", {v}, "axis=" + a + ", before=" + std::to_string(before) + ", after=" + std::to_string(after), r);
  return true;
}

// broadcast_to(reduction, v) and sum_to(v, reduction): the shape plumbing
// of gradients, as ops of their own.
bool emitBroadcastOrSumTo(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.rank() < 2 || v.text.empty()) return false;
  int64_t axis = 1 + b.rng().range(0, v.rank() - 2);
  std::string reduced = "reduce_sum(" + v.text + ", [" + std::to_string(axis) + "], keepdims=true)";
  if (b.rng().chance(0.5)) {
    b.bind("broadcast_to(" + reduced + ", " + v.text + ")", like(v, v.dims));
  } else {
    std::vector<int64_t> dims = v.dims;
    dims[axis] = 1;
    b.bind("sum_to(" + v.text + ", " + reduced + ")", like(v, dims));
  }
  return true;
}

// Backward ops written by hand (no gradient: exact inputs when training).
bool emitGradOp(ModelBuilder& b, const Value& v) {
  if (v.isInt() || v.text.empty() || !noGradientAllowed(b, v)) return false;
  Rng& g = b.rng();
  if (v.rank() == 4 && v.staticRest() && g.chance(0.4)) {
    int64_t p = g.range(1, 2);
    int64_t oh = windowOut(v.dims[1], p, p, 1, false), ow = windowOut(v.dims[2], p, p, 1, false);
    if (oh < 1 || ow < 1) return false;
    Value grad = b.partner("f32", {kBatch, oh, ow, v.dims[3]});
    if (grad.text.empty() || (b.traits().training && !grad.exact)) return false;
    std::string op = g.chance(0.5) ? "maxpool2d_grad" : "avgpool2d_grad";
    b.bind(op + "(" + v.text + ", " + grad.text + ", " + ints({p, p}) + ", " + ints({p, p}) + ")", like(v, v.dims));
    return true;
  }
  Value grad = b.partner("f32", v.dims);
  if (grad.text.empty() || (b.traits().training && !grad.exact)) return false;
  static const std::vector<std::string> kOps = {"gelu_grad", "softplus_grad", "leaky_relu_grad"};
  b.call(g.pick(kOps), {v, grad}, "", like(v, v.dims));
  return true;
}

struct Entry {
  const char* name;
  int weight;
  Emitter emit;
};

const std::vector<Entry>& emitters() {
  static const std::vector<Entry> kTable = {
      {"unary", 6, emitUnary},
      {"leaky_relu", 1, emitLeakyRelu},
      {"exp", 2, emitExp},
      {"log_sqrt", 2, emitLogOrSqrt},
      {"rescaling", 1, emitRescaling},
      {"softmax", 2, emitSoftmax},
      {"dropout", 2, emitDropout},
      {"binary", 6, emitBinary},
      {"matmul", 2, emitMatmul},
      {"compare", 1, emitCompare},
      {"select", 2, emitSelect},
      {"argmax", 1, emitArgmax},
      {"cast", 1, emitCast},
      {"low_precision", 1, emitLowPrecision},
      {"typed_input", 1, emitTypedInput},
      {"one_hot", 2, emitOneHot},
      {"dense", 6, emitDense},
      {"conv2d", 6, emitConv2d},
      {"pool2d", 3, emitPool2d},
      {"global_avgpool2d", 1, emitGlobalPool},
      {"normalization", 3, emitNormalization},
      {"embedding", 4, emitEmbedding},
      {"lstm", 2, emitLstm},
      {"random_image", 1, emitRandomImageOp},
      {"flatten", 2, emitFlatten},
      {"reshape", 2, emitReshape},
      {"transpose", 2, emitTranspose},
      {"concat", 2, emitConcat},
      {"reduce", 2, emitReduce},
      {"slice_pad", 2, emitSliceOrPad},
      {"broadcast_sum_to", 1, emitBroadcastOrSumTo},
      {"grad_op", 1, emitGradOp},
      {"submodel", 1, emitSubmodel},
  };
  return kTable;
}

}  // namespace

std::vector<std::string> emitterNames() {
  std::vector<std::string> names;
  for (const Entry& e : emitters()) names.push_back(e.name);
  return names;
}

bool emitRandomOp(ModelBuilder& b) {
  Value v = b.pickOperand();
  int total = 0;
  for (const Entry& e : emitters()) total += e.weight;
  for (int attempt = 0; attempt < 16; ++attempt) {
    int64_t r = b.rng().range(0, total - 1);
    for (const Entry& e : emitters()) {
      if ((r -= e.weight) >= 0) continue;
      const auto& excluded = b.traits().excluded;
      if (std::find(excluded.begin(), excluded.end(), e.name) != excluded.end()) break;
      if (e.emit(b, v)) return true;
      break;
    }
  }
  return false;
}

}  // namespace dlc::difffuzz
