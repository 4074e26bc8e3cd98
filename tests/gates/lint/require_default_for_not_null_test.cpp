#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_default_for_not_null_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.require-default-for-not-null";

TEST_CASE("require-default-for-not-null fires on a NOT NULL column without a default") {
  auto run = run_sql("SET lock_timeout = '2s';\n  ALTER TABLE orders ADD COLUMN status text NOT NULL;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "Adding NOT NULL column status to orders without a DEFAULT fails if orders has any rows, after waiting "
      "for an ACCESS EXCLUSIVE lock on orders, which blocks all reads and writes.");
  CHECK(found[0].help ==
        "Give status a constant DEFAULT (stored without a rewrite since PostgreSQL 11), or add it nullable, "
        "backfill it in batches and set NOT NULL afterwards.");
  REQUIRE(found[0].steps.size() == 5);
  CHECK(found[0].steps[0] == "ALTER TABLE orders ADD COLUMN status text;");
  CHECK(found[0].steps[2] ==
        "ALTER TABLE orders ADD CONSTRAINT orders_status_not_null CHECK (status IS NOT NULL) NOT VALID;");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-default-for-not-null counts PRIMARY KEY as NOT NULL and names internal types plainly") {
  auto run = run_sql("ALTER TABLE orders ADD COLUMN code int PRIMARY KEY;");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].steps[0] == "ALTER TABLE orders ADD COLUMN code integer;");
}

TEST_CASE(
    "require-default-for-not-null is silent with a default, for nullable columns and self-filling ones") {
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN note text;").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN n bigserial NOT NULL;").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL;")
            .of(kGate)
            .empty());
}

TEST_CASE("require-default-for-not-null treats DEFAULT NULL as no default") {
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT NULL;").of(kGate).size() == 1);
}

TEST_CASE("require-default-for-not-null ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE invoices (id bigint PRIMARY KEY);\n"
      "ALTER TABLE invoices ADD COLUMN status text NOT NULL;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-default-for-not-null still fires for a table created in an earlier migration") {
  auto run = run_files({{"001_create.up.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY);"},
                        {"002_status.up.sql", "ALTER TABLE invoices ADD COLUMN status text NOT NULL;"}});
  CHECK(run.of(kGate).size() == 1);
}

TEST_CASE("require-default-for-not-null tells PostgreSQL 10 users that a default rewrites") {
  RunOptions opts;
  opts.pg_major = 10;
  auto found = run_sql("ALTER TABLE orders ADD COLUMN status text NOT NULL;", opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].help ==
      "Add status nullable, backfill it in batches and set NOT NULL afterwards (on PostgreSQL 10 any DEFAULT "
      "rewrites orders).");
}

TEST_CASE("require-default-for-not-null can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-default-for-not-null the table is emptied by the previous step\n"
      "ALTER TABLE orders ADD COLUMN status text NOT NULL;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_default_for_not_null_test
