// Which statements of a script run inside a transaction block (assign_transactions
// in gates/sql/migration.cpp): COMMIT AND CHAIN / ROLLBACK AND CHAIN end one block
// and open the next, PREPARE TRANSACTION ends one. tests/pg/lock_truth_test.cpp runs
// the same scripts on PostgreSQL 15 and probes its transaction state.
#include <catch2/catch.hpp>

#include "gates/sql/migration.hpp"
#include "support/gate_test.hpp"

namespace script_transactions_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::build_migration_set;
using schemagate::sql::LoadOptions;
using schemagate::sql::MigrationInput;
using schemagate::sql::Script;
using schemagate::testing::run_sql;

namespace {

// in_transaction of every statement, and their block numbers, of a one-file set.
struct Blocks {
  std::vector<bool> inside;
  std::vector<int> block;
};

Blocks blocks_of(const std::string& name, const std::string& sql) {
  auto set = build_migration_set({MigrationInput{name, sql}}, LoadOptions{});
  REQUIRE(set->scripts().size() >= 1);
  const Script& script = *set->scripts().front();
  REQUIRE(script.errors.empty());
  Blocks b;
  for (const auto& st : script.statements) {
    b.inside.push_back(st.in_transaction);
    b.block.push_back(st.transaction);
  }
  return b;
}

}  // namespace

TEST_CASE("script transactions: COMMIT AND CHAIN ends the block and opens the next one") {
  Blocks b = blocks_of("migration.sql",
                       "BEGIN;\n"
                       "UPDATE orders SET total = 0 WHERE id = 1;\n"
                       "COMMIT AND CHAIN;\n"
                       "VACUUM orders;\n"
                       "COMMIT;\n"
                       "VACUUM orders;\n");
  CHECK(b.inside == std::vector<bool>{true, true, true, true, true, false});
  CHECK(b.block == std::vector<int>{0, 0, 0, 1, 1, -1});
}

TEST_CASE("script transactions: ROLLBACK AND CHAIN, twice in a row") {
  Blocks b = blocks_of("migration.sql",
                       "START TRANSACTION;\n"
                       "ROLLBACK AND CHAIN;\n"
                       "ROLLBACK AND CHAIN;\n"
                       "SELECT 1;\n"
                       "ROLLBACK;\n"
                       "SELECT 2;\n");
  CHECK(b.inside == std::vector<bool>{true, true, true, true, true, false});
  CHECK(b.block == std::vector<int>{0, 0, 1, 2, 2, -1});
}

TEST_CASE("script transactions: AND CHAIN NO keeps the plain end") {
  Blocks b = blocks_of("migration.sql", "BEGIN;\nCOMMIT AND NO CHAIN;\nVACUUM orders;\n");
  CHECK(b.inside == std::vector<bool>{true, true, false});
}

TEST_CASE("script transactions: COMMIT AND CHAIN outside a block starts nothing") {
  // PostgreSQL: "COMMIT AND CHAIN can only be used in transaction blocks".
  Blocks b = blocks_of("migration.sql", "SELECT 1;\nCOMMIT AND CHAIN;\nVACUUM orders;\n");
  CHECK(b.inside == std::vector<bool>{false, false, false});
}

TEST_CASE("script transactions: COMMIT AND CHAIN inside goose's transaction") {
  Blocks b = blocks_of("20240101120000_archive.sql",
                       "-- +goose Up\n"
                       "UPDATE orders SET total = 0 WHERE id = 1;\n"
                       "COMMIT AND CHAIN;\n"
                       "UPDATE orders SET total = 1 WHERE id = 2;\n");
  CHECK(b.inside == std::vector<bool>{true, true, true});
  CHECK(b.block == std::vector<int>{0, 0, 1});
}

TEST_CASE("script transactions: AND CHAIN in golang-migrate's implicit block is not a regular chain") {
  // PostgreSQL rejects AND CHAIN in an implicit block; the model keeps treating the
  // statements after it as one more implicit block, as after a plain COMMIT.
  Blocks b = blocks_of("5_x.up.sql", "UPDATE orders SET total = 0;\nCOMMIT AND CHAIN;\nSELECT 1;\n");
  CHECK(b.inside == std::vector<bool>{true, true, true});
  CHECK(b.block == std::vector<int>{0, 0, 1});
  // After BEGIN the block is a regular one, and AND CHAIN chains it.
  Blocks begun = blocks_of("6_x.up.sql", "BEGIN;\nCOMMIT AND CHAIN;\nSELECT 1;\nCOMMIT;\n");
  CHECK(begun.inside == std::vector<bool>{true, true, true, true});
  CHECK(begun.block == std::vector<int>{0, 0, 1, 1});
}

TEST_CASE("script transactions: PREPARE TRANSACTION ends the block") {
  Blocks b = blocks_of("migration.sql",
                       "BEGIN;\n"
                       "UPDATE orders SET total = 0 WHERE id = 1;\n"
                       "PREPARE TRANSACTION 'deploy-42';\n"
                       "COMMIT PREPARED 'deploy-42';\n");
  CHECK(b.inside == std::vector<bool>{true, true, true, false});
}

TEST_CASE("script transactions: the gates see the chained block") {
  const std::string gate = "lint.non-transactional-in-transaction";
  auto run = run_sql(
      "BEGIN;\n"
      "DELETE FROM sessions WHERE id = 1;\n"
      "COMMIT AND CHAIN;\n"
      "VACUUM sessions;\n"
      "COMMIT;\n");
  auto found = run.of(gate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(gate) == std::vector<std::string>{"4:1"});
  CHECK(found[0].message ==
        "VACUUM cannot run inside a transaction block, but here it runs in one (COMMIT AND CHAIN on line 3 "
        "opens it): PostgreSQL rejects it and the migration fails.");
  CHECK(found[0].help == "Run VACUUM after a COMMIT without AND CHAIN.");

  auto rolled = run_sql("BEGIN;\nROLLBACK AND CHAIN;\nCREATE INDEX CONCURRENTLY i ON orders (a);\nCOMMIT;\n");
  REQUIRE(rolled.of(gate).size() == 1);
  CHECK(rolled.of(gate)[0].message.find("(ROLLBACK AND CHAIN on line 2 opens it)") != std::string::npos);

  CHECK(run_sql("BEGIN;\nCOMMIT;\nVACUUM sessions;\n").of(gate).empty());
  CHECK(run_sql("BEGIN;\nPREPARE TRANSACTION 'x';\nVACUUM sessions;\n").of(gate).empty());
  auto prepared = run_sql("BEGIN;\nCOMMIT PREPARED 'x';\nCOMMIT;\n");
  REQUIRE(prepared.of(gate).size() == 1);
  CHECK(prepared.of(gate)[0].message.rfind("COMMIT PREPARED cannot run inside a transaction block", 0) == 0);
}

TEST_CASE("script transactions: a chained block still has to end") {
  const std::string gate = "lint.ban-uncommitted-transaction";
  CHECK(run_sql("BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;\n").of(gate).empty());
  CHECK(run_sql("BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\n").positions(gate) ==
        std::vector<std::string>{"1:1"});
}

}  // namespace script_transactions_test
