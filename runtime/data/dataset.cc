#include "runtime/data/dataset.h"

#include <sys/stat.h>

#include <cmath>
#include <cstring>

#include "absl/status/status.h"
#include "runtime/atomic_file.h"
#include "runtime/data/idx.h"
#include "runtime/initializers.h"
#include "runtime/tensor_file.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime {
namespace {

// Text windows are materialised; beyond this many elements, refuse.
constexpr int64_t kMaxTextElements = int64_t{1} << 28;

int64_t product(std::span<const int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::string shapeString(std::span<const int64_t> dims) { return strCat("[", strJoin(dims, ", "), "]"); }

std::string batchShapeString(std::span<const int64_t> dims) {
  return dims.empty() ? "[batch]" : strCat("[batch, ", strJoin(dims, ", "), "]");
}

std::vector<int64_t> withBatch(int64_t n, std::span<const int64_t> dims) {
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), dims.begin(), dims.end());
  return shape;
}

int64_t numClasses(const DataSpec& spec) { return spec.output_shape.empty() ? 1 : spec.output_shape.back(); }

// Shape of the class ids per sample: the output without its class axis.
std::vector<int64_t> classIdShape(const DataSpec& spec) {
  if (spec.output_shape.empty()) return {};
  return {spec.output_shape.begin(), spec.output_shape.end() - 1};
}

bool fileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Checks class ids against the model's classes; `name` and `what` name them.
absl::Status checkClassIds(const Tensor& ids, int64_t classes, std::string_view name) {
  std::span<const int32_t> v = ids.values<int32_t>();
  int64_t per_sample = ids.shape().empty() || ids.shape()[0] == 0 ? 1 : ids.numElements() / ids.shape()[0];
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < 0 || v[i] >= classes)
      return absl::InvalidArgumentError(strCat(name, ": label ", v[i], " of sample ",
                                               static_cast<int64_t>(i) / per_sample, " is outside the model's ",
                                               classes, " classes [0, ", classes, ")"));
  return absl::OkStatus();
}

// Integer-valued labels of any dtype as i32 class ids.
absl::StatusOr<Tensor> toClassIds(const Tensor& y, std::string_view name) {
  ASSIGN_OR_RETURN(Tensor ids, Tensor::zeros(DType::kI32, y.shape()));
  for (int64_t i = 0; i < y.numElements(); ++i) {
    double v = y.get(i);
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 2147483647.0)
      return absl::InvalidArgumentError(strCat(name, ": label ", v, " at index ", i, " is not a class id"));
    ids.values<int32_t>()[i] = static_cast<int32_t>(v);
  }
  return ids;
}

absl::StatusOr<Tensor> convert(const Tensor& t, DType dtype, std::vector<int64_t> shape) {
  ASSIGN_OR_RETURN(Tensor out, Tensor::zeros(dtype, std::move(shape)));
  if (t.dtype() == dtype) {
    std::memcpy(out.data(), t.data(), t.byteSize());
    return out;
  }
  for (int64_t i = 0; i < t.numElements(); ++i) out.set(i, t.get(i));
  return out;
}

absl::Status checkInputIsFloat(const DataSpec& spec, std::string_view name) {
  if (!ir::isFloat(spec.input_dtype))
    return absl::InvalidArgumentError(strCat(name, ": images need a float input, but the model's input is ",
                                             ir::dtypeName(spec.input_dtype), batchShapeString(spec.input_shape)));
  return absl::OkStatus();
}

// Labels as class ids (from IDX labels or text): checked against the model.
absl::StatusOr<Split> classSplit(Tensor x, Tensor ids, const DataSpec& spec, std::string_view name) {
  std::vector<int64_t> id_shape = classIdShape(spec);
  int64_t classes = numClasses(spec);
  bool scalar_target = spec.labels == LabelForm::kDense && product(spec.output_shape) == 1;
  if (!scalar_target && product(id_shape) != 1)
    return absl::InvalidArgumentError(strCat(name, ": one class label per sample does not fit the model's output ",
                                             batchShapeString(spec.output_shape)));
  if (!scalar_target) RETURN_IF_ERROR(checkClassIds(ids, classes, name));
  Split split;
  split.x = std::move(x);
  if (scalar_target) {
    ASSIGN_OR_RETURN(split.y, convert(ids, DType::kF32, withBatch(ids.shape()[0], spec.output_shape)));
    split.class_ids = false;
  } else {
    ASSIGN_OR_RETURN(split.y, convert(ids, DType::kI32, withBatch(ids.shape()[0], id_shape)));
  }
  return split;
}

