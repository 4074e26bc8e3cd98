// The statement model (gates/sql/lock_model.cpp) on the statements whose facts
// depend on an option's value or on a clause that is easy to overlook: boolean
// DefElem options written with a value, SELECT ... INTO, CREATE TABLE AS, EXPLAIN,
// MERGE, data-modifying WITH, ALTER CONSTRAINT and the two-phase commit commands.
// tests/pg/lock_truth_test.cpp proves the same claims against PostgreSQL 15.
#include <catch2/catch.hpp>

#include "gates/sql/parser.hpp"
#include "gates/sql/statement.hpp"
#include "support/gate_test.hpp"

namespace statement_facts_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::LockMode;
using schemagate::sql::RelationName;
using schemagate::sql::StatementFacts;
using schemagate::testing::run_files;
using schemagate::testing::run_sql;

namespace {

// The facts of one statement, as PostgreSQL 15 would run it.
StatementFacts facts_of(const std::string& sql) {
  schemagate::sql::ParsedRegion region = schemagate::sql::parse_region(sql, 0, sql.size());
  REQUIRE(region.errors.empty());
  REQUIRE(region.statements.size() == 1);
  return schemagate::sql::analyze_statement(region.statements.front().ast, 15);
}

// The mode the statement takes on `name` (unqualified), kNone when it names none.
LockMode mode_on(const StatementFacts& f, const std::string& name) {
  const schemagate::sql::RelationLock* l = f.find(RelationName{"", name});
  return l == nullptr ? LockMode::kNone : l->mode;
}

std::vector<std::string> created(const StatementFacts& f) {
  std::vector<std::string> out;
  for (const RelationName& r : f.creates)
    out.push_back(r.display());
  return out;
}

}  // namespace

TEST_CASE("statement facts: VACUUM (FULL <value>) is VACUUM FULL only when the value is on") {
  for (const char* sql :
       {"VACUUM FULL orders", "VACUUM (FULL) orders", "VACUUM (FULL true) orders", "VACUUM (FULL 1) orders",
        "VACUUM (FULL on) orders", "VACUUM (FULL 'ON') orders", "VACUUM (FULL false, FULL) orders",
        "VACUUM (VERBOSE false, FULL, ANALYZE 0) orders"}) {
    INFO(sql);
    StatementFacts f = facts_of(sql);
    CHECK(f.kind == "VACUUM");
    CHECK(mode_on(f, "orders") == LockMode::kAccessExclusive);
    CHECK(f.rewrite);
    CHECK_FALSE(f.transactional);
  }
  for (const char* sql : {"VACUUM (FULL false) orders", "VACUUM (FULL 0) orders", "VACUUM (FULL off) orders",
                          "VACUUM (FULL 'False') orders", "VACUUM (FULL, FULL off) orders",
                          "VACUUM (ANALYZE, FULL FALSE) orders", "VACUUM orders"}) {
    INFO(sql);
    StatementFacts f = facts_of(sql);
    CHECK(f.kind == "VACUUM");
    CHECK(mode_on(f, "orders") == LockMode::kShareUpdateExclusive);
    CHECK_FALSE(f.rewrite);
    CHECK_FALSE(f.transactional);  // plain VACUUM still refuses a transaction block
  }
  // ANALYZE takes no FULL: its lock and transactionality do not move with options.
  StatementFacts analyze = facts_of("ANALYZE (VERBOSE false) orders");
  CHECK(analyze.kind == "ANALYZE");
  CHECK(mode_on(analyze, "orders") == LockMode::kShareUpdateExclusive);
  CHECK(analyze.transactional);
}

TEST_CASE("statement facts: REINDEX (CONCURRENTLY false) is a plain REINDEX") {
  StatementFacts table = facts_of("REINDEX (CONCURRENTLY false) TABLE orders");
  CHECK(mode_on(table, "orders") == LockMode::kShare);
  CHECK(table.transactional);
  StatementFacts index = facts_of("REINDEX (VERBOSE, CONCURRENTLY off) INDEX orders_customer_idx");
  CHECK(mode_on(index, "orders_customer_idx") == LockMode::kAccessExclusive);
  CHECK(index.transactional);
  StatementFacts zero = facts_of("REINDEX (CONCURRENTLY 0) TABLE orders");
  CHECK(mode_on(zero, "orders") == LockMode::kShare);

  StatementFacts on = facts_of("REINDEX (CONCURRENTLY true) TABLE orders");
  CHECK(mode_on(on, "orders") == LockMode::kShareUpdateExclusive);
  CHECK_FALSE(on.transactional);
  // The keyword after TABLE is appended to the option list: it is the last word.
  StatementFacts both = facts_of("REINDEX (CONCURRENTLY false) TABLE CONCURRENTLY orders");
  CHECK(mode_on(both, "orders") == LockMode::kShareUpdateExclusive);
  CHECK_FALSE(both.transactional);
}

