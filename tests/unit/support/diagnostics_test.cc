#include "support/diagnostics.h"

#include <sstream>

#include "gtest/gtest.h"

namespace dlc {
namespace {

TEST(SourceBuffer, LinesAndColumns) {
  SourceBuffer b("f.dl", "ab\ncd\r\n\nlast");
  EXPECT_EQ(b.lineCount(), 4);
  EXPECT_EQ(b.lineText(1), "ab");
  EXPECT_EQ(b.lineText(2), "cd");
  EXPECT_EQ(b.lineText(3), "");
  EXPECT_EQ(b.lineText(4), "last");
  EXPECT_EQ(b.lineText(5), "");
  EXPECT_EQ(b.lineAndColumn(4), std::make_pair(2, 2));
  EXPECT_EQ(b.lineAndColumn(8), std::make_pair(4, 1));
}

TEST(Diagnostics, RendersLocationLineAndCaret) {
  SourceManager sm;
  int32_t id = sm.addBuffer("m.dl", "model m(x: f32[2]) {\n  dense2(10)\n}\n");
  DiagnosticEngine diags(sm);
  diags.error(sm.location(id, 23), "unknown op 'dense2'");
  ASSERT_TRUE(diags.hadError());
  EXPECT_EQ(diags.render(diags.diagnostics()[0]), "m.dl:2:3: error: unknown op 'dense2'\n  dense2(10)\n  ^\n");
}

TEST(Diagnostics, LongLinesAreCutAroundTheCaret) {
  SourceManager sm;
  std::string line(200000, 'a');
  int32_t id = sm.addBuffer("long.dl", line);
  DiagnosticEngine diags(sm);
  diags.error(sm.location(id, 150000), "identifier too long");
  std::string text = diags.render(diags.diagnostics()[0]);
  EXPECT_LT(text.size(), 500u);
  EXPECT_NE(text.find("long.dl:1:150001: error"), std::string::npos);
}

TEST(Diagnostics, ControlBytesAreNotEchoed) {
  SourceManager sm;
  int32_t id = sm.addBuffer("bin", std::string("\x01\x1b[31m\xff", 7));
  DiagnosticEngine diags(sm);
  diags.error(sm.location(id, 0), "unexpected character");
  std::string text = diags.render(diags.diagnostics()[0]);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(Diagnostics, VerifyMatchesAnnotations) {
  SourceManager sm;
  int32_t id = sm.addBuffer("v.dl",
                            "# expected-error @+1 {{unknown op}}\n"
                            "dense2(10)\n"
                            "x # expected-note {{defined here}}\n");
  DiagnosticEngine diags(sm);
  diags.error(sm.location(id, 36), "unknown op 'dense2'");
  diags.note(sm.location(id, 47), "x defined here");
  std::ostringstream out;
  EXPECT_TRUE(diags.verify(out)) << out.str();
}

TEST(Diagnostics, VerifyReportsMissingAndUnexpected) {
  SourceManager sm;
  int32_t id = sm.addBuffer("v.dl", "# expected-error @+1 {{never produced}}\nline2\n");
  DiagnosticEngine diags(sm);
  diags.error(sm.location(id, 0), "surprise");
  std::ostringstream out;
  EXPECT_FALSE(diags.verify(out));
  EXPECT_NE(out.str().find("was not produced: never produced"), std::string::npos);
  EXPECT_NE(out.str().find("unexpected v.dl:1:1: error: surprise"), std::string::npos);
}

}  // namespace
}  // namespace dlc
