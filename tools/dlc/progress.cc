#include "tools/dlc/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dlc::tool {
namespace {

std::string printf1(const char* format, double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, v);
  return buffer;
}

// Keras's metric format: 4 decimals, or scientific below 1e-3.
std::string formatValue(double v) {
  if (v != 0 && std::fabs(v) < 1e-3) return printf1("%.4e", v);
  return printf1("%.4f", v);
}

}  // namespace

std::string formatElapsed(double seconds) { return printf1("%.0fs", std::max(0.0, seconds)); }

std::string formatPerStep(double s) {
  if (s >= 1) return printf1("%.0fs/step", s);
  if (s >= 1e-3) return printf1("%.0fms/step", s * 1e3);
  return printf1("%.0fus/step", s * 1e6);
}

std::string formatBar(int64_t done, int64_t total, int width) {
  int filled = total > 0 ? static_cast<int>(width * std::min(done, total) / total) : width;
  std::string bar = "[";
  if (filled > 0) {
    bar.append(static_cast<size_t>(filled - 1), '=');
    bar += done < total ? '>' : '=';
  }
  bar.append(static_cast<size_t>(width - filled), '.');
  return bar + "]";
}

std::string formatMetrics(const ShownMetrics& m, const std::string& prefix) {
  std::string out = " - " + prefix + "loss: " + formatValue(m.loss);
  if (m.accuracy) out += " - " + prefix + "accuracy: " + formatValue(*m.accuracy);
  return out;
}

std::string formatStepLine(int64_t done, int64_t total, double elapsed, const ShownMetrics& metrics, bool bar) {
  char counter[48];
  int width = std::snprintf(nullptr, 0, "%lld", static_cast<long long>(total));
  std::snprintf(counter, sizeof counter, "%*lld/%lld", width, static_cast<long long>(done),
                static_cast<long long>(total));
  std::string line = counter;
  // Appended piece by piece: GCC 12 warns wrongly about `" " + string` here.
  if (bar) line.append(" ").append(formatBar(done, total));
  line.append(" - ").append(formatElapsed(elapsed));
  if (done > 0) line.append(" ").append(formatPerStep(elapsed / static_cast<double>(done)));
  return line.append(formatMetrics(metrics));
}

std::string formatTestLine(const ShownMetrics& m) {
  std::string line = "test: loss " + formatValue(m.loss);
  if (m.accuracy) line += " - accuracy " + formatValue(*m.accuracy);
  return line;
}

void Progress::beginEpoch(int64_t epoch, int64_t epochs, int64_t total, int64_t done) {
  total_ = total;
  last_decile_ = total > 0 ? done * 10 / total : 0;
  last_draw_ = -1;
  drawn_ = 0;
  out_ << "Epoch " << epoch << "/" << epochs << "\n" << std::flush;
}

void Progress::draw(const std::string& line) {
  out_ << "\r" << line;
  if (line.size() < drawn_) out_ << std::string(drawn_ - line.size(), ' ');
  out_ << std::flush;
  drawn_ = line.size();
}

void Progress::update(int64_t done, double elapsed, const ShownMetrics& metrics) {
  if (terminal_) {
    if (done < total_ && last_draw_ >= 0 && elapsed - last_draw_ < 0.05) return;
    last_draw_ = elapsed;
    draw(formatStepLine(done, total_, elapsed, metrics, true));
    return;
  }
  int64_t decile = total_ > 0 ? done * 10 / total_ : 10;
  if (done >= total_ || decile == last_decile_) return;  // the summary shows the end
  last_decile_ = decile;
  out_ << formatStepLine(done, total_, elapsed, metrics, false) << "\n" << std::flush;
}

void Progress::endEpoch(int64_t done, double elapsed, const ShownMetrics& metrics,
                        const std::optional<ShownMetrics>& test) {
  std::string line = formatStepLine(done, total_, elapsed, metrics, terminal_);
  if (test) line += formatMetrics(*test, "test_");
  if (terminal_) {
    draw(line);
    out_ << "\n" << std::flush;
  } else {
    out_ << line << "\n" << std::flush;
  }
  drawn_ = 0;
}

void Progress::breakLine() {
  if (terminal_ && drawn_ > 0) out_ << "\n" << std::flush;
  drawn_ = 0;
}

}  // namespace dlc::tool
