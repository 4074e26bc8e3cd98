// How files become migrations (build_migration_set, read_migration_paths in
// gates/sql/migration.cpp): a migration is known by its folder and version, never by a file's
// base name alone; plain files are ordered by their path, folder by folder; one folder per
// migration (Diesel, Hasura, Sourcegraph, Prisma) takes its version from the folder; ory/pop
// files for other databases are skipped; a mistyped directory is an error.
#include <catch2/catch.hpp>

#include "gates/sql/migration.hpp"
#include "server/reviewer_test_support.hpp"
#include "support/gate_test.hpp"

namespace migration_layout_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::Direction;
using schemagate::sql::Format;
using schemagate::sql::Migration;
using schemagate::sql::MigrationInput;
using schemagate::sql::path_less;
using schemagate::testing::run_files;
using schemagate::testing::TempDir;

namespace {

std::vector<std::string> versions(const schemagate::testing::Run& run) {
  std::vector<std::string> out;
  for (const Migration& m : run.set->migrations)
    out.push_back(m.version);
  return out;
}

const std::string kIndex = "CREATE INDEX orders_a_idx ON orders (a);\n";

}  // namespace

// --- 1. identity: the path, not the base name ---

TEST_CASE("migration layout: Prisma folders holding migration.sql are separate migrations, all checked") {
  auto run = run_files({{"prisma/migrations/20220101000000_init/migration.sql", kIndex},
                        {"prisma/migrations/20220202000000_more/migration.sql", "\n" + kIndex}});
  REQUIRE(run.set->migrations.size() == 2);
  CHECK(versions(run) == std::vector<std::string>{"20220101000000", "20220202000000"});
  CHECK(run.set->migrations[0].name == "init");
  CHECK(run.set->migrations[1].name == "more");
  CHECK(run.set->migrations[0].format == Format::kPlain);
  CHECK(run.set->sources.size() == 2);
  CHECK(run.set->statement_count() == 2);
  auto found = run.of("lint.require-concurrent-index");
  REQUIRE(found.size() == 2);
  CHECK(found[0].location.display() == "prisma/migrations/20220101000000_init/migration.sql:1:1");
  CHECK(found[1].location.display() == "prisma/migrations/20220202000000_more/migration.sql:2:1");
}

TEST_CASE("migration layout: plain files of one name in two folders are two migrations") {
  auto run = run_files({{"schema/versioned/v1.10/task_queue.sql", kIndex},
                        {"schema/versioned/v1.21/task_queue.sql", "SELECT 1;\n" + kIndex}});
  // Named by their path below the folder all inputs share.
  CHECK(versions(run) == std::vector<std::string>{"v1.10/task_queue.sql", "v1.21/task_queue.sql"});
  CHECK(run.set->statement_count() == 3);
  CHECK(run.positions("lint.require-concurrent-index") == std::vector<std::string>{"1:1", "2:1"});
}

TEST_CASE("migration layout: files given by name keep their paths apart too") {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "a");
  std::filesystem::create_directories(dir.path() / "b");
  std::string a = dir.write("a/x.sql", kIndex);
  std::string b = dir.write("b/x.sql", "SELECT 1;\n");
  std::vector<MigrationInput> inputs;
  std::string error;
  REQUIRE(schemagate::sql::read_migration_paths({a, b}, inputs, error));
  auto set = schemagate::sql::build_migration_set(std::move(inputs), {});
  REQUIRE(set->migrations.size() == 2);
  CHECK(set->migrations[0].version == "a/x.sql");
  CHECK(set->migrations[1].version == "b/x.sql");
  CHECK(set->statement_count() == 2);
}

