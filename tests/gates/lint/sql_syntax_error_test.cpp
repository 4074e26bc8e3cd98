#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace sql_syntax_error_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.sql-syntax-error";

TEST_CASE("sql-syntax-error reports the exact line and column and keeps analysing the rest") {
  auto run = run_sql(
      "CREATE TABLE a (id int);\n"
      "SELECT * FROM WHERE x = 1;\n"
      "CREATE INDEX a_idx ON orders (id);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:15"});
  CHECK(found[0].message == "PostgreSQL 15 cannot parse this: syntax error at or near \"WHERE\".");
  // The statement after the error is still linted.
  CHECK(run.of("lint.require-concurrent-index").size() == 1);
}

TEST_CASE("sql-syntax-error counts columns in characters, not bytes") {
  auto run = run_sql("COMMENT ON TABLE a IS 'héllo wörld';\nSELECT 'ü' FROM;\n");
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:16"});
}

TEST_CASE("sql-syntax-error is silent on valid SQL, comments and function bodies") {
  auto run = run_sql(
      "-- SELECT FROM WHERE; in a comment is not a statement\n"
      "/* nested /* comment */ SELECT ; */\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("sql-syntax-error reports an unterminated string") {
  auto run = run_sql("SELECT 1;\nSELECT 'oops;\n");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].location.line == 2);
}

TEST_CASE("sql-syntax-error cannot be suppressed away silently: an unused suppression is reported") {
  auto run = run_sql("-- schemagate:ignore lint.sql-syntax-error trust me\nSELEC 1;\n");
  CHECK(run.of(kGate).size() == 1);
  CHECK(run.of("lint.unused-suppression").size() == 1);
}

}  // namespace sql_syntax_error_test
