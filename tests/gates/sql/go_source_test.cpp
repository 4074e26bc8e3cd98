// The Go lexer behind goose .go migrations: literals, escapes, raw strings,
// concatenations and constants, with every byte of the SQL mapped to the file.
#include "gates/sql/go_source.hpp"

#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace go_source_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::GoSource;
using schemagate::sql::scan_go_source;

namespace {

// The file offset of the first byte of `needle` inside the SQL of `call`.
std::uint32_t mapped(const schemagate::sql::GoSqlCall& call, std::string_view needle) {
  return call.sql.offsets.at(call.sql.value.find(needle));
}

}  // namespace

TEST_CASE("go_source decodes interpreted strings and maps escapes to their backslash") {
  std::string text =
      "func up(tx *sql.Tx) error {\n\t_, err := tx.Exec(\"ALTER TABLE \\\"Orders\\\"\\tADD x\\x41 "
      "\\u00e9\\101\")\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 1);
  const auto& call = go.calls[0];
  CHECK(call.receiver == "tx");
  CHECK(call.method == "Exec");
  CHECK(call.offset == text.find("tx.Exec"));
  REQUIRE(call.literal);
  CHECK(call.sql.value ==
        "ALTER TABLE \"Orders\"\tADD xA \xC3\xA9"
        "A");
  REQUIRE(call.sql.offsets.size() == call.sql.value.size() + 1);
  CHECK(mapped(call, "\"Orders") == text.find("\\\"Orders"));
  CHECK(mapped(call, "Orders") == text.find("Orders"));
  CHECK(mapped(call, "\t") == text.find("\\t"));
  CHECK(mapped(call, "ADD") == text.find("ADD"));
  CHECK(mapped(call, "A \xC3") == text.find("\\x41"));
  CHECK(mapped(call, "\xC3\xA9") == text.find("\\u00e9"));
  CHECK(call.sql.offsets.back() == text.find("\")\n}"));
}

TEST_CASE("go_source reads raw strings verbatim, dropping carriage returns") {
  std::string text =
      "func up(tx *sql.Tx) error {\n\ttx.Exec(`CREATE INDEX i\r\n  ON t (a) -- \\n stays`)\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 1);
  REQUIRE(go.calls[0].literal);
  CHECK(go.calls[0].sql.value == "CREATE INDEX i\n  ON t (a) -- \\n stays");
  CHECK(mapped(go.calls[0], "ON t") == text.find("ON t"));
}

TEST_CASE("go_source joins concatenated literals and constants, and maps each piece") {
  std::string text =
      "const addNote = \"ADD COLUMN note text\"\n"
      "const (\n\tcreate = `CREATE TABLE a (id int)`\n\tother = 1\n)\n"
      "func up(ctx context.Context, db *sql.DB) error {\n"
      "\tdb.ExecContext(ctx, \"ALTER TABLE orders \" +\n\t\taddNote)\n"
      "\tdb.Exec(create)\n"
      "\treturn nil\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 2);
  REQUIRE(go.calls[0].literal);
  CHECK(go.calls[0].method == "ExecContext");
  CHECK(go.calls[0].sql.value == "ALTER TABLE orders ADD COLUMN note text");
  CHECK(mapped(go.calls[0], "ALTER") == text.find("ALTER"));
  CHECK(mapped(go.calls[0], "ADD COLUMN") == text.find("ADD COLUMN"));
  REQUIRE(go.calls[1].literal);
  CHECK(go.calls[1].sql.value == "CREATE TABLE a (id int)");
  CHECK(mapped(go.calls[1], "CREATE") == text.find("CREATE"));
}

TEST_CASE("go_source ignores comments and strings that mention Exec(, and handles nested parentheses") {
  std::string text =
      "// tx.Exec(\"DROP TABLE a\")\n"
      "/* db.Exec(\"DROP TABLE b\") */\n"
      "func up(tx *sql.Tx) error {\n"
      "\tlog.Print(\"tx.Exec(\")\n"
      "\trow := tx.QueryRow(\"SELECT count(*) FROM (SELECT 1) s WHERE a = $1\", f(g(1), 2))\n"
      "\trows, _ := tx.QueryContext(ctx, q)\n"
      "\ttx.QueryRowContext(ctx, fmt.Sprintf(\"SELECT %d\", 1))\n"
      "\ttx.Query(\"SELECT \" + name)\n"
      "\treturn nil\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 4);
  CHECK(go.calls[0].method == "QueryRow");
  REQUIRE(go.calls[0].literal);
  CHECK(go.calls[0].sql.value == "SELECT count(*) FROM (SELECT 1) s WHERE a = $1");
  CHECK_FALSE(go.calls[1].literal);
  CHECK(go.calls[1].why == "its SQL comes from q, a value known only at run time");
  CHECK_FALSE(go.calls[2].literal);
  CHECK(go.calls[2].why == "its SQL is built at run time with fmt.Sprintf");
  CHECK_FALSE(go.calls[3].literal);
  CHECK(go.calls[3].why == "its SQL is concatenated with a value known only at run time");
  CHECK(go.comments.size() == 2);
}