TEST_CASE("migration layout: an up and its down still meet, per folder") {
  auto run = run_files({{"db/1_add_orders.up.sql", "CREATE TABLE orders (id bigint);\n"},
                        {"db/1_add_orders.down.sql", "DROP TABLE orders;\n"},
                        {"other/1_add_orders.up.sql", "CREATE TABLE orders (id bigint);\n"}});
  REQUIRE(run.set->migrations.size() == 2);
  const Migration& paired = run.set->migrations[0].down ? run.set->migrations[0] : run.set->migrations[1];
  const Migration& alone = run.set->migrations[0].down ? run.set->migrations[1] : run.set->migrations[0];
  CHECK(paired.directory == "db");
  REQUIRE(paired.up);
  CHECK(paired.up->source->name() == "db/1_add_orders.up.sql");
  CHECK(alone.directory == "other");
  CHECK_FALSE(alone.down);
  CHECK(run.of("lint.duplicate-migration-version").empty());  // another folder, another tool run
}

// --- 2. order: by path, folder by folder, each name compared naturally ---

TEST_CASE("migration layout: path_less compares folder by folder with version_less") {
  CHECK(path_less("v1.5/b.sql", "v1.10/a.sql"));
  CHECK(path_less("v1.10/x.sql", "v1.21/x.sql"));
  CHECK(path_less("v1.14/z.sql", "v1.15/a.sql"));
  CHECK_FALSE(path_less("v1.15/a.sql", "v1.14/z.sql"));
  CHECK(path_less("schema.sql", "versioned/v1.0/a.sql"));
  CHECK(path_less("a/b.sql", "a-b/a.sql"));  // the folder "a" before "a-b", whatever '/' sorts as
  CHECK_FALSE(path_less("v1.5/a.sql", "v1.5/a.sql"));
  CHECK(path_less("2", "10"));                          // versions without folders: version_less
  CHECK(path_less("05", "5") != path_less("5", "05"));  // equal numbers still get an order
}

TEST_CASE("migration layout: plain files run in path order, not by file name") {
  auto run = run_files({{"t/versioned/v1.15/a_data.sql", "SELECT 1;"},
                        {"t/versioned/v1.14/z_start_time.sql", "SELECT 1;"},
                        {"t/schema.sql", "SELECT 1;"},
                        {"t/versioned/v1.5/m_members.sql", "SELECT 1;"}});
  CHECK(versions(run) == std::vector<std::string>{"schema.sql", "versioned/v1.5/m_members.sql",
                                                  "versioned/v1.14/z_start_time.sql",
                                                  "versioned/v1.15/a_data.sql"});
}

TEST_CASE("migration layout: history replay follows the path order") {
  const std::string create = "CREATE TABLE orders (note varchar(10));\n";
  const std::string widen = "ALTER TABLE orders ALTER COLUMN note TYPE varchar(20);\n";
  // v1.5 creates, v1.10 widens: the old type is known and the change is free. By file name alone
  // the change (a_...) would run before the table exists (z_...).
  auto ordered = run_files({{"v1.5/z_create.sql", create}, {"v1.10/a_widen.sql", widen}});
  CHECK(ordered.of("lint.ban-column-type-change").empty());
  // The change in the earlier folder: no earlier migration shows the old type.
  auto reversed = run_files({{"v1.10/z_create.sql", create}, {"v1.5/a_widen.sql", widen}});
  auto found = reversed.of("lint.ban-column-type-change");
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "v1.5/a_widen.sql:1:1");
  CHECK(found[0].message.find("no earlier migration shows the old type") != std::string::npos);
}

// --- 3. one folder per migration ---

TEST_CASE("migration layout: <version>_<name>/up.sql and down.sql are one migration, up and down") {
  auto run = run_files({{"hasura/1700000000001_create_t/up.sql", "CREATE TABLE t (id bigint);\n"},
                        {"hasura/1700000000001_create_t/down.sql", "DROP TABLE t;\n"}});
  REQUIRE(run.set->migrations.size() == 1);
  const Migration& m = run.set->migrations[0];
  CHECK(m.format == Format::kDirectory);
  CHECK(m.version == "1700000000001");
  CHECK(m.name == "create_t");
  CHECK(m.directory == "hasura");
  REQUIRE(m.up);
  REQUIRE(m.down);
  CHECK(m.up->source->name() == "hasura/1700000000001_create_t/up.sql");
  CHECK(m.down->direction == Direction::kDown);
  CHECK(m.down->source->name() == "hasura/1700000000001_create_t/down.sql");
  // The tools run each folder's script in a transaction.
  CHECK(m.up->tool_transaction);
  CHECK(m.up->statements[0].in_transaction);
  // The down undoes its up: no destructive-change findings, nothing missing.
  CHECK(run.of("lint.ban-drop-table").empty());
  CHECK(run.of("rollback.down-reverses-up").empty());
  CHECK(run.of("rollback.require-down-migration").empty());
}

