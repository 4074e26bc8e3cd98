#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_volatile_default_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.ban-volatile-default";

TEST_CASE("ban-volatile-default fires on a volatile default and names the function, not the expression") {
  auto run = run_sql(
      "SET lock_timeout = '2s';\nALTER TABLE orders\n  ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "Adding column token to orders with a volatile DEFAULT (gen_random_uuid) rewrites orders under an "
        "ACCESS "
        "EXCLUSIVE lock on orders, which blocks all reads and writes until the rewrite ends.");
  CHECK(found[0].help ==
        "Add token without a DEFAULT, set the DEFAULT in a second statement so it applies to new rows only, "
        "and "
        "backfill existing rows in batches.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[0] == "ALTER TABLE orders ADD COLUMN token uuid;");
  CHECK(
      found[0].steps[1] ==
      "ALTER TABLE orders ALTER COLUMN token SET DEFAULT <your gen_random_uuid default>; (new rows only, no "
      "rewrite)");
}

TEST_CASE("ban-volatile-default never echoes the default's literals") {
  auto found = run_sql("ALTER TABLE orders ADD COLUMN k text DEFAULT encrypt_key('s3cr3t-token');").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("encrypt_key") != std::string::npos);
  for (const auto& text : {found[0].message, found[0].help})
    CHECK(text.find("s3cr3t") == std::string::npos);
  for (const auto& step : found[0].steps)
    CHECK(step.find("s3cr3t") == std::string::npos);
}

TEST_CASE("ban-volatile-default is silent for constant and stable defaults on PostgreSQL 11+") {
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT now();").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN created_at timestamptz DEFAULT CURRENT_TIMESTAMP;")
            .of(kGate)
            .empty());
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN token uuid;").of(kGate).empty());
}

TEST_CASE("ban-volatile-default fires for nextval, clock_timestamp and unknown functions") {
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN n bigint DEFAULT nextval('orders_n_seq');").of(kGate).size() ==
        1);
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN t timestamptz DEFAULT clock_timestamp();").of(kGate).size() ==
        1);
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN x int DEFAULT my_func();").of(kGate).size() == 1);
}

TEST_CASE("ban-volatile-default ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE tokens (id bigint);\n"
      "ALTER TABLE tokens ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-volatile-default reports every default before PostgreSQL 11 (policy postgresVersion)") {
  RunOptions opts;
  opts.pg_major = 10;
  auto found = run_sql("ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';", opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "Adding column status to orders with a DEFAULT on PostgreSQL 10 rewrites orders under an ACCESS "
        "EXCLUSIVE "
        "lock on orders, which blocks all reads and writes until the rewrite ends.");
  CHECK(run_sql("ALTER TABLE orders ADD COLUMN status text DEFAULT NULL;", opts).of(kGate).empty());
}

TEST_CASE("ban-volatile-default can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-volatile-default the table has 20 rows\n"
      "ALTER TABLE regions ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_volatile_default_test