// One IDX images file and its labels file as a split.
absl::StatusOr<Split> idxSplit(const std::string& images_path, const std::string& labels_path, const DataSpec& spec) {
  RETURN_IF_ERROR(checkInputIsFloat(spec, images_path));
  ASSIGN_OR_RETURN(IdxArray images, readIdx(images_path));
  ASSIGN_OR_RETURN(IdxArray labels, readIdx(labels_path));
  if (labels.dims.size() != 1)
    return absl::InvalidArgumentError(
        strCat(labels_path, ": labels must have one dimension, the file has ", shapeString(labels.dims)));
  if (images.dims.size() < 2)
    return absl::InvalidArgumentError(
        strCat(images_path, ": images must have a sample dimension and more, the file has ", shapeString(images.dims)));
  int64_t n = images.dims[0];
  if (labels.dims[0] != n)
    return absl::InvalidArgumentError(
        strCat(labels_path, ": ", labels.dims[0], " labels for the ", n, " images of ", images_path));
  if (n == 0) return absl::InvalidArgumentError(strCat(images_path, ": the file has no samples"));
  std::span<const int64_t> sample(images.dims.begin() + 1, images.dims.end());
  if (product(sample) != product(spec.input_shape))
    return absl::InvalidArgumentError(strCat(images_path, ": images of shape ", shapeString(sample),
                                             " do not fit the model's input ", ir::dtypeName(spec.input_dtype),
                                             batchShapeString(spec.input_shape)));
  ASSIGN_OR_RETURN(Tensor x, Tensor::zeros(spec.input_dtype, withBatch(n, spec.input_shape)));
  if (spec.input_dtype == DType::kF32) {
    std::span<float> out = x.values<float>();
    for (size_t i = 0; i < images.data.size(); ++i) out[i] = static_cast<float>(images.data[i]) / 255.0f;
  } else {
    for (size_t i = 0; i < images.data.size(); ++i) x.set(static_cast<int64_t>(i), images.data[i] / 255.0);
  }
  images.data = {};
  ASSIGN_OR_RETURN(Tensor ids, Tensor::zeros(DType::kI32, {n}));
  for (int64_t i = 0; i < n; ++i) ids.values<int32_t>()[i] = labels.data[i];
  return classSplit(std::move(x), std::move(ids), spec, labels_path);
}

// The standard file name in `dir`, with or without .gz; "" when neither exists.
std::string findIdxFile(const std::string& dir, std::string_view base) {
  for (const char* suffix : {".gz", ""}) {
    std::string path = strCat(dir, "/", base, suffix);
    if (fileExists(path)) return path;
  }
  return "";
}

absl::StatusOr<Dataset> loadIdxDir(const std::string& dir, const DataSpec& spec, bool need_test) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return absl::NotFoundError(strCat(dir, ": no such folder"));
  Dataset data;
  std::string files[4];
  const char* names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                          "t10k-labels-idx1-ubyte"};
  for (int i = 0; i < 4; ++i) {
    files[i] = findIdxFile(dir, names[i]);
    if (files[i].empty() && (i < 2 || need_test || !files[i ^ 1].empty()))
      return absl::NotFoundError(strCat(dir, ": ", names[i], "[.gz] is missing"));
  }
  ASSIGN_OR_RETURN(data.train, idxSplit(files[0], files[1], spec));
  if (!files[2].empty()) {
    ASSIGN_OR_RETURN(data.test, idxSplit(files[2], files[3], spec));
  }
  return data;
}

absl::StatusOr<Dataset> loadNpy(std::string_view paths, const DataSpec& spec) {
  size_t comma = paths.find(',');
  if (comma == std::string_view::npos || paths.find(',', comma + 1) != std::string_view::npos)
    return absl::InvalidArgumentError(strCat("data source 'npy:", paths, "': expected npy:X.npy,Y.npy"));
  std::string x_path(paths.substr(0, comma)), y_path(paths.substr(comma + 1));
  ASSIGN_OR_RETURN(Tensor x, readNpy(x_path));
  ASSIGN_OR_RETURN(Tensor y, readNpy(y_path));
  if (x.rank() == 0 || y.rank() == 0 || x.shape()[0] != y.shape()[0])
    return absl::InvalidArgumentError(strCat(y_path, ": labels ", y.typeString(), " do not match the samples ",
                                             x.typeString(), " of ", x_path, " (the first dimension counts samples)"));
  Dataset data;
  ASSIGN_OR_RETURN(data.train, makeSplit(std::move(x), std::move(y), spec, x_path, y_path));
  return data;
}

