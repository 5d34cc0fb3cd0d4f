// parseProgram: follows imports depth-first, each file once, and gathers the
// items of every file into one Program (imported files first). Also the
// duplicate-model check shared with parseFile.
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "frontend/parse_internal.h"
#include "frontend/token.h"

namespace dlc::frontend {
namespace {

namespace fs = std::filesystem;

class ProgramLoader {
 public:
  ProgramLoader(SourceManager& sources, ErrorBudget& budget, const ParseOptions& options)
      : sources_(sources), budget_(budget), options_(options) {}

  void loadRoot(const std::string& path);
  std::unique_ptr<ast::Program> take() { return std::move(program_); }

 private:
  struct Open {
    int32_t buffer = -1;
    std::string key;
    std::string error;  // why it could not be opened
  };
  // A file in the chain of imports being loaded.
  struct Active {
    std::string key;
    const ast::Import* via;  // the import that led here; null for the root
  };

  // Reads `path` into the SourceManager unless a file with the same key
  // (canonical path) was read already.
  Open open(const fs::path& path);
  // Parses `buffer`, then the files it imports, then appends its items.
  void load(int32_t buffer, const std::string& key, const ast::Import* via);
  void loadImport(ast::Import& import, const std::string& importer);

  SourceManager& sources_;
  ErrorBudget& budget_;
  const ParseOptions& options_;
  std::vector<Active> active_;
  absl::flat_hash_map<std::string, int32_t> loaded_;  // key -> buffer
  std::unique_ptr<ast::Program> program_ = std::make_unique<ast::Program>();
};

ProgramLoader::Open ProgramLoader::open(const fs::path& path) {
  Open result;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    result.error = "no such file";
    return result;
  }
  // Devices and pipes could block or never end.
  if (!fs::is_regular_file(status)) {
    result.error = "not a regular file";
    return result;
  }
  fs::path canonical = fs::weakly_canonical(path, ec);
  result.key = ec ? path.lexically_normal().string() : canonical.string();
  if (auto it = loaded_.find(result.key); it != loaded_.end()) {
    result.buffer = it->second;
    return result;
  }
  absl::StatusOr<int32_t> buffer = sources_.addFile(path.string());
  if (!buffer.ok()) {
    result.error = std::string(buffer.status().message());
    return result;
  }
  result.buffer = *buffer;
  return result;
}

void ProgramLoader::loadRoot(const std::string& path) {
  Open root = open(path);
  if (root.buffer < 0) {
    budget_.error(Location{}, absl::StrCat("cannot open '", path, "': ", root.error));
    return;
  }
  program_->root_buffer = root.buffer;
  load(root.buffer, root.key, nullptr);
}

void ProgramLoader::load(int32_t buffer, const std::string& key, const ast::Import* via) {
  loaded_[key] = buffer;
  active_.push_back({key, via});
  std::unique_ptr<ast::Program> file = parseBuffer(sources_, buffer, budget_, options_);
  for (ast::ItemPtr& item : file->items) {
    if (budget_.stopped()) break;
    if (auto* import = item->as<ast::Import>()) loadImport(*import, sources_.buffer(buffer).name());
  }
  active_.pop_back();
  for (ast::ItemPtr& item : file->items) program_->items.push_back(std::move(item));
}

void ProgramLoader::loadImport(ast::Import& import, const std::string& importer) {
  fs::path path = fs::path(importer).parent_path() / import.path;
  Open target = open(path);
  if (target.buffer < 0) {
    budget_.error(import.path_loc, absl::StrCat("cannot import ", quote(import.path, 256), ": ", target.error));
    return;
  }
  import.buffer = target.buffer;
  for (size_t i = 0; i < active_.size(); ++i) {
    if (active_[i].key != target.key) continue;
    // The chain active_[i..] leads back to a file still being loaded.
    if (budget_.error(import.path_loc,
                      absl::StrCat("import cycle: ", quote(import.path, 256), " is already being imported")))
      for (size_t j = i + 1; j < active_.size(); ++j)
        budget_.note(active_[j].via->path_loc, absl::StrCat(quote(active_[j].via->path, 256), " is imported here"));
    return;
  }
  if (loaded_.contains(target.key)) return;  // already loaded through another import
  if (static_cast<int>(active_.size()) >= options_.max_import_depth) {
    budget_.error(import.path_loc, "imports nested too deeply");
    return;
  }
  load(target.buffer, target.key, &import);
}

}  // namespace

void checkDuplicateModels(const ast::Program& program, ErrorBudget& budget) {
  absl::flat_hash_map<std::string_view, const ast::Model*> first;
  for (const ast::ItemPtr& item : program.items) {
    const auto* model = item->as<ast::Model>();
    if (!model) continue;
    auto [it, inserted] = first.emplace(model->name, model);
    if (inserted) continue;
    if (budget.error(model->name_loc, absl::StrCat("duplicate model ", quote(model->name))))
      budget.note(it->second->name_loc, "first defined here");
  }
}

std::unique_ptr<ast::Program> parseProgram(SourceManager& sources, DiagnosticEngine& diags, const std::string& path,
                                           const ParseOptions& options) {
  ErrorBudget budget(diags, options.max_errors);
  ProgramLoader loader(sources, budget, options);
  loader.loadRoot(path);
  std::unique_ptr<ast::Program> program = loader.take();
  checkDuplicateModels(*program, budget);
  return program;
}

}  // namespace dlc::frontend
