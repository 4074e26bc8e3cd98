#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_vacuum_full_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-vacuum-full";

TEST_CASE("ban-vacuum-full fires on VACUUM FULL of an existing table") {
  auto run = run_sql("SET lock_timeout = '2s';\n  VACUUM FULL orders;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "VACUUM FULL rewrites orders under an ACCESS EXCLUSIVE lock on orders, which blocks all reads and "
        "writes "
        "until the rewrite ends.");
  CHECK(
      found[0].help ==
      "Reclaim the space online with pg_repack or pg_squeeze, or run plain VACUUM, which takes only a SHARE "
      "UPDATE EXCLUSIVE lock.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(found[0].steps[0] ==
        "Run plain VACUUM orders to make dead rows reusable without blocking reads or writes.");
}

TEST_CASE("ban-vacuum-full fires on the parenthesized form and on the whole database") {
  CHECK(run_sql("VACUUM (FULL, ANALYZE) orders;").of(kGate).size() == 1);
  CHECK(run_sql("VACUUM (FULL true) orders;").of(kGate).size() == 1);
  auto found = run_sql("VACUUM FULL;").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "VACUUM FULL without a table rewrites every table in the database, each under an ACCESS EXCLUSIVE "
        "lock, "
        "which blocks all reads and writes until its rewrite ends.");
}

TEST_CASE("ban-vacuum-full is silent for plain VACUUM and FULL false") {
  CHECK(run_sql("VACUUM orders;").of(kGate).empty());
  CHECK(run_sql("VACUUM (ANALYZE) orders;").of(kGate).empty());
  CHECK(run_sql("VACUUM (FULL false) orders;").of(kGate).empty());
  CHECK(run_sql("VACUUM (FULL off) orders;").of(kGate).empty());
}

TEST_CASE("ban-vacuum-full ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE scratch (id bigint);\n"
      "VACUUM FULL scratch;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-vacuum-full can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-vacuum-full maintenance window, the service is stopped\n"
      "VACUUM FULL audit_log;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_vacuum_full_test