absl::StatusOr<Dataset> loadText(const std::string& path, const DataSpec& spec) {
  if (!ir::isInteger(spec.input_dtype) || spec.input_shape.size() != 1)
    return absl::InvalidArgumentError(strCat(path, ": text needs a model whose input is token ids i32[batch, T]; ",
                                             "its input is ", ir::dtypeName(spec.input_dtype),
                                             batchShapeString(spec.input_shape)));
  // Whole, regular files only: a FIFO or /dev/zero would block or never end.
  ASSIGN_OR_RETURN(FileBytes file, readWholeFile(path));
  std::string_view bytes = file.text();
  int64_t t = spec.input_shape[0];
  int64_t n = static_cast<int64_t>(bytes.size()) - t;
  if (n < 1)
    return absl::InvalidArgumentError(
        strCat(path, ": ", bytes.size(), " bytes are too few for windows of ", t, " tokens and a next token"));
  if (n > kMaxTextElements / t)
    return absl::InvalidArgumentError(strCat(path, ": too large: windows of ", t, " over ", bytes.size(),
                                             " bytes would take more than ", kMaxTextElements, " ids"));
  int64_t vocab = numClasses(spec);
  for (size_t i = 0; i < bytes.size(); ++i) {
    int64_t id = static_cast<unsigned char>(bytes[i]);
    if (id >= vocab)
      return absl::InvalidArgumentError(strCat(path, ": byte ", id, " at offset ", i, " is outside the model's ", vocab,
                                               " tokens; text is read as bytes, which needs a ",
                                               "vocabulary of 256 (or 128 for ASCII)"));
  }
  ASSIGN_OR_RETURN(Tensor x, Tensor::zeros(spec.input_dtype, {n, t}));
  ASSIGN_OR_RETURN(Tensor ids, Tensor::zeros(DType::kI32, {n}));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < t; ++j) x.set(i * t + j, static_cast<unsigned char>(bytes[i + j]));
    ids.values<int32_t>()[i] = static_cast<unsigned char>(bytes[i + t]);
  }
  Dataset data;
  ASSIGN_OR_RETURN(data.train, classSplit(std::move(x), std::move(ids), spec, path));
  return data;
}

}  // namespace

absl::StatusOr<LabelForm> labelFormForLoss(std::string_view loss) {
  if (loss == "categorical_crossentropy") return LabelForm::kOneHot;
  if (loss == "sparse_categorical_crossentropy") return LabelForm::kSparse;
  if (loss == "binary_crossentropy" || loss == "mse") return LabelForm::kDense;
  return absl::InvalidArgumentError(strCat("unknown loss '", loss, "'"));
}

absl::StatusOr<Split> makeSplit(Tensor x, Tensor y, const DataSpec& spec, std::string_view x_name,
                                std::string_view y_name) {
  int64_t n = x.rank() ? x.shape()[0] : 0;
  if (n == 0) return absl::InvalidArgumentError(strCat(x_name, ": no samples"));
  std::span<const int64_t> sample(x.shape().begin() + 1, x.shape().end());
  if (!std::equal(sample.begin(), sample.end(), spec.input_shape.begin(), spec.input_shape.end()))
    return absl::InvalidArgumentError(strCat(x_name, ": inputs ", x.typeString(), " do not fit the model's input ",
                                             ir::dtypeName(spec.input_dtype), batchShapeString(spec.input_shape)));
  if (ir::isInteger(spec.input_dtype) && !ir::isInteger(x.dtype()) && x.dtype() != DType::kBool)
    return absl::InvalidArgumentError(strCat(x_name, ": inputs ", x.typeString(),
                                             " are not integers, but the model's input is ",
                                             ir::dtypeName(spec.input_dtype), batchShapeString(spec.input_shape)));
  Split split;
  ASSIGN_OR_RETURN(split.x, convert(x, spec.input_dtype, x.shape()));
  std::vector<int64_t> dense_shape = withBatch(n, spec.output_shape);
  std::vector<int64_t> id_shape = withBatch(n, classIdShape(spec));
  bool fits_dense = y.numElements() == product(dense_shape);
  bool fits_ids = y.shape() == id_shape || (y.rank() == 1 && product(id_shape) == n);
  bool dense = fits_dense && (y.shape() == dense_shape || product(spec.output_shape) == 1);
  if (spec.labels != LabelForm::kSparse && dense) {
    ASSIGN_OR_RETURN(split.y, convert(y, DType::kF32, dense_shape));
    split.class_ids = false;
    return split;
  }
  if (!fits_ids) {
    std::string expected = spec.labels == LabelForm::kSparse
                               ? strCat(shapeString(id_shape), " (class ids)")
                               : strCat(shapeString(dense_shape), " or ", shapeString(id_shape), " (class ids)");
    return absl::InvalidArgumentError(strCat(y_name, ": labels ", y.typeString(), " do not fit the model's output ",
                                             batchShapeString(spec.output_shape), "; expected ", expected));
  }
  ASSIGN_OR_RETURN(Tensor ids, toClassIds(y, y_name));
  RETURN_IF_ERROR(checkClassIds(ids, numClasses(spec), y_name));
  ASSIGN_OR_RETURN(split.y, convert(ids, DType::kI32, id_shape));
  return split;
}