TEST_CASE("statement facts: SELECT ... INTO creates its table and locks only what it reads") {
  StatementFacts f = facts_of("SELECT id, total INTO orders_2023 FROM orders WHERE created < '2024-01-01'");
  CHECK(f.kind == "SELECT INTO");
  CHECK(created(f) == std::vector<std::string>{"orders_2023"});
  CHECK(mode_on(f, "orders") == LockMode::kAccessShare);
  CHECK(mode_on(f, "orders_2023") == LockMode::kNone);
  CHECK(f.transactional);

  CHECK(created(facts_of("SELECT * INTO TABLE archive.orders_copy FROM orders")) ==
        std::vector<std::string>{"archive.orders_copy"});
  CHECK(created(facts_of("SELECT * INTO UNLOGGED orders_scratch FROM orders")) ==
        std::vector<std::string>{"orders_scratch"});
  // A set operation takes INTO from its leftmost SELECT.
  StatementFacts u =
      facts_of("SELECT id INTO order_ids FROM orders UNION SELECT order_id FROM refunds EXCEPT SELECT 1");
  CHECK(u.kind == "SELECT INTO");
  CHECK(created(u) == std::vector<std::string>{"order_ids"});
  CHECK(mode_on(u, "refunds") == LockMode::kAccessShare);

  StatementFacts plain = facts_of("SELECT id FROM orders UNION SELECT order_id FROM refunds");
  CHECK(plain.kind == "SELECT");
  CHECK(plain.creates.empty());
  // PL/pgSQL's SELECT INTO variable lives inside a function body: not a create.
  CHECK(facts_of("DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM orders; END $$").creates.empty());
}

TEST_CASE("statement facts: CREATE TABLE AS and CREATE MATERIALIZED VIEW record what they create") {
  StatementFacts ctas = facts_of("CREATE TABLE billing.orders_copy AS SELECT * FROM orders");
  CHECK(ctas.kind == "CREATE TABLE AS");
  CHECK(created(ctas) == std::vector<std::string>{"billing.orders_copy"});
  CHECK(mode_on(ctas, "orders") == LockMode::kAccessShare);
  StatementFacts mv = facts_of("CREATE MATERIALIZED VIEW order_totals AS SELECT sum(total) FROM orders");
  CHECK(mv.kind == "CREATE MATERIALIZED VIEW");
  CHECK(created(mv) == std::vector<std::string>{"order_totals"});
}

TEST_CASE("statement facts: EXPLAIN takes the statement's locks, and runs it only with ANALYZE") {
  StatementFacts plan = facts_of("EXPLAIN UPDATE orders SET total = 0");
  CHECK(plan.kind == "EXPLAIN");
  CHECK(mode_on(plan, "orders") == LockMode::kRowExclusive);
  CHECK_FALSE(plan.scan);
  CHECK(plan.transactional);

  StatementFacts off = facts_of("EXPLAIN (ANALYZE false, COSTS off) DELETE FROM orders");
  CHECK(mode_on(off, "orders") == LockMode::kRowExclusive);
  CHECK_FALSE(off.scan);

  StatementFacts runs = facts_of("EXPLAIN ANALYZE DELETE FROM orders");
  CHECK(mode_on(runs, "orders") == LockMode::kRowExclusive);
  CHECK(runs.scan);
  CHECK(facts_of("EXPLAIN (ANALYZE 1) DELETE FROM orders").scan);

  CHECK(facts_of("EXPLAIN CREATE TABLE orders_copy AS SELECT * FROM orders").creates.empty());
  StatementFacts ctas = facts_of("EXPLAIN (ANALYZE) CREATE TABLE orders_copy AS SELECT * FROM orders");
  CHECK(created(ctas) == std::vector<std::string>{"orders_copy"});
  CHECK(mode_on(ctas, "orders") == LockMode::kAccessShare);
}

TEST_CASE("statement facts: MERGE and data-modifying WITH lock their targets ROW EXCLUSIVE") {
  StatementFacts merge = facts_of(
      "MERGE INTO stock s USING deliveries d ON s.item_id = d.item_id "
      "WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty "
      "WHEN NOT MATCHED THEN INSERT (item_id, qty) VALUES (d.item_id, d.qty)");
  CHECK(merge.kind == "MERGE");
  CHECK(mode_on(merge, "stock") == LockMode::kRowExclusive);
  CHECK(mode_on(merge, "deliveries") == LockMode::kAccessShare);

  StatementFacts moved = facts_of(
      "WITH gone AS (DELETE FROM sessions WHERE expires < now() RETURNING id, user_id) "
      "INSERT INTO sessions_archive SELECT id, user_id FROM gone");
  CHECK(moved.kind == "INSERT");
  CHECK(mode_on(moved, "sessions") == LockMode::kRowExclusive);
  CHECK(mode_on(moved, "sessions_archive") == LockMode::kRowExclusive);

  StatementFacts select = facts_of("WITH n AS (UPDATE counters SET v = v + 1 RETURNING v) SELECT v FROM n");
  CHECK(select.kind == "SELECT");
  CHECK(mode_on(select, "counters") == LockMode::kRowExclusive);
}