TEST_CASE("migration layout: a folder without down.sql is reported, with the file it needs") {
  auto run =
      run_files({{"migrations/2017-07-20-123456_create_users/up.sql", "CREATE TABLE users (id bigint);"}});
  REQUIRE(run.set->migrations.size() == 1);
  CHECK(run.set->migrations[0].version == "2017-07-20-123456");  // Diesel's versions
  auto found = run.of("rollback.require-down-migration");
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "up.sql has no down migration (migrations/2017-07-20-123456_create_users/down.sql): it cannot be "
        "rolled "
        "back by the tool.");
}

TEST_CASE("migration layout: BEGIN in a folder's up.sql is inside the tool's transaction") {
  auto run = run_files({{"m/5_orders/up.sql", "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n"},
                        {"m/5_orders/down.sql", "ALTER TABLE orders DROP COLUMN note;\n"}});
  auto found = run.of("lint.ban-nested-transaction");
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "m/5_orders/up.sql:1:1");
  CHECK(found[0].message.rfind("BEGIN inside the migration tool's own transaction starts nothing", 0) == 0);
}

TEST_CASE("migration layout: a folder with CREATE INDEX CONCURRENTLY is taken to run outside a transaction") {
  auto run = run_files({{"m/6_idx/up.sql", "CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\n"},
                        {"m/6_idx/down.sql", "DROP INDEX CONCURRENTLY orders_a_idx;\n"}});
  const Migration& m = run.set->migrations.at(0);
  CHECK_FALSE(m.up->tool_transaction);
  CHECK(run.of("lint.non-transactional-in-transaction").empty());
}

TEST_CASE("migration layout: up.sql in a folder without a version, and Prisma's migration.sql, are plain") {
  auto run = run_files({{"notes/up.sql", "SELECT 1;\n"}, {"notes/down.sql", "SELECT 2;\n"}});
  REQUIRE(run.set->migrations.size() == 2);
  for (const Migration& m : run.set->migrations) {
    CHECK(m.format == Format::kPlain);
    CHECK(m.up);
    CHECK_FALSE(m.down);
  }
  // Prisma sends the statements one by one: autocommit, no down expected.
  auto prisma = run_files({{"prisma/migrations/20240101000000_idx/migration.sql",
                            "ALTER TABLE orders ADD COLUMN b int;\n"
                            "CREATE INDEX CONCURRENTLY orders_b_idx ON orders (b);\n"}});
  const Migration& p = prisma.set->migrations.at(0);
  CHECK_FALSE(p.up->tool_transaction);
  CHECK_FALSE(p.up->statements[1].in_transaction);
  CHECK(prisma.of("lint.non-transactional-in-transaction").empty());
  CHECK(prisma.of("rollback.require-down-migration").empty());
}

// --- 4. ory/pop dialects ---