absl::StatusOr<Dataset> loadDataset(std::string_view source, const DataSpec& spec) {
  absl::StatusOr<Dataset> data;
  if (source == "fashion-mnist") {
    if (!fileExists(kFashionMnistDir))
      return absl::NotFoundError(
          strCat("fashion-mnist: ", kFashionMnistDir, " is missing; install the Debian package dataset-fashion-mnist"));
    data = loadIdxDir(kFashionMnistDir, spec, true);
  } else if (source.starts_with("idx:")) {
    data = loadIdxDir(std::string(source.substr(4)), spec, false);
  } else if (source.starts_with("npy:")) {
    data = loadNpy(source.substr(4), spec);
  } else if (source.starts_with("text:")) {
    data = loadText(std::string(source.substr(5)), spec);
  } else {
    return absl::InvalidArgumentError(
        strCat("unknown data source '", source, "' (fashion-mnist, idx:DIR, npy:X.npy,Y.npy or text:FILE)"));
  }
  if (!data.ok()) return data.status();
  data->description = strCat(source, ": ", data->train.size(), " train");
  if (data->test) strAppend(&data->description, ", ", data->test->size(), " test");
  strAppend(&data->description, " samples");
  return data;
}

std::vector<int64_t> epochOrder(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  Random rng(seed, strCat("data-order/", epoch));
  for (int64_t i = n - 1; i > 0; --i) {
    // A uniform j in [0, i] without modulo bias (Lemire's method).
    uint64_t range = static_cast<uint64_t>(i) + 1;
    unsigned __int128 m = static_cast<unsigned __int128>(rng.next()) * range;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < range) {
      uint64_t threshold = (0 - range) % range;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(rng.next()) * range;
        low = static_cast<uint64_t>(m);
      }
    }
    std::swap(order[i], order[static_cast<size_t>(m >> 64)]);
  }
  return order;
}

int64_t batchCount(int64_t n, int64_t batch_size) { return (n + batch_size - 1) / batch_size; }

absl::StatusOr<Batch> makeBatch(const Split& split, std::span<const int64_t> indices, const DataSpec& spec) {
  int64_t b = static_cast<int64_t>(indices.size());
  int64_t n = split.size();
  auto gather = [&](const Tensor& from, Tensor& to) {
    size_t row = n ? from.byteSize() / static_cast<size_t>(n) : 0;
    for (int64_t i = 0; i < b; ++i) std::memcpy(to.data() + i * row, from.data() + indices[i] * row, row);
  };
  for (int64_t i : indices)
    if (i < 0 || i >= n) return absl::OutOfRangeError(strCat("sample ", i, " is outside the split's ", n));
  std::vector<int64_t> x_shape = split.x.shape();
  x_shape[0] = b;
  Batch batch;
  ASSIGN_OR_RETURN(batch.x, Tensor::zeros(split.x.dtype(), x_shape));
  gather(split.x, batch.x);
  std::vector<int64_t> y_shape = split.y.shape();
  y_shape[0] = b;
  if (!split.class_ids || spec.labels == LabelForm::kSparse) {
    ASSIGN_OR_RETURN(batch.y, Tensor::zeros(split.y.dtype(), y_shape));
    gather(split.y, batch.y);
    return batch;
  }
  // Class ids to one-hot rows over the last axis of the output.
  int64_t classes = numClasses(spec);
  y_shape.push_back(classes);
  ASSIGN_OR_RETURN(batch.y, Tensor::zeros(DType::kF32, y_shape));
  int64_t per_sample = product(std::span<const int64_t>(split.y.shape()).subspan(1));
  std::span<const int32_t> ids = split.y.values<int32_t>();
  std::span<float> out = batch.y.values<float>();
  for (int64_t i = 0; i < b; ++i)
    for (int64_t k = 0; k < per_sample; ++k)
      out[(i * per_sample + k) * classes + ids[indices[i] * per_sample + k]] = 1.0f;
  return batch;
}

}  // namespace dlc::runtime
