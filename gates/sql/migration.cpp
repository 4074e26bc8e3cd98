#include "gates/sql/migration.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gates/common/digest.hpp"
#include "gates/sql/catalog.hpp"
#include "gates/sql/go_source.hpp"

namespace schemagate::sql {

std::string_view format_name(Format f) {
  switch (f) {
    case Format::kPlain:
      return "plain";
    case Format::kGolangMigrate:
      return "golang-migrate";
    case Format::kGoose:
      return "goose";
    case Format::kFlyway:
      return "flyway";
    case Format::kDirectory:
      return "directory";
  }
  return "plain";
}

std::optional<Format> parse_format(std::string_view s) {
  if (s == "plain") return Format::kPlain;
  if (s == "golang-migrate") return Format::kGolangMigrate;
  if (s == "goose") return Format::kGoose;
  if (s == "flyway") return Format::kFlyway;
  return std::nullopt;
}

void MigrationSet::index_scripts() {
  script_list_.clear();
  for (const auto& m : migrations) {
    if (m.up) script_list_.push_back(&*m.up);
  }
  for (const auto& m : migrations) {
    if (m.down) script_list_.push_back(&*m.down);
  }
}

std::size_t MigrationSet::statement_count() const {
  std::size_t n = 0;
  for (const Script* s : scripts())
    n += s->statements.size();
  return n;
}

bool version_less(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i2 = i;
      std::size_t j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2])))
        ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2])))
        ++j2;
      std::string_view na = a.substr(i, i2 - i);
      std::string_view nb = b.substr(j, j2 - j);
      while (na.size() > 1 && na[0] == '0')
        na.remove_prefix(1);
      while (nb.size() > 1 && nb[0] == '0')
        nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string normalized_version(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size();) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) {
      out += v[i++];
      continue;
    }
    std::size_t j = i;
    while (j < v.size() && std::isdigit(static_cast<unsigned char>(v[j])))
      ++j;
    std::string_view digits = v.substr(i, j - i);
    while (digits.size() > 1 && digits.front() == '0')
      digits.remove_prefix(1);
    out += digits;
    i = j;
  }
  return out;
}

bool path_less(std::string_view a, std::string_view b) {
  while (true) {
    std::size_t sa = a.find('/');
    std::size_t sb = b.find('/');
    std::string_view ca = a.substr(0, sa);
    std::string_view cb = b.substr(0, sb);
    if (ca != cb) return version_less(ca, cb) || (!version_less(cb, ca) && ca < cb);
    if (sa == std::string_view::npos || sb == std::string_view::npos)
      return sa == std::string_view::npos && sb != std::string_view::npos;
    a.remove_prefix(sa + 1);
    b.remove_prefix(sb + 1);
  }
}

namespace {

std::string base_name(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct NameInfo {
  Format format = Format::kPlain;
  Direction direction = Direction::kUp;
  std::string version;
  std::string name;
  bool versioned = false;      // a plain file whose folder names its version (Prisma)
  std::string directory;       // where the tool finds it (Migration::directory)
  std::string other_database;  // an ory/pop dialect other than PostgreSQL: not run against it
};

std::string_view dir_of(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// `<version>_<name>` or `<version>`, the version digits (Diesel writes 2017-07-20-123456).
bool split_versioned_folder(std::string_view folder, std::string& version, std::string& name) {
  std::size_t us = folder.find('_');
  std::string_view v = folder.substr(0, us);
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v.front())) ||
      !std::isdigit(static_cast<unsigned char>(v.back())) || !std::all_of(v.begin(), v.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '-';
      }))
    return false;
  version = std::string(v);
  name = us == std::string_view::npos ? std::string() : std::string(folder.substr(us + 1));
  return true;
}

// ory/pop names files `{version}_{name}.{dialect}.up.sql`; a file without a dialect (or with
// `all`) runs on every database. Only the dialects pop knows are read as one, so a golang-migrate
// name with a dot in it (`70_upgrade_v6.1.up.sql`) keeps its name.
enum class PopDialect : std::uint8_t { kNone, kPostgres, kOther };
PopDialect pop_dialect(std::string_view word) {
  static constexpr std::string_view kPostgres[] = {"postgres", "postgresql", "pg", "all"};
  static constexpr std::string_view kOther[] = {"mysql",      "mariadb",     "sqlite", "sqlite3",
                                                "cockroach",  "cockroachdb", "crdb",   "yugabyte",
                                                "yugabytedb", "ydb"};
  if (std::find(std::begin(kPostgres), std::end(kPostgres), word) != std::end(kPostgres))
    return PopDialect::kPostgres;
  if (std::find(std::begin(kOther), std::end(kOther), word) != std::end(kOther)) return PopDialect::kOther;
  return PopDialect::kNone;
}

