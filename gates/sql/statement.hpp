// What one statement does to the database: its kind, the relations it touches and
// the strongest lock PostgreSQL 15 takes on each, and whether it rewrites or scans
// them or may run inside a transaction block. ARCHITECTURE.md §4.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gates/sql/ast.hpp"
#include "gates/sql/json_tree.hpp"

namespace schemagate::sql {

// PostgreSQL's table-level lock modes, weakest to strongest (the order of
// "Table 13.2. Conflicting Lock Modes" in the PostgreSQL docs, §13.3.1).
enum class LockMode : std::uint8_t {
  kNone = 0,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive,
};

// "ACCESS EXCLUSIVE", as PostgreSQL names the mode in LOCK TABLE and its docs.
std::string_view lock_mode_name(LockMode m);
// pg_locks.mode spelling: "AccessExclusiveLock".
std::string_view lock_mode_pg_locks_name(LockMode m);
// What the lock blocks for other sessions, in words: "blocks all reads and writes".
std::string_view lock_mode_blocks(LockMode m);
// Whether a lock of mode `a` conflicts with one of mode `b` (Table 13.2).
bool lock_modes_conflict(LockMode a, LockMode b);

enum class RelationKind : std::uint8_t { kTable, kIndex, kView, kMaterializedView, kSequence, kUnknown };

struct RelationLock {
  RelationName relation;
  RelationKind kind = RelationKind::kTable;
  LockMode mode = LockMode::kNone;
  bool is_new = false;  // created earlier in the same migration script: exempt from lock gates
};

// A schema-qualified relation the statement names anywhere (DML, DDL, subqueries,
// foreign key targets), collected once at parse time for the tenancy gates.
struct SchemaRef {
  RelationName relation;
  std::int32_t location = -1;  // the node's "location" (see Statement::offset_of)
  bool fk_target = false;      // the referenced table of a FOREIGN KEY
};

struct StatementFacts {
  std::string kind;                        // PostgreSQL's command tag: "CREATE INDEX", "ALTER TABLE"
  std::vector<RelationLock> locks;         // one entry per relation, its strongest mode
  std::vector<RelationName> creates;       // relations the statement creates
  std::vector<RelationName> drops;         // relations the statement drops
  bool rewrite = false;                    // rewrites the table (and its indexes)
  bool scan = false;                       // reads the whole table while holding its lock
  std::vector<SchemaRef> schema_refs;      // schema-qualified relations, in source order
  bool transactional = true;               // may run inside a transaction block
  std::string_view not_transactional_why;  // the PostgreSQL doc sentence that says so
  // What the migrations' history (sql::Catalog) shows of the table the statement
  // names first: unknown when no migration of the set created it.
  enum class Target : std::uint8_t { kUnknown, kTable, kPartitioned };
  Target target = Target::kUnknown;

  // The strongest lock taken on a pre-existing relation (kNone when none).
  LockMode strongest_existing() const;
  // The pre-existing relation a message should name: the strongest lock `keep` accepts,
  // a table before an index or view of the same mode (DROP INDEX locks both).
  template <typename Keep>
  const RelationLock* strongest_existing(Keep keep) const {
    const RelationLock* best = nullptr;
    for (const RelationLock& l : locks) {
      if (l.is_new || !keep(l)) continue;
      if (best == nullptr || l.mode > best->mode ||
          (l.mode == best->mode && l.kind == RelationKind::kTable && best->kind != RelationKind::kTable))
        best = &l;
    }
    return best;
  }
  const RelationLock* find(const RelationName& r) const;
};

// Derives the facts of one statement from its parse tree. `pg_major` selects
// version-dependent behaviour (e.g. fast column defaults since PostgreSQL 11).
StatementFacts analyze_statement(Node ast, int pg_major);

}  // namespace schemagate::sql
