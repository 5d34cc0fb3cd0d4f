#include "tools/dlc/trainer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "nlohmann/json.hpp"
#include "runtime/atomic_file.h"
#include "support/status_macros.h"
#include "support/strings.h"
#include "tools/dlc/checkpoint.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/progress.h"
#include "tools/dlc/status_exit.h"
#include "tools/dlc/validators.h"

namespace dlc::tool {
namespace {

using runtime::Batch;
using runtime::NamedTensors;

// ---------------------------------------------------------------------------
// SIGINT and SIGTERM: the handler only records the signal; the loop reads it
// between steps.

volatile std::sig_atomic_t g_signal = 0;

extern "C" void onStopSignal(int signal) { g_signal = signal; }

class StopSignals {
 public:
  StopSignals() {
    g_signal = 0;
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  static int received() { return g_signal; }

 private:
  struct sigaction old_int_, old_term_;
};

const char* signalName(int signal) { return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal"; }

// ---------------------------------------------------------------------------
// --metrics-out: JSON lines, written straight to the file so that a
// checkpoint can record how many bytes belong to the epochs it covers.

class MetricsLog {
 public:
  ~MetricsLog() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Opens `path`, keeping its first `keep` bytes (those of the epochs a
  // resumed checkpoint covers) and dropping the rest.
  absl::Status open(const std::string& path, int64_t keep) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) return absl::InvalidArgumentError(strCat(path, ": cannot open: ", std::strerror(errno)));
    struct stat st;
    if (::fstat(fd_, &st) != 0) return absl::InternalError(strCat(path, ": ", std::strerror(errno)));
    bytes_ = std::min<int64_t>(keep, st.st_size);
    if (::ftruncate(fd_, bytes_) != 0 || ::lseek(fd_, bytes_, SEEK_SET) < 0)
      return absl::InternalError(strCat(path, ": cannot truncate: ", std::strerror(errno)));
    return absl::OkStatus();
  }

  absl::Status append(const nlohmann::json& record) {
    if (fd_ < 0) return absl::OkStatus();
    std::string line = record.dump() + "\n";
    for (size_t done = 0; done < line.size();) {
      ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return absl::InternalError(strCat(path_, ": cannot write: ", std::strerror(errno)));
      done += static_cast<size_t>(n);
    }
    bytes_ += static_cast<int64_t>(line.size());
    if (::fsync(fd_) != 0 && errno != EINVAL)
      return absl::InternalError(strCat(path_, ": cannot write: ", std::strerror(errno)));
    return absl::OkStatus();
  }

  int64_t bytes() const { return bytes_; }

 private:
  std::string path_;
  int fd_ = -1;
  int64_t bytes_ = 0;
};

nlohmann::json numberOrNull(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

// ---------------------------------------------------------------------------

enum class Outcome { kDone, kInterrupted };

class Trainer {
 public:
  Trainer(const TrainFlags& flags, const ModelLoader& load, std::ostream& out)
      : flags_(flags), load_(load), out_(out), progress_(out, useTerminal(flags.progress)) {}

  int run();

 private:
  static bool useTerminal(const std::string& mode) {
    if (mode == "bar") return true;
    if (mode == "lines") return false;
    return ::isatty(STDOUT_FILENO) == 1;
  }

  absl::Status setUp();
  absl::StatusOr<Outcome> train();
  absl::StatusOr<Outcome> trainEpoch();
  absl::Status trainStep(const std::vector<int64_t>& order);
  // Test metrics, or nullopt without a test split or when interrupted.
  absl::StatusOr<std::optional<BatchMetrics>> evaluateTest();
  absl::Status endEpoch(bool complete);
  // `metrics_bytes`: how much of --metrics-out the checkpoint covers [all].
  absl::Status saveCheckpoint(std::optional<int64_t> metrics_bytes = std::nullopt);
  int interrupted();

  bool stepLimitReached() const { return flags_.steps > 0 && position_.step >= flags_.steps; }
  double epochSeconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start_).count();
  }
  ShownMetrics shown() const {
    double n = static_cast<double>(std::max<int64_t>(position_.samples, 1));
    ShownMetrics m{position_.loss_sum / n, std::nullopt};
    if (show_accuracy_) m.accuracy = position_.accuracy_sum / n;
    return m;
  }
  ShownMetrics shown(const BatchMetrics& m) const {
    return {m.loss, show_accuracy_ ? std::optional<double>(m.accuracy) : std::nullopt};
  }