// Recognises a file by its name and folder: golang-migrate (and ory/pop) NNN_name.up.sql /
// .down.sql, Flyway V1__name.sql / U1__name.sql / R__name.sql, goose NNN_name.sql (with
// annotations), one folder per migration (`<version>_<name>/up.sql` and `down.sql`; Prisma's
// `<version>_<name>/migration.sql`, which has no down and is plain SQL).
NameInfo classify(std::string_view path) {
  NameInfo info;
  std::string_view dir = dir_of(path);
  std::string_view f =
      path.substr(dir.empty() && path.find('/') == std::string_view::npos ? 0 : dir.size() + 1);
  info.version = std::string(f);
  info.name = std::string(f);
  info.directory = std::string(dir);
  std::string_view folder =
      dir.substr(dir.find_last_of('/') == std::string_view::npos ? 0 : dir.find_last_of('/') + 1);
  if (f == "up.sql" || f == "down.sql" || f == "migration.sql") {
    std::string version;
    std::string name;
    if (split_versioned_folder(folder, version, name)) {
      info.version = std::move(version);
      info.name = std::move(name);
      info.directory = std::string(dir_of(dir));
      if (f == "migration.sql") {
        info.versioned = true;  // Prisma: plain SQL, up only
      } else {
        info.format = Format::kDirectory;
        info.direction = f == "up.sql" ? Direction::kUp : Direction::kDown;
      }
      return info;
    }
  }
  if (ends_with(f, ".up.sql") || ends_with(f, ".down.sql")) {
    bool up = ends_with(f, ".up.sql");
    std::string_view stem = f.substr(0, f.size() - (up ? 7 : 9));
    std::size_t us = stem.find('_');
    if (us != std::string_view::npos && all_digits(stem.substr(0, us))) {
      info.format = Format::kGolangMigrate;
      info.direction = up ? Direction::kUp : Direction::kDown;
      info.version = std::string(stem.substr(0, us));
      std::string_view name = stem.substr(us + 1);
      std::string_view pop = name;
      if (ends_with(pop, ".autocommit")) pop.remove_suffix(std::string_view(".autocommit").size());
      std::size_t dot = pop.rfind('.');
      PopDialect dialect =
          dot == std::string_view::npos ? PopDialect::kNone : pop_dialect(pop.substr(dot + 1));
      if (dialect != PopDialect::kNone) {
        if (dialect == PopDialect::kOther) info.other_database = std::string(pop.substr(dot + 1));
        name = pop.substr(0, dot);
      }
      info.name = std::string(name);
      return info;
    }
  }
  if (ends_with(f, ".sql") && f.size() > 4 && (f[0] == 'V' || f[0] == 'U' || f[0] == 'R')) {
    std::string_view stem = f.substr(1, f.size() - 5);
    std::size_t sep = stem.find("__");
    if (sep != std::string_view::npos) {
      std::string_view ver = stem.substr(0, sep);
      bool ok = f[0] == 'R' ? ver.empty() : (!ver.empty() && std::all_of(ver.begin(), ver.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '_';
      }));
      if (ok) {
        info.format = Format::kFlyway;
        info.direction = f[0] == 'U' ? Direction::kDown : Direction::kUp;
        info.version = f[0] == 'R' ? "R__" + std::string(stem.substr(sep + 2)) : std::string(ver);
        std::replace(info.version.begin(), info.version.end(), '_', '.');
        info.name = std::string(stem.substr(sep + 2));
        return info;
      }
    }
  }
  if (ends_with(f, ".sql")) {
    std::string_view stem = f.substr(0, f.size() - 4);
    std::size_t us = stem.find('_');
    if (us != std::string_view::npos && all_digits(stem.substr(0, us))) {
      info.version = std::string(stem.substr(0, us));
      info.name = std::string(stem.substr(us + 1));
    }
  }
  return info;
}

// The folder every input lies in ("migrations/", "configmap/orders/"), or "" when they share none:
// plain files are named, and ordered, by their path below it.
std::size_t common_folder_length(const std::vector<MigrationInput>& inputs) {
  if (inputs.empty()) return 0;
  std::string_view common = dir_of(inputs.front().name);
  for (const MigrationInput& in : inputs) {
    std::string_view name = in.name;
    while (!common.empty() && !(name.size() > common.size() && name.substr(0, common.size()) == common &&
                                name[common.size()] == '/'))
      common = dir_of(common);
  }
  return common.empty() ? 0 : common.size() + 1;
}

struct GooseLayout {
  bool found = false;
  bool no_transaction = false;
  std::uint32_t up_begin = 0, up_end = 0, down_begin = 0, down_end = 0;
  bool has_down = false;
};

