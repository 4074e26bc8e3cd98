// The schema history (gates/sql/catalog.cpp): what earlier migrations created adds
// the relations a statement locks without naming them. tests/pg checks each kind of
// lock against PostgreSQL 15; these pin how the history is followed.
#include <catch2/catch.hpp>

#include "gates/sql/migration.hpp"
#include "support/gate_test.hpp"

namespace catalog_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::build_migration_set;
using schemagate::sql::LoadOptions;
using schemagate::sql::LockMode;
using schemagate::sql::MigrationInput;
using schemagate::sql::RelationName;
using schemagate::sql::StatementFacts;
using schemagate::testing::run_files;

namespace {

// The facts of the first statement of the last up script.
StatementFacts last_facts(std::vector<MigrationInput> inputs) {
  auto set = build_migration_set(std::move(inputs), LoadOptions{});
  const schemagate::sql::Script* last = nullptr;
  for (const auto& m : set->migrations) {
    if (m.up) last = &*m.up;
  }
  REQUIRE(last != nullptr);
  REQUIRE_FALSE(last->statements.empty());
  return last->statements.front().facts;
}

LockMode mode_on(const StatementFacts& f, const std::string& table) {
  const auto* l = f.find(RelationName{"", table});
  return l == nullptr ? LockMode::kNone : l->mode;
}

const MigrationInput kSchema{
    "001_schema.up.sql",
    "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers,\n"
    "                     created date NOT NULL);\n"
    "CREATE INDEX ON orders (customer_id);\n"
    "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n"
    "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO "
    "('2025-01-01');\n"};

}  // namespace

TEST_CASE("catalog: an unnamed index and foreign key get PostgreSQL's names") {
  // orders_customer_id_idx (ChooseIndexName) and orders_customer_id_fkey (ChooseConstraintName).
  auto drop_index = last_facts({kSchema, {"002_x.up.sql", "DROP INDEX orders_customer_id_idx;"}});
  CHECK(mode_on(drop_index, "orders") == LockMode::kAccessExclusive);
  auto drop_fk =
      last_facts({kSchema, {"002_x.up.sql", "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;"}});
  CHECK(mode_on(drop_fk, "customers") == LockMode::kAccessExclusive);
  // An unknown index or constraint adds nothing.
  auto unknown = last_facts({kSchema, {"002_x.up.sql", "DROP INDEX orders_total_idx;"}});
  CHECK(mode_on(unknown, "orders") == LockMode::kNone);
}

TEST_CASE("catalog: renames are followed") {
  auto f = last_facts({kSchema,
                       {"002_rename.up.sql",
                        "ALTER TABLE orders RENAME TO purchases;\n"
                        "ALTER INDEX orders_customer_id_idx RENAME TO purchases_customer_idx;\n"},
                       {"003_x.up.sql", "DROP INDEX purchases_customer_idx;"}});
  CHECK(mode_on(f, "purchases") == LockMode::kAccessExclusive);
  CHECK(mode_on(f, "orders") == LockMode::kNone);
}

TEST_CASE("catalog: partitions follow ATTACH and DETACH; ONLY does not recurse") {
  auto attached =
      last_facts({kSchema,
                  {"002_part.up.sql",
                   "CREATE TABLE events_2025 (id bigint, at date);\n"
                   "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO "
                   "('2026-01-01');\n"
                   "ALTER TABLE events DETACH PARTITION events_2024;\n"},
                  {"003_x.up.sql", "ALTER TABLE events ADD COLUMN source text;"}});
  CHECK(mode_on(attached, "events_2025") == LockMode::kAccessExclusive);
  CHECK(mode_on(attached, "events_2024") == LockMode::kNone);
  CHECK(attached.target == StatementFacts::Target::kPartitioned);
  auto only =
      last_facts({kSchema, {"002_x.up.sql", "ALTER TABLE ONLY events ALTER COLUMN at SET DEFAULT now();"}});
  CHECK(mode_on(only, "events_2024") == LockMode::kNone);
}

