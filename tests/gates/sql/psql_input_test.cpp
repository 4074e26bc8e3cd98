// What psql reads but PostgreSQL never sees (find_psql_spans in gates/sql/source.cpp, used by
// make_script_regions in gates/sql/migration.cpp): meta-command lines and COPY ... FROM stdin
// data are not parsed as SQL, and parser messages stay one short line (one_line_message in
// gates/sql/parser.cpp).
#include <catch2/catch.hpp>

#include "gates/sql/migration.hpp"
#include "gates/sql/parser.hpp"
#include "gates/sql/source.hpp"
#include "support/gate_test.hpp"

namespace psql_input_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::sql::find_psql_spans;
using schemagate::sql::one_line_message;
using schemagate::sql::PsqlSpan;
using schemagate::testing::run_files;
using schemagate::testing::run_sql;

namespace {

// pg_dump's shape: data rows with semicolons, quotes and "--" in them, then more DDL.
const std::string kDump =
    "\\restrict QdQoEmb85OKNJ99\n"                                         // 1
    "SET statement_timeout = 0;\n"                                         // 2
    "CREATE TABLE public.bus (id bigint NOT NULL, name text);\n"           // 3
    "COPY public.bus (id, name) FROM stdin;\n"                             // 4
    "1\tBus A; (redacted)\n"                                               // 5
    "2\tO'Name -- not a comment\n"                                         // 6
    "\\.\n"                                                                // 7
    "\n"                                                                   // 8
    "ALTER TABLE ONLY public.orders ADD COLUMN bus_id bigint NOT NULL;\n"  // 9
    "\\unrestrict QdQoEmb85OKNJ99\n";                                      // 10

std::vector<std::string> kinds(const schemagate::sql::Script& script) {
  std::vector<std::string> out;
  for (const auto& st : script.statements)
    out.push_back(st.facts.kind + "@" + std::to_string(st.position.line));
  return out;
}

}  // namespace

// --- 5. COPY ... FROM stdin data ---

TEST_CASE("psql input: COPY data is not SQL, and the statements after it are checked") {
  auto run = run_sql(kDump);
  const auto& script = *run.set->scripts().front();
  CHECK(script.errors.empty());
  CHECK(kinds(script) == std::vector<std::string>{"SET@2", "CREATE TABLE@3", "COPY@4", "ALTER TABLE@9"});
  // The ALTER after the data is judged like any other statement.
  CHECK(run.positions("lint.require-default-for-not-null") == std::vector<std::string>{"9:1"});
  // The COPY statement keeps its text; the data is not part of it.
  CHECK(script.sql(script.statements[2]) == "COPY public.bus (id, name) FROM stdin");
}

TEST_CASE("psql input: the data spans run from after the ';' to the end of the \\. line") {
  auto spans = find_psql_spans(kDump, 0, kDump.size());
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].kind == PsqlSpan::Kind::kMetaCommand);
  CHECK(spans[0].command == "restrict");
  CHECK(spans[1].kind == PsqlSpan::Kind::kCopyData);
  CHECK(spans[1].begin == kDump.find("FROM stdin;") + 11);
  CHECK(spans[1].end == kDump.find("\\.\n") + 2);
  CHECK(spans[2].command == "unrestrict");
  // Without the terminator the data runs to the end of the text.
  std::string open = "COPY t FROM STDIN;\n1\t2\n";
  auto tail = find_psql_spans(open, 0, open.size());
  REQUIRE(tail.size() == 1);
  CHECK(tail[0].end == open.size());
}

TEST_CASE("psql input: COPY without stdin, COPY TO STDOUT and 'stdin' in strings start no data") {
  std::string sql =
      "COPY t FROM '/tmp/t.csv';\n"
      "COPY t TO STDOUT;\n"
      "SELECT 'COPY t FROM stdin;';\n"
      "CREATE TABLE stdin_rows (id int);\n";
  CHECK(find_psql_spans(sql, 0, sql.size()).empty());
  auto run = run_sql(sql);
  CHECK(run.set->scripts().front()->statements.size() == 4);
}

TEST_CASE("psql input: \\copy ... from stdin reads its rows from the script") {
  std::string sql = "\\copy t (a) from stdin\n1\n2\n\\.\nSELECT 1;\n";
  auto spans = find_psql_spans(sql, 0, sql.size());
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].command == "copy");
  CHECK(spans[1].kind == PsqlSpan::Kind::kCopyData);
  auto run = run_sql(sql);
  CHECK(run.of("lint.sql-syntax-error").empty());
  CHECK(kinds(*run.set->scripts().front()) == std::vector<std::string>{"SELECT@5"});
}

