// Down migrations are linted like up migrations (issue 5 §1): lint gates run over
// every script, and findings point into the down file.
#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace down_migrations_linted_test {  // per-file scope: the tests are also built as one unity TU

TEST_CASE("lint gates run over golang-migrate down files") {
  auto run = schemagate::testing::run_files(
      {{"4_drop_idx.up.sql", "DROP INDEX IF EXISTS orders_customer_idx;"},
       {"4_drop_idx.down.sql", "\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n"}});
  auto found = run.of("lint.require-concurrent-index");
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "4_drop_idx.down.sql:2:1");
}

TEST_CASE("lint gates run over goose Down sections and Go down functions") {
  auto goose = schemagate::testing::run_files({{"00004_idx.sql",
                                                "-- +goose Up\nDROP INDEX orders_customer_idx;\n-- +goose "
                                                "Down\nCREATE INDEX orders_customer_idx ON orders "
                                                "(customer_id);\n"}});
  CHECK(goose.positions("lint.require-concurrent-index") == std::vector<std::string>{"4:1"});
  auto go = schemagate::testing::run_files(
      {{"00004_idx.go",
        "package m\nfunc init() { goose.AddMigration(up, down) }\n"
        "func up(tx *sql.Tx) error { _, err := tx.Exec(\"DROP INDEX orders_customer_idx\"); return err }\n"
        "func down(tx *sql.Tx) error {\n"
        "\t_, err := tx.Exec(\"CREATE INDEX orders_customer_idx ON orders (customer_id)\")\n"
        "\treturn err\n}\n"}});
  CHECK(go.positions("lint.require-concurrent-index") == std::vector<std::string>{"5:21"});
}

}  // namespace down_migrations_linted_test
