#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_lock_timeout_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::gates::Severity;
using schemagate::testing::run_files;
using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.require-lock-timeout";

TEST_CASE("require-lock-timeout fires once, at the first statement that waits for a blocking lock") {
  auto run = run_sql(
      "SELECT count(*) FROM orders;\n"
      "CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\n"
      "  ALTER TABLE orders ADD COLUMN note text;\n"
      "CREATE INDEX orders_b_idx ON orders (b);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:3"});
  CHECK(found[0].severity == Severity::kWarning);
  CHECK(found[0].message ==
        "ALTER TABLE waits for an ACCESS EXCLUSIVE lock on orders without a lock_timeout, and while it waits "
        "every later read and write of orders queues behind it.");
  CHECK(found[0].help == "Run SET lock_timeout = '5s'; before it and retry the migration if it times out.");
  REQUIRE(found[0].steps.size() == 2);
}

TEST_CASE("require-lock-timeout says writes for locks that let reads through") {
  auto found = run_sql("CREATE INDEX orders_b_idx ON orders (b);").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "CREATE INDEX waits for a SHARE lock on orders without a lock_timeout, and while it waits every later "
      "write to orders queues behind it.");
}

TEST_CASE("require-lock-timeout is silent when the script or the session sets a lock_timeout") {
  CHECK(run_sql("SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;").of(kGate).empty());
  CHECK(run_sql("SET lock_timeout TO 5000;\nALTER TABLE orders ADD COLUMN note text;").of(kGate).empty());
  CHECK(run_sql("SELECT set_config('lock_timeout', '5s', false);\nALTER TABLE orders ADD COLUMN note text;")
            .of(kGate)
            .empty());
  CHECK(run_sql("BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;")
            .of(kGate)
            .empty());
  RunOptions opts;
  opts.session_settings = {{"lock_timeout", "3s"}};
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN note text;", opts).of(kGate).empty());
}

TEST_CASE("require-lock-timeout ignores weak locks and tables created in the same migration") {
  CHECK(run_sql("SELECT * FROM orders;\nUPDATE orders SET a = 1 WHERE id = 2;").of(kGate).empty());
  CHECK(run_sql("CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);").of(kGate).empty());
  CHECK(run_sql("CREATE TABLE invoices (id bigint);\nALTER TABLE invoices ADD COLUMN note text;")
            .of(kGate)
            .empty());
}

TEST_CASE("require-lock-timeout does not count a zero, a reset or a SET LOCAL whose transaction ended") {
  CHECK(run_sql("SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN note text;").of(kGate).size() == 1);
  CHECK(run_sql("SET lock_timeout = '5s';\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN note text;")
            .of(kGate)
            .size() == 1);
  auto run =
      run_sql("BEGIN;\nSET LOCAL lock_timeout = '5s';\nCOMMIT;\nALTER TABLE orders ADD COLUMN note text;");
  CHECK(run.positions(kGate) == std::vector<std::string>{"4:1"});
  // SET LOCAL outside a transaction block changes nothing.
  CHECK(
      run_sql("SET LOCAL lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;").of(kGate).size() ==
      1);
  // A session value of 0 from PGOPTIONS does not count either.
  RunOptions opts;
  opts.session_settings = {{"lock_timeout", "0"}};
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN note text;", opts).of(kGate).size() == 1);
}

TEST_CASE("require-lock-timeout reports once per script") {
  auto run = run_files({{"001_a.up.sql", "ALTER TABLE orders ADD COLUMN a text;\nDROP TABLE legacy;"},
                        {"001_a.down.sql", "ALTER TABLE orders DROP COLUMN a;"}});
  CHECK(run.of(kGate).size() == 2);
}

TEST_CASE("require-lock-timeout option max reports a lock_timeout above it") {
  RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.require-lock-timeout:\n    max: 10s\n";
  auto run = run_sql("SET lock_timeout = '1min';\nALTER TABLE orders ADD COLUMN note text;", opts);
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "ALTER TABLE waits up to 1min for an ACCESS EXCLUSIVE lock on orders (lock_timeout above the 10s "
        "maximum), and while it waits every later read and write of orders queues behind it.");
  CHECK(found[0].help == "Run SET lock_timeout = '10s'; before it and retry the migration if it times out.");
  CHECK(
      run_sql("SET lock_timeout = '10s';\nALTER TABLE orders ADD COLUMN note text;", opts).of(kGate).empty());
  CHECK(
      run_sql("SET lock_timeout = 2000;\nALTER TABLE orders ADD COLUMN note text;", opts).of(kGate).empty());
}

TEST_CASE("require-lock-timeout can be raised to error and suppressed with a reason") {
  RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.require-lock-timeout: error\n";
  auto run = run_sql("ALTER TABLE orders ADD COLUMN note text;", opts);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].severity == Severity::kError);
  auto suppressed = run_sql(
      "-- schemagate:ignore lint.require-lock-timeout the role sets lock_timeout\n"
      "ALTER TABLE orders ADD COLUMN note text;\n",
      opts);
  CHECK(suppressed.of(kGate).empty());
  CHECK(suppressed.of("lint.unused-suppression").empty());
}

}  // namespace require_lock_timeout_test