// Goose annotations live in "-- +goose ..." lines.
GooseLayout goose_layout(const std::string& text) {
  GooseLayout g;
  enum { kNone, kUp, kDown } section = kNone;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    std::size_t k = 0;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t'))
      ++k;
    std::string_view t = line.substr(k);
    if (t.substr(0, 2) == "--") {
      std::string l = lower(t);
      std::size_t at = l.find("+goose");
      if (at != std::string::npos) {
        std::string directive = l.substr(at + 6);
        directive.erase(0, directive.find_first_not_of(" \t"));
        auto next = static_cast<std::uint32_t>(std::min(eol + 1, text.size()));
        auto here = static_cast<std::uint32_t>(pos);
        if (directive.rfind("up", 0) == 0) {
          g.found = true;
          if (section == kDown) g.down_end = here;
          section = kUp;
          g.up_begin = next;
          g.up_end = static_cast<std::uint32_t>(text.size());
        } else if (directive.rfind("down", 0) == 0) {
          g.found = true;
          if (section == kUp) g.up_end = here;
          section = kDown;
          g.has_down = true;
          g.down_begin = next;
          g.down_end = static_cast<std::uint32_t>(text.size());
        } else if (directive.rfind("no transaction", 0) == 0) {
          g.no_transaction = true;
        }
      }
    }
    if (eol == text.size()) break;
    pos = eol + 1;
  }
  return g;
}

bool is_begin(const Statement& s) {
  return s.facts.kind == "BEGIN";
}
// PREPARE TRANSACTION ends the block too: "the transaction is no longer associated
// with the current session" (PostgreSQL docs, PREPARE TRANSACTION).
bool is_end(const Statement& s) {
  return s.facts.kind == "COMMIT" || s.facts.kind == "ROLLBACK" || s.facts.kind == "PREPARE TRANSACTION";
}
// COMMIT AND CHAIN / ROLLBACK AND CHAIN: "a new (unaborted) transaction is immediately
// started with the same transaction characteristics" (PostgreSQL docs, COMMIT).
bool ends_with_chain(const Statement& s) {
  return s.tag() == "TransactionStmt" && s.body()["chain"].boolean();
}

// Which statements run inside a transaction block, as the tool executes the script.
void assign_transactions(Script& script, Format format) {
  std::size_t n = script.statements.size();
  bool implicit_block = false;  // one multi-statement simple query (golang-migrate)
  switch (format) {
    case Format::kGolangMigrate:
      // The postgres driver sends the whole file as one simple query; PostgreSQL runs
      // a multi-statement query string as one implicit transaction block.
      implicit_block = n > 1;
      script.tool_transaction = implicit_block;
      script.transaction_note = implicit_block
                                    ? "golang-migrate sends the file as one multi-statement query, which "
                                      "PostgreSQL runs as one implicit transaction"
                                    : "a single statement sent on its own";
      break;
    case Format::kGoose:
      if (script.tool_transaction)
        script.transaction_note = "goose runs each migration in a transaction";
      else
        script.transaction_note = "-- +goose NO TRANSACTION";
      break;
    case Format::kFlyway: {
      bool non_tx = std::any_of(script.statements.begin(), script.statements.end(),
                                [](const Statement& s) { return !s.facts.transactional; });
      script.tool_transaction = !non_tx;
      script.transaction_note =
          non_tx ? "Flyway runs a migration with non-transactional statements outside a transaction"
                 : "Flyway runs each PostgreSQL migration in a transaction";
      break;
    }
    case Format::kDirectory: {
      // Diesel, Hasura and Sourcegraph run each migration folder's script in a transaction;
      // Diesel (run_in_transaction = false in metadata.toml) and Sourcegraph
      // (createIndexConcurrently in metadata.yaml) can be told not to, which a folder holding
      // CREATE INDEX CONCURRENTLY must be. Read like Flyway's rule: a script with a
      // non-transactional statement is taken to run outside one (Hasura has no such switch and
      // fails at apply time, before any lock is taken).
      bool non_tx = std::any_of(script.statements.begin(), script.statements.end(),
                                [](const Statement& s) { return !s.facts.transactional; });
      script.tool_transaction = !non_tx;
      script.transaction_note = non_tx
                                    ? "a migration folder with a non-transactional statement is taken to be "
                                      "marked to run outside a transaction"
                                    : "the migration tool runs each migration folder in a transaction";
      break;
    }
    case Format::kPlain:
      // Prisma's `<version>_<name>/migration.sql` too: Prisma adds no BEGIN ("wrapping migrations
      // in a transaction ... is currently not implemented", prisma/prisma discussion #3774), and
      // recent releases split the script and send its statements one by one (prisma-engines
      // #5767). Older releases sent the file as one multi-statement query, which PostgreSQL runs as one
      // implicit transaction (prisma/orm #22922): CREATE INDEX CONCURRENTLY then fails in a file with other
      // statements, loudly and before it locks anything. We read the current behaviour.
      script.transaction_note = "statements run one by one (autocommit) unless BEGIN opens a transaction";
      break;
  }
  int current = script.tool_transaction ? 0 : -1;
  int next_id = script.tool_transaction ? 1 : 0;
  // Whether the open block is a regular one (a BEGIN of the script or of the tool),
  // not golang-migrate's implicit block: only a regular block can be chained.
  bool regular = script.tool_transaction && !implicit_block;
  for (Statement& s : script.statements) {
    if (is_begin(s)) {
      if (current < 0) current = next_id++;
      regular = true;  // a BEGIN in an implicit block makes it a regular one (§55.2.2.1)
      s.in_transaction = true;
      s.transaction = current;
    } else if (is_end(s)) {
      s.in_transaction = current >= 0;
      s.transaction = current;
      if (ends_with_chain(s) && current >= 0 && regular) {
        current = next_id++;  // ends this block and opens the next: what follows runs inside it
      } else {
        // AND CHAIN outside a regular block is an error ("COMMIT AND CHAIN can only
        // be used in transaction blocks") that starts nothing.
        current = implicit_block ? next_id++ : -1;
        regular = false;
      }
    } else {
      s.in_transaction = current >= 0;
      s.transaction = current;
    }
  }
}

