#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_concurrent_index_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-concurrent-index";

TEST_CASE("require-concurrent-index fires on CREATE INDEX on an existing table") {
  auto run =
      run_sql("SET lock_timeout = '2s';\n  CREATE INDEX orders_customer_idx ON orders (customer_id);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "CREATE INDEX on orders holds a SHARE lock: writes to orders block until the index build ends.");
  CHECK(found[0].help ==
        "Build orders_customer_idx with CREATE INDEX CONCURRENTLY, in a migration of its own that runs "
        "outside a "
        "transaction.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[1] == "Write it as CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (...).");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-concurrent-index is silent for CREATE INDEX CONCURRENTLY") {
  auto run = run_sql("CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-concurrent-index ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint);\n"
      "CREATE INDEX invoices_customer_idx ON invoices (customer_id);\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-concurrent-index names schema-qualified tables and quotes odd identifiers") {
  auto run = run_sql("CREATE INDEX ON billing.\"Orders\" (id);");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "CREATE INDEX on billing.\"Orders\" holds a SHARE lock: writes to billing.\"Orders\" block until the "
        "index "
        "build ends.");
}

TEST_CASE("require-concurrent-index can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-concurrent-index table has 10 rows, built in a maintenance window\n"
      "CREATE INDEX orders_customer_idx ON orders (customer_id);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

TEST_CASE("require-concurrent-index severity follows the policy") {
  schemagate::testing::RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.require-concurrent-index: warning\n";
  auto run = run_sql("CREATE INDEX i ON orders (a);", opts);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(run.verdict.decision == schemagate::gates::Decision::kAllow);
  opts.policy_yaml = "gates:\n  lint.require-concurrent-index: off\n";
  CHECK(run_sql("CREATE INDEX i ON orders (a);", opts).of(kGate).empty());
}

}  // namespace require_concurrent_index_test
