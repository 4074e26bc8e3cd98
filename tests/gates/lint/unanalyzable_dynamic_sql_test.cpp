#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace unanalyzable_dynamic_sql_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.unanalyzable-dynamic-sql";

TEST_CASE("unanalyzable-dynamic-sql reports EXECUTE of a built string, inside the DO block") {
  auto run = run_sql(
      "SET lock_timeout = '5s';\n"
      "DO $$\n"
      "BEGIN\n"
      "  EXECUTE format('ALTER TABLE %I ADD COLUMN note text', 'orders');\n"
      "  EXECUTE 'ANALYZE ' || 'orders';\n"
      "END $$;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(run.positions(kGate) == std::vector<std::string>{"4:11", "5:11"});
  CHECK(found[0].message ==
        "The DO block runs SQL that no gate can check: EXECUTE runs a string built at run time.");
  CHECK(found[0].help ==
        "Write the statement as static SQL (in the DO block or on its own), or review it and put -- "
        "schemagate:ignore lint.unanalyzable-dynamic-sql <reason> above the DO block.");
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(found[0].location.statement == 1);  // the DO statement: suppressions above it apply
}

TEST_CASE("unanalyzable-dynamic-sql is silent for static SQL, constant EXECUTE and SELECT INTO") {
  auto run = run_sql(
      "DO $$\n"
      "DECLARE n bigint;\n"
      "BEGIN\n"
      "  SELECT count(*) INTO n FROM orders;\n"
      "  IF n = 0 THEN\n"
      "    EXECUTE 'COMMENT ON TABLE orders IS ''empty''';\n"  // doubled quotes: not a constant we read
      "  END IF;\n"
      "  EXECUTE 'COMMENT ON TABLE orders IS $c$none$c$';\n"
      "  PERFORM pg_notify('migrations', 'done');\n"
      "  RAISE NOTICE 'rows: %', n;\n"
      "END $$;\n");
  // Only the doubled-quote EXECUTE is unreadable; the rest is static or a constant.
  CHECK(run.positions(kGate) == std::vector<std::string>{"6:13"});
}

TEST_CASE("unanalyzable-dynamic-sql reports what PL/pgSQL rewrote, other languages and escaped bodies") {
  SECTION("INSERT ... RETURNING ... INTO with the INTO in the middle of the text") {
    auto run = run_sql(
        "DO $$\nDECLARE v bigint;\nBEGIN\n"
        "  INSERT INTO audit (note) VALUES ('x') RETURNING id INTO STRICT v;\n"
        "  UPDATE audit SET note = 'y' WHERE id = v RETURNING id INTO v;\n"
        "END $$;\n");
    // PL/pgSQL cuts "INTO STRICT v" out: the text left ("... RETURNING id") is the
    // file's text, so both statements are read; nothing is reported.
    CHECK(run.of(kGate).empty());
  }
  SECTION("a DO block in another language") {
    auto run = run_sql("DO LANGUAGE plpython3u $$ plpy.execute('DROP TABLE orders') $$;\n");
    REQUIRE(run.of(kGate).size() == 1);
    CHECK(
        run.of(kGate)[0].message ==
        "The DO block runs SQL that no gate can check: it is written in LANGUAGE plpython3u, not PL/pgSQL.");
    CHECK(run.positions(kGate) == std::vector<std::string>{"1:24"});
  }
  SECTION("a body in quotes with escapes") {
    auto run = run_sql("DO 'BEGIN ALTER TABLE orders ADD COLUMN tag text DEFAULT ''x''; END';\n");
    REQUIRE(run.of(kGate).size() == 1);
    CHECK(run.of(kGate)[0].message.find("its body is a quoted string with escapes") != std::string::npos);
  }
  SECTION("FOR ... IN EXECUTE and CALL") {
    auto run = run_sql(
        "DO $$\nDECLARE r record;\nBEGIN\n"
        "  FOR r IN EXECUTE 'SELECT ' || 'nspname FROM pg_namespace' LOOP\n"
        "    RAISE NOTICE '%', r.nspname;\n"
        "  END LOOP;\n"
        "  CALL archive_orders();\n"
        "END $$;\n");
    CHECK(run.positions(kGate) == std::vector<std::string>{"4:1", "7:1"});
  }
}

TEST_CASE("unanalyzable-dynamic-sql can be suppressed above the DO block with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.unanalyzable-dynamic-sql partitions named by month, reviewed in OPS-7\n"
      "DO $$ BEGIN EXECUTE format('CREATE TABLE events_%s (id bigint)', to_char(now(), 'YYYYMM')); END "
      "$$;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace unanalyzable_dynamic_sql_test
