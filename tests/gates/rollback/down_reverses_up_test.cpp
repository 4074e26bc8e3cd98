#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace down_reverses_up_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;

static const std::string kGate = "rollback.down-reverses-up";

namespace {

schemagate::testing::Run pair(const std::string& up, const std::string& down) {
  return run_files({{"3_orders.up.sql", up}, {"3_orders.down.sql", down}});
}

std::vector<std::string> messages(const schemagate::testing::Run& run) {
  std::vector<std::string> out;
  for (const auto& f : run.of(kGate))
    out.push_back(f.message);
  return out;
}

}  // namespace

TEST_CASE("down-reverses-up reports each change the down does not undo, at the up statement") {
  auto run = pair(
      "ALTER TABLE orders ADD COLUMN region text;\n"
      "CREATE INDEX ON orders (region);\n"
      "ALTER TABLE orders RENAME COLUMN total TO amount;\n"
      "  ALTER TABLE orders ALTER COLUMN status SET NOT NULL, ALTER COLUMN status SET DEFAULT 'new';\n"
      "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;\n",
      "DROP INDEX orders_region_idx;\n");
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1", "3:1", "4:3", "4:3", "5:1"});
  CHECK(messages(run) ==
        std::vector<std::string>{
            // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): long messages split over lines
            "3_orders.down.sql does not drop column orders.region that this migration adds: a rollback "
            "leaves it "
            "behind.",
            "3_orders.down.sql does not rename column orders.amount back to total: a rollback keeps the new "
            "name, "
            "and code expecting the old one fails.",
            "3_orders.down.sql does not drop or restore the default this migration sets on orders.status: a "
            "rollback keeps the new default.",
            "3_orders.down.sql does not drop the NOT NULL this migration sets on orders.status: a rollback "
            "keeps "
            "rejecting NULLs.",
            "3_orders.down.sql does not disable the row level security this migration enables on orders: a "
            "rollback keeps filtering rows by policy."});
  CHECK(run.of(kGate)[0].help ==
        "Add ALTER TABLE orders DROP COLUMN IF EXISTS region; to 3_orders.down.sql.");
  CHECK(run.of(kGate)[1].help ==
        "Add ALTER TABLE orders RENAME COLUMN amount TO total; to 3_orders.down.sql.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("down-reverses-up reports objects the down does not drop") {
  auto run = pair(
      "CREATE TABLE invoices (id bigint PRIMARY KEY);\n"
      "CREATE VIEW open_invoices AS SELECT * FROM invoices;\n"
      "CREATE SEQUENCE invoice_no;\n"
      "CREATE TYPE invoice_state AS ENUM ('open', 'paid');\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n"
      "CREATE SCHEMA audit;\n"
      "CREATE TRIGGER invoices_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();\n"
      "CREATE POLICY tenant_rows ON orders USING (tenant_id = 1);\n"
      "CREATE UNIQUE INDEX orders_ref_key ON billing.orders (ref);\n",
      "SELECT 1;\n");
  CHECK(
      messages(run) ==
      std::vector<std::string>{
          // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): long messages split over lines
          "3_orders.down.sql does not drop table invoices that this migration creates: a rollback leaves it "
          "behind.",
          "3_orders.down.sql does not drop view open_invoices that this migration creates: a rollback leaves "
          "it behind.",
          "3_orders.down.sql does not drop sequence invoice_no that this migration creates: a rollback "
          "leaves "
          "it behind.",
          "3_orders.down.sql does not drop type invoice_state that this migration creates: a rollback leaves "
          "it behind.",
          "3_orders.down.sql does not drop function touch that this migration creates: a rollback leaves it "
          "behind.",
          "3_orders.down.sql does not drop schema audit that this migration creates: a rollback leaves it "
          "behind.",
          "3_orders.down.sql does not drop trigger invoices_touch on orders that this migration creates: a "
          "rollback leaves it behind.",
          "3_orders.down.sql does not drop policy tenant_rows on orders that this migration creates: a "
          "rollback leaves it behind.",
          "3_orders.down.sql does not drop index billing.orders_ref_key that this migration creates: a "
          "rollback leaves it behind."});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 9);
  CHECK(found[6].help == "Add DROP TRIGGER IF EXISTS invoices_touch ON orders; to 3_orders.down.sql.");
  CHECK(found[8].help == "Add DROP INDEX IF EXISTS billing.orders_ref_key; to 3_orders.down.sql.");
}

TEST_CASE("down-reverses-up is silent for a down that undoes everything") {
  auto run = pair(
      "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint);\n"
      "CREATE INDEX invoices_customer_idx ON invoices (customer_id);\n"
      "ALTER TABLE orders ADD COLUMN region text, ADD CONSTRAINT orders_region_check CHECK (region <> '');\n"
      "ALTER TABLE customers RENAME TO clients;\n"
      "ALTER TABLE orders ALTER COLUMN status DROP NOT NULL;\n"
      "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;\n"
      "ALTER TABLE orders DISABLE ROW LEVEL SECURITY;\n"
      "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n",
      "DROP FUNCTION IF EXISTS touch();\n"
      "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;\n"
      "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new', ALTER COLUMN status SET NOT NULL;\n"
      "ALTER TABLE clients RENAME TO customers;\n"
      "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_region_check;\n"
      "ALTER TABLE public.orders DROP COLUMN IF EXISTS region;\n"
      "DROP TABLE IF EXISTS public.invoices CASCADE;\n");
  CHECK(messages(run).empty());
}

