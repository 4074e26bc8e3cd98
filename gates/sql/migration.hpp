// Migrations as a tool would run them: files split into up/down scripts by format,
// statements parsed with true positions, transaction blocks and suppressions known.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gates/sql/do_block.hpp"
#include "gates/sql/parser.hpp"
#include "gates/sql/source.hpp"
#include "gates/sql/statement.hpp"

namespace schemagate::sql {

// kDirectory: one folder per migration, `<version>_<name>/up.sql` and `down.sql` (Diesel, Hasura,
// Sourcegraph). It is only detected, never named by `schemagate.io/format`: ConfigMap keys hold no
// folders, so only files on disk can be laid out this way.
enum class Format : std::uint8_t { kPlain, kGolangMigrate, kGoose, kFlyway, kDirectory };
std::string_view format_name(Format f);
std::optional<Format> parse_format(std::string_view s);

enum class Direction : std::uint8_t { kUp, kDown };
inline std::string_view direction_name(Direction d) {
  return d == Direction::kUp ? "up" : "down";
}

struct Statement {
  std::uint32_t index = 0;       // position within its script
  std::uint32_t span_begin = 0;  // byte offsets in the source text
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::uint32_t node_base = 0;  // parse-tree "location" fields count from here
  Position position;            // of the first token
  Node ast;                     // {"IndexStmt": {...}}
  StatementFacts facts;
  bool in_transaction = false;  // runs inside a transaction block (explicit, tool or implicit)
  int transaction = -1;         // which block within the script; -1 = autocommit
  int parent = -1;              // the DO statement whose body runs this one (index), or -1

  std::string_view tag() const { return ast.tag(); }
  Node body() const { return ast.body(); }
  // The source offset of a parse-tree node's "location" (e.g. a RangeVar), or the
  // statement's first token when the node has none.
  std::uint32_t offset_of(Node located) const {
    Node loc = located["location"];
    return offset_at(loc.is_int() ? static_cast<std::int32_t>(loc.integer()) : -1);
  }
  std::uint32_t offset_at(std::int32_t location) const {
    if (location < 0) return offset;
    auto at = node_base + static_cast<std::uint32_t>(location);
    return at >= offset && at < offset + length ? at : offset;
  }
};

struct SyntaxError {
  std::uint32_t offset = 0;
  Position position;
  std::string message;
};

// `-- schemagate:ignore <gate-id> <reason>`: applies to the statement it precedes
// (or, as a trailing comment, the statement it follows on the same line).
struct Suppression {
  std::string gate_id;
  std::string reason;
  Position position;
  int statement = -1;  // index in the script; -1 = no statement to apply to
};

// A call that runs SQL no gate can read: a Go migration's query built at run time
// (fmt.Sprintf, a variable). Reported by lint.unanalyzable-go-sql, never passed.
struct OpaqueSql {
  std::string call;  // "tx.Exec"
  std::string why;   // "its SQL is built at run time with fmt.Sprintf"
  Position position;
  std::string ignore_reason;  // a `// schemagate:ignore lint.unanalyzable-go-sql <reason>` above it
};

// One direction of one migration.
struct Script {
  const SourceText* source = nullptr;
  Direction direction = Direction::kUp;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  bool tool_transaction = false;  // the tool wraps the whole script in one transaction
  std::string transaction_note;   // why (or why not), for messages
  std::vector<Statement> statements;
  std::vector<SyntaxError> errors;
  std::vector<Suppression> suppressions;
  std::vector<JsonDocument> documents;  // owns the parse trees
  // Goose migrations written in Go: the function that runs this direction, and its
  // calls whose SQL is not a compile-time string. The statements come from the
  // string literals; `source` holds their SQL, positions map to the .go file.
  std::string go_function;
  std::vector<OpaqueSql> opaque_sql;
  // SQL that DO blocks build at run time (EXECUTE of a computed string).
  std::vector<DynamicSql> dynamic_sql;

  std::string_view sql(const Statement& s) const {
    return std::string_view(source->text()).substr(s.offset, s.length);
  }
};

struct Migration {
  // "20240101120000", "1.2"; for plain files their path relative to the folder all inputs share
  // ("v1.10/queue.sql"), or the version of their folder (Prisma's `<version>_<name>/migration.sql`).
  std::string version;
  std::string name;
  Format format = Format::kPlain;
  // The folder the tool reads the migration from (for one folder per migration, the folder that
  // holds those): versions are unique within it. Empty for a file given without one.
  std::string directory;
  std::optional<Script> up;
  std::optional<Script> down;
};

struct MigrationInput {
  std::string name;  // display name: a path, or configmap/<name>/<key>
  std::string text;
  std::string digest = {};  // SHA-256 of text (32 bytes) when known, else empty
};

struct LoadOptions {
  int pg_major = 15;
  std::optional<Format> format;  // forced format (Job annotation); detected when empty
};

// An input that is not a PostgreSQL migration, and why: it is neither parsed nor counted.
struct SkippedInput {
  std::string name;
  std::string reason;  // "for mysql (ory/pop dialect)"
};

class MigrationSet {
 public:
  std::vector<std::unique_ptr<SourceText>> sources;  // the files checked
  std::vector<SkippedInput> skipped;
  std::vector<Migration> migrations;
  std::string hash;  // sha256 over names and contents, hex
  // SQL extracted from Go migrations, positions mapped to their file in `sources`.
  std::vector<std::unique_ptr<SourceText>> extracted;

  // Every script, ups in version order then downs (built once, when the set is).
  const std::vector<const Script*>& scripts() const { return script_list_; }
  std::size_t statement_count() const;
  // Fills the script list; build_migration_set calls it after ordering migrations.
  void index_scripts();

 private:
  std::vector<const Script*> script_list_;
};

// A statement's facts, and for a DO block those of the statements its body runs:
// every lock at its strongest, rewrite and scan if any of them does. The gates read
// the body's statements themselves; this is what the block as a whole does.
StatementFacts effective_facts(const Script& script, const Statement& statement);

// Builds a migration set from named texts (files read by the caller, ConfigMap keys).
// Never throws on bad SQL: syntax errors are recorded in the scripts.
std::shared_ptr<MigrationSet> build_migration_set(std::vector<MigrationInput> inputs,
                                                  const LoadOptions& options);

// Reads files and directories (recursively, *.sql and goose *.go) into inputs. Returns false and
// sets `error` naming the path when one cannot be read, or when a directory holds no such file (a
// mistyped path must not pass a CI check with "0 files").
bool read_migration_paths(const std::vector<std::string>& paths, std::vector<MigrationInput>& out,
                          std::string& error);

// Reads a whole regular file into `out`; false with `error` naming the path.
bool read_text_file(const std::string& path, std::string& out, std::string& error);

// Sorts versions numerically where they are numbers ("2" < "10", "1.2" < "1.10").
bool version_less(std::string_view a, std::string_view b);

// A version as the tools compare it, digit runs without leading zeros: golang-migrate and goose
// parse integers, Flyway compares each dotted part as a number ("0005" is "5", "1.01" is "1.1").
std::string normalized_version(std::string_view version);

// Sorts paths folder by folder, each name with version_less: "v1.5/b.sql" < "v1.10/a.sql", and
// "schema.sql" sorts by its name among the folders beside it.
bool path_less(std::string_view a, std::string_view b);

}  // namespace schemagate::sql
