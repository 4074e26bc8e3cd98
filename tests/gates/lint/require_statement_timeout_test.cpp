#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_statement_timeout_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::gates::Severity;
using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.require-statement-timeout";

TEST_CASE("require-statement-timeout fires once at the first statement that locks an existing table") {
  auto run = run_sql(
      "SELECT count(*) FROM orders;\n"
      "  UPDATE orders SET status = 'archived' WHERE created_at < now();\n"
      "ALTER TABLE orders ADD COLUMN note text;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].severity == Severity::kWarning);
  CHECK(found[0].message ==
        "UPDATE on orders runs without a statement_timeout, so a slow run holds its ROW EXCLUSIVE lock on "
        "orders, "
        "which blocks SHARE and stronger locks, for as long as it takes.");
  CHECK(
      found[0].help ==
      "Run SET statement_timeout = '1min'; (or a bound that fits the migration) at the start of the script.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(found[0].steps[1] ==
        "Give statements that must run long and block nobody (CREATE INDEX CONCURRENTLY) their own migration "
        "that "
        "starts with SET statement_timeout = 0;");
}

TEST_CASE("require-statement-timeout is silent with a statement_timeout from the script or the session") {
  CHECK(
      run_sql("SET statement_timeout = '1min';\nALTER TABLE orders ADD COLUMN note text;").of(kGate).empty());
  CHECK(run_sql(
            "SELECT set_config('statement_timeout', '30s', false);\nALTER TABLE orders ADD COLUMN note text;")
            .of(kGate)
            .empty());
  RunOptions opts;
  opts.session_settings = {{"statement_timeout", "60000"}};
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN note text;", opts).of(kGate).empty());
}

TEST_CASE("require-statement-timeout ignores reads, concurrent builds and new tables") {
  CHECK(run_sql("SELECT * FROM orders;").of(kGate).empty());
  CHECK(run_sql("CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);").of(kGate).empty());
  CHECK(run_sql("CREATE TABLE invoices (id bigint);\nALTER TABLE invoices ADD COLUMN note text;")
            .of(kGate)
            .empty());
}

TEST_CASE("require-statement-timeout does not count a statement_timeout of 0") {
  auto run = run_sql("SET statement_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message ==
        "ALTER TABLE on orders runs without a statement_timeout, so a slow run holds its ACCESS EXCLUSIVE "
        "lock on "
        "orders, which blocks all reads and writes, for as long as it takes.");
}

TEST_CASE("require-statement-timeout can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-statement-timeout the role sets statement_timeout\n"
      "ALTER TABLE orders ADD COLUMN note text;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_statement_timeout_test
