#include "frontend/parser.h"

#include <string>
#include <vector>

#include "frontend_test_util.h"
#include "gtest/gtest.h"

namespace dlc::frontend {
namespace {

using testing::parse;
using Messages = std::vector<std::string>;

// Wraps statements in a model so that tests can focus on the body.
std::string inModel(const std::string& body) { return "model m(x: f32[batch, 8]) {\n" + body + "\n}\n"; }

TEST(Parser, EmptyFile) {
  auto p = parse("");
  EXPECT_FALSE(p->diags.hadError());
  EXPECT_TRUE(p->program->items.empty());
  auto q = parse("# nothing but a comment\n\n;\n");
  EXPECT_FALSE(q->diags.hadError());
}

TEST(Parser, SpecExample) {
  auto p = parse(R"(# Comments run from '#' to the end of the line.
import "vgg16.dl"                      # models of that file become usable by name

model mnist_cnn(x: f32[batch, 28, 28, 1]) {
  conv2d(32, kernel=3, activation=relu)
  maxpool2d(2)
  flatten()
  dense(10, activation=softmax)
}

train mnist_cnn {
  loss = categorical_crossentropy
  optimizer = adam(learning_rate=0.001)
  metrics = [accuracy]
  batch_size = 64
}
)");
  EXPECT_EQ(p->messages(), Messages{});
  ASSERT_EQ(p->program->items.size(), 3u);
  const auto* import = p->program->items[0]->as<ast::Import>();
  ASSERT_NE(import, nullptr);
  EXPECT_EQ(import->path, "vgg16.dl");
  EXPECT_EQ(import->path_loc, (Location{0, 2, 8}));

  const auto* model = p->program->items[1]->as<ast::Model>();
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->name, "mnist_cnn");
  EXPECT_EQ(model->loc, (Location{0, 4, 1}));
  EXPECT_EQ(model->name_loc, (Location{0, 4, 7}));
  ASSERT_EQ(model->inputs.size(), 1u);
  const ast::TypeExpr& type = model->inputs[0].type;
  EXPECT_EQ(model->inputs[0].name, "x");
  EXPECT_EQ(type.dtype, "f32");
  ASSERT_EQ(type.dims.size(), 4u);
  EXPECT_TRUE(type.dims[0].isSymbolic());
  EXPECT_EQ(type.dims[0].symbol, "batch");
  EXPECT_EQ(type.dims[1].size, 28);
  EXPECT_EQ(type.dims[3].size, 1);
  ASSERT_EQ(model->body.size(), 4u);

  const auto* stmt = model->body[0]->as<ast::ExprStmt>();
  ASSERT_NE(stmt, nullptr);
  const auto* call = stmt->expr->as<ast::CallExpr>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->callee, "conv2d");
  EXPECT_EQ(call->loc, (Location{0, 5, 3}));
  ASSERT_EQ(call->args.size(), 1u);
  EXPECT_EQ(call->args[0]->as<ast::NumberExpr>()->int_value, 32);
  ASSERT_EQ(call->kwargs.size(), 2u);
  EXPECT_EQ(call->kwargs[0].name, "kernel");
  EXPECT_EQ(call->kwargs[0].loc, (Location{0, 5, 14}));
  EXPECT_EQ(call->kwargs[1].value->as<ast::NameExpr>()->name, "relu");

  const auto* train = p->program->items[2]->as<ast::Train>();
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->model, "mnist_cnn");
  ASSERT_EQ(train->entries.size(), 4u);
  EXPECT_EQ(train->entries[0].key, "loss");
  const auto* adam = train->entries[1].value->as<ast::CallExpr>();
  ASSERT_NE(adam, nullptr);
  EXPECT_EQ(adam->kwargs[0].name, "learning_rate");
  const auto* lr = adam->kwargs[0].value->as<ast::NumberExpr>();
  EXPECT_FALSE(lr->is_integer);
  EXPECT_EQ(lr->text, "0.001");
  EXPECT_DOUBLE_EQ(lr->float_value, 0.001);
  const auto* metrics = train->entries[2].value->as<ast::ListExpr>();
  ASSERT_NE(metrics, nullptr);
  ASSERT_EQ(metrics->elements.size(), 1u);
  EXPECT_EQ(metrics->elements[0]->as<ast::NameExpr>()->name, "accuracy");
}

TEST(Parser, Precedence) {
  // @ binds tightest, then * /, then + -; all left-associative.
  auto p = parse(inModel("y = a + b * c @ d - e / f\nz = a - b - c\nw = a @ b @ c * d"));
  EXPECT_EQ(p->messages(), Messages{});
  EXPECT_EQ(p->ast(), R"(model m(x: f32[batch, 8]) @1:1
  assign y = binary - @2:19
    binary + @2:7
      a @2:5
      binary * @2:11
        b @2:9
        binary @ @2:15
          c @2:13
          d @2:17
    binary / @2:23
      e @2:21
      f @2:25
  assign z = binary - @3:11
    binary - @3:7
      a @3:5
      b @3:9
    c @3:13
  assign w = binary * @4:15
    binary @ @4:11
      binary @ @4:7
        a @4:5
        b @4:9
      c @4:13
    d @4:17
)");
}

