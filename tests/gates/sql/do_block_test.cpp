// The statements a DO block runs (gates/sql/do_block.cpp, expand_do_blocks in
// gates/sql/migration.cpp): located in the file, in the block's transaction, and
// judged by every gate like the statements around them. tests/pg checks the block's
// locks against PostgreSQL 15.
#include <catch2/catch.hpp>

#include "gates/sql/migration.hpp"
#include "support/gate_test.hpp"

namespace do_block_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::build_migration_set;
using schemagate::sql::LoadOptions;
using schemagate::sql::MigrationInput;
using schemagate::sql::Script;
using schemagate::testing::run_sql;

namespace {

const std::string kIdempotentFk =
    "SET lock_timeout = '5s';\n"
    "DO $$\n"
    "BEGIN\n"
    "  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_customer_fk') THEN\n"
    "    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk\n"
    "      FOREIGN KEY (customer_id) REFERENCES customers (id);\n"
    "  END IF;\n"
    "  EXECUTE 'CREATE INDEX orders_customer_idx ON orders (customer_id)';\n"
    "END\n"
    "$$;\n"
    "SELECT 1;\n";

}  // namespace

TEST_CASE("DO block: its statements follow it, located in the file, in one transaction") {
  auto set = build_migration_set({MigrationInput{"migration.sql", kIdempotentFk}}, LoadOptions{});
  const Script& script = *set->scripts().front();
  REQUIRE(script.errors.empty());
  REQUIRE(script.statements.size() == 5);
  const auto& s = script.statements;
  CHECK(s[1].facts.kind == "DO");
  CHECK(s[2].facts.kind == "ALTER TABLE");
  CHECK(s[2].position.line == 5);
  CHECK(s[2].position.column == 5);
  CHECK(script.sql(s[2]).substr(0, 38) == "ALTER TABLE orders ADD CONSTRAINT orde");
  CHECK(s[3].facts.kind == "CREATE INDEX");  // EXECUTE of a constant string
  CHECK(s[3].position.line == 8);
  CHECK(s[3].position.column == 12);
  CHECK(s[4].facts.kind == "SELECT");
  CHECK((s[2].parent == 1 && s[3].parent == 1 && s[4].parent == -1 && s[1].parent == -1));
  for (std::size_t i = 0; i < s.size(); ++i)
    CHECK(s[i].index == i);
  // Autocommit script: the block is a transaction of its own, its body inside it.
  CHECK_FALSE(s[0].in_transaction);
  CHECK((s[1].in_transaction && s[2].in_transaction && s[3].in_transaction));
  CHECK((s[1].transaction >= 0 && s[2].transaction == s[1].transaction &&
         s[3].transaction == s[1].transaction));
  CHECK_FALSE(s[4].in_transaction);
  CHECK(script.dynamic_sql.empty());
}

TEST_CASE("DO block: the block's facts are those of its body") {
  auto set = build_migration_set({MigrationInput{"migration.sql", kIdempotentFk}}, LoadOptions{});
  const Script& script = *set->scripts().front();
  auto facts = schemagate::sql::effective_facts(script, script.statements[1]);
  REQUIRE(facts.find({"", "orders"}) != nullptr);
  CHECK(facts.find({"", "orders"})->mode == schemagate::sql::LockMode::kShareRowExclusive);
  REQUIRE(facts.find({"", "customers"}) != nullptr);
  CHECK(facts.find({"", "customers"})->mode == schemagate::sql::LockMode::kShareRowExclusive);
  CHECK(facts.scan);
  // The statement's own facts stay a DO's, so no gate counts a lock twice.
  CHECK(script.statements[1].facts.locks.empty());
}

TEST_CASE("DO block: gates judge its statements where they are written") {
  auto run = run_sql(kIdempotentFk);
  CHECK(run.positions("lint.require-not-valid-foreign-key") == std::vector<std::string>{"5:5"});
  CHECK(run.positions("lint.require-concurrent-index") == std::vector<std::string>{"8:12"});
}

