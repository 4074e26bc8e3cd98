#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace unused_suppression_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.unused-suppression";

TEST_CASE("unused-suppression reports a suppression that matches nothing") {
  auto run = run_sql("-- schemagate:ignore lint.require-concurrent-index not needed\nSELECT 1;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1"});
  CHECK(found[0].message ==
        "Suppression of lint.require-concurrent-index matches no finding on the statement after it.");
}

TEST_CASE("unused-suppression: a suppression without a reason is not applied and is reported") {
  auto run = run_sql("-- schemagate:ignore lint.require-concurrent-index\nCREATE INDEX i ON orders (a);\n");
  CHECK(run.of("lint.require-concurrent-index").size() == 1);
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "Suppression of lint.require-concurrent-index gives no reason, so it is not applied.");
}

TEST_CASE("unused-suppression reports an unknown gate id") {
  auto run = run_sql("-- schemagate:ignore lint.no-such-gate because\nSELECT 1;\n");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message == "Suppression names lint.no-such-gate, which is not a gate.");
}

TEST_CASE("unused-suppression is silent when the suppression is used, also as a trailing comment") {
  auto run = run_sql(
      "CREATE INDEX i ON orders (a); -- schemagate:ignore lint.require-concurrent-index tiny table\n");
  CHECK(run.of("lint.require-concurrent-index").empty());
  CHECK(run.of(kGate).empty());
}

TEST_CASE("unused-suppression ignores the marker inside string literals") {
  auto run = run_sql("COMMENT ON TABLE t IS 'schemagate:ignore lint.x y';\n");
  CHECK(run.of(kGate).empty());
}

}  // namespace unused_suppression_test