TEST(Parser, UnaryMinusAndParens) {
  auto p = parse(inModel("y = -a * (b + c) @ --d\nz = concat(a, b, axis=-1)"));
  EXPECT_EQ(p->messages(), Messages{});
  EXPECT_EQ(p->ast(), R"(model m(x: f32[batch, 8]) @1:1
  assign y = binary * @2:8
    neg @2:5
      a @2:6
    binary @ @2:18
      paren @2:10
        binary + @2:13
          b @2:11
          c @2:15
      neg @2:20
        neg @2:21
          d @2:22
  assign z = call concat @3:5
    arg a @3:12
    arg b @3:15
    kwarg axis = neg @3:23
      1 @3:24
)");
}

TEST(Parser, SequentialAssignmentAndReturn) {
  auto p =
      parse(inModel("dense(64)\nrelu\nh = dense(x, 64, activation=relu)\ny = add(h, x); dropout(0.5)\n"
                    "return y, h"));
  EXPECT_EQ(p->messages(), Messages{});
  const auto* model = p->program->items[0]->as<ast::Model>();
  ASSERT_EQ(model->body.size(), 6u);
  EXPECT_EQ(model->body[0]->kind, ast::StmtKind::kExpr);
  const auto* bare = model->body[1]->as<ast::ExprStmt>();
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->expr->as<ast::NameExpr>()->name, "relu");
  const auto* assign = model->body[2]->as<ast::AssignStmt>();
  ASSERT_NE(assign, nullptr);
  EXPECT_EQ(assign->name, "h");
  EXPECT_EQ(assign->loc, (Location{0, 4, 1}));
  EXPECT_EQ(assign->value->as<ast::CallExpr>()->args.size(), 2u);
  EXPECT_EQ(model->body[3]->kind, ast::StmtKind::kAssign);
  EXPECT_EQ(model->body[4]->kind, ast::StmtKind::kExpr);
  const auto* ret = model->body[5]->as<ast::ReturnStmt>();
  ASSERT_NE(ret, nullptr);
  ASSERT_EQ(ret->values.size(), 2u);
  EXPECT_EQ(ret->values[1]->as<ast::NameExpr>()->name, "h");
}

TEST(Parser, ValuesOfEveryKind) {
  auto p =
      parse(inModel("conv2d(8, 3, padding=same, use_bias=false, trainable=true, name=\"c\\\"1\", strides=[1, 2], "
                    "k=2.5E3)\nreshape([-1, batch,])\nreshape(\n  shape=[4,\n   2],\n)"));
  EXPECT_EQ(p->messages(), Messages{});
  EXPECT_EQ(p->ast(), R"(model m(x: f32[batch, 8]) @1:1
  call conv2d @2:1
    arg 8 @2:8
    arg 3 @2:11
    kwarg padding = same @2:22
    kwarg use_bias = false @2:37
    kwarg trainable = true @2:54
    kwarg name = "c\"1" @2:65
    kwarg strides = list @2:81
      1 @2:82
      2 @2:85
    kwarg k = 2.5E3 @2:91
  call reshape @3:1
    arg list @3:9
      neg @3:10
        1 @3:11
      batch @3:14
  call reshape @4:1
    kwarg shape = list @5:9
      4 @5:10
      2 @6:4
)");
}

TEST(Parser, MultipleInputsAndSemicolons) {
  auto p = parse(
      "model two(a: f16[batch, 4], b: i32[batch],) { y = a; return y };"
      "model s(x: bool[]) { relu }");
  EXPECT_EQ(p->messages(), Messages{});
  ASSERT_EQ(p->program->items.size(), 2u);
  const auto* two = p->program->items[0]->as<ast::Model>();
  ASSERT_EQ(two->inputs.size(), 2u);
  EXPECT_EQ(two->inputs[1].type.dtype, "i32");
  EXPECT_EQ(two->body.size(), 2u);
  EXPECT_TRUE(p->program->items[1]->as<ast::Model>()->inputs[0].type.dims.empty());
}

TEST(Parser, NewlineEndsStatementOutsideBrackets) {
  // `- b` on its own line is not a continuation of `y = a`.
  auto p = parse(inModel("y = a\n- b"));
  EXPECT_EQ(p->messages(), (Messages{"3:1: error: expected statement (a call, an assignment or 'return'), found '-'"}));
  // An operator at the end of a line continues onto the next.
  auto q = parse(inModel("y = a +\n  b"));
  EXPECT_EQ(q->messages(), Messages{});
}

