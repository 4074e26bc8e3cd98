#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace prefer_text_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.prefer-text";

TEST_CASE("prefer-text warns on varchar(n), at the column name") {
  auto run = run_sql("CREATE TABLE users (\n  id bigint,\n  email varchar(255) NOT NULL\n);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:3"});
  CHECK(found[0].message ==
        "Column users.email is varchar(255): changing the limit later takes an ACCESS EXCLUSIVE lock on "
        "users, and "
        "lowering it rewrites users.");
  CHECK(found[0].help ==
        "Declare it as text with CHECK (length(email) <= 255), which can later be swapped without a rewrite "
        "(ADD "
        "the new CHECK NOT VALID, then VALIDATE).");
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
}

TEST_CASE("prefer-text covers character varying in ADD COLUMN and ALTER COLUMN TYPE") {
  auto run =
      run_sql("ALTER TABLE users ADD COLUMN nick character varying(40), ALTER COLUMN name TYPE varchar(80);");
  CHECK(run.of(kGate).size() == 2);
}

TEST_CASE("prefer-text is silent for text, plain varchar and char(n)") {
  auto run = run_sql(
      "CREATE TABLE t (a text, b varchar, c char(2), d text CHECK (length(d) <= 10));\n"
      "SELECT CAST(x AS varchar(10)) FROM t;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("prefer-text can be suppressed with a reason") {
  auto run =
      run_sql("-- schemagate:ignore lint.prefer-text ISO code\nCREATE TABLE currencies (code varchar(3));\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace prefer_text_test
