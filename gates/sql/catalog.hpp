// What the migrations say the schema looks like, replayed statement by statement in
// the order the tools run them, so that a statement's lock facts can include the
// relations PostgreSQL locks but the statement does not name: the table behind an
// index (DROP INDEX, REINDEX), the partitions and inheritors of a table (CREATE
// INDEX, ALTER TABLE, RENAME COLUMN, LOCK, TRUNCATE, ANALYZE, UPDATE/DELETE), the table
// a dropped foreign key references and the tables a CASCADE reaches, the tables behind a
// view (LOCK), the table of a statistics object, the tables with a column of a domain,
// and whether a type change keeps the table. Each of these is checked against
// PostgreSQL 15 in tests/pg (the fixture replayed as history).
//
// What no migration of the set created is unknown here, and its facts stay those the
// statement alone gives: the catalog only ever adds what it knows.
#pragma once

#include <string>
#include <vector>

#include "gates/sql/migration.hpp"
#include "gates/sql/types.hpp"

namespace schemagate::sql {

class Catalog {
 public:
  explicit Catalog(int pg_major = 15) : pg_major_(pg_major) {}
  // Adds to `st.facts` the locks the catalog knows the statement takes (as the schema
  // is before it runs). Relations already in the facts keep the stronger mode.
  void augment(Statement& st) const;
  // Records what the statement creates, alters or drops.
  void apply(const Statement& st);

 private:
  struct ForeignKey {
    std::string name;
    std::vector<std::string> columns;
    RelationName references;
  };
  struct Table {
    RelationName name;
    bool partitioned = false;
    std::vector<RelationName> parents;                     // PARTITION OF (one) or INHERITS (any number)
    std::vector<std::pair<std::string, SqlType>> columns;  // name, type as written
    std::vector<ForeignKey> foreign_keys;
  };
  struct Index {
    RelationName name;
    RelationName table;
  };
  struct View {
    RelationName name;
    std::vector<RelationName> reads;
  };
  struct Named {  // a statistics object, its table
    RelationName name;
    RelationName table;
  };

  Table* table(const RelationName& r);
  const Table* table(const RelationName& r) const;
  // Partitions and inheritance children of `parent`, and theirs, depth first.
  void children(const RelationName& parent, std::vector<RelationName>& out, int depth = 0) const;
  void drop_relation(const RelationName& r);
  void add_table(Node create);
  void add_constraint(Table& t, Node constraint, std::string_view column);
  void add_column(Table& t, Node column_def);
  void alter_table(Node body);
  void rename(Node body);
  bool type_changes_keep_table(const Table& t, Node alter) const;

  int pg_major_;
  std::vector<Table> tables_;
  std::vector<Index> indexes_;
  std::vector<View> views_;
  std::vector<Named> statistics_;
};

// Replays the set (ups in version order, then downs newest first, as a rollback runs
// them) and augments every statement's facts with what the catalog knows before it.
void apply_schema_history(MigrationSet& set, int pg_major);

}  // namespace schemagate::sql