TEST_CASE("go_source finds the goose registrations, their functions and helpers") {
  std::string text =
      "type MigrationFn func(*sql.Tx) error\n"
      "func init() {\n"
      "\tgoose.AddMigration(upUsers, downUsers)\n"
      "\tgoose.AddMigrationNoTxContext(func(ctx context.Context, db *sql.DB) error {\n"
      "\t\t_, err := db.ExecContext(ctx, \"CREATE INDEX CONCURRENTLY i ON t (a)\")\n"
      "\t\treturn err\n"
      "\t}, nil)\n"
      "}\n"
      "func upUsers(tx *sql.Tx) error { return createUsers(tx) }\n"
      "func createUsers(tx *sql.Tx) error { _, err := tx.Exec(\"CREATE TABLE users (id int)\"); return err "
      "}\n"
      "func downUsers(tx *sql.Tx) (err error) { _, err = tx.Exec(\"DROP TABLE users\"); return }\n"
      "func (m *M) method() interface{} { return nil }\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.registrations.size() == 2);
  const auto& a = go.registrations[0];
  CHECK(a.call == "goose.AddMigration");
  CHECK_FALSE(a.no_transaction);
  CHECK(a.up_name == "upUsers");
  CHECK(a.down_name == "downUsers");
  REQUIRE(a.up);
  REQUIRE(a.down);
  auto up_calls = schemagate::sql::go_calls_reached(go, *a.up);
  REQUIRE(up_calls.size() == 1);
  CHECK(up_calls[0]->sql.value == "CREATE TABLE users (id int)");
  auto down_calls = schemagate::sql::go_calls_reached(go, *a.down);
  REQUIRE(down_calls.size() == 1);
  CHECK(down_calls[0]->sql.value == "DROP TABLE users");
  const auto& b = go.registrations[1];
  CHECK(b.call == "goose.AddMigrationNoTxContext");
  CHECK(b.no_transaction);
  CHECK(b.up_name == "func literal");
  REQUIRE(b.up);
  CHECK(go.functions[*b.up].name.empty());
  CHECK(schemagate::sql::go_calls_reached(go, *b.up).size() == 1);
  CHECK(b.down_name == "nil");
  CHECK_FALSE(b.down);
}

TEST_CASE("goose .go migrations load as up/down scripts with findings located in the .go file") {
  std::string go =
      "package migrations\n"                                      // 1
      "\n"                                                        // 2
      "func init() {\n"                                           // 3
      "\tgoose.AddMigrationContext(upOrders, downOrders)\n"       // 4
      "}\n"                                                       // 5
      "\n"                                                        // 6
      "func upOrders(ctx context.Context, tx *sql.Tx) error {\n"  // 7
      "\tif _, err := tx.ExecContext(ctx, \"ALTER TABLE \\\"Orders\\\" ADD note text; "
      "CREATE INDEX ON orders (a)\"); err != nil {\n"                                 // 8
      "\t\treturn err\n"                                                              // 9
      "\t}\n"                                                                         // 10
      "\t_, err := tx.ExecContext(ctx, `\n"                                           // 11
      "\t\tCREATE INDEX orders_b_idx ON orders (b)`)\n"                               // 12
      "\treturn err\n"                                                                // 13
      "}\n"                                                                           // 14
      "\n"                                                                            // 15
      "func downOrders(ctx context.Context, tx *sql.Tx) error {\n"                    // 16
      "\t_, err := tx.ExecContext(ctx, \"DROP INDEX orders_b_idx, orders_a_idx\")\n"  // 17
      "\treturn err\n"                                                                // 18
      "}\n";
  auto run = schemagate::testing::run_files({{"migrations/00005_orders.go", go}});
  REQUIRE(run.set->migrations.size() == 1);
  const auto& m = run.set->migrations[0];
  CHECK(m.version == "00005");
  CHECK(m.name == "orders");
  CHECK(m.format == schemagate::sql::Format::kGoose);
  REQUIRE(m.up);
  REQUIRE(m.down);
  CHECK(m.up->statements.size() == 3);
  CHECK(m.down->statements.size() == 1);
  CHECK(m.up->go_function == "upOrders");
  CHECK(m.up->tool_transaction);
  CHECK(m.up->source->name() == "migrations/00005_orders.go");
  // The statement after the escaped quotes and the one in a raw string on its own line.
  CHECK(run.positions("lint.require-concurrent-index") == std::vector<std::string>{"8:74", "12:3"});
  auto rev = run.of("rollback.down-reverses-up");
  REQUIRE(rev.size() == 1);
  CHECK(rev[0].location.display() == "migrations/00005_orders.go:8:36");
  CHECK(rev[0].message ==
        "downOrders in migrations/00005_orders.go does not drop column \"Orders\".note that this migration "
        "adds: "
        "a rollback leaves it behind.");
  CHECK(run.of("lint.sql-syntax-error").empty());
}

