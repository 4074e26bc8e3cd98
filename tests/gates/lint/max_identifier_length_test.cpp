#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace max_identifier_length_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.max-identifier-length";
static const std::string kLongIndex =
    "orders_customer_id_created_at_status_shipping_country_region_partial_idx";  // 72
static const std::string kLongColumn =
    "customer_reference_number_from_the_legacy_billing_system_of_record_v2";  // 69

TEST_CASE("max-identifier-length fires on an index name over 63 bytes") {
  auto run = run_sql("SELECT 1;\nCREATE INDEX CONCURRENTLY " + kLongIndex + " ON orders (customer_id);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:27"});
  CHECK(found[0].message ==
        "Index name " + kLongIndex +
            " is 72 bytes long: PostgreSQL silently truncates it to "
            "orders_customer_id_created_at_status_shipping_country_region_pa, so code and tools "
            "that look it up by the name as written will not find it.");
  CHECK(found[0].help ==
        "Choose a name of at most 63 bytes, so the name written is the name PostgreSQL stores.");
}

TEST_CASE("max-identifier-length points at a long column, quoted or not, in CREATE TABLE and ADD COLUMN") {
  auto run = run_sql("CREATE TABLE t (\n  id bigint,\n  \"" + kLongColumn +
                     "\" text\n);\nALTER TABLE orders ADD COLUMN " + kLongColumn + " text;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:3", "5:31"});
  CHECK(found[0].message.rfind("Column name " + kLongColumn + " is 69 bytes long", 0) == 0);
}

TEST_CASE("max-identifier-length counts bytes, not characters, and cuts at a character boundary") {
  std::string name;
  for (int i = 0; i < 32; ++i)
    name += "\xC3\xA9";  // é: 32 characters, 64 bytes
  auto run = run_sql("CREATE TABLE \"" + name + "\" (id bigint);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("is 64 bytes long: PostgreSQL silently truncates it to \"" +
                              name.substr(0, 62) + "\",") != std::string::npos);
}

TEST_CASE("max-identifier-length is silent for names of 63 bytes and for long references") {
  std::string ok(63, 'a');
  auto run = run_sql("CREATE TABLE " + ok + " (id bigint);\nSELECT * FROM " + kLongIndex + ";\nDROP INDEX " +
                     kLongIndex + ";\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("max-identifier-length ignores long words in strings and comments") {
  auto run = run_sql("CREATE TABLE t (note text DEFAULT '" + kLongColumn + "'); -- " + kLongColumn + "\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("max-identifier-length checks rename targets") {
  auto run = run_sql("ALTER TABLE orders RENAME CONSTRAINT c TO " + kLongIndex + ";\n");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.rfind("Constraint name ", 0) == 0);
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:43"});
}

TEST_CASE("max-identifier-length can be suppressed with a reason") {
  auto run = run_sql("-- schemagate:ignore lint.max-identifier-length generated name\nCREATE INDEX " +
                     kLongIndex + " ON orders (customer_id);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace max_identifier_length_test
