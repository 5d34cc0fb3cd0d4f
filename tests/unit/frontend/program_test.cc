// parseProgram: imports across files on disk.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "frontend/ast_printer.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "support/diagnostics.h"

namespace dlc::frontend {
namespace {

namespace fs = std::filesystem;
using Messages = std::vector<std::string>;

class ProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / "dlc_frontend_program_test" / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }

  std::unique_ptr<ast::Program> load(const std::string& name) {
    return parseProgram(sources_, diags_, (dir_ / name).string());
  }

  // "FILE:LINE:COL: error: message", FILE relative to the test directory.
  Messages messages() const {
    Messages out;
    for (const Diagnostic& d : diags_.diagnostics()) {
      std::string file = d.location.valid()
                             ? fs::path(sources_.buffer(d.location.buffer).name()).lexically_relative(dir_).string()
                             : "-";
      out.push_back(file + ":" + std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
                    (d.severity == Severity::kNote ? "note: " : "error: ") + d.message);
    }
    return out;
  }

  std::vector<std::string> modelNames(const ast::Program& program) const {
    std::vector<std::string> out;
    for (const ast::ItemPtr& item : program.items)
      if (const auto* model = item->as<ast::Model>()) out.push_back(model->name);
    return out;
  }

  fs::path dir_;
  SourceManager sources_;
  DiagnosticEngine diags_{sources_};
};

TEST_F(ProgramTest, FollowsImportsRelativeToTheImporter) {
  write("main.dl", "import \"lib/base.dl\"\nmodel top(x: f32[1]) { base() }\n");
  write("lib/base.dl", "import \"inner.dl\"\nmodel base(x: f32[1]) { inner() }\n");
  write("lib/inner.dl", "model inner(x: f32[1]) { relu }\n");
  auto program = load("main.dl");
  EXPECT_EQ(messages(), Messages{});
  // Imported files first, each model remembering its file.
  EXPECT_EQ(modelNames(*program), (std::vector<std::string>{"inner", "base", "top"}));
  std::vector<std::string> files;
  for (const ast::ItemPtr& item : program->items)
    if (item->kind == ast::ItemKind::kModel)
      files.push_back(fs::path(sources_.buffer(item->loc.buffer).name()).filename().string());
  EXPECT_EQ(files, (std::vector<std::string>{"inner.dl", "base.dl", "main.dl"}));
  const auto* import = program->items.back()->kind == ast::ItemKind::kModel
                           ? program->items[program->items.size() - 2]->as<ast::Import>()
                           : nullptr;
  ASSERT_NE(import, nullptr);
  EXPECT_EQ(fs::path(sources_.buffer(import->buffer).name()).filename(), "base.dl");
}

TEST_F(ProgramTest, DiamondImportLoadsOnce) {
  write("main.dl", "import \"a.dl\"\nimport \"b.dl\"\n");
  write("a.dl", "import \"common.dl\"\nmodel a(x: f32[1]) { c() }\n");
  write("b.dl", "import \"./common.dl\"\nmodel b(x: f32[1]) { c() }\n");
  write("common.dl", "model c(x: f32[1]) { relu }\n");
  auto program = load("main.dl");
  EXPECT_EQ(messages(), Messages{});
  EXPECT_EQ(modelNames(*program), (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(sources_.bufferCount(), 4);
}

TEST_F(ProgramTest, ImportCycle) {
  write("a.dl", "import \"b.dl\"\nmodel a(x: f32[1]) { relu }\n");
  write("b.dl", "\nimport \"c.dl\"\n");
  write("c.dl", "import \"a.dl\"\n");
  load("a.dl");
  EXPECT_EQ(messages(),
            (Messages{"c.dl:1:8: error: import cycle: 'a.dl' is already being imported",
                      "a.dl:1:8: note: 'b.dl' is imported here", "b.dl:2:8: note: 'c.dl' is imported here"}));
}

TEST_F(ProgramTest, SelfImport) {
  write("a.dl", "import \"a.dl\"\n");
  load("a.dl");
  EXPECT_EQ(messages(), (Messages{"a.dl:1:8: error: import cycle: 'a.dl' is already being imported"}));
}

TEST_F(ProgramTest, MissingImportAndMissingRoot) {
  write("main.dl", "model m(x: f32[1]) { relu }\nimport \"nope.dl\"\nimport \"sub\"\n");
  fs::create_directories(dir_ / "sub");
  auto program = load("main.dl");
  EXPECT_EQ(messages(), (Messages{"main.dl:2:8: error: cannot import 'nope.dl': no such file",
                                  "main.dl:3:8: error: cannot import 'sub': not a regular file"}));
  EXPECT_EQ(modelNames(*program), (std::vector<std::string>{"m"}));

  SourceManager sources;
  DiagnosticEngine diags(sources);
  auto empty = parseProgram(sources, diags, (dir_ / "absent.dl").string());
  ASSERT_NE(empty, nullptr);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_FALSE(diags.diagnostics()[0].location.valid());
  EXPECT_EQ(diags.diagnostics()[0].message, "cannot open '" + (dir_ / "absent.dl").string() + "': no such file");
}

TEST_F(ProgramTest, DuplicateModelAcrossFiles) {
  write("main.dl", "import \"lib.dl\"\n\nmodel m(x: f32[1]) { relu }\n");
  write("lib.dl", "model m(x: f32[2]) { relu }\n");
  load("main.dl");
  EXPECT_EQ(messages(), (Messages{"main.dl:3:7: error: duplicate model 'm'", "lib.dl:1:7: note: first defined here"}));
}

TEST_F(ProgramTest, SyntaxErrorsInImportedFiles) {
  write("main.dl", "import \"lib.dl\"\nmodel m(x: f32[1]) { relu $ }\n");
  write("lib.dl", "model l(x: f32[1]) { dense( }\n");
  load("main.dl");
  // A file is parsed whole before its imports are followed.
  EXPECT_EQ(messages(), (Messages{"main.dl:2:27: error: unexpected character '$'",
                                  "lib.dl:1:29: error: expected expression, found '}'"}));
}

TEST_F(ProgramTest, PrintsFileHeaders) {
  write("main.dl", "import \"lib.dl\"\nmodel m(x: f32[1]) { l() }\n");
  write("lib.dl", "model l(x: f32[1]) { relu }\n");
  auto program = load("main.dl");
  std::ostringstream out;
  printAst(*program, sources_, out);
  std::string lib = (dir_ / "lib.dl").string();
  std::string main = (dir_ / "main.dl").string();
  EXPECT_EQ(out.str(), "file \"" + lib + "\"\nmodel l(x: f32[1]) @1:1\n  relu @1:22\nfile \"" + main +
                           "\"\nimport \"lib.dl\" @1:1\nmodel m(x: f32[1]) @2:1\n  call l @2:22\n");
}

}  // namespace
}  // namespace dlc::frontend
