#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_nested_transaction_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.ban-nested-transaction";

static RunOptions goose_file() {
  RunOptions o;
  o.file_name = "20240101120000_note.sql";
  return o;
}

TEST_CASE("ban-nested-transaction fires on BEGIN inside goose's transaction") {
  auto run =
      run_sql("-- +goose Up\n  BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n", goose_file());
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "BEGIN inside goose's own transaction starts nothing (PostgreSQL only warns that a transaction is "
      "already in progress), so a COMMIT in the script commits goose's transaction early and the rest of the "
      "migration runs without one.");
  CHECK(found[0].help ==
        "Remove BEGIN and COMMIT and let goose run the migration in its transaction, or add -- +goose NO "
        "TRANSACTION to manage the transaction yourself.");
}

TEST_CASE("ban-nested-transaction fires on BEGIN inside an explicit BEGIN") {
  auto run = run_sql(
      "BEGIN;\nUPDATE a SET x = 1 WHERE id = 2;\nBEGIN;\nUPDATE b SET y = 1 WHERE id = "
      "2;\nCOMMIT;\nCOMMIT;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:1"});
  CHECK(found[0].message ==
        "BEGIN inside the transaction opened at line 1 starts nothing (PostgreSQL only warns that a "
        "transaction "
        "is already in progress), so the next COMMIT commits the outer transaction's work too.");
}

TEST_CASE("ban-nested-transaction is silent with goose NO TRANSACTION and for golang-migrate") {
  auto run = run_sql(
      "-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n",
      goose_file());
  CHECK(run.of(kGate).empty());
  RunOptions gm;
  gm.file_name = "7_add_note.up.sql";
  auto migrate = run_sql("BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n", gm);
  CHECK(migrate.of(kGate).empty());
}

TEST_CASE("ban-nested-transaction is silent for consecutive transactions") {
  auto run = run_sql("BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-nested-transaction can be suppressed with a reason") {
  auto run = run_sql(
      "-- +goose Up\n-- schemagate:ignore lint.ban-nested-transaction kept for psql users\nBEGIN;\nSELECT "
      "1;\n",
      goose_file());
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_nested_transaction_test