TEST_CASE("migration layout: ory/pop files for other databases are skipped, postgres and all are read") {
  auto run = run_files(
      {{"sql/20191100000001000000_identities.postgres.up.sql", "CREATE TABLE identities (id uuid);\n"},
       {"sql/20191100000001000000_identities.mysql.up.sql", "CREATE TABLE `identities` (`id` CHAR(36));\n"},
       {"sql/20191100000001000000_identities.sqlite3.up.sql", "CREATE TABLE \"identities\" (id TEXT);\n"},
       {"sql/20191100000001000000_identities.cockroach.down.sql", "DROP TABLE identities CASCADE;\n"},
       {"sql/20191100000001000000_identities.postgres.down.sql", "DROP TABLE identities;\n"},
       {"sql/20191100000002000000_courier.up.sql", "CREATE TABLE courier (id uuid);\n"},
       {"sql/20191100000002000000_courier.all.down.sql", "DROP TABLE courier;\n"}});
  CHECK(run.of("lint.sql-syntax-error").empty());  // MySQL's backquotes are never parsed
  REQUIRE(run.set->migrations.size() == 2);
  CHECK(run.set->migrations[0].name == "identities");
  CHECK(run.set->migrations[0].up->source->name() == "sql/20191100000001000000_identities.postgres.up.sql");
  CHECK(run.set->migrations[0].down->source->name() ==
        "sql/20191100000001000000_identities.postgres.down.sql");
  CHECK(run.set->migrations[1].name == "courier");
  REQUIRE(run.set->migrations[1].down);
  CHECK(run.set->sources.size() == 4);  // the files checked
  REQUIRE(run.set->skipped.size() == 3);
  CHECK(run.set->skipped[0].name == "sql/20191100000001000000_identities.cockroach.down.sql");
  CHECK(run.set->skipped[0].reason == "for cockroach (ory/pop dialect)");
  CHECK(run.set->skipped[1].reason == "for mysql (ory/pop dialect)");
  CHECK(run.set->skipped[2].reason == "for sqlite3 (ory/pop dialect)");
}

TEST_CASE("migration layout: a dot in a golang-migrate name is not a dialect") {
  auto run = run_files({{"postgres/000070_upgrade_cte_v6.1.up.sql", "SELECT 1;"},
                        {"postgres/000071_a.autocommit.up.sql", "SELECT 1;"}});
  CHECK(run.set->skipped.empty());
  REQUIRE(run.set->migrations.size() == 2);
  CHECK(run.set->migrations[0].name == "upgrade_cte_v6.1");
  CHECK(run.set->migrations[0].format == Format::kGolangMigrate);
  CHECK(run.set->migrations[1].name == "a.autocommit");  // ory's flag needs a known dialect before it
}

// --- 7. a directory with nothing to check ---

TEST_CASE("migration layout: a directory without migration files is an error naming it") {
  TempDir dir;
  std::vector<MigrationInput> inputs;
  std::string error;
  CHECK_FALSE(schemagate::sql::read_migration_paths({dir.path().string()}, inputs, error));
  CHECK(error == "no migration files (*.sql, goose *.go) under " + dir.path().string());
  dir.write("README.md", "# migrations\n");
  dir.write("helpers_test.go", "package migrations\n");
  error.clear();
  CHECK_FALSE(schemagate::sql::read_migration_paths({dir.path().string()}, inputs, error));
  CHECK(error == "no migration files (*.sql, goose *.go) under " + dir.path().string());
  dir.write("1_a.up.sql", "SELECT 1;");
  error.clear();
  CHECK(schemagate::sql::read_migration_paths({dir.path().string()}, inputs, error));
  CHECK(error.empty());
  CHECK(inputs.size() == 1);
}

// --- 8. a second file for a direction is another migration, never a replacement ---

TEST_CASE("migration layout: two files of one version and direction are both kept") {
  auto run = run_files({{"db/5_a.up.sql", "CREATE TABLE a (id int);"},
                        {"db/5_b.up.sql", "CREATE TABLE b (id int);"},
                        {"db/5_a.down.sql", "DROP TABLE a;"}});
  REQUIRE(run.set->migrations.size() == 2);
  CHECK(run.set->statement_count() == 3);
  CHECK(run.set->migrations[0].up->source->name() == "db/5_a.up.sql");
  REQUIRE(run.set->migrations[0].down);
  CHECK(run.set->migrations[1].up->source->name() == "db/5_b.up.sql");
}

}  // namespace migration_layout_test