  const TrainFlags& flags_;
  const ModelLoader& load_;
  std::unique_ptr<TrainableModel> model_;
  std::ostream& out_;
  Progress progress_;
  TrainSettings settings_;
  runtime::DataSpec spec_;
  runtime::Dataset data_;
  TrainPosition position_;
  MetricsLog metrics_;
  bool show_accuracy_ = false;
  int64_t batches_ = 0;  // per epoch
  std::chrono::steady_clock::time_point epoch_start_;
  std::optional<BatchMetrics> last_test_;
  bool test_current_ = false;        // last_test_ is of the weights as they are
  bool evaluation_stopped_ = false;  // a signal cut the test evaluation short
};

absl::Status Trainer::setUp() {
  position_.seed = flags_.seed.value_or(0);
  position_.data = flags_.data;
  position_.model_hash = modelFileHash(flags_.input);
  std::optional<Checkpoint> checkpoint;
  if (flags_.resume) {
    // First: the model needs the checkpoint's seed, and a missing checkpoint
    // should not wait for the data to load.
    ASSIGN_OR_RETURN(checkpoint, readCheckpoint(flags_.checkpoint));
    const TrainPosition& saved = checkpoint->position;
    std::string path = checkpointPath(flags_.checkpoint);
    if (flags_.seed && *flags_.seed != saved.seed)
      return absl::InvalidArgumentError(
          strCat(path, ": the checkpoint was written with --seed ", saved.seed, ", not ", *flags_.seed));
    if (flags_.batch_size > 0 && flags_.batch_size != saved.batch_size)
      return absl::InvalidArgumentError(strCat(path, ": the checkpoint was written with --batch-size ",
                                               saved.batch_size, ", not ", flags_.batch_size));
    if (saved.data != flags_.data)
      return absl::InvalidArgumentError(
          strCat(path, ": the checkpoint was written for --data ", saved.data, ", not ", flags_.data));
    if (saved.model_hash != position_.model_hash)
      std::cerr << "dlc: warning: " << flags_.input << " has changed since " << path << " was written\n";
    std::string hash = position_.model_hash;
    position_ = saved;
    position_.model_hash = hash;
  }
  TrainFlags model_flags = flags_;
  model_flags.seed = position_.seed;
  ASSIGN_OR_RETURN(model_, load_(model_flags));

  ASSIGN_OR_RETURN(settings_, model_->settings());
  if (flags_.epochs > 0) settings_.epochs = flags_.epochs;
  if (flags_.batch_size > 0) settings_.batch_size = flags_.batch_size;
  if (checkpoint) settings_.batch_size = position_.batch_size;
  position_.batch_size = settings_.batch_size;
  for (const std::string& m : settings_.metrics) show_accuracy_ |= m == "accuracy";
  ASSIGN_OR_RETURN(runtime::LabelForm form, runtime::labelFormForLoss(settings_.loss));
  ASSIGN_OR_RETURN(spec_, model_->dataSpec(form));

  ASSIGN_OR_RETURN(data_, runtime::loadDataset(flags_.data, spec_));
  batches_ = runtime::batchCount(data_.train.size(), settings_.batch_size);
  if (checkpoint) {
    if (position_.batch > batches_)
      return absl::InvalidArgumentError(strCat(checkpointPath(flags_.checkpoint), ": the checkpoint is at batch ",
                                               position_.batch, " of an epoch, but the data has ", batches_,
                                               " batches per epoch"));
    RETURN_IF_ERROR(model_->initialize(position_.seed));
    ASSIGN_OR_RETURN(NamedTensors current, model_->state());
    RETURN_IF_ERROR(checkStateMatches(checkpoint->state, current, checkpointPath(flags_.checkpoint)));
    RETURN_IF_ERROR(model_->restoreState(std::move(checkpoint->state)));
  } else if (!flags_.weights.empty()) {
    RETURN_IF_ERROR(model_->loadWeights(flags_.weights));
  } else {
    RETURN_IF_ERROR(model_->initialize(position_.seed));
  }
  if (!flags_.metrics_out.empty())
    RETURN_IF_ERROR(metrics_.open(flags_.metrics_out, flags_.resume ? position_.metrics_bytes : 0));

  out_ << data_.description << "\n";
  if (checkpoint)
    out_ << "resuming from " << checkpointPath(flags_.checkpoint) << " at epoch " << position_.epoch + 1 << ", batch "
         << position_.batch << " (step " << position_.step << ")\n";
  out_ << std::flush;
  return absl::OkStatus();
}

absl::Status Trainer::saveCheckpoint(std::optional<int64_t> metrics_bytes) {
  if (flags_.checkpoint.empty()) return absl::OkStatus();
  TrainPosition position = position_;
  position.metrics_bytes = metrics_bytes.value_or(metrics_.bytes());
  ASSIGN_OR_RETURN(NamedTensors state, model_->state());
  return writeCheckpoint(flags_.checkpoint, state, position);
}

absl::Status Trainer::trainStep(const std::vector<int64_t>& order) {
  int64_t begin = position_.batch * settings_.batch_size;
  int64_t end = std::min<int64_t>(begin + settings_.batch_size, static_cast<int64_t>(order.size()));
  std::span<const int64_t> indices(order.data() + begin, static_cast<size_t>(end - begin));
  ASSIGN_OR_RETURN(Batch batch, runtime::makeBatch(data_.train, indices, spec_));
  ASSIGN_OR_RETURN(BatchMetrics m, model_->trainStep(std::move(batch)));
  test_current_ = false;
  if (!std::isfinite(m.loss)) {
    progress_.breakLine();
    return absl::InvalidArgumentError(strCat("loss is ",
                                             std::isnan(m.loss) ? "nan"
                                             : m.loss > 0       ? "inf"
                                                                : "-inf",
                                             " at step ", position_.step + 1, " (epoch ", position_.epoch + 1,
                                             ", batch ", position_.batch + 1, ")"));
  }
  double n = static_cast<double>(indices.size());
  position_.loss_sum += m.loss * n;
  position_.accuracy_sum += m.accuracy * n;
  position_.samples += static_cast<int64_t>(indices.size());
  position_.batch += 1;
  position_.step += 1;
  position_.seconds = epochSeconds();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<BatchMetrics>> Trainer::evaluateTest() {
  if (!data_.test) return std::optional<BatchMetrics>();
  if (test_current_) return last_test_;
  int64_t n = data_.test->size();
  if (flags_.test_samples >= 0) n = std::min(n, flags_.test_samples);
  double loss = 0, accuracy = 0;
  std::vector<int64_t> indices;
  for (int64_t begin = 0; begin < n; begin += settings_.batch_size) {
    if (StopSignals::received()) {
      evaluation_stopped_ = true;
      return std::optional<BatchMetrics>();
    }
    indices.clear();
    for (int64_t i = begin; i < std::min(n, begin + settings_.batch_size); ++i) indices.push_back(i);
    ASSIGN_OR_RETURN(Batch batch, runtime::makeBatch(*data_.test, indices, spec_));
    ASSIGN_OR_RETURN(BatchMetrics m, model_->evaluate(std::move(batch)));
    loss += m.loss * static_cast<double>(indices.size());
    accuracy += m.accuracy * static_cast<double>(indices.size());
  }
  if (n == 0) return std::optional<BatchMetrics>();
  last_test_ = BatchMetrics{loss / static_cast<double>(n), accuracy / static_cast<double>(n)};
  test_current_ = true;
  return last_test_;
}

// The summary of the epoch in progress: test metrics, the progress line and
// the --metrics-out record. `complete` epochs start the next one.
absl::Status Trainer::endEpoch(bool complete) {
  ASSIGN_OR_RETURN(std::optional<BatchMetrics> test, evaluateTest());
  if (evaluation_stopped_) return absl::OkStatus();
  std::optional<ShownMetrics> shown_test;
  if (test) shown_test = shown(*test);
  progress_.endEpoch(position_.batch, position_.seconds, shown(), shown_test);
  double n = static_cast<double>(std::max<int64_t>(position_.samples, 1));
  nlohmann::json record = {
      {"epoch", position_.epoch + 1},
      {"steps", position_.batch},
      {"global_step", position_.step},
      {"loss", numberOrNull(position_.loss_sum / n)},
      {"accuracy", show_accuracy_ ? numberOrNull(position_.accuracy_sum / n) : nullptr},
      {"test_loss", test ? numberOrNull(test->loss) : nullptr},
      {"test_accuracy", test && show_accuracy_ ? numberOrNull(test->accuracy) : nullptr},
      {"samples_per_s", position_.seconds > 0 ? numberOrNull(position_.samples / position_.seconds) : nullptr},
      {"seconds", position_.seconds},
  };
  if (std::optional<LossScaleState> scale = model_->lossScale()) {
    record["loss_scale"] = scale->scale;
    record["skipped_steps"] = scale->skipped_steps;
  }
  if (!complete) {
    // An epoch cut short by --steps: its checkpoint leaves the record out, so
    // that a resumed run replaces it with the whole epoch's.
    record["complete"] = false;
    int64_t before = metrics_.bytes();
    RETURN_IF_ERROR(metrics_.append(record));
    return saveCheckpoint(before);
  }
  RETURN_IF_ERROR(metrics_.append(record));
  position_.epoch += 1;
  position_.batch = 0;
  position_.loss_sum = position_.accuracy_sum = 0;
  position_.samples = 0;
  position_.seconds = 0;
  return saveCheckpoint();
}

absl::StatusOr<Outcome> Trainer::trainEpoch() {
  std::vector<int64_t> order = runtime::epochOrder(data_.train.size(), position_.seed, position_.epoch);
  progress_.beginEpoch(position_.epoch + 1, settings_.epochs, batches_, position_.batch);
  epoch_start_ = std::chrono::steady_clock::now() - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                        std::chrono::duration<double>(position_.seconds));
  while (position_.batch < batches_ && !stepLimitReached()) {
    RETURN_IF_ERROR(trainStep(order));
    progress_.update(position_.batch, position_.seconds, shown());
    if (StopSignals::received()) return Outcome::kInterrupted;
    if (flags_.checkpoint_every > 0 && position_.step % flags_.checkpoint_every == 0 && position_.batch < batches_)
      RETURN_IF_ERROR(saveCheckpoint());
  }
  bool complete = position_.batch == batches_;
  RETURN_IF_ERROR(endEpoch(complete));
  // After an epoch cut short by --steps the run is over, signal or not.
  return evaluation_stopped_ || (complete && StopSignals::received()) ? Outcome::kInterrupted : Outcome::kDone;
}

absl::StatusOr<Outcome> Trainer::train() {
  while (position_.epoch < settings_.epochs && !stepLimitReached()) {
    ASSIGN_OR_RETURN(Outcome outcome, trainEpoch());
    if (outcome != Outcome::kDone) return outcome;
  }
  return Outcome::kDone;
}

int Trainer::interrupted() {
  int signal = StopSignals::received();
  progress_.breakLine();
  std::string where =
      strCat("step ", position_.step, " (epoch ", position_.epoch + 1, ", batch ", position_.batch, ")");
  if (flags_.checkpoint.empty()) {
    std::cerr << "dlc: interrupted by " << signalName(signal) << " after " << where
              << "; nothing was saved (--checkpoint DIR keeps the progress)\n";
    return kInternalError;
  }
  if (absl::Status s = saveCheckpoint(); !s.ok()) return reportStatus(s);
  std::cerr << "dlc: interrupted by " << signalName(signal) << " after " << where << "; checkpoint written to "
            << checkpointPath(flags_.checkpoint) << "; continue with --resume\n";
  return kInternalError;
}

int Trainer::run() {
  if (absl::Status s = setUp(); !s.ok()) return reportStatus(s);
  if (StopSignals::received()) return interrupted();
  absl::StatusOr<Outcome> outcome = train();
  if (!outcome.ok()) {
    progress_.breakLine();
    return reportStatus(outcome.status());
  }
  if (*outcome == Outcome::kInterrupted) return interrupted();
  absl::StatusOr<std::optional<BatchMetrics>> test = evaluateTest();
  if (!test.ok()) return reportStatus(test.status());
  if (evaluation_stopped_) return interrupted();
  if (*test) out_ << formatTestLine(shown(**test)) << "\n" << std::flush;
  if (!flags_.save.empty()) {
    absl::StatusOr<NamedTensors> weights = model_->weights();
    if (!weights.ok()) return reportStatus(weights.status());
    if (absl::Status s = runtime::writeSafetensors(flags_.save, *weights); !s.ok()) return reportStatus(s);
  }
  return kSuccess;
}

}  // namespace

void addTrainFlags(CLI::App& cmd, TrainFlags& flags) {
  cmd.add_option("file", flags.input, "the model file (.dl)")->required();
  cmd.add_option("--data", flags.data, "fashion-mnist | idx:DIR | npy:X.npy,Y.npy | text:FILE [fashion-mnist]")
      ->type_name("SOURCE");
  cmd.add_option("--epochs", flags.epochs, "epochs to train [the train block's]")->check(kAtLeastOne);
  cmd.add_option("--steps", flags.steps, "stop after N steps in all [no limit]")->check(kAtLeastOne);
  cmd.add_option("--batch-size", flags.batch_size, "samples per step [the train block's]")->check(kAtLeastOne);
  cmd.add_option_function<uint64_t>(
         "--seed", [&flags](const uint64_t& seed) { flags.seed = seed; }, "seed for the weights and the data order [0]")
      ->type_name("N")
      ->check(kSeed);
  cmd.add_option("--weights", flags.weights, "initial parameters [initialised from --seed]")
      ->type_name("INIT.safetensors");
  cmd.add_option("--save", flags.save, "write the trained parameters")->type_name("OUT.safetensors");
  cmd.add_option("--checkpoint", flags.checkpoint,
                 "keep model, optimizer and data-order state in DIR at every epoch end and on SIGINT/SIGTERM")
      ->type_name("DIR");
  cmd.add_flag("--resume", flags.resume, "continue from the checkpoint in --checkpoint DIR");
  cmd.add_option("--metrics-out", flags.metrics_out, "write one JSON line of metrics per epoch")
      ->type_name("FILE.jsonl");
  cmd.add_option("--checkpoint-every", flags.checkpoint_every, "also write the checkpoint every N steps")
      ->check(kAtLeastOne);
  cmd.add_option("--test-samples", flags.test_samples, "evaluate on the first N test samples only [all]")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--progress", flags.progress,
                 "auto | bar | lines: a redrawn bar or plain lines [auto: the bar on a terminal]")
      ->check(CLI::IsMember({"auto", "bar", "lines"}));
  cmd.add_option("--model", flags.model, "the model to train [the file's last model]");
  cmd.add_option("--target", flags.target,
                 "cpu | cpu:NAME (x86-64-v3, znver3, ...: code for that CPU, if this one runs it) | cuda | cuda:sm_XX "
                 "| reference | auto [auto]")
      ->check(kRunTarget);
  addPrecisionOption(cmd, flags.precision);
}