// Whether `st` is CREATE FUNCTION / PROCEDURE ... LANGUAGE plpgsql, and where its body
// literal starts (the statement's first token when unknown).
bool plpgsql_function(const Statement& st, std::uint32_t& body_at) {
  if (st.tag() != "CreateFunctionStmt") return false;
  bool plpgsql = false;
  body_at = st.offset;
  for (Node opt : st.body()["options"]) {
    Node d = opt.body();
    if (d["defname"].str() == "language") plpgsql = string_value(d["arg"]) == "plpgsql";
    if (d["defname"].str() == "as")
      body_at = st.offset_at(static_cast<std::int32_t>(d["location"].integer(-1)));
  }
  return plpgsql;
}

// SET check_function_bodies = off (pg_dump writes it): PostgreSQL skips compiling bodies.
bool turns_off_body_checks(const Statement& st) {
  if (st.tag() != "VariableSetStmt" || st.body()["name"].str() != "check_function_bodies") return false;
  // SET x = false / off / 'off' all reach the parse tree as a string constant.
  std::string_view v = st.body()["args"].at(0).body()["sval"]["sval"].str();
  return v == "off" || v == "false";
}

// PL/pgSQL in a script. The statements DO blocks run follow their DO statement, with
// `parent` set to it. A DO block is one statement: what its body runs shares its
// transaction, and in autocommit the block is a transaction of its own (every lock is
// held to its end). Grammar errors in DO and function bodies are syntax errors, as
// PostgreSQL reports them when the statement runs.
void expand_plpgsql(Script& script, int pg_major) {
  bool any = std::any_of(script.statements.begin(), script.statements.end(), [](const Statement& s) {
    return s.tag() == "DoStmt" || s.tag() == "CreateFunctionStmt";
  });
  if (!any) return;
  const std::string& text = script.source->text();
  int next_id = 0;
  for (const Statement& s : script.statements)
    next_id = std::max(next_id, s.transaction + 1);
  bool check_bodies = true;
  std::vector<Statement> out;
  out.reserve(script.statements.size() * 2);
  for (Statement& s : script.statements) {
    if (turns_off_body_checks(s)) check_bodies = false;
    std::uint32_t body_at = 0;
    if (check_bodies && plpgsql_function(s, body_at)) {
      std::string error = plpgsql_function_syntax_error(script.sql(s));
      if (!error.empty())
        script.errors.push_back(
            SyntaxError{body_at, script.source->position(body_at), one_line_message(error)});
    }
    bool is_do = s.tag() == "DoStmt";
    int parent = static_cast<int>(out.size());
    out.push_back(std::move(s));
    if (!is_do) continue;
    Statement& block = out.back();
    if (block.transaction < 0) block.transaction = next_id++;
    block.in_transaction = true;
    int transaction = block.transaction;
    DoBlockSql sql = do_block_sql(text, block.node_base, block.ast);
    if (!sql.syntax_error.empty()) {
      script.errors.push_back(SyntaxError{sql.syntax_error_offset,
                                          script.source->position(sql.syntax_error_offset),
                                          one_line_message(sql.syntax_error)});
    }
    for (auto [begin, end] : sql.statements) {
      ParsedRegion part = parse_region(text, begin, end);
      for (auto& d : part.documents)
        script.documents.push_back(std::move(d));
      for (const ParsedStatement& p : part.statements) {
        Statement n;
        n.span_begin = p.span_begin;
        n.offset = p.offset;
        n.length = p.length;
        n.node_base = p.node_base;
        n.position = script.source->position(p.offset);
        n.ast = p.ast;
        n.facts = analyze_statement(p.ast, pg_major);
        n.in_transaction = true;
        n.transaction = transaction;
        n.parent = parent;
        out.push_back(std::move(n));
      }
      for (const ParseError& e : part.errors)
        script.errors.push_back(SyntaxError{e.offset, script.source->position(e.offset), e.message});
    }
    for (DynamicSql& d : sql.dynamic) {
      d.statement = parent;
      script.dynamic_sql.push_back(std::move(d));
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].index = static_cast<std::uint32_t>(i);
  script.statements = std::move(out);
}

// Relations created earlier in the same script are new: lock gates skip them.
void mark_new_relations(Script& script) {
  std::vector<RelationName> created;
  for (Statement& s : script.statements) {
    for (RelationLock& l : s.facts.locks) {
      for (const RelationName& c : created) {
        if (c.matches(l.relation)) l.is_new = true;
      }
    }
    // A rename or SET SCHEMA lists the new name in `creates`, but the table behind
    // it already has readers and writers: the new name is new only when the renamed
    // relation was created earlier in this script.
    bool renames = s.tag() == "RenameStmt" || s.tag() == "AlterObjectSchemaStmt";
    bool renamed_is_new = !s.facts.locks.empty() && s.facts.locks.front().is_new;
    if (renames && !renamed_is_new) continue;
    for (const RelationName& c : s.facts.creates)
      created.push_back(c);
  }
}

void find_suppressions(Script& script) {
  const std::string& text = script.source->text();
  static constexpr std::string_view kMarker = "schemagate:ignore";
  std::size_t pos = script.begin;
  while (true) {
    pos = text.find(kMarker, pos);
    if (pos == std::string::npos || pos >= script.end) break;
    std::size_t line_start = text.rfind('\n', pos);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    std::size_t dash = text.find("--", line_start);
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    if (dash == std::string::npos || dash > pos) {
      pos += kMarker.size();
      continue;  // not in a line comment
    }
    std::string_view rest(text.data() + pos + kMarker.size(), eol - pos - kMarker.size());
    std::istringstream words{std::string(rest)};
    Suppression sup;
    words >> sup.gate_id;
    std::getline(words, sup.reason);
    sup.reason.erase(0, sup.reason.find_first_not_of(" \t:-"));
    while (!sup.reason.empty() && std::isspace(static_cast<unsigned char>(sup.reason.back())))
      sup.reason.pop_back();
    sup.position = script.source->position(dash);
    // The statement it precedes, or the one it trails on the same line.
    for (const Statement& st : script.statements) {
      Position end = script.source->position(st.offset + st.length);
      if (st.offset < dash && end.line == sup.position.line) {
        sup.statement = static_cast<int>(st.index);
        break;
      }
      if (st.offset > dash) {
        sup.statement = static_cast<int>(st.index);
        break;
      }
    }
    script.suppressions.push_back(std::move(sup));
    pos = eol;
  }
}

// The tool that runs a format's scripts, as messages name it.
std::string_view tool_name(Format format) {
  switch (format) {
    case Format::kGolangMigrate:
      return "golang-migrate";
    case Format::kGoose:
      return "goose";
    case Format::kFlyway:
      return "Flyway";
    case Format::kDirectory:
      return "the migration tool";
    case Format::kPlain:
      break;
  }
  return "psql";
}

// A script parsed from one or more regions of its source (a Go migration's SQL
// literals are separate regions: one literal's error must not swallow the next).
Script make_script_regions(const SourceText* source, Direction dir,
                           const std::vector<std::pair<std::uint32_t, std::uint32_t>>& regions, Format format,
                           bool tool_transaction, int pg_major) {
  Script script;
  script.source = source;
  script.direction = dir;
  script.begin = regions.empty() ? 0 : regions.front().first;
  script.end = regions.empty() ? 0 : regions.back().second;
  script.tool_transaction = tool_transaction;
  // psql's meta-commands and COPY data are not parsed as SQL (a `\set` line would otherwise
  // swallow the BEGIN after it, COPY's rows the statements after them): the parser reads a copy
  // with them blanked, at the same offsets.
  const std::string& text = source->text();
  std::vector<PsqlSpan> psql;
  for (auto [begin, end] : regions) {
    std::string_view region(text.data() + begin, end - begin);
    if (region.find('\\') == std::string_view::npos && region.find("stdin") == std::string_view::npos &&
        region.find("STDIN") == std::string_view::npos)
      continue;  // no meta-command, no COPY data: the common case costs one scan
    std::vector<PsqlSpan> found = find_psql_spans(text, begin, end);
    psql.insert(psql.end(), found.begin(), found.end());
  }
  std::string blanked = psql.empty() ? std::string() : blank_spans(text, psql);
  std::string_view parse_text = psql.empty() ? std::string_view(text) : std::string_view(blanked);
  ParsedRegion parsed;
  for (auto [begin, end] : regions) {
    ParsedRegion part = parse_region(parse_text, begin, end);
    for (auto& d : part.documents)
      parsed.documents.push_back(std::move(d));
    parsed.statements.insert(parsed.statements.end(), part.statements.begin(), part.statements.end());
    parsed.errors.insert(parsed.errors.end(), part.errors.begin(), part.errors.end());
  }
  script.documents = std::move(parsed.documents);
  script.statements.reserve(parsed.statements.size());
  for (const ParsedStatement& p : parsed.statements) {
    Statement s;
    s.index = static_cast<std::uint32_t>(script.statements.size());
    s.span_begin = p.span_begin;
    s.offset = p.offset;
    s.length = p.length;
    s.node_base = p.node_base;
    s.position = source->position(p.offset);
    s.ast = p.ast;
    s.facts = analyze_statement(p.ast, pg_major);
    script.statements.push_back(std::move(s));
  }
  for (const ParseError& e : parsed.errors) {
    script.errors.push_back(SyntaxError{e.offset, source->position(e.offset), e.message});
  }
  // psql runs a plain file (pg_dump's output, hand-written scripts): its meta-commands are fine
  // there. The tools of the other formats send the text to PostgreSQL, which rejects a backslash.
  if (format != Format::kPlain) {
    for (const PsqlSpan& span : psql) {
      if (span.kind != PsqlSpan::Kind::kMetaCommand) continue;
      script.errors.push_back(SyntaxError{
          span.begin, source->position(span.begin),
          "\\" + span.command + " is a psql meta-command, not SQL: " + std::string(tool_name(format)) +
              " sends it to PostgreSQL, which rejects it"});
    }
    std::stable_sort(script.errors.begin(), script.errors.end(),
                     [](const SyntaxError& a, const SyntaxError& b) { return a.offset < b.offset; });
  }
  assign_transactions(script, format);
  expand_plpgsql(script, pg_major);
  mark_new_relations(script);
  find_suppressions(script);
  return script;
}

Script make_script(const SourceText* source, Direction dir, std::uint32_t begin, std::uint32_t end,
                   Format format, bool tool_transaction, int pg_major) {
  return make_script_regions(source, dir, {{begin, end}}, format, tool_transaction, pg_major);
}

// One direction of a goose Go migration: the SQL literals of the function goose
// runs (and of the helpers it calls), each parsed as a region of one extracted
// text whose positions map to the .go file; calls with run-time SQL are recorded.
std::optional<Script> go_script(MigrationSet& set, const SourceText& file, const GoSource& go,
                                std::optional<std::size_t> fn, const std::string& fn_name, Direction dir,
                                const GoRegistration& reg, int pg_major) {
  if (!fn) return std::nullopt;
  std::vector<const GoSqlCall*> calls = go_calls_reached(go, *fn);
  std::string text;
  std::vector<std::uint32_t> offsets;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> regions;
  std::vector<std::pair<const GoSqlCall*, std::uint32_t>> call_region;  // literal call -> region begin
  for (const GoSqlCall* c : calls) {
    if (!c->literal) continue;
    auto begin = static_cast<std::uint32_t>(text.size());
    text += c->sql.value;
    offsets.insert(offsets.end(), c->sql.offsets.begin(), c->sql.offsets.end() - 1);
    regions.emplace_back(begin, static_cast<std::uint32_t>(text.size()));
    call_region.emplace_back(c, begin);
    text += '\n';
    offsets.push_back(c->sql.offsets.back());
  }
  auto extracted = std::make_unique<SourceText>(std::move(text), file, std::move(offsets));
  Script s =
      make_script_regions(extracted.get(), dir, regions, Format::kGoose, !reg.no_transaction, pg_major);
  set.extracted.push_back(std::move(extracted));
  s.go_function = fn_name;
  s.transaction_note = reg.no_transaction ? reg.call + " runs it outside a transaction"
                                          : "goose runs each Go migration in a transaction";
  for (const GoSqlCall* c : calls) {
    if (!c->literal)
      s.opaque_sql.push_back({c->receiver + "." + c->method, c->why, file.position(c->offset), {}});
  }
  // `// schemagate:ignore <gate-id> <reason>` on the line of a call or the line above.
  static constexpr std::string_view kMarker = "schemagate:ignore";
  for (const GoComment& comment : go.comments) {
    std::size_t at = comment.text.find(kMarker);
    if (at == std::string::npos || comment.text.substr(0, at).find_first_not_of(" \t") != std::string::npos)
      continue;
    std::istringstream words(comment.text.substr(at + kMarker.size()));
    Suppression sup;
    words >> sup.gate_id;
    std::getline(words, sup.reason);
    sup.reason.erase(0, sup.reason.find_first_not_of(" \t:-"));
    while (!sup.reason.empty() && std::isspace(static_cast<unsigned char>(sup.reason.back())))
      sup.reason.pop_back();
    sup.position = file.position(comment.offset);
    for (const GoSqlCall* c : calls) {
      std::uint32_t line = file.position(c->offset).line;
      if (c->offset < comment.offset ? line != sup.position.line : line != sup.position.line + 1) continue;
      if (!c->literal) {
        for (OpaqueSql& o : s.opaque_sql) {
          if (o.position.line == line && sup.gate_id == "lint.unanalyzable-go-sql")
            o.ignore_reason = sup.reason;
        }
        break;
      }
      for (auto [call, begin] : call_region) {
        if (call != c) continue;
        for (const Statement& st : s.statements) {
          if (st.offset >= begin && st.offset <= begin + c->sql.value.size()) {
            sup.statement = static_cast<int>(st.index);
            break;
          }
        }
      }
      s.suppressions.push_back(sup);
      break;
    }
  }
  return s;
}

std::string sha256_hex(const std::vector<MigrationInput>& inputs) {
  digest::Sha256 h;
  for (const auto& in : inputs) {
    std::uint64_t sizes[2] = {in.name.size(), in.text.size()};
    h.add(std::string_view(reinterpret_cast<const char*>(sizes), sizeof(sizes))).add(in.name).add(in.text);
  }
  return h.hex();
}

}  // namespace

