#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_column_type_change_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::gates::Severity;
using schemagate::testing::run_files;
using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.ban-column-type-change";

// The column's history lives in an earlier migration; the change under review in the next one.
static schemagate::testing::Run change(const std::string& old_type, const std::string& new_type,
                                       const RunOptions& opts = {}) {
  return run_files(
      {{"001_create.up.sql", "CREATE TABLE orders (id bigint, amount " + old_type + ");"},
       {"002_change.up.sql",
        "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN amount TYPE " + new_type + ";"}},
      opts);
}

TEST_CASE("ban-column-type-change fires on a rewriting change and names both types") {
  auto run = change("int", "bigint");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].severity == Severity::kError);
  CHECK(found[0].message ==
        "Changing orders.amount from integer to bigint rewrites orders and its indexes under an ACCESS "
        "EXCLUSIVE "
        "lock on orders, which blocks all reads and writes until the rewrite ends.");
  CHECK(found[0].help ==
        "Add a new bigint column, keep it in sync with a trigger, backfill it in batches, then switch to it "
        "and "
        "drop amount.");
  REQUIRE(found[0].steps.size() == 4);
  CHECK(found[0].steps[0] == "ALTER TABLE orders ADD COLUMN amount_new bigint;");
}

TEST_CASE("ban-column-type-change is silent for binary-coercible changes") {
  CHECK(change("varchar(20)", "varchar(40)").of(kGate).empty());
  CHECK(change("varchar(20)", "text").of(kGate).empty());
  CHECK(change("varchar(20)", "varchar").of(kGate).empty());
  CHECK(change("text", "varchar").of(kGate).empty());
  CHECK(change("numeric(10,2)", "numeric(12,2)").of(kGate).empty());
  CHECK(change("numeric(10,2)", "numeric").of(kGate).empty());
  CHECK(change("bit varying(8)", "bit varying(16)").of(kGate).empty());
  CHECK(change("cidr", "inet").of(kGate).empty());
}

TEST_CASE("ban-column-type-change fires when the new type constrains the old one") {
  CHECK(change("varchar(40)", "varchar(20)").of(kGate).size() == 1);
  CHECK(change("text", "varchar(20)").of(kGate).size() == 1);
  CHECK(change("numeric(10,2)", "numeric(12,3)").of(kGate).size() == 1);
  CHECK(change("numeric", "numeric(12,2)").of(kGate).size() == 1);
  CHECK(change("inet", "cidr").of(kGate).size() == 1);
  CHECK(change("varchar(20)[]", "varchar(40)[]").of(kGate).size() == 1);
}

TEST_CASE("ban-column-type-change always reports USING and COLLATE") {
  auto found = change("varchar(20)", "text USING amount || ''").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "Changing orders.amount from varchar(20) to text with USING rewrites orders and its indexes under an "
        "ACCESS EXCLUSIVE lock on orders, which blocks all reads and writes until the rewrite ends.");
  CHECK(change("text", "text COLLATE \"C\"").of(kGate).size() == 1);
}

TEST_CASE("ban-column-type-change follows the column through later migrations, renames and earlier changes") {
  auto run = run_files({{"001_create.up.sql", "CREATE TABLE orders (id bigint);"},
                        {"002_add.up.sql", "ALTER TABLE orders ADD COLUMN total varchar(10);"},
                        {"003_widen.up.sql", "ALTER TABLE orders ALTER COLUMN total TYPE varchar(30);"},
                        {"010_rename.up.sql", "ALTER TABLE orders RENAME COLUMN total TO sum;"},
                        {"011_shrink.up.sql", "ALTER TABLE orders ALTER COLUMN sum TYPE varchar(20);"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "011_shrink.up.sql");
  CHECK(found[0].message.rfind("Changing orders.sum from varchar(30) to varchar(20) rewrites", 0) == 0);
}

TEST_CASE("ban-column-type-change warns that a change to text may rewrite when the old type is unknown") {
  auto run = run_sql("ALTER TABLE orders ALTER COLUMN note TYPE text;");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == Severity::kWarning);
  CHECK(found[0].message ==
        "Changing orders.note to text may rewrite orders and its indexes (no earlier migration shows the old "
        "type "
        "of note) under an ACCESS EXCLUSIVE lock on orders, which blocks all reads and writes until the "
        "rewrite "
        "ends.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kAllow);
  // Other changes from an unknown type are rewrites at full severity.
  auto other = run_sql("ALTER TABLE orders ALTER COLUMN note TYPE bigint;").of(kGate);
  REQUIRE(other.size() == 1);
  CHECK(other[0].severity == Severity::kError);
}

TEST_CASE(
    "ban-column-type-change warns that widening to varchar(m) may rewrite when the old type is unknown") {
  auto found = run_sql("ALTER TABLE logs ALTER COLUMN task_id TYPE varchar(256);").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == Severity::kWarning);
  CHECK(found[0].help.rfind(
            "If task_id is a shorter varchar this is free and can be suppressed; otherwise add", 0) == 0);
  // Known from an earlier migration: a shorter varchar is silent, a longer one rewrites.
  CHECK(run_files({{"001_logs.up.sql", "CREATE TABLE logs (task_id varchar(150));"},
                   {"002_widen.up.sql", "ALTER TABLE logs ALTER COLUMN task_id TYPE varchar(256);"}})
            .of(kGate)
            .empty());
  auto narrowed =
      run_files({{"001_logs.up.sql", "CREATE TABLE logs (task_id varchar(300));"},
                 {"002_narrow.up.sql", "ALTER TABLE logs ALTER COLUMN task_id TYPE varchar(256);"}})
          .of(kGate);
  REQUIRE(narrowed.size() == 1);
  CHECK(narrowed[0].severity == Severity::kError);
}

TEST_CASE(
    "ban-column-type-change treats timestamp to timestamptz as free only with a UTC session on PG 12+") {
  CHECK(change("timestamp", "timestamptz").of(kGate).size() == 1);
  RunOptions utc;
  utc.session_settings = {{"TimeZone", "UTC"}};
  CHECK(change("timestamp", "timestamptz", utc).of(kGate).empty());
  utc.pg_major = 11;
  CHECK(change("timestamp", "timestamptz", utc).of(kGate).size() == 1);
  auto set_in_script = run_files(
      {{"001_create.up.sql", "CREATE TABLE orders (at timestamp);"},
       {"002_change.up.sql", "SET TIME ZONE 'UTC';\nALTER TABLE orders ALTER COLUMN at TYPE timestamptz;"}});
  CHECK(set_in_script.of(kGate).empty());
}

TEST_CASE("ban-column-type-change ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE invoices (amount int);\n"
      "ALTER TABLE invoices ALTER COLUMN amount TYPE bigint;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-column-type-change severity follows the policy, and a may-rewrite stays one level milder") {
  RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.ban-column-type-change: info\n";
  auto found = run_sql("ALTER TABLE orders ALTER COLUMN note TYPE text;", opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == Severity::kInfo);
}

TEST_CASE("ban-column-type-change can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-column-type-change note was created as varchar outside these "
      "migrations\n"
      "ALTER TABLE orders ALTER COLUMN note TYPE text;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_column_type_change_test