TEST_CASE("statement facts: ALTER TABLE ... ALTER CONSTRAINT takes ACCESS EXCLUSIVE") {
  StatementFacts f = facts_of("ALTER TABLE orders ALTER CONSTRAINT orders_customer_fk DEFERRABLE");
  CHECK(mode_on(f, "orders") == LockMode::kAccessExclusive);
}

TEST_CASE("statement facts: two-phase commit commands") {
  StatementFacts prepare = facts_of("PREPARE TRANSACTION 'deploy-42'");
  CHECK(prepare.kind == "PREPARE TRANSACTION");
  CHECK(prepare.transactional);
  for (const char* sql : {"COMMIT PREPARED 'deploy-42'", "ROLLBACK PREPARED 'deploy-42'"}) {
    INFO(sql);
    StatementFacts f = facts_of(sql);
    CHECK(f.kind == (sql[0] == 'C' ? "COMMIT PREPARED" : "ROLLBACK PREPARED"));
    CHECK_FALSE(f.transactional);
    CHECK(f.not_transactional_why.find("cannot be executed inside a transaction block") != std::string::npos);
  }
  CHECK(facts_of("COMMIT AND CHAIN").kind == "COMMIT");
  CHECK(facts_of("ROLLBACK AND CHAIN").kind == "ROLLBACK");
}

TEST_CASE("statement facts reach the gates: option values") {
  CHECK(run_sql("REINDEX (CONCURRENTLY false) TABLE orders;").positions("lint.require-concurrent-reindex") ==
        std::vector<std::string>{"1:1"});
  CHECK(run_sql("REINDEX (CONCURRENTLY) TABLE orders;").of("lint.require-concurrent-reindex").empty());
  CHECK(run_sql("VACUUM (FULL 0) orders;").of("lint.ban-vacuum-full").empty());
  CHECK(run_sql("VACUUM (FULL 1) orders;").of("lint.ban-vacuum-full").size() == 1);
  // Inside BEGIN: REINDEX (CONCURRENTLY false) runs there; the concurrent form cannot.
  const std::string gate = "lint.non-transactional-in-transaction";
  CHECK(run_sql("BEGIN;\nREINDEX (CONCURRENTLY false) TABLE orders;\nCOMMIT;\n").of(gate).empty());
  auto run = run_sql("BEGIN;\nREINDEX (CONCURRENTLY on) TABLE orders;\nCOMMIT;\n");
  REQUIRE(run.of(gate).size() == 1);
  CHECK(run.of(gate)[0].message.rfind("REINDEX TABLE CONCURRENTLY cannot run inside a transaction block",
                                      0) == 0);
}

TEST_CASE("statement facts reach the gates: a table from SELECT INTO or CREATE TABLE AS is new") {
  const std::string gate = "lint.require-concurrent-index";
  CHECK(run_sql("CREATE INDEX orders_2023_id_idx ON orders_2023 (id);\n").of(gate).size() == 1);
  CHECK(run_sql("SELECT * INTO orders_2023 FROM orders WHERE created < '2024-01-01';\n"
                "CREATE INDEX orders_2023_id_idx ON orders_2023 (id);\n")
            .of(gate)
            .empty());
  CHECK(run_sql("CREATE TABLE orders_2023 AS SELECT * FROM orders;\n"
                "CREATE INDEX orders_2023_id_idx ON orders_2023 (id);\n")
            .of(gate)
            .empty());
  CHECK(
      run_sql(
          "CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) FROM orders GROUP BY 1;\n"
          "CREATE INDEX order_totals_customer_idx ON order_totals (customer_id);\n")
          .of(gate)
          .empty());
}

TEST_CASE("statement facts reach the gates: SELECT INTO is a create the down migration must drop") {
  const std::string gate = "rollback.down-reverses-up";
  auto run = run_files({{"4_archive.up.sql", "SELECT * INTO orders_2023 FROM orders;\n"},
                        {"4_archive.down.sql", "SELECT 1;\n"}});
  REQUIRE(run.of(gate).size() == 1);
  CHECK(run.of(gate)[0].message.find("orders_2023") != std::string::npos);
  CHECK(run_files({{"4_archive.up.sql", "SELECT * INTO orders_2023 FROM orders;\n"},
                   {"4_archive.down.sql", "DROP TABLE orders_2023;\n"}})
            .of(gate)
            .empty());
}

TEST_CASE("statement facts reach the gates: long names of CREATE TABLE AS and SELECT INTO tables") {
  const std::string gate = "lint.max-identifier-length";
  const std::string name = "orders_archived_before_the_migration_to_the_new_billing_system_v2";  // 65
  CHECK(run_sql("CREATE TABLE " + name + " AS SELECT * FROM orders;\n").positions(gate) ==
        std::vector<std::string>{"1:14"});
  CHECK(run_sql("SELECT * INTO " + name + " FROM orders;\n").positions(gate) ==
        std::vector<std::string>{"1:15"});
}

}  // namespace statement_facts_test