StatementFacts effective_facts(const Script& script, const Statement& statement) {
  StatementFacts facts = statement.facts;
  for (std::size_t i = statement.index + 1; i < script.statements.size(); ++i) {
    const Statement& inner = script.statements[i];
    if (inner.parent != static_cast<int>(statement.index)) break;
    for (const RelationLock& l : inner.facts.locks) {
      auto same = std::find_if(facts.locks.begin(), facts.locks.end(),
                               [&](const RelationLock& have) { return have.relation == l.relation; });
      if (same == facts.locks.end()) {
        facts.locks.push_back(l);
      } else {
        same->mode = std::max(same->mode, l.mode);
        same->is_new = same->is_new && l.is_new;
      }
    }
    facts.rewrite = facts.rewrite || inner.facts.rewrite;
    facts.scan = facts.scan || inner.facts.scan;
  }
  return facts;
}

std::shared_ptr<MigrationSet> build_migration_set(std::vector<MigrationInput> inputs,
                                                  const LoadOptions& options) {
  auto set = std::make_shared<MigrationSet>();
  std::sort(inputs.begin(), inputs.end(),
            [](const MigrationInput& a, const MigrationInput& b) { return a.name < b.name; });
  set->hash = sha256_hex(inputs);
  const std::size_t root = common_folder_length(inputs);
  // A migration is found by format, folder and version: its up and down (golang-migrate's two
  // files, Flyway's V and U, a folder's up.sql and down.sql) meet there. Every plain file is a
  // migration of its own. A second file for a direction already filled is another migration
  // with the same version, never a replacement (the tools refuse such a set).
  std::map<std::string, std::size_t> by_key;
  auto migration_for = [&](const std::string& key, bool up, bool down) -> Migration& {
    auto it = by_key.find(key);
    if (it != by_key.end()) {
      Migration& m = set->migrations[it->second];
      if (!(up && m.up) && !(down && m.down)) return m;
    }
    by_key[key] = set->migrations.size();
    return set->migrations.emplace_back();
  };
  for (auto& in : inputs) {
    NameInfo info = classify(in.name);
    if (!info.other_database.empty()) {
      set->skipped.push_back({std::move(in.name), "for " + info.other_database + " (ory/pop dialect)"});
      continue;
    }

    if (ends_with(in.name, ".go")) {
      GoSource go = scan_go_source(in.text);
      if (go.registrations.empty()) continue;  // a helper file of the package, not a migration
      auto src = std::make_unique<SourceText>(std::move(in.name), std::move(in.text));
      const SourceText* source = src.get();
      set->sources.push_back(std::move(src));
      const GoRegistration& reg = go.registrations.front();
      std::string stem = base_name(source->name());
      stem.resize(stem.size() - 3);
      std::size_t us = stem.find('_');
      std::string version =
          us != std::string::npos && all_digits(stem.substr(0, us)) ? stem.substr(0, us) : stem;
      Migration& m =
          migration_for("goose\x1f" + info.directory + "\x1f" + normalized_version(version), true, true);
      m.version = std::move(version);
      m.name = us != std::string::npos ? stem.substr(us + 1) : stem;
      m.format = Format::kGoose;
      m.directory = info.directory;
      m.up = go_script(*set, *source, go, reg.up, reg.up_name, Direction::kUp, reg, options.pg_major);
      m.down = go_script(*set, *source, go, reg.down, reg.down_name, Direction::kDown, reg, options.pg_major);
      continue;
    }

    auto src = std::make_unique<SourceText>(std::move(in.name), std::move(in.text));
    const SourceText* source = src.get();
    set->sources.push_back(std::move(src));
    const auto size = static_cast<std::uint32_t>(source->text().size());
    GooseLayout goose = goose_layout(source->text());
    Format format = info.format;
    if (options.format) {
      format = *options.format;
    } else if (goose.found) {
      format = Format::kGoose;
    }
    if (format == Format::kGoose && !goose.found) format = Format::kPlain;
    if (format != Format::kGoose && format != Format::kPlain && format != info.format)
      format = Format::kPlain;

    // Which directions this file holds: a goose file both (when it has a Down section), a plain
    // file an up, the others the one their name says.
    bool up = format == Format::kGoose || format == Format::kPlain || info.direction == Direction::kUp;
    bool down = format == Format::kGoose ? goose.has_down : !up;
    std::string key = std::string(format_name(format)) + "\x1f";
    if (format == Format::kPlain) {
      key += source->name();
      if (!info.versioned) {
        info.version = source->name().substr(root);
        info.name = base_name(source->name());
      }
    } else {
      key += info.directory + "\x1f" + normalized_version(info.version);
    }
    Migration& m = migration_for(key, up, down);
    if (!m.up && !m.down) {
      m.version = info.version;
      m.name = info.name;
      m.format = format;
      m.directory = info.directory;
    }
    if (format == Format::kGoose) {
      bool tx = !goose.no_transaction;
      m.up = make_script(source, Direction::kUp, goose.up_begin, goose.up_end, format, tx, options.pg_major);
      if (goose.has_down) {
        m.down = make_script(source, Direction::kDown, goose.down_begin, goose.down_end, format, tx,
                             options.pg_major);
      }
    } else {
      Script s = make_script(source, up ? Direction::kUp : Direction::kDown, 0, size, format, false,
                             options.pg_major);
      if (up) {
        m.up = std::move(s);
      } else {
        m.down = std::move(s);
      }
    }
  }
  // Order by version (plain files by their path) through a permutation: a Migration holds whole
  // parsed scripts, too heavy to shuffle through a sort. History replay (the column types a
  // migration changes from) reads the migrations in this order.
  std::vector<std::size_t> order(set->migrations.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return path_less(set->migrations[a].version, set->migrations[b].version);
  });
  std::vector<Migration> sorted;
  sorted.reserve(order.size());
  for (std::size_t i : order)
    sorted.push_back(std::move(set->migrations[i]));
  set->migrations = std::move(sorted);
  // What earlier migrations created adds the locks statements take without naming them
  // (the table behind an index, partitions, referenced tables); a relation created
  // earlier in the same script is new in those too.
  apply_schema_history(*set, options.pg_major);
  for (Migration& m : set->migrations) {
    if (m.up) mark_new_relations(*m.up);
    if (m.down) mark_new_relations(*m.down);
  }
  set->index_scripts();
  return set;
}

