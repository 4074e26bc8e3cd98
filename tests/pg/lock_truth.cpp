#include "pg/lock_truth.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gates/sql/migration.hpp"
#include "gates/sql/parser.hpp"

namespace schemagate::pgtest {

namespace {

// Relation names are chosen to differ from every column, constraint and type
// name, so "named in the statement" can be decided from the identifiers alone.
constexpr std::string_view kFixture = R"sql(
CREATE ROLE lt_owner;
CREATE SCHEMA archive;
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS integer;
CREATE SEQUENCE ticket_seq;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

CREATE TABLE parent (
  id bigint PRIMARY KEY,
  code text NOT NULL CONSTRAINT parent_code_key UNIQUE,
  label varchar(20),
  amount integer,
  note text
);
CREATE UNIQUE INDEX parent_label_uidx ON parent (label);
INSERT INTO parent SELECT g, 'c' || g, 'l' || g, g, 'n' FROM generate_series(1, 100) g;

CREATE TABLE child (
  id bigint PRIMARY KEY,
  parent_id bigint CONSTRAINT child_parent_fk REFERENCES parent (id),
  qty integer CONSTRAINT child_qty_check CHECK (qty >= 0),
  score posint,
  feeling mood
);
CREATE INDEX child_parent_idx ON child (parent_id);
CREATE INDEX child_qty_idx ON child (qty);
INSERT INTO child SELECT g, g, g, g, 'ok' FROM generate_series(1, 100) g;
ALTER TABLE child ADD CONSTRAINT child_qty_nv CHECK (qty < 100000) NOT VALID;
ALTER TABLE child ADD CONSTRAINT child_parent_nv FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID;
CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY child_policy ON child USING (true);

CREATE STATISTICS parent_amount_stats ON amount, label FROM parent;

CREATE TABLE loose (id bigint NOT NULL, code text, amount integer);
CREATE UNIQUE INDEX loose_id_uidx ON loose (id);
INSERT INTO loose SELECT g, 'c' || g, g FROM generate_series(1, 100) g;

CREATE UNLOGGED TABLE scratch (id bigint);
INSERT INTO scratch VALUES (1);

CREATE TABLE base (id bigint, code text);
CREATE TABLE heir (id bigint, code text);
CREATE TABLE heir_linked () INHERITS (base);

CREATE TABLE events (id bigint, created date NOT NULL, payload text) PARTITION BY RANGE (created);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 (id bigint, created date NOT NULL, payload text);
INSERT INTO events VALUES (1, '2023-05-01', 'a'), (2, '2024-05-01', 'b');
INSERT INTO events_2025 VALUES (3, '2025-05-01', 'c');

CREATE VIEW parent_view AS SELECT id, code FROM parent;
CREATE MATERIALIZED VIEW parent_totals AS SELECT id, amount FROM parent;
CREATE UNIQUE INDEX parent_totals_id ON parent_totals (id);
ANALYZE;
)sql";

// Every user relation (oid >= FirstNormalObjectId), with the table of each index.
constexpr std::string_view kBeforeQuery =
    "SELECT '##B', c.oid, c.relname, n.nspname, c.relkind, c.relfilenode, COALESCE(i.indrelid, 0)\n"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
    "  LEFT JOIN pg_index i ON i.indexrelid = c.oid WHERE c.oid >= 16384;\n";
constexpr std::string_view kAfterQuery =
    "SELECT '##A', c.oid, c.relfilenode, c.relname, n.nspname, c.relkind\n"
    "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid >= 16384;\n";
// Relation locks by oid, not joined to pg_class by name: a relation the statement
// dropped has no pg_class row any more in the transaction's view, and one it
// renamed has a new name; the oids of the "before" snapshot name them.
constexpr std::string_view kOwnLocksQuery =
    "SELECT '##L', l.relation, l.mode, l.granted FROM pg_locks l\n"
    " WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'\n"
    "   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());\n";

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

sql::LockMode mode_from_pg_locks(std::string_view name) {
  for (int m = 1; m <= 8; ++m) {
    auto mode = static_cast<sql::LockMode>(m);
    if (sql::lock_mode_pg_locks_name(mode) == name) return mode;
  }
  throw std::runtime_error("unknown pg_locks mode " + std::string(name));
}

// The statement with psql's status line turned on around it, after a "##T" marker:
// the line after the marker is the command tag PostgreSQL reports ("ALTER TABLE",
// "INSERT 0 1"). Plain SELECTs print rows instead (tuples-only output).
std::string statement_with_tag(const std::string& sql) {
  return "\\echo '##T'\n\\set QUIET off\n" + sql + ";\n\\set QUIET on\n";
}

// The command tag without its row counts: "INSERT 0 1" -> "INSERT".
void read_tag(std::string_view out, Observation& obs) {
  std::vector<std::string> lines = split(out, '\n');
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i] != "##T") continue;
    std::string tag;
    for (const std::string& word : split(lines[i + 1], ' ')) {
      if (word.empty() || std::isdigit(static_cast<unsigned char>(word[0]))) break;
      tag += (tag.empty() ? "" : " ") + word;
    }
    obs.tag = tag;
  }
}

