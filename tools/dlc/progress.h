// `dlc train`'s progress display, as Keras shows it:
//
//   Epoch 1/5
//   469/938 [==============>...............] - 12s 25ms/step - loss: 0.5123 - accuracy: 0.8122
//
// On a terminal the step line is redrawn in place (with \r, at most every
// 50 ms) and ends as the epoch's summary. Anywhere else (a log, a pipe) the
// output is plain lines: the epoch header, a step line every ~10% of the
// epoch, and the summary line. Times are passed in, so the output is a pure
// function of the calls (tested without a clock).
#ifndef DLC_TOOLS_DLC_PROGRESS_H_
#define DLC_TOOLS_DLC_PROGRESS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace dlc::tool {

struct ShownMetrics {
  double loss = 0;
  std::optional<double> accuracy;  // shown when the train block asks for it
};

// "12s", Keras's elapsed-time form.
std::string formatElapsed(double seconds);
// "25ms/step", "1s/step", "830us/step".
std::string formatPerStep(double seconds_per_step);
// "[=====>....]" of `width` characters between the brackets.
std::string formatBar(int64_t done, int64_t total, int width = 30);
// " - loss: 0.5123 - accuracy: 0.8122", with `prefix` before each name.
std::string formatMetrics(const ShownMetrics& metrics, const std::string& prefix = "");
// "469/938 [====>...] - 12s 25ms/step - loss: ..."; without the bar when
// `bar` is false.
std::string formatStepLine(int64_t done, int64_t total, double elapsed, const ShownMetrics& metrics, bool bar);

// "test: loss 0.3812 - accuracy 0.8655", the last line of a run.
std::string formatTestLine(const ShownMetrics& metrics);

class Progress {
 public:
  Progress(std::ostream& out, bool terminal) : out_(out), terminal_(terminal) {}

  // `epoch` counts from 1. `done` batches of the epoch were run before (a
  // resumed run).
  void beginEpoch(int64_t epoch, int64_t epochs, int64_t total, int64_t done);
  void update(int64_t done, double elapsed, const ShownMetrics& metrics);
  // The summary line; `test` adds test_loss (and test_accuracy).
  void endEpoch(int64_t done, double elapsed, const ShownMetrics& metrics, const std::optional<ShownMetrics>& test);
  // Ends a redrawn line early (an interruption, an error) so that messages
  // start on a line of their own.
  void breakLine();

 private:
  void draw(const std::string& line);

  std::ostream& out_;
  bool terminal_;
  int64_t total_ = 0;
  int64_t last_decile_ = 0;
  double last_draw_ = -1;
  size_t drawn_ = 0;  // length of the line on screen (terminal)
};

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_PROGRESS_H_