bool read_text_file(const std::string& path, std::string& out, std::string& error) {
  // One open/fstat/read into a string sized up front: a tenth of the cost of an
  // ifstream through a stringstream on 2,000 small migration files.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot read file: " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = path + ": not a regular file";
    return false;
  }
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);  // a file that shrank while we read it
  return true;
}

bool read_migration_paths(const std::vector<std::string>& paths, std::vector<MigrationInput>& out,
                          std::string& error) {
  namespace fs = std::filesystem;
  auto read_file = [&](const std::string& p) -> bool {
    MigrationInput in;
    in.name = p;
    if (!read_text_file(p, in.text, error)) return false;
    out.push_back(std::move(in));
    return true;
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      error = path + ": no such file or directory";
      return false;
    }
    if (fs::is_directory(st)) {
      // Strings, not fs::path: path comparison is component-wise and dominated the
      // sort of 10,000 files.
      std::vector<std::string> files;
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const fs::path& p = it->path();
        bool go = p.extension() == ".go" && !ends_with(p.filename().string(), "_test.go");
        if (p.extension() == ".sql" || go) files.push_back(p.string());
      }
      if (ec) {
        error = path + ": " + ec.message();
        return false;
      }
      if (files.empty()) {
        error = "no migration files (*.sql, goose *.go) under " + path;
        return false;
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (!read_file(f)) return false;
      }
    } else {
      if (!read_file(path)) return false;
      // A golang-migrate up named on its own brings its down along: the two are one
      // migration, and without it rollback.* would call an existing down missing.
      std::string down;
      if (ends_with(path, ".up.sql")) down = path.substr(0, path.size() - 7) + ".down.sql";
      if (base_name(path) == "up.sql") down = path.substr(0, path.size() - 6) + "down.sql";
      bool named = std::find(paths.begin(), paths.end(), down) != paths.end();
      if (!down.empty() && !named && fs::is_regular_file(down, ec) && !read_file(down)) return false;
    }
  }
  return true;
}

}  // namespace schemagate::sql