// One "##A|oid|relfilenode|relname|nspname|relkind" row of kAfterQuery.
void read_after_row(const std::vector<std::string>& f, Observation& obs) {
  obs.after[f[1]] = f[2];
  obs.after_relations[f[1]] = RelationInfo{f[3], f[4], f[5].empty() ? '?' : f[5][0], f[2], ""};
}

// Reads "##B|...", "##A|..." and "##L|..." rows and the command tag into `obs`.
void read_rows(std::string_view out, Observation& obs) {
  read_tag(out, obs);
  for (const std::string& line : split(out, '\n')) {
    if (line.rfind("##", 0) != 0) continue;
    std::vector<std::string> f = split(line, '|');
    if (f[0] == "##B" && f.size() == 7) {
      obs.before[f[1]] = RelationInfo{f[2], f[3], f[4].empty() ? '?' : f[4][0], f[5], f[6]};
    } else if (f[0] == "##A" && f.size() == 6) {
      read_after_row(f, obs);
    } else if (f[0] == "##L" && f.size() == 4) {
      sql::LockMode m = mode_from_pg_locks(f[2]);
      auto& held = obs.locks[f[1]];
      held = std::max(held, m);
    }
  }
}

// Polls until `query` prints "t", at most ~10 s.
bool wait_until(const PgServer& pg, const std::string& query) {
  for (int i = 0; i < 500; ++i) {
    ProcessResult r = pg.psql(query);
    if (r.exit_code == 0 && r.out.find('t') != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Identifiers of the SQL text, lower-cased; string literals and comments skipped.
std::set<std::string> identifiers(std::string_view sql) {
  std::set<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.insert(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char ch = sql[i];
    if (ch == '\'') {
      flush();
      std::size_t end = sql.find('\'', i + 1);
      i = end == std::string_view::npos ? sql.size() : end;
    } else if (ch == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      flush();
      std::size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end;
    } else if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$') {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

struct ServerHolder {
  std::unique_ptr<PgServer> server;
  std::string error;
};

}  // namespace

std::string_view fixture_sql() {
  return kFixture;
}

const PgServer& fixture_server() {
  static ServerHolder holder = [] {
    ServerHolder h;
    try {
      h.server = std::make_unique<PgServer>();
      h.server->psql_ok(kFixture);
    } catch (const std::exception& e) {
      h.error = e.what();
    }
    return h;
  }();
  if (!holder.error.empty()) throw std::runtime_error(holder.error);
  return *holder.server;
}

namespace {

// Built as `schemagate check` builds files, so a DO block's facts are those of the
// statements its body runs (sql::effective_facts); the case is the last script.
sql::StatementFacts case_facts(std::vector<sql::MigrationInput> inputs, std::string& error) {
  std::size_t scripts = inputs.size();
  auto set = sql::build_migration_set(std::move(inputs), sql::LoadOptions{});
  if (set->scripts().size() != scripts) {
    error = "expected " + std::to_string(scripts) + " scripts";
    return {};
  }
  const sql::Script& script = *set->scripts().back();
  if (!script.errors.empty()) {
    error = "parse error: " + script.errors.front().message;
    return {};
  }
  auto top = std::count_if(script.statements.begin(), script.statements.end(),
                           [](const sql::Statement& st) { return st.parent < 0; });
  if (top != 1) {
    error = "expected one statement, parsed " + std::to_string(top);
    return {};
  }
  return sql::effective_facts(script, script.statements.front());
}

}  // namespace

sql::StatementFacts model_facts(const std::string& text, std::string& error) {
  return case_facts({sql::MigrationInput{"case.sql", text}}, error);
}

sql::StatementFacts model_facts_after_fixture(const std::string& text, std::string& error) {
  return case_facts({sql::MigrationInput{"0001_fixture.sql", std::string(kFixture)},
                     sql::MigrationInput{"0002_case.sql", text}},
                    error);
}

LockCase with_history(const LockCase& c) {
  LockCase h = c;
  std::erase_if(h.unreported, [](const Unreported& u) { return u.history_knows; });
  // The fixture shows every column's type, so a type change's rewrite is known exactly.
  if (h.rewrite == RewriteExpectation::kModelConservative) h.rewrite = RewriteExpectation::kExact;
  if (c.rewrite_after_fixture) h.rewrite = *c.rewrite_after_fixture;
  return h;
}

std::vector<Observation> observe_in_transaction(const PgServer& pg, const std::vector<LockCase>& cases) {
  auto script_for = [](const LockCase& c, std::size_t i) {
    std::string s = "\\echo '##case " + std::to_string(i) + "'\nBEGIN;\nSET LOCAL lock_timeout = '5s';\n";
    s += kBeforeQuery;
    s += statement_with_tag(c.sql);
    s += kOwnLocksQuery;
    s += kAfterQuery;
    s += "ROLLBACK;\n";
    return s;
  };
  std::vector<Observation> obs(cases.size());
  std::string batch;
  for (std::size_t i = 0; i < cases.size(); ++i)
    batch += script_for(cases[i], i);
  ProcessResult r = pg.psql(batch);
  if (r.exit_code == 0) {
    // Split the output at the case markers.
    std::size_t current = cases.size();
    std::string chunk;
    auto finish = [&] {
      if (current < cases.size()) read_rows(chunk, obs[current]);
      chunk.clear();
    };
    for (const std::string& line : split(r.out, '\n')) {
      if (line.rfind("##case ", 0) == 0) {
        finish();
        current = std::stoul(line.substr(7));
      } else {
        chunk += line + "\n";
      }
    }
    finish();
    return obs;
  }
  // Some statement failed: run each case alone so every failure names its case.
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ProcessResult one = pg.psql(script_for(cases[i], i));
    if (one.exit_code != 0) {
      obs[i].error = "failed inside BEGIN ... ROLLBACK: " + one.err;
    } else {
      read_rows(one.out, obs[i]);
    }
  }
  return obs;
}

Observation observe_outside_transaction(const PgServer& pg, const LockCase& c) {
  Observation obs;
  ProcessResult in_tx = pg.psql("BEGIN;\n" + c.sql + ";\nROLLBACK;\n");
  if (in_tx.exit_code == 0 || (in_tx.err.find("cannot run inside a transaction block") == std::string::npos &&
                               in_tx.err.find("cannot be executed from a function") == std::string::npos)) {
    obs.error = "expected \"cannot run inside a transaction block\", got exit " +
                std::to_string(in_tx.exit_code) + ": " + in_tx.err;
    return obs;
  }
  read_rows(pg.psql_ok(std::string(kBeforeQuery)), obs);

  // Session A holds the blocker until it is terminated (or for 30 s at most).
  BackgroundPsql blocker =
      pg.psql_background("BEGIN;\n" + c.blocker + ";\nSELECT pg_sleep(30);\n", "lt_blocker");
  if (!wait_until(pg,
                  "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = 'lt_blocker'"
                  " AND wait_event = 'PgSleep');")) {
    obs.error = "the blocking session never held its lock: " + blocker.wait(0).err;
    return obs;
  }
  // Session B runs the statement and blocks; statement_timeout bounds it.
  BackgroundPsql subject =
      pg.psql_background("SET statement_timeout = '20s';\n" + statement_with_tag(c.sql), "lt_subject");
  bool blocked = wait_until(pg,
                            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                            " WHERE a.application_name = 'lt_subject' AND NOT l.granted);");
  if (blocked) {
    // Everything B holds or awaits on relations at the point where it waits.
    read_rows(pg.psql_ok("SELECT '##L', l.relation, l.mode, l.granted FROM pg_locks l\n"
                         "  JOIN pg_stat_activity a USING (pid)\n"
                         " WHERE a.application_name = 'lt_subject' AND l.locktype = 'relation';\n"),
              obs);
  }
  pg.psql_ok("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lt_blocker';");
  blocker.wait(10000);
  ProcessResult b = subject.wait(25000);
  if (!blocked) {
    obs.error = "the statement did not block behind \"" + c.blocker + "\" (exit " +
                std::to_string(b.exit_code) + "): " + b.err;
  } else if (b.exit_code != 0) {
    obs.error = "the statement failed once unblocked: " + b.err;
  }
  read_tag(b.out, obs);
  for (const std::string& line : split(pg.psql_ok(std::string(kAfterQuery)), '\n')) {
    std::vector<std::string> f = split(line, '|');
    if (f.size() == 6 && f[0] == "##A") read_after_row(f, obs);
  }
  if (!c.cleanup.empty()) pg.psql_ok(c.cleanup);
  return obs;
}

std::string compare(const LockCase& c, const sql::StatementFacts& facts, const Observation& obs) {
  if (!obs.error.empty()) return obs.error;
  std::ostringstream problems;
  // 0. kind is PostgreSQL's command tag. CREATE TABLE AS, CREATE MATERIALIZED VIEW
  // and SELECT INTO report "SELECT n" (rows stored) to the client; a plain SELECT
  // and EXPLAIN print rows.
  if (facts.kind != "SELECT" && facts.kind != "EXPLAIN") {
    bool select_tag = facts.kind == "CREATE TABLE AS" || facts.kind == "CREATE MATERIALIZED VIEW" ||
                      facts.kind == "SELECT INTO";
    std::string expected = select_tag ? "SELECT" : facts.kind;
    if (obs.tag != expected)
      problems << "kind: model " << facts.kind << ", PostgreSQL's tag " << obs.tag << "\n";
  }
  // Fixture relations by name (schema public), and the names the SQL uses.
  std::map<std::string, std::string> oid_of;
  for (const auto& [oid, info] : obs.before) {
    if (info.schema == "public") oid_of[info.name] = oid;
  }
  std::set<std::string> named;
  for (const std::string& id : identifiers(c.sql)) {
    if (oid_of.count(id) != 0) named.insert(id);
  }
  auto pg_mode = [&](const std::string& oid) {
    auto it = obs.locks.find(oid);
    return it == obs.locks.end() ? sql::LockMode::kNone : it->second;
  };
  auto show = [](sql::LockMode m) {
    return m == sql::LockMode::kNone ? std::string("no lock") : std::string(sql::lock_mode_pg_locks_name(m));
  };

  // 1. Every relation the model reports: PostgreSQL's strongest mode, exactly.
  std::map<std::string, sql::LockMode> covered;  // oid -> mode the model or the allow-list accounts for
  for (const sql::RelationLock& l : facts.locks) {
    if (l.is_new) continue;
    if (!l.relation.schema.empty() && l.relation.schema != "public") {
      problems << "model reports " << l.relation.display() << ", outside the fixture schema\n";
      continue;
    }
    auto it = oid_of.find(l.relation.name);
    if (it == oid_of.end()) {
      problems << "model reports " << l.relation.display() << ", which is not a fixture relation\n";
      continue;
    }
    sql::LockMode truth = pg_mode(it->second);
    if (truth != l.mode) {
      problems << l.relation.name << ": model " << show(l.mode) << ", PostgreSQL " << show(truth) << "\n";
    }
    covered[it->second] = l.mode;
  }
  // 2. Allowed exceptions: each must be observed with exactly its mode.
  for (const Unreported& u : c.unreported) {
    auto it = oid_of.find(u.relation);
    sql::LockMode truth = it == oid_of.end() ? sql::LockMode::kNone : pg_mode(it->second);
    if (truth != u.mode) {
      problems << "allow-listed " << u.relation << " " << show(u.mode) << ": PostgreSQL took " << show(truth)
               << "\n";
    } else {
      covered[it->second] = u.mode;
    }
  }
  // 3. Every other fixture relation PostgreSQL locks above ACCESS SHARE. An index
  // locked no stronger than its table is covered by the table's lock: PostgreSQL
  // opens a table's indexes with the table (e.g. to update or rebuild them).
  for (const auto& [oid, mode] : obs.locks) {
    auto info = obs.before.find(oid);
    if (info == obs.before.end() || info->second.schema != "public") continue;  // catalogs, toast, new ones
    if (mode <= sql::LockMode::kAccessShare || covered.count(oid) != 0) continue;
    if (info->second.relkind == 'i' || info->second.relkind == 'I') {
      auto table = covered.find(info->second.table_oid);
      if (table != covered.end() && table->second >= mode) continue;
    }
    problems << info->second.name << ": PostgreSQL takes " << show(mode) << ", the model reports nothing"
             << (named.count(info->second.name) != 0 ? " (the statement names it)"
                                                     : " (not named: allow-list it?)")
             << "\n";
  }
  // 4. Rewrite: a named table, or one the model says it locks (a partition of a named
  // partitioned table), got a new relfilenode.
  bool new_file = false;
  std::set<std::string> rewritable = named;
  for (const sql::RelationLock& l : facts.locks) {
    if (!l.is_new && oid_of.count(l.relation.name) != 0) rewritable.insert(l.relation.name);
  }
  for (const std::string& name : rewritable) {
    const RelationInfo& info = obs.before.at(oid_of.at(name));
    if (info.relkind != 'r' && info.relkind != 'm') continue;
    auto after = obs.after.find(oid_of.at(name));
    if (after != obs.after.end() && after->second != info.filenode) new_file = true;
  }
  switch (c.rewrite) {
    case RewriteExpectation::kExact:
      if (new_file != facts.rewrite)
        problems << "rewrite: model " << facts.rewrite << ", PostgreSQL new relfilenode " << new_file << "\n";
      break;
    case RewriteExpectation::kModelConservative:
      if (!facts.rewrite || new_file)
        problems << "expected a conservative rewrite (model 1, PostgreSQL 0), got model " << facts.rewrite
                 << ", PostgreSQL " << new_file << "\n";
      break;
    case RewriteExpectation::kNewFileNoRewrite:
      if (facts.rewrite || !new_file)
        problems << "expected a new relfilenode without a rewrite, got model " << facts.rewrite
                 << ", PostgreSQL " << new_file << "\n";
      break;
  }
  // 5. Creates: each relation the model says the statement creates (or renames to)
  // exists afterwards, and each table, view or materialized view PostgreSQL created
  // in the fixture schema is listed. Indexes and sequences PostgreSQL makes for
  // constraints and serial columns are implied, not listed.
  auto schema_of = [](const sql::RelationName& r) {
    return r.schema.empty() ? std::string("public") : r.schema;
  };
  for (const sql::RelationName& r : facts.creates) {
    bool exists = std::any_of(obs.after_relations.begin(), obs.after_relations.end(), [&](const auto& a) {
      return a.second.name == r.name && a.second.schema == schema_of(r);
    });
    if (!exists)
      problems << "model creates " << r.display() << ", PostgreSQL has no such relation after it\n";
  }
  for (const auto& entry : obs.after_relations) {
    const RelationInfo& info =
        entry.second;  // not a structured binding: clang 14 (clang-tidy) cannot capture one
    if (obs.before.count(entry.first) != 0 || info.schema != "public") continue;
    if (info.relkind != 'r' && info.relkind != 'p' && info.relkind != 'v' && info.relkind != 'm') continue;
    bool listed = std::any_of(facts.creates.begin(), facts.creates.end(), [&](const sql::RelationName& r) {
      return r.name == info.name && schema_of(r) == info.schema;
    });
    if (!listed) problems << "PostgreSQL created " << info.name << ", the model's creates do not list it\n";
  }
  return problems.str();
}

}  // namespace schemagate::pgtest