TEST_CASE("down-reverses-up guards against false positives") {
  SECTION("a dropped table takes its columns, indexes, constraints, triggers and policies") {
    auto run = pair(
        "CREATE TABLE invoices (id bigint);\n"
        "ALTER TABLE invoices ADD COLUMN note text;\n"
        "CREATE INDEX ON invoices (note);\n"
        "ALTER TABLE invoices ADD PRIMARY KEY (id);\n"
        "CREATE TRIGGER t BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION f();\n"
        "ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\n",
        "DROP TABLE invoices;\n");
    CHECK(messages(run).empty());
  }
  SECTION("only the creation is reported when the down forgets a new table") {
    auto run = pair("CREATE TABLE invoices (id bigint);\nCREATE INDEX ON invoices (id);\n", "SELECT 1;");
    CHECK(run.positions(kGate) == std::vector<std::string>{"1:1"});
  }
  SECTION("unnamed indexes and constraints match PostgreSQL's generated names") {
    auto run = pair(
        "CREATE INDEX ON orders (customer_id, created_at);\n"
        "CREATE INDEX ON orders (lower(email));\n"
        "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n"
        "ALTER TABLE orders ADD UNIQUE (ref);\n"
        "ALTER TABLE invoices ADD PRIMARY KEY (id);\n",
        "DROP INDEX orders_customer_id_created_at_idx, orders_lower_idx;\n"
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey, DROP CONSTRAINT orders_ref_key;\n"
        "ALTER TABLE invoices DROP CONSTRAINT invoices_pkey;\n");
    CHECK(messages(run).empty());
  }
  SECTION("a constraint goes with its dropped column; renames are followed") {
    auto run = pair(
        "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);\n"
        "ALTER TABLE orders RENAME TO purchases;\n"
        "ALTER TABLE purchases ADD COLUMN note text;\n",
        "ALTER TABLE purchases RENAME TO orders;\n"
        "ALTER TABLE orders DROP COLUMN note, DROP COLUMN ref;\n");
    CHECK(messages(run).empty());
  }
  SECTION("schema drops and CASCADE drops cover what they take with them") {
    auto run = pair(
        "CREATE SCHEMA audit;\nCREATE TABLE audit.events (id bigint);\n"
        "CREATE VIEW recent_orders AS SELECT * FROM orders;\n",
        "DROP SCHEMA audit CASCADE;\nDROP TABLE orders CASCADE;\n");
    CHECK(messages(run).empty());
  }
  SECTION("CREATE OR REPLACE is undone by a down that restores the old definition") {
    auto run = pair("CREATE OR REPLACE VIEW open_orders AS SELECT id, region FROM orders;\n",
                    "CREATE OR REPLACE VIEW open_orders AS SELECT id FROM orders;\n");
    CHECK(messages(run).empty());
    CHECK(pair("CREATE OR REPLACE VIEW open_orders AS SELECT id FROM orders;\n", "SELECT 1;")
              .of(kGate)
              .size() == 1);
  }
  SECTION("what the up undoes itself needs no down") {
    auto run = pair("CREATE TABLE tmp_ids (id bigint);\nDROP TABLE tmp_ids;\n", "SELECT 1;");
    CHECK(messages(run).empty());
  }
  SECTION("no down, or a down that does not parse, is left to other gates") {
    CHECK(run_files({{"3_orders.up.sql", "CREATE TABLE t (id int);"}}).of(kGate).empty());
    CHECK(pair("CREATE TABLE t (id int);", "DROP TABLE t").of(kGate).empty());
    CHECK(pair("CREATE TABLE t (id int);", "DROPP TABLE t;").of(kGate).empty());
  }
}

TEST_CASE("down-reverses-up requires table renames back, new to old") {
  auto run = pair("ALTER TABLE customers RENAME TO clients;\n", "ALTER TABLE customers RENAME TO clients;\n");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(
      run.of(kGate)[0].message ==
      "3_orders.down.sql does not rename table clients back to customers: a rollback keeps the new name, and "
      "code expecting the old one fails.");
  CHECK(run.of(kGate)[0].help == "Add ALTER TABLE clients RENAME TO customers; to 3_orders.down.sql.");
}

TEST_CASE("down-reverses-up names the goose Down section") {
  auto run = run_files({{"00004_region.sql",
                         "-- +goose Up\nALTER TABLE orders ADD COLUMN region text;\n"
                         "-- +goose Down\nSELECT 1;\n"}});
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(run.of(kGate)[0].message ==
        "The Down section of 00004_region.sql does not drop column orders.region that this migration adds: a "
        "rollback leaves it behind.");
}

TEST_CASE("down-reverses-up can be suppressed with a reason") {
  auto run = pair(
      "-- schemagate:ignore rollback.down-reverses-up other schemas log into it\n"
      "CREATE SCHEMA audit;\n",
      "SELECT 1;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace down_reverses_up_test
