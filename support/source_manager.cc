#include "support/source_manager.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "support/strings.h"

namespace dlc {

SourceBuffer::SourceBuffer(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

std::string_view SourceBuffer::lineText(int32_t line) const {
  if (line < 1 || line > lineCount()) return {};
  size_t begin = line_starts_[line - 1];
  size_t end = text_.find('\n', begin);
  if (end == std::string::npos) end = text_.size();
  if (end > begin && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(begin, end - begin);
}

std::pair<int32_t, int32_t> SourceBuffer::lineAndColumn(size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  int32_t line = static_cast<int32_t>(it - line_starts_.begin());
  return {line, static_cast<int32_t>(offset - line_starts_[line - 1]) + 1};
}

absl::StatusOr<int32_t> SourceManager::addFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(strCat(path, ": cannot open file: ", std::strerror(errno)));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(strCat(path, ": cannot read file"));
  return addBuffer(path, std::move(contents).str());
}

int32_t SourceManager::addBuffer(std::string name, std::string text) {
  buffers_.push_back(std::make_unique<SourceBuffer>(std::move(name), std::move(text)));
  return bufferCount() - 1;
}

Location SourceManager::location(int32_t buffer, size_t offset) const {
  auto [line, column] = buffers_[buffer]->lineAndColumn(offset);
  return Location{buffer, line, column};
}

}  // namespace dlc