TEST_CASE("read_migration_paths picks up goose .go files, and helper .go files are not migrations") {
  auto run = schemagate::testing::run_files(
      {{"migrations/helpers.go", "package migrations\nfunc q(tx *sql.Tx) { tx.Exec(\"SELECT 1\") }\n"},
       {"migrations/00001_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 1;\n"}});
  CHECK(run.set->migrations.size() == 1);
  CHECK(run.set->sources.size() == 1);  // the files checked: a helper is not one
}

TEST_CASE("go_source reads a local assigned once from a literal as its SQL") {
  std::string text =
      "func helper(ctx context.Context, db *sql.DB) error {\n"
      "\tverifyQuery := `SELECT count(*) FROM pg_index WHERE indisvalid = false`\n"
      "\tvar n int\n"
      "\terr := db.QueryRowContext(ctx, verifyQuery).Scan(&n)\n"
      "\tvar other = \"ANALYZE \" +\n\t\t\"orders\"\n"
      "\tdb.ExecContext(ctx, other)\n"
      "\treturn err\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 2);
  REQUIRE(go.calls[0].literal);
  CHECK(go.calls[0].method == "QueryRowContext");
  CHECK(go.calls[0].sql.value == "SELECT count(*) FROM pg_index WHERE indisvalid = false");
  CHECK(mapped(go.calls[0], "SELECT") == text.find("SELECT"));
  REQUIRE(go.calls[1].literal);
  CHECK(go.calls[1].sql.value == "ANALYZE orders");
  CHECK(mapped(go.calls[1], "orders") == text.find("\"orders") + 1);
}

TEST_CASE("go_source keeps a local that changes, is declared twice or is shadowed as run-time SQL") {
  std::string text =
      "func up(ctx context.Context, db *sql.DB) error {\n"
      "\tq := \"SELECT 1\"\n"
      "\tif cond {\n\t\tq = \"DROP TABLE orders\"\n\t}\n"
      "\tdb.ExecContext(ctx, q)\n"  // 0: reassigned
      "\tr := \"SELECT 2\"\n"
      "\tr += \" FROM orders\"\n"
      "\tdb.ExecContext(ctx, r)\n"  // 1: compound assignment
      "\ts := \"SELECT 3\"\n"
      "\tp := &s\n"
      "\tdb.ExecContext(ctx, s)\n"  // 2: address taken
      "\tt, err := \"SELECT 4\", nil\n"
      "\tdb.ExecContext(ctx, t)\n"  // 3: one of several names
      "\tu := \"SELECT 5\"\n"
      "\trun := func(u string) { db.ExecContext(ctx, u) }\n"  // 4: the parameter, not the local
      "\tdb.ExecContext(ctx, v)\n"                            // 5: declared after the call
      "\tv := \"SELECT 6\"\n"
      "\treturn nil\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 6);
  for (const auto& call : go.calls)
    CHECK_FALSE(call.literal);
  CHECK(go.calls[0].why == "its SQL comes from q, a value known only at run time");
}

TEST_CASE("go_source follows a local into a func literal that uses it") {
  std::string text =
      "func up(ctx context.Context, db *sql.DB) error {\n"
      "\tq := `CREATE INDEX orders_a_idx ON orders (a)`\n"
      "\treturn retry(func() error { _, err := db.ExecContext(ctx, q); return err })\n}\n";
  GoSource go = scan_go_source(text);
  REQUIRE(go.calls.size() == 1);
  REQUIRE(go.calls[0].literal);
  CHECK(go.calls[0].sql.value == "CREATE INDEX orders_a_idx ON orders (a)");
}

TEST_CASE("go_source: a goose migration's local query is checked, not reported as run-time SQL") {
  std::string go =
      "package migrations\n"
      "func init() { goose.AddMigrationNoTxContext(upIdx, nil) }\n"
      "func upIdx(ctx context.Context, db *sql.DB) error {\n"
      "\tconst create = `CREATE INDEX orders_a_idx ON orders (a)`\n"
      "\tverify := `SELECT count(*) FROM pg_index WHERE indisvalid = false`\n"
      "\tif _, err := db.ExecContext(ctx, create); err != nil {\n\t\treturn err\n\t}\n"
      "\tvar n int\n"
      "\treturn db.QueryRowContext(ctx, verify).Scan(&n)\n}\n";
  auto run = schemagate::testing::run_files({{"migrations/00007_idx.go", go}});
  CHECK(run.of("lint.unanalyzable-go-sql").empty());
  CHECK(run.positions("lint.require-concurrent-index") == std::vector<std::string>{"4:18"});
  REQUIRE(run.set->migrations.size() == 1);
  CHECK(run.set->migrations[0].up->statements.size() == 2);
}

}  // namespace go_source_test
