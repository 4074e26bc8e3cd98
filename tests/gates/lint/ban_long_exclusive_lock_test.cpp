#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_long_exclusive_lock_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-long-exclusive-lock";

TEST_CASE("ban-long-exclusive-lock fires when a slow statement follows an exclusive lock") {
  auto run = run_sql(
      "BEGIN;\n"
      "  ALTER TABLE orders ADD COLUMN status text;\n"
      "UPDATE orders SET status = 'x';\n"
      "SELECT 1;\n"
      "COMMIT;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "ALTER TABLE takes an ACCESS EXCLUSIVE lock on orders and 2 more statements run before the transaction "
      "commits: it blocks all reads and writes on orders until they finish.");
  CHECK(found[0].help ==
        "Commit right after the statement that locks orders: move the later statements to another migration, "
        "or "
        "take this lock last.");
  REQUIRE(found[0].steps.size() == 4);
  CHECK(found[0].steps[0] == "Line 3 (UPDATE) scans orders while orders stays locked.");
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
}

TEST_CASE("ban-long-exclusive-lock counts a lock on another table in a goose transaction") {
  auto run = run_files({{"20240101_x.sql",
                         "-- +goose Up\n"
                         "ALTER TABLE orders DROP COLUMN legacy;\n"
                         "ALTER TABLE customers DROP COLUMN legacy;\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].steps[0] ==
        "Line 3 (ALTER TABLE) waits for an ACCESS EXCLUSIVE lock on customers while orders stays locked.");
}

TEST_CASE("ban-long-exclusive-lock is silent when the lock is last or outside a transaction") {
  CHECK(run_sql(
            "BEGIN;\nUPDATE orders SET a = 1 WHERE id = 2;\nALTER TABLE orders ADD COLUMN b int;\nCOMMIT;\n")
            .of(kGate)
            .empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'x';\n")
            .of(kGate)
            .empty());
}

TEST_CASE("ban-long-exclusive-lock does not count tables already locked up front") {
  // The order lint.deadlock-lock-order recommends: lock both tables first.
  auto run = run_sql(
      "BEGIN;\nLOCK TABLE customers, orders IN ACCESS EXCLUSIVE MODE;\nALTER TABLE customers DROP COLUMN a;\n"
      "ALTER TABLE orders DROP COLUMN a;\nCOMMIT;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-long-exclusive-lock ignores fast followers unless reportFastStatements is on") {
  const std::string sql =
      "BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD COLUMN b int;\nCOMMIT;\n";
  CHECK(run_sql(sql).of(kGate).empty());
  schemagate::testing::RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.ban-long-exclusive-lock:\n    reportFastStatements: true\n";
  auto run = run_sql(sql, opts);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.find("and 1 more statement runs before") != std::string::npos);
}

TEST_CASE("ban-long-exclusive-lock ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nUPDATE orders SET a = "
      "1;\nCOMMIT;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-long-exclusive-lock can be suppressed with a reason") {
  auto run = run_sql(
      "BEGIN;\n"
      "-- schemagate:ignore lint.ban-long-exclusive-lock the backfill touches 30 rows\n"
      "ALTER TABLE orders ADD COLUMN status text;\n"
      "UPDATE orders SET status = 'x';\n"
      "COMMIT;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_long_exclusive_lock_test
