#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace deadlock_lock_order_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "lint.deadlock-lock-order";

TEST_CASE("deadlock-lock-order fires on two migrations locking two tables in opposite orders") {
  auto run =
      run_files({{"001_a.up.sql",
                  "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE customers ADD COLUMN note text;\n"},
                 {"002_b.up.sql",
                  "UPDATE customers SET note = NULL WHERE id = 1;\n"
                  "  DELETE FROM orders WHERE id = 1;\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "002_b.up.sql");
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "This transaction locks customers then orders, while the transaction at 001_a.up.sql:2 locks orders "
        "then "
        "customers: run concurrently, each waits for the other and PostgreSQL aborts one with a deadlock.");
  CHECK(found[0].help ==
        "Lock orders and customers in the same order in every migration, e.g. LOCK TABLE orders, customers "
        "at the "
        "start of each transaction.");
  CHECK(found[0].severity == schemagate::gates::Severity::kInfo);
}

TEST_CASE("deadlock-lock-order is silent when the locks do not conflict or the order is the same") {
  // Both sides only read: ACCESS SHARE never waits for ACCESS SHARE.
  CHECK(run_files({{"001_a.up.sql", "SELECT * FROM orders;\nSELECT * FROM customers;\n"},
                   {"002_b.up.sql", "SELECT * FROM customers;\nSELECT * FROM orders;\n"}})
            .of(kGate)
            .empty());
  CHECK(run_files({{"001_a.up.sql", "ALTER TABLE orders ADD a int;\nALTER TABLE customers ADD a int;\n"},
                   {"002_b.up.sql", "ALTER TABLE orders ADD b int;\nALTER TABLE customers ADD b int;\n"}})
            .of(kGate)
            .empty());
}

TEST_CASE("deadlock-lock-order ignores autocommit statements and tables created in the script") {
  CHECK(run_sql("ALTER TABLE orders ADD a int;\nALTER TABLE customers ADD a int;\n"
                "ALTER TABLE customers ADD b int;\nALTER TABLE orders ADD b int;\n")
            .of(kGate)
            .empty());
  CHECK(run_sql("BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE orders ADD a int;\nALTER TABLE t ADD b "
                "int;\nCOMMIT;\n"
                "BEGIN;\nALTER TABLE t ADD c int;\nALTER TABLE orders ADD c int;\nCOMMIT;\n")
            .of(kGate)
            .empty());
}

TEST_CASE("deadlock-lock-order compares blocks of one script unless withinScript is off") {
  const std::string sql =
      "BEGIN;\nALTER TABLE orders ADD a int;\nALTER TABLE customers ADD a int;\nCOMMIT;\n"
      "BEGIN;\nALTER TABLE customers ADD b int;\nALTER TABLE orders ADD b int;\nCOMMIT;\n";
  auto run = run_sql(sql);
  CHECK(run.positions(kGate) == std::vector<std::string>{"7:1"});
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.find("the transaction at migration.sql:3 locks orders then customers") !=
        std::string::npos);
  schemagate::testing::RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.deadlock-lock-order:\n    withinScript: false\n";
  CHECK(run_sql(sql, opts).of(kGate).empty());
}

TEST_CASE("deadlock-lock-order can be suppressed with a reason") {
  auto run = run_files({{"001_a.up.sql", "ALTER TABLE orders ADD a int;\nALTER TABLE customers ADD a int;\n"},
                        {"002_b.up.sql",
                         "ALTER TABLE customers ADD b int;\n"
                         "-- schemagate:ignore lint.deadlock-lock-order these never run at the same time\n"
                         "ALTER TABLE orders ADD b int;\n"}});
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace deadlock_lock_order_test
