// Source buffers and locations shared by every parser in dlc (the .dl frontend
// and the .dlir parser), so that all diagnostics render the same way.
#ifndef DLC_SUPPORT_SOURCE_MANAGER_H_
#define DLC_SUPPORT_SOURCE_MANAGER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace dlc {

// A position in a source buffer. `buffer` indexes SourceManager's buffers;
// line and column are 1-based; an invalid location has line 0.
struct Location {
  int32_t buffer = -1;
  int32_t line = 0;
  int32_t column = 0;

  bool valid() const { return buffer >= 0 && line > 0; }
  friend bool operator==(const Location&, const Location&) = default;
};

// One file's contents, with a line index built on load.
class SourceBuffer {
 public:
  SourceBuffer(std::string name, std::string text);

  const std::string& name() const { return name_; }
  std::string_view text() const { return text_; }
  // The text of 1-based line `line`, without its newline.
  std::string_view lineText(int32_t line) const;
  int32_t lineCount() const { return static_cast<int32_t>(line_starts_.size()); }
  // Line and column of a byte offset into text().
  std::pair<int32_t, int32_t> lineAndColumn(size_t offset) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

// Owns every buffer read during one compilation. Buffers never move, so
// string_views into them stay valid for the manager's lifetime.
class SourceManager {
 public:
  // Reads a file; the status names the file and the reason on failure.
  absl::StatusOr<int32_t> addFile(const std::string& path);
  int32_t addBuffer(std::string name, std::string text);

  const SourceBuffer& buffer(int32_t id) const { return *buffers_[id]; }
  int32_t bufferCount() const { return static_cast<int32_t>(buffers_.size()); }
  Location location(int32_t buffer, size_t offset) const;

 private:
  std::vector<std::unique_ptr<SourceBuffer>> buffers_;
};

}  // namespace dlc

#endif  // DLC_SUPPORT_SOURCE_MANAGER_H_