// --- 6. meta-commands ---

TEST_CASE("psql input: meta-commands in a plain file are skipped, and BEGIN after them opens the block") {
  auto run = run_sql(
      "\\set ON_ERROR_STOP on\n"
      "\\connect app\n"
      "BEGIN;\n"
      "ALTER TABLE orders ADD COLUMN note text;\n"
      "\\echo 'added note'\n"
      "COMMIT;\n"
      "\\i other_file.sql\n");
  const auto& script = *run.set->scripts().front();
  CHECK(script.errors.empty());
  CHECK(run.of("lint.sql-syntax-error").empty());
  REQUIRE(script.statements.size() == 3);
  CHECK(kinds(script) == std::vector<std::string>{"BEGIN@3", "ALTER TABLE@4", "COMMIT@6"});
  CHECK(script.statements[1].in_transaction);
}

TEST_CASE("psql input: a backslash in a string, a dollar-quoted body or a comment is not a meta-command") {
  std::string sql =
      "SELECT E'a\n\\\\set x';\n"
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$\n\\connect other\n$body$;\n"
      "/* block\n\\i nope.sql */\n"
      "SELECT '\n\\echo no';\n";
  CHECK(find_psql_spans(sql, 0, sql.size()).empty());
  auto run = run_sql(sql);
  CHECK(run.set->scripts().front()->statements.size() == 3);
  CHECK(run.of("lint.sql-syntax-error").empty());
}

TEST_CASE("psql input: a tool other than psql gets a syntax error per meta-command, and analysis goes on") {
  auto run = run_files({{"db/2_note.up.sql",
                         "\\set ON_ERROR_STOP on\n"
                         "SET lock_timeout = '2s';\n"
                         "  \\connect app\n"
                         "CREATE INDEX orders_a_idx ON orders (a);\n"}});
  auto found = run.of("lint.sql-syntax-error");
  REQUIRE(found.size() == 2);
  CHECK(run.positions("lint.sql-syntax-error") == std::vector<std::string>{"1:1", "3:3"});
  CHECK(found[0].message ==
        "PostgreSQL 15 cannot parse this: \\set is a psql meta-command, not SQL: golang-migrate sends it to "
        "PostgreSQL, which rejects it.");
  CHECK(found[1].message.find("\\connect is a psql meta-command") != std::string::npos);
  CHECK(run.positions("lint.require-concurrent-index") == std::vector<std::string>{"4:1"});
}

// --- syntax-error messages: one line, a short excerpt, no literals ---

TEST_CASE("psql input: a parser message quotes a short one-line excerpt and names literals") {
  CHECK(one_line_message("syntax error at or near \"WHERE\"") == "syntax error at or near \"WHERE\"");
  CHECK(one_line_message("unterminated quoted string at or near \"'Name; Two\n\\.\n\nSELECT 1;\"") ==
        "unterminated quoted string at or near a string literal");
  CHECK(one_line_message("syntax error at or near \"E'secret'\"") ==
        "syntax error at or near a string literal");
  CHECK(one_line_message("unterminated dollar-quoted string at or near \"$x$ body\"") ==
        "unterminated dollar-quoted string at or near a dollar-quoted string");
  CHECK(one_line_message("syntax error at or near \"$1\"") == "syntax error at or near \"$1\"");
  std::string long_token(300, 'x');
  CHECK(one_line_message("syntax error at or near \"" + long_token + "\"") ==
        "syntax error at or near \"" + std::string(40, 'x') + "...\"");
  CHECK(one_line_message("PL/pgSQL: syntax error\nat line 2") == "PL/pgSQL: syntax error at line 2");
  // UTF-8 is cut between characters, never inside one.
  std::string accents;
  for (int i = 0; i < 30; ++i)
    accents += "\xC3\xA9";
  CHECK(one_line_message("syntax error at or near \"" + accents + "\"") ==
        "syntax error at or near \"" + accents.substr(0, 40) + "...\"");
}

TEST_CASE("psql input: a syntax error in data-like text stays one line without the data") {
  // No `COPY ... FROM stdin` before the rows: they are SQL, and wrong.
  auto run = run_sql("SELECT 1;\n1\tO'Name; Two\tYYYY\n2\tmore rows\nALTER TABLE orders ADD COLUMN x int;\n");
  auto found = run.of("lint.sql-syntax-error");
  REQUIRE_FALSE(found.empty());
  for (const auto& f : found) {
    CHECK(f.message.find('\n') == std::string::npos);
    CHECK(f.message.find("Name") == std::string::npos);
    CHECK(f.message.size() < 260);
  }
}

}  // namespace psql_input_test