namespace {

// Where a training run will write, checked before it starts rather than
// after it: a file path must not be a folder and must be in one; the
// checkpoint must not be a file.
absl::Status checkOutputPaths(const TrainFlags& flags) {
  for (const std::string* file : {&flags.save, &flags.metrics_out})
    if (!file->empty()) RETURN_IF_ERROR(runtime::checkWritable(*file));
  // The checkpoint folder is created (with its parents) when first written.
  struct stat st;
  if (!flags.checkpoint.empty() && ::stat(flags.checkpoint.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(strCat(flags.checkpoint, ": --checkpoint must be a folder, and this is a file"));
  return absl::OkStatus();
}

}  // namespace

int runTrain(const TrainFlags& flags, const ModelLoader& load, std::ostream& out) {
  if (flags.resume && flags.checkpoint.empty()) {
    std::cerr << "dlc train: --resume needs --checkpoint DIR\n";
    return kUsageError;
  }
  if (flags.checkpoint_every > 0 && flags.checkpoint.empty()) {
    std::cerr << "dlc train: --checkpoint-every needs --checkpoint DIR\n";
    return kUsageError;
  }
  if (absl::Status paths = checkOutputPaths(flags); !paths.ok()) return reportStatus(paths);
  StopSignals signals;
  Trainer trainer(flags, load, out);
  return trainer.run();
}

}  // namespace dlc::tool