TEST_CASE("catalog: downs meet the schema the ups left (rolled back newest first); no up sees a down") {
  auto set = build_migration_set(
      {kSchema,
       {"002_fk.up.sql",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk2 FOREIGN KEY (id) REFERENCES "
        "customers NOT VALID;\n"},
       {"002_fk.down.sql", "ALTER TABLE orders DROP CONSTRAINT orders_customer_fk2;\n"},
       {"003_x.up.sql", "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk2;\n"}},
      LoadOptions{});
  REQUIRE(set->migrations.size() == 3);
  const auto& down = *set->migrations[1].down;
  CHECK(mode_on(down.statements.front().facts, "customers") == LockMode::kAccessExclusive);
  const auto& up3 = *set->migrations[2].up;
  CHECK(mode_on(up3.statements.front().facts, "customers") == LockMode::kRowShare);
}

TEST_CASE("catalog: a table created earlier in the same script stays new in the added locks") {
  auto set = build_migration_set({{"001_x.up.sql",
                                   "CREATE TABLE a (id bigint PRIMARY KEY);\n"
                                   "CREATE TABLE b (id bigint, a_id bigint REFERENCES a);\n"
                                   "DROP TABLE b;\n"}},
                                 LoadOptions{});
  const auto& drop = set->migrations[0].up->statements[2].facts;
  const auto* a = drop.find(RelationName{"", "a"});
  REQUIRE(a != nullptr);
  CHECK(a->mode == LockMode::kAccessExclusive);
  CHECK(a->is_new);
}

TEST_CASE("catalog: a type change the history shows binary coercible is no rewrite") {
  const MigrationInput logs{"001_logs.up.sql", "CREATE TABLE logs (task_id varchar(150), note varchar(20));"};
  CHECK_FALSE(last_facts({logs, {"002_x.up.sql", "ALTER TABLE logs ALTER COLUMN task_id TYPE varchar(256);"}})
                  .rewrite);
  CHECK_FALSE(
      last_facts(
          {logs, {"002_x.up.sql", "ALTER TABLE logs ALTER task_id TYPE text, ALTER note TYPE varchar;"}})
          .rewrite);
  // Narrowing, USING, another subcommand alongside, or a column the history does not show: a rewrite.
  CHECK(last_facts({logs, {"002_x.up.sql", "ALTER TABLE logs ALTER COLUMN task_id TYPE varchar(100);"}})
            .rewrite);
  CHECK(last_facts({logs, {"002_x.up.sql", "ALTER TABLE logs ALTER task_id TYPE text USING upper(task_id);"}})
            .rewrite);
  CHECK(last_facts({logs, {"002_x.up.sql", "ALTER TABLE logs ALTER task_id TYPE text, ADD COLUMN n serial;"}})
            .rewrite);
  CHECK(last_facts({logs, {"002_x.up.sql", "ALTER TABLE logs ALTER COLUMN level TYPE text;"}}).rewrite);
}

TEST_CASE("require-concurrent-index: a partitioned table gets the ON ONLY recipe; ON ONLY is silent") {
  const std::string gate = "lint.require-concurrent-index";
  auto run = run_files(
      {{kSchema.name, kSchema.text}, {"002_idx.up.sql", "CREATE INDEX events_at_idx ON events (at);\n"}});
  auto found = run.of(gate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "CREATE INDEX on partitioned table events builds an index on its partition under SHARE locks: writes "
        "to events block until every build ends.");
  CHECK(found[0].help ==
        "Create events_at_idx ON ONLY events, build each partition's index with CREATE INDEX CONCURRENTLY, "
        "then attach them: PostgreSQL cannot build an index on a partitioned table concurrently.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[1] ==
        "For each partition (events_2024), in a migration of its own outside a transaction: CREATE INDEX "
        "CONCURRENTLY ON <partition> (...);");
  CHECK(run_files({{kSchema.name, kSchema.text},
                   {"002_idx.up.sql", "CREATE INDEX events_at_idx ON ONLY events (at);\n"}})
            .of(gate)
            .empty());
  // ON ONLY on a table the history shows is a plain one builds as usual.
  CHECK(run_files({{kSchema.name, kSchema.text},
                   {"002_idx.up.sql", "CREATE INDEX orders_created_idx ON ONLY orders (created);\n"}})
            .of(gate)
            .size() == 1);
}

}  // namespace catalog_test
