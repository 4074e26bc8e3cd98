#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_uncommitted_transaction_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.ban-uncommitted-transaction";

TEST_CASE("ban-uncommitted-transaction fires on a BEGIN never committed") {
  auto run = run_sql("SET lock_timeout = '2s';\n  BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "The transaction this BEGIN opens is never committed or rolled back, so its changes stay invisible and "
      "its locks stay held until the session ends, and then they are rolled back.");
  CHECK(found[0].help ==
        "End the transaction with COMMIT at the end of the script, or remove the BEGIN and let the tool run "
        "the "
        "script.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("ban-uncommitted-transaction fires in a golang-migrate file, where BEGIN takes over the block") {
  RunOptions o;
  o.file_name = "7_add_note.up.sql";
  auto run = run_sql("START TRANSACTION;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT AND CHAIN;\n", o);
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1"});
}

TEST_CASE("ban-uncommitted-transaction is silent when the transaction ends") {
  CHECK(run_sql("BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n").of(kGate).empty());
  CHECK(run_sql("START TRANSACTION;\nDELETE FROM t WHERE id = 1;\nROLLBACK;\n").of(kGate).empty());
  CHECK(run_sql("BEGIN;\nSAVEPOINT a;\nROLLBACK TO SAVEPOINT a;\nEND;\n").of(kGate).empty());
}

TEST_CASE("ban-uncommitted-transaction leaves a BEGIN inside goose's transaction to the nested gate") {
  RunOptions o;
  o.file_name = "20240101120000_note.sql";
  auto run = run_sql("-- +goose Up\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\n", o);
  CHECK(run.of(kGate).empty());
  CHECK(run.positions("lint.ban-nested-transaction") == std::vector<std::string>{"2:1"});
}

TEST_CASE("ban-uncommitted-transaction can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-uncommitted-transaction the runner commits after its checks\n"
      "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_uncommitted_transaction_test
