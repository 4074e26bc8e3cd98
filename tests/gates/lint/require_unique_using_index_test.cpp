#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_unique_using_index_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-unique-using-index";

TEST_CASE("require-unique-using-index fires on ADD UNIQUE without USING INDEX") {
  auto run = run_sql("SELECT 1;\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(
      found[0].message ==
      "ADD UNIQUE users_email_key builds its unique index on users under an ACCESS EXCLUSIVE lock: it blocks "
      "all reads and writes on users until the build ends.");
  CHECK(found[0].help ==
        "Build the index with CREATE UNIQUE INDEX CONCURRENTLY first, then add users_email_key UNIQUE USING "
        "INDEX.");
  CHECK(found[0].steps ==
        std::vector<std::string>{
            "In a migration of its own, outside a transaction: CREATE UNIQUE INDEX CONCURRENTLY "
            "users_email_key ON "
            "users (email);",
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;"});
}

TEST_CASE("require-unique-using-index fires on ADD PRIMARY KEY with the generated name and a NOT NULL step") {
  auto found = run_sql("ALTER TABLE users ADD PRIMARY KEY (id);").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.rfind("ADD PRIMARY KEY users_pkey builds its unique index on users", 0) == 0);
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[2] ==
        "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;");
}

TEST_CASE("require-unique-using-index is silent with USING INDEX") {
  CHECK(run_sql("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;")
            .of(kGate)
            .empty());
}

TEST_CASE("require-unique-using-index ignores a table created earlier in the same migration") {
  auto run = run_sql("CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-unique-using-index can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-unique-using-index created empty by the previous release\n"
      "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_unique_using_index_test