TEST_CASE("DO block: in a golang-migrate file it shares the implicit transaction") {
  auto set = build_migration_set(
      {MigrationInput{"001_x.up.sql",
                      "CREATE TABLE t (id bigint);\nDO $$ BEGIN UPDATE orders SET n = 0; END $$;\n"},
       MigrationInput{"001_x.down.sql", "DROP TABLE t;\n"}},
      LoadOptions{});
  const Script& up = *set->scripts().front();
  REQUIRE(up.statements.size() == 3);
  CHECK(up.statements[0].transaction == 0);
  CHECK(up.statements[1].transaction == 0);
  CHECK(up.statements[2].transaction == 0);
}

TEST_CASE("DO block: CREATE INDEX CONCURRENTLY inside it runs inside a transaction") {
  auto run = run_sql("DO $$ BEGIN CREATE INDEX CONCURRENTLY orders_n_idx ON orders (n); END $$;\n");
  CHECK(run.positions("lint.non-transactional-in-transaction") == std::vector<std::string>{"1:13"});
}

TEST_CASE("DO block: a suppression above the block covers its body; one inside covers one statement") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-concurrent-index orders has 30 rows in every tenant\n"
      "DO $$ BEGIN CREATE INDEX orders_a_idx ON orders (a); END $$;\n"
      "DO $$\n"
      "BEGIN\n"
      "  -- schemagate:ignore lint.require-concurrent-index settings is tiny\n"
      "  CREATE INDEX settings_k_idx ON settings (k);\n"
      "  CREATE INDEX orders_b_idx ON orders (b);\n"
      "END $$;\n");
  CHECK(run.positions("lint.require-concurrent-index") == std::vector<std::string>{"7:3"});
  CHECK(run.of("lint.unused-suppression").empty());
}

TEST_CASE("DO block: a syntax error in a statement of its body is a syntax error where it is") {
  // PL/pgSQL hands the statement's text to the SQL parser; the error has a position there.
  auto run =
      run_sql("DO $$ BEGIN IF true THEN EXECUTE 'ALTER TABLE orders ADD COLUM x int'; END IF; END $$;\n");
  CHECK(run.positions("lint.sql-syntax-error") == std::vector<std::string>{"1:66"});
}

TEST_CASE("PL/pgSQL: a grammar error in a DO or function body is a syntax error, as in PostgreSQL") {
  auto run = run_sql(
      "DO $$ BEGIN UPDATE t SET x = WHERE id = 1; END $$;\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql\n"
      "AS $fn$ BEGIN IF NEW.x THEN RETURN NEW; END $fn$;\n"
      "CREATE FUNCTION fine() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; END $fn$;\n"
      "CREATE FUNCTION plain() RETURNS int LANGUAGE sql AS $fn$ SELECT 1 $fn$;\n");
  auto found = run.of("lint.sql-syntax-error");
  REQUIRE(found.size() == 2);
  CHECK(found[0].message.find("PL/pgSQL: syntax error at or near \"WHERE\"") != std::string::npos);
  CHECK(run.positions("lint.sql-syntax-error") == std::vector<std::string>{"1:6", "3:1"});
  CHECK(run.of("lint.unanalyzable-dynamic-sql").empty());
}

TEST_CASE("PL/pgSQL: function bodies are not checked after SET check_function_bodies = false") {
  auto run = run_sql(
      "SET check_function_bodies = false;\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN IF NEW.x THEN END $fn$;\n");
  CHECK(run.of("lint.sql-syntax-error").empty());
}

TEST_CASE("DO block: a body the PL/pgSQL parser cannot read is reported, not called a syntax error") {
  // Valid PL/pgSQL (PostgreSQL runs it), but libpg_query compiles it without a catalog.
  auto run = run_sql(
      "DO $$\nDECLARE c CURSOR FOR SELECT id FROM orders; v bigint;\n"
      "BEGIN OPEN c; FETCH c INTO v; CLOSE c; ALTER TABLE orders ADD COLUMN n int; END $$;\n");
  CHECK(run.of("lint.sql-syntax-error").empty());
  auto found = run.of("lint.unanalyzable-dynamic-sql");
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "The DO block runs SQL that no gate can check: the PL/pgSQL parser could not read its body (variable "
        "\"c\" must be of type cursor or refcursor).");
  CHECK(run.positions("lint.unanalyzable-dynamic-sql") == std::vector<std::string>{"1:4"});
}

}  // namespace do_block_test
