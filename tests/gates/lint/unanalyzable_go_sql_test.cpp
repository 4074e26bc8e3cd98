#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace unanalyzable_go_sql_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;

static const std::string kGate = "lint.unanalyzable-go-sql";

namespace {

std::string migration(const std::string& up_body) {
  return "package migrations\n"
         "\n"
         "func init() { goose.AddMigration(upNotes, downNotes) }\n"
         "\n"
         "func upNotes(tx *sql.Tx) error {\n" +
         up_body +
         "\treturn nil\n"
         "}\n"
         "\n"
         "func downNotes(tx *sql.Tx) error {\n"
         "\t_, err := tx.Exec(`ALTER TABLE orders DROP COLUMN IF EXISTS note`)\n"
         "\treturn err\n"
         "}\n";
}

}  // namespace

TEST_CASE("unanalyzable-go-sql reports SQL built at run time, at the call") {
  auto run = run_files(
      {{"00007_notes.go", migration("\tfor _, t := range tables {\n"
                                    "\t\ttx.Exec(fmt.Sprintf(\"ALTER TABLE %s ADD note text\", t))\n"
                                    "\t}\n"
                                    "\t_, err := tx.Exec(query)\n")}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(run.positions(kGate) == std::vector<std::string>{"7:3", "9:12"});
  CHECK(found[0].location.source == "00007_notes.go");
  CHECK(found[0].message ==
        "tx.Exec in upNotes runs SQL that no gate can check: its SQL is built at run time with fmt.Sprintf.");
  CHECK(
      found[0].help ==
      "Pass the SQL as a string literal or constant with values as parameters ($1, $2), or review it and put "
      "// schemagate:ignore lint.unanalyzable-go-sql <reason> above the call.");
  CHECK(found[1].message ==
        "tx.Exec in upNotes runs SQL that no gate can check: its SQL comes from query, a value known only at "
        "run "
        "time.");
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
}

TEST_CASE("unanalyzable-go-sql is silent for literals, concatenated literals and constants") {
  auto run = run_files(
      {{"00007_notes.go",
        "const note = \"note\"\n" +
            migration("\t_, err := tx.Exec(`ALTER TABLE orders ` + \"ADD COLUMN \" + note + \" text\")\n"
                      "\tif err != nil {\n\t\treturn err\n\t}\n")}});
  CHECK(run.of(kGate).empty());
  REQUIRE(run.set->migrations.size() == 1);
  REQUIRE(run.set->migrations[0].up);
  CHECK(run.set->migrations[0].up->statements.size() == 1);
}

TEST_CASE("unanalyzable-go-sql ignores SQL files and Go files that register no migration") {
  auto run = run_files({{"helpers.go", "package migrations\nfunc run(tx *sql.Tx, q string) { tx.Exec(q) }\n"},
                        {"00001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 1;\n"}});
  CHECK(run.of(kGate).empty());
}

TEST_CASE("unanalyzable-go-sql can be suppressed with a Go comment and a reason") {
  auto run = run_files(
      {{"00007_notes.go",
        migration("\t// schemagate:ignore lint.unanalyzable-go-sql table names come from a fixed list\n"
                  "\ttx.Exec(fmt.Sprintf(\"ANALYZE %s\", t))\n"
                  "\ttx.Exec(q) // schemagate:ignore lint.unanalyzable-go-sql built from constants\n")}});
  CHECK(run.of(kGate).empty());
  // The same comment form suppresses other gates on a call with literal SQL.
  auto lint =
      run_files({{"00007_notes.go",
                  migration("\t// schemagate:ignore lint.require-concurrent-index orders holds 12 rows\n"
                            "\ttx.Exec(\"CREATE INDEX orders_note_idx ON orders (note)\")\n")}});
  CHECK(lint.of("lint.require-concurrent-index").empty());
  CHECK(lint.of("lint.unused-suppression").empty());
}

TEST_CASE("unanalyzable-go-sql severity follows the policy") {
  schemagate::testing::RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.unanalyzable-go-sql: error\n";
  auto run = run_files({{"00007_notes.go", migration("\ttx.Exec(q)\n")}}, opts);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].severity == schemagate::gates::Severity::kError);
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

}  // namespace unanalyzable_go_sql_test