TEST(Parser, StatementErrors) {
  auto p = parse(inModel("dense(64) relu\nx + y\nreturn\n3\ndense(units=3, 4)"));
  EXPECT_EQ(p->messages(), (Messages{
                               "2:11: error: expected newline or ';' after statement, found identifier 'relu'",
                               "3:1: error: a statement must be a call, an assignment or 'return'",
                               "4:1: error: expected a value after 'return'",
                               "5:1: error: expected statement (a call, an assignment or 'return'), found integer '3'",
                               "6:16: error: positional argument after keyword argument",
                           }));
}

TEST(Parser, KeywordInsideStatementDoesNotEndTheModel) {
  auto p = parse(inModel("dense(64, model=3)\nrelu"));
  EXPECT_EQ(p->messages(), (Messages{"2:11: error: expected expression, found 'model'"}));
  EXPECT_EQ(p->program->items[0]->as<ast::Model>()->body.size(), 1u);
}

TEST(Parser, HeaderErrors) {
  auto p = parse(
      "model a() { relu }\n"
      "model b(x: f32[0, -1]) { relu }\n"
      "model c(x f32[1]) { relu }\n"
      "model d(x: f32[1] { relu }\n"
      "model (x: f32[1]) {}\n"
      "train { loss = mse }\n"
      "import model\n"
      "foo bar\n");
  EXPECT_EQ(p->messages(), (Messages{
                               "1:9: error: model 'a' needs at least one input",
                               "2:16: error: dimension must be a positive integer or a name",
                               "2:19: error: expected dimension (a positive integer or a name), found '-'",
                               "3:11: error: expected ':' and a type after input 'x', found identifier 'f32'",
                               "4:19: error: expected ',' or ')' after model input, found '{'",
                               "4:8: note: to match this '('",
                               "5:7: error: expected model name, found '('",
                               "6:7: error: expected model name after 'train', found '{'",
                               "7:8: error: expected a file name in quotes after 'import', found 'model'",
                               // `model` starts an item; its name may follow on the next line.
                               "8:5: error: expected '(' after model name, found identifier 'bar'",
                           }));
}

TEST(Parser, RecoveryReportsSeveralErrors) {
  auto p = parse(R"(model m(x: f32[batch, 8]) {
  dense(64, $)
  conv2d(3,
         4 5)
  relu
  h = (a + )
  dense(10)
}
model n(x: f32[1]) { relu }
train m {
  loss = = mse
  epochs = 5
  metrics = [accuracy
}
)");
  EXPECT_EQ(p->messages(), (Messages{
                               "2:13: error: unexpected character '$'",
                               "4:12: error: expected ',' or ')' in argument list, found integer '5'",
                               "3:9: note: to match this '('",
                               "6:12: error: expected expression, found ')'",
                               "11:10: error: expected expression, found '='",
                               "14:1: error: expected ',' or ']' in list, found '}'",
                               "13:13: note: to match this '['",
                           }));
  // Statements around the errors survive.
  ASSERT_EQ(p->program->items.size(), 3u);
  const auto* m = p->program->items[0]->as<ast::Model>();
  ASSERT_EQ(m->body.size(), 2u);  // relu, dense(10)
  EXPECT_EQ(m->body[1]->as<ast::ExprStmt>()->expr->as<ast::CallExpr>()->callee, "dense");
  const auto* train = p->program->items[2]->as<ast::Train>();
  ASSERT_EQ(train->entries.size(), 1u);
  EXPECT_EQ(train->entries[0].key, "epochs");
}

TEST(Parser, UnclosedModelBody) {
  auto p = parse("model m(x: f32[1]) {\n  relu\nmodel n(x: f32[1]) { relu }\n");
  EXPECT_EQ(p->messages(),
            (Messages{"3:1: error: expected '}' to end model 'm', found 'model'", "1:20: note: to match this '{'"}));
  EXPECT_EQ(p->program->items.size(), 2u);
  auto q = parse("train m {\n  loss = mse\n");
  EXPECT_EQ(q->messages(), (Messages{"3:1: error: expected '}' to end train block, found end of file",
                                     "1:9: note: to match this '{'"}));
}

TEST(Parser, DuplicateModel) {
  auto p = parse("model a(x: f32[1]) { relu }\nmodel b(x: f32[1]) { relu }\nmodel a(y: f32[2]) { relu }\n");
  EXPECT_EQ(p->messages(), (Messages{"3:7: error: duplicate model 'a'", "1:7: note: first defined here"}));
}

TEST(Parser, TooManyErrors) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "$\n";
  ParseOptions options;
  options.max_errors = 10;
  auto p = parse(text, options);
  EXPECT_EQ(p->diags.errorCount(), 11);
  EXPECT_EQ(p->messages().back(), "11:1: error: too many errors, stopping");
}

}  // namespace
}  // namespace dlc::frontend
