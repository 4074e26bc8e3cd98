#include <catch2/catch.hpp>

#include "approval_support.hpp"
#include "support/gate_test.hpp"

namespace irreversible_change_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "rollback.irreversible-change";

TEST_CASE("irreversible-change denies DROP TABLE, DROP COLUMN, TRUNCATE and DELETE without WHERE") {
  auto run = run_sql(
      "DROP TABLE legacy_events;\n"
      "ALTER TABLE orders DROP COLUMN note;\n"
      "  TRUNCATE billing.import_rows;\n"
      "DELETE FROM sessions;\n"
      "DELETE FROM sessions WHERE expires_at < now();\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 4);
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1", "2:1", "3:3", "4:1"});
  CHECK(found[0].message ==
        "DROP TABLE deletes legacy_events and every row in it: no down migration can bring them back.");
  CHECK(found[0].help ==
        "Copy the data first (CREATE TABLE legacy_events_backup AS TABLE legacy_events, or pg_dump -t "
        "legacy_events), then approve the loss with schemagate.io/approve: \"rollback.irreversible-change: "
        "<reason>\".");
  CHECK(found[1].message ==
        "DROP COLUMN deletes every value of orders.note: no down migration can bring them back.");
  CHECK(found[1].help ==
        "Copy the column first (CREATE TABLE orders_note_backup AS SELECT <primary key>, note FROM orders), "
        "then "
        "approve the loss with schemagate.io/approve: \"rollback.irreversible-change: <reason>\".");
  CHECK(found[2].message ==
        "TRUNCATE deletes every row of billing.import_rows: no down migration can bring them back.");
  CHECK(found[3].message ==
        "DELETE without WHERE deletes every row of sessions: no down migration can bring them back.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("irreversible-change denies narrowing type changes, with the old type from earlier migrations") {
  auto run = run_files({
      {"1_orders.up.sql",
       "CREATE TABLE orders (id bigserial, amount numeric(12,2), note text, code varchar(40), qty bigint, "
       "at timestamptz);"},
      {"1_orders.down.sql", "DROP TABLE orders;"},
      {"2_narrow.up.sql",
       "ALTER TABLE orders ALTER COLUMN id TYPE integer;\n"
       "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,0);\n"
       "ALTER TABLE orders ALTER COLUMN note TYPE varchar(200);\n"
       "ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);\n"
       "ALTER TABLE orders ALTER COLUMN at TYPE timestamptz(0);\n"
       "ALTER TABLE orders ALTER COLUMN qty TYPE numeric;\n"
       "ALTER TABLE orders ALTER COLUMN code TYPE varchar(30);\n"},
      {"2_narrow.down.sql", "SELECT 1;"},
  });
  auto found = run.of(kGate);
  REQUIRE(found.size() == 5);
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1", "2:1", "3:1", "4:1", "5:1"});
  CHECK(found[0].location.source == "2_narrow.up.sql");
  CHECK(
      found[0].message ==
      "Changing orders.id from bigint to integer narrows it: stored values are cut, rounded or rejected, and "
      "no down migration can restore them.");
  CHECK(found[1].message.rfind("Changing orders.amount from numeric(12,2) to numeric(12,0) narrows it", 0) ==
        0);
  CHECK(found[2].message.rfind("Changing orders.note from text to varchar(200) narrows it", 0) == 0);
  CHECK(found[3].message.rfind("Changing orders.code from varchar(40) to varchar(20) narrows it", 0) == 0);
  CHECK(found[4].message.rfind("Changing orders.at from timestamptz to timestamptz(0) narrows it", 0) == 0);
}

TEST_CASE("irreversible-change takes the old type from a down that changes it back") {
  auto run = run_files({{"5_qty.up.sql", "ALTER TABLE orders ALTER COLUMN qty TYPE smallint;"},
                        {"5_qty.down.sql", "ALTER TABLE orders ALTER COLUMN qty TYPE integer;"}});
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.rfind("Changing orders.qty from integer to smallint narrows it", 0) == 0);
  // The old type unknown: no guess.
  CHECK(run_sql("ALTER TABLE orders ALTER COLUMN qty TYPE smallint;").of(kGate).empty());
}

TEST_CASE(
    "irreversible-change is silent for widening changes and for objects created in the same migration") {
  auto run = run_sql(
      "CREATE TABLE tmp_ids (id bigint, note text);\n"
      "ALTER TABLE tmp_ids ALTER COLUMN id TYPE integer;\n"
      "ALTER TABLE tmp_ids DROP COLUMN note;\n"
      "DELETE FROM tmp_ids;\n"
      "TRUNCATE tmp_ids;\n"
      "DROP TABLE tmp_ids;\n"
      "ALTER TABLE orders ADD COLUMN scratch text;\n"
      "ALTER TABLE orders DROP COLUMN scratch;\n");
  CHECK(run.of(kGate).empty());
  auto widen = run_files(
      {{"1_t.up.sql", "CREATE TABLE t (a integer, b varchar(10), c numeric(8,2));"},
       {"1_t.down.sql", "DROP TABLE t;"},
       {"2_t.up.sql", "ALTER TABLE t ALTER a TYPE bigint, ALTER b TYPE text, ALTER c TYPE numeric(10,2);"},
       {"2_t.down.sql", "SELECT 1;"}});
  CHECK(widen.of(kGate).empty());
}

TEST_CASE("irreversible-change exempts down migrations") {
  auto run = run_files({{"1_t.up.sql", "CREATE TABLE invoices (id bigint);"},
                        {"1_t.down.sql", "DROP TABLE invoices;\nDELETE FROM audit_log;\n"}});
  CHECK(run.of(kGate).empty());
}

TEST_CASE("irreversible-change is admitted as a warning when the Job approves it") {
  auto run = schemagate::testing::run_files_approved(
      {{"7_drop.up.sql", "ALTER TABLE orders DROP COLUMN legacy_note;"},
       {"7_drop.down.sql", "ALTER TABLE orders ADD COLUMN legacy_note text;"}},
      "rollback.irreversible-change: copied to orders_legacy_note_backup");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(found[0].approval == "copied to orders_legacy_note_backup");
  CHECK(run.verdict.approved_gates == std::vector<std::string>{kGate});
  CHECK(run.verdict.approval_reason == "copied to orders_legacy_note_backup");
  // An approval for another gate leaves it denied.
  auto other = schemagate::testing::run_files_approved(
      {{"7_drop.up.sql", "ALTER TABLE orders DROP COLUMN legacy_note;"},
       {"7_drop.down.sql", "ALTER TABLE orders ADD COLUMN legacy_note text;"}},
      "lint.require-concurrent-index: small table");
  REQUIRE(other.of(kGate).size() == 1);
  CHECK(other.of(kGate)[0].severity == schemagate::gates::Severity::kError);
  CHECK(other.verdict.approved_gates.empty());
}

TEST_CASE("irreversible-change can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore rollback.irreversible-change staging rows, refilled nightly\n"
      "TRUNCATE import_staging;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace irreversible_change_test
