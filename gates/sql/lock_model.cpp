// The lock model: which lock PostgreSQL 15 takes for each statement kind.
//
// Sources: PostgreSQL 15 docs §13.3.1 "Table-Level Locks" (which commands take which
// mode), the reference page of each command, and AlterTableGetLockLevel() in
// src/backend/commands/tablecmds.c for ALTER TABLE subcommands. Every claim here is
// checked against a real server by tests/pg (pg_locks inside a transaction).
#include <algorithm>
#include <array>

#include "gates/sql/statement.hpp"

namespace schemagate::sql {

std::string_view lock_mode_name(LockMode m) {
  switch (m) {
    case LockMode::kNone:
      return "NONE";
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "NONE";
}

std::string_view lock_mode_pg_locks_name(LockMode m) {
  switch (m) {
    case LockMode::kNone:
      return "";
    case LockMode::kAccessShare:
      return "AccessShareLock";
    case LockMode::kRowShare:
      return "RowShareLock";
    case LockMode::kRowExclusive:
      return "RowExclusiveLock";
    case LockMode::kShareUpdateExclusive:
      return "ShareUpdateExclusiveLock";
    case LockMode::kShare:
      return "ShareLock";
    case LockMode::kShareRowExclusive:
      return "ShareRowExclusiveLock";
    case LockMode::kExclusive:
      return "ExclusiveLock";
    case LockMode::kAccessExclusive:
      return "AccessExclusiveLock";
  }
  return "";
}

std::string_view lock_mode_blocks(LockMode m) {
  switch (m) {
    case LockMode::kNone:
    case LockMode::kAccessShare:
      return "blocks only ACCESS EXCLUSIVE";
    case LockMode::kRowShare:
      return "blocks EXCLUSIVE and ACCESS EXCLUSIVE";
    case LockMode::kRowExclusive:
      return "blocks SHARE and stronger locks";
    case LockMode::kShareUpdateExclusive:
      return "blocks schema changes, VACUUM and concurrent index builds, not reads or writes";
    case LockMode::kShare:
    case LockMode::kShareRowExclusive:
      return "blocks writes (INSERT, UPDATE, DELETE), not reads";
    case LockMode::kExclusive:
      return "blocks writes and SELECT ... FOR UPDATE/SHARE; plain reads continue";
    case LockMode::kAccessExclusive:
      return "blocks all reads and writes";
  }
  return "";
}

bool lock_modes_conflict(LockMode a, LockMode b) {
  if (a == LockMode::kNone || b == LockMode::kNone) return false;
  // Conflict matrix of §13.3.1, indexed by mode (1..8). Bit j set: conflicts with j.
  static constexpr std::array<unsigned, 9> kConflicts = {
      0,
      1u << 8,                                                                // ACCESS SHARE
      (1u << 7) | (1u << 8),                                                  // ROW SHARE
      (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8),                          // ROW EXCLUSIVE
      (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8),              // SHARE UPDATE EXCLUSIVE
      (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) | (1u << 8),              // SHARE
      (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8),  // SHARE ROW EXCLUSIVE
      (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8),  // EXCLUSIVE
      0x1FEu,  // ACCESS EXCLUSIVE: everything
  };
  return (kConflicts[static_cast<unsigned>(a)] >> static_cast<unsigned>(b)) & 1u;
}

LockMode StatementFacts::strongest_existing() const {
  LockMode m = LockMode::kNone;
  for (const auto& l : locks) {
    if (!l.is_new) m = std::max(m, l.mode);
  }
  return m;
}

const RelationLock* StatementFacts::find(const RelationName& r) const {
  for (const auto& l : locks) {
    if (l.relation.matches(r)) return &l;
  }
  return nullptr;
}

namespace {

// Doc sentences for statements that cannot run inside a transaction block.
constexpr std::string_view kWhyIndexConcurrently =
    "PostgreSQL docs, CREATE INDEX: \"a regular CREATE INDEX command can be performed within a transaction "
    "block, but CREATE INDEX CONCURRENTLY cannot\"";
constexpr std::string_view kWhyDropIndexConcurrently =
    "PostgreSQL docs, DROP INDEX: \"a regular DROP INDEX command can be performed within a transaction "
    "block, "
    "but DROP INDEX CONCURRENTLY cannot\"";
constexpr std::string_view kWhyReindexConcurrently =
    "PostgreSQL docs, REINDEX: \"REINDEX SCHEMA, REINDEX DATABASE and REINDEX SYSTEM cannot be executed "
    "inside a "
    "transaction block\", nor can REINDEX ... CONCURRENTLY";
constexpr std::string_view kWhyVacuum =
    "PostgreSQL docs, VACUUM: \"VACUUM cannot be executed inside a transaction block\"";
constexpr std::string_view kWhyDetachConcurrently =
    "PostgreSQL docs, ALTER TABLE: \"DETACH PARTITION ... CONCURRENTLY cannot be run in a transaction "
    "block\"";
constexpr std::string_view kWhyDatabase =
    "PostgreSQL docs, CREATE/DROP DATABASE: \"cannot be executed inside a transaction block\"";
constexpr std::string_view kWhyCluster =
    "PostgreSQL docs, CLUSTER: \"CLUSTER without a table_name ... cannot be executed inside a transaction "
    "block\"";
constexpr std::string_view kWhyTablespace =
    "PostgreSQL docs, CREATE/DROP TABLESPACE: \"cannot be executed inside a transaction block\"";
constexpr std::string_view kWhyPrepared =
    "PostgreSQL docs, COMMIT PREPARED / ROLLBACK PREPARED: \"This command cannot be executed inside a "
    "transaction block\"";
constexpr std::string_view kWhyDatabaseTablespace =
    "PostgreSQL 15 (movedb, dbcommands.c): \"ALTER DATABASE SET TABLESPACE cannot run inside a transaction "
    "block\"";
constexpr std::string_view kWhyAlterSystem =
    "PostgreSQL docs, ALTER SYSTEM: \"cannot be executed inside a transaction block\"";

class Builder {
 public:
  explicit Builder(StatementFacts& f) : f_(f) {}

  void lock(const RelationName& r, LockMode m, RelationKind kind = RelationKind::kTable) {
    if (r.empty() || m == LockMode::kNone) return;
    for (auto& l : f_.locks) {
      if (l.relation == r) {
        l.mode = std::max(l.mode, m);
        return;
      }
    }
    f_.locks.push_back(RelationLock{r, kind, m, false});
  }

  // ACCESS SHARE (or `mode`) on every relation a query reads (views, CTAS,
  // subqueries in DML). An unqualified FROM item named like a WITH query of the
  // statement reads that query, not a relation: WITH queries seen in this walk or an
  // earlier one (walk a statement's withClause first) are left out. A data-modifying
  // WITH query (WITH gone AS (DELETE FROM t ...) ...) takes ROW EXCLUSIVE on its
  // target like top-level DML; that target is a bare RangeVar, not seen as one.
  //
  // A SELECT with FOR UPDATE / FOR SHARE takes ROW SHARE on the FROM items it locks:
  // all of them, or those named after OF (by alias when the item has one). The names
  // after OF are FROM items, not relations (PostgreSQL docs, SELECT, "The Locking
  // Clause"; transformLockingClause in analyze.c).
  void read_relations(Node query, const RelationName* except = nullptr,
                      LockMode mode = LockMode::kAccessShare) {
    std::vector<RelationName> read;
    std::vector<RelationName> row_locked;
    std::vector<const JsonValue*> locked_names;  // the RangeVars after OF
    walk(query, [&](std::string_view tag, Node body) {
      if (tag == "RangeVar") {
        if (std::find(locked_names.begin(), locked_names.end(), body.raw()) == locked_names.end())
          read.push_back(range_var(body));
      } else if (tag == "SelectStmt" && body["lockingClause"].size() > 0) {
        row_locked_items(body, row_locked, locked_names);
      } else if (tag == "CommonTableExpr") {
        with_queries_.emplace_back(body["ctename"].str());
      } else if (tag == "InsertStmt" || tag == "UpdateStmt" || tag == "DeleteStmt" || tag == "MergeStmt") {
        lock(range_var(body["relation"]), LockMode::kRowExclusive);
      }
    });
    for (const RelationName& r : read) {
      if (except && r == *except) continue;
      bool with_query = r.schema.empty() &&
                        std::find(with_queries_.begin(), with_queries_.end(), r.name) != with_queries_.end();
      if (!with_query) lock(r, mode);
    }
    for (const RelationName& r : row_locked) {
      if (except && r == *except) continue;
      bool with_query = r.schema.empty() &&
                        std::find(with_queries_.begin(), with_queries_.end(), r.name) != with_queries_.end();
      if (!with_query) lock(r, LockMode::kRowShare);
    }
  }

  void non_transactional(std::string_view why) {
    f_.transactional = false;
    f_.not_transactional_why = why;
  }

 private:
  // The relations in a SELECT's FROM list that its locking clauses lock.
  static void row_locked_items(Node select, std::vector<RelationName>& out,
                               std::vector<const JsonValue*>& locked_names) {
    std::vector<std::string_view> names;
    bool all = false;
    for (Node clause : select["lockingClause"]) {
      Node rels = clause.body()["lockedRels"];
      if (rels.size() == 0) all = true;
      for (Node r : rels) {
        names.push_back(r.body()["relname"].str());
        locked_names.push_back(r.body().raw());
      }
    }
    walk(select["fromClause"], [&](std::string_view tag, Node item) {
      if (tag != "RangeVar") return;
      std::string_view alias = item["alias"]["aliasname"].str();
      std::string_view name = alias.empty() ? item["relname"].str() : alias;
      if (all || std::find(names.begin(), names.end(), name) != names.end()) out.push_back(range_var(item));
    });
  }

  StatementFacts& f_;
  std::vector<std::string> with_queries_;  // WITH query names met so far
};

// The object word of a command tag for libpg_query's ObjectType names, as
// AlterObjectTypeCommandTag (utility.c) spells them: OBJECT_MATVIEW -> "MATERIALIZED VIEW".
std::string_view object_word(std::string_view objtype) {
  static constexpr auto kWords = std::to_array<std::pair<std::string_view, std::string_view>>({
      {"OBJECT_ACCESS_METHOD", "ACCESS METHOD"},
      {"OBJECT_AGGREGATE", "AGGREGATE"},
      {"OBJECT_CAST", "CAST"},
      {"OBJECT_COLLATION", "COLLATION"},
      {"OBJECT_CONVERSION", "CONVERSION"},
      {"OBJECT_DATABASE", "DATABASE"},
      {"OBJECT_DOMAIN", "DOMAIN"},
      {"OBJECT_EVENT_TRIGGER", "EVENT TRIGGER"},
      {"OBJECT_EXTENSION", "EXTENSION"},
      {"OBJECT_FDW", "FOREIGN DATA WRAPPER"},
      {"OBJECT_FOREIGN_SERVER", "SERVER"},
      {"OBJECT_FOREIGN_TABLE", "FOREIGN TABLE"},
      {"OBJECT_FUNCTION", "FUNCTION"},
      {"OBJECT_INDEX", "INDEX"},
      {"OBJECT_LANGUAGE", "LANGUAGE"},
      {"OBJECT_LARGEOBJECT", "LARGE OBJECT"},
      {"OBJECT_MATVIEW", "MATERIALIZED VIEW"},
      {"OBJECT_OPCLASS", "OPERATOR CLASS"},
      {"OBJECT_OPERATOR", "OPERATOR"},
      {"OBJECT_OPFAMILY", "OPERATOR FAMILY"},
      {"OBJECT_POLICY", "POLICY"},
      {"OBJECT_PROCEDURE", "PROCEDURE"},
      {"OBJECT_PUBLICATION", "PUBLICATION"},
      {"OBJECT_ROLE", "ROLE"},
      {"OBJECT_ROUTINE", "ROUTINE"},
      {"OBJECT_RULE", "RULE"},
      {"OBJECT_SCHEMA", "SCHEMA"},
      {"OBJECT_SEQUENCE", "SEQUENCE"},
      {"OBJECT_STATISTIC_EXT", "STATISTICS"},
      {"OBJECT_SUBSCRIPTION", "SUBSCRIPTION"},
      {"OBJECT_TABLE", "TABLE"},
      {"OBJECT_TABLESPACE", "TABLESPACE"},
      {"OBJECT_TRANSFORM", "TRANSFORM"},
      {"OBJECT_TRIGGER", "TRIGGER"},
      {"OBJECT_TSCONFIGURATION", "TEXT SEARCH CONFIGURATION"},
      {"OBJECT_TSDICTIONARY", "TEXT SEARCH DICTIONARY"},
      {"OBJECT_TSPARSER", "TEXT SEARCH PARSER"},
      {"OBJECT_TSTEMPLATE", "TEXT SEARCH TEMPLATE"},
      {"OBJECT_TYPE", "TYPE"},
      {"OBJECT_VIEW", "VIEW"},
      {"OBJECT_USER_MAPPING", "USER MAPPING"},
      {"OBJECT_ATTRIBUTE", "TYPE"},
      {"OBJECT_DOMCONSTRAINT", "DOMAIN"},
      {"OBJECT_TABCONSTRAINT", "TABLE"},
      {"OBJECT_COLUMN", "TABLE"},
  });
  for (const auto& [k, word] : kWords) {
    if (objtype == k) return word;
  }
  return {};
}

// "ALTER <object>"; relations of unknown type are tables, as ALTER TABLE accepts them all.
std::string alter_kind(std::string_view objtype) {
  std::string_view word = object_word(objtype);
  return "ALTER " + std::string(word.empty() ? "TABLE" : word);
}

RelationKind relation_kind_of(std::string_view objtype) {
  if (objtype == "OBJECT_INDEX") return RelationKind::kIndex;
  if (objtype == "OBJECT_SEQUENCE") return RelationKind::kSequence;
  if (objtype == "OBJECT_VIEW") return RelationKind::kView;
  if (objtype == "OBJECT_MATVIEW") return RelationKind::kMaterializedView;
  if (objtype == "OBJECT_TABLE" || objtype == "OBJECT_FOREIGN_TABLE") return RelationKind::kTable;
  return RelationKind::kUnknown;
}

// Storage parameters that ALTER TABLE SET (...) changes under SHARE UPDATE
// EXCLUSIVE (AlterTableGetRelOptionsLockLevel: every heap reloption except the view
// options check_option/security_barrier/security_invoker).
bool reloption_is_share_update(std::string_view name) {
  return name != "check_option" && name != "security_barrier" && name != "security_invoker";
}

bool type_is_serial(std::string_view t) {
  return t == "serial" || t == "bigserial" || t == "smallserial" || t == "serial4" || t == "serial8" ||
         t == "serial2";
}

// Facts of ADD COLUMN: rewrites on volatile defaults, stored generated columns,
// identity and serial columns (all need a value computed per existing row).
void add_column_facts(Node coldef, int pg_major, StatementFacts& f, Builder& b) {
  std::string t = type_name(coldef["typeName"]);
  if (type_is_serial(t)) f.rewrite = true;
  for (Node c : coldef["constraints"]) {
    Node con = c.body();
    std::string_view type = con["contype"].str();
    if (type == "CONSTR_DEFAULT") {
      Volatility v = expression_volatility(con["raw_expr"]);
      if (v == Volatility::kVolatile || pg_major < 11) f.rewrite = true;
    } else if (type == "CONSTR_GENERATED" || type == "CONSTR_IDENTITY") {
      f.rewrite = true;
    } else if (type == "CONSTR_CHECK" || type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") {
      f.scan = true;
    } else if (type == "CONSTR_FOREIGN") {
      b.lock(range_var(con["pktable"]), LockMode::kShareRowExclusive);
    }
  }
}

// ALTER TABLE: the strongest level over all subcommands (AlterTableGetLockLevel).
void alter_table(Node s, int pg_major, StatementFacts& f, Builder& b) {
  std::string_view objtype = s["objtype"].str();
  f.kind = alter_kind(objtype);
  RelationName rel = range_var(s["relation"]);
  RelationKind rkind = relation_kind_of(objtype);
  LockMode mode = LockMode::kNone;
  for (Node cmd_node : s["cmds"]) {
    Node cmd = cmd_node.body();
    std::string_view sub = cmd["subtype"].str();
    LockMode m = LockMode::kAccessExclusive;  // tablecmds.c's default for anything not listed
    if (sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse") {
      add_column_facts(cmd["def"].body(), pg_major, f, b);
    } else if (sub == "AT_SetNotNull") {
      f.scan = true;
    } else if (sub == "AT_AlterColumnType") {
      // Whether the change is binary coercible depends on the old type, which the
      // SQL does not say; the lint gate refines this when the old type is known.
      f.rewrite = true;
    } else if (sub == "AT_SetStatistics" || sub == "AT_SetOptions" || sub == "AT_ResetOptions" ||
               sub == "AT_ClusterOn" || sub == "AT_DropCluster" || sub == "AT_ValidateConstraint" ||
               sub == "AT_ValidateConstraintRecurse" || sub == "AT_DetachPartitionFinalize") {
      m = LockMode::kShareUpdateExclusive;
      if (sub == "AT_ValidateConstraint" || sub == "AT_ValidateConstraintRecurse") f.scan = true;
    } else if (sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions" || sub == "AT_ReplaceRelOptions") {
      m = LockMode::kShareUpdateExclusive;
      for (Node d : cmd["def"]) {
        if (!reloption_is_share_update(d.body()["defname"].str())) m = LockMode::kAccessExclusive;
      }
    } else if (sub == "AT_EnableTrig" || sub == "AT_EnableAlwaysTrig" || sub == "AT_EnableReplicaTrig" ||
               sub == "AT_DisableTrig" || sub == "AT_EnableTrigAll" || sub == "AT_DisableTrigAll" ||
               sub == "AT_EnableTrigUser" || sub == "AT_DisableTrigUser") {
      m = LockMode::kShareRowExclusive;  // as CREATE TRIGGER
    } else if (sub == "AT_AddConstraint" || sub == "AT_AddConstraintRecurse") {
      Node con = cmd["def"].body();
      std::string_view type = con["contype"].str();
      bool not_valid = con["skip_validation"].boolean();
      if (type == "CONSTR_FOREIGN") {
        // Triggers go on both tables: at least as strong as CREATE TRIGGER.
        m = LockMode::kShareRowExclusive;
        b.lock(range_var(con["pktable"]), LockMode::kShareRowExclusive);
        if (!not_valid) f.scan = true;
      } else if (type == "CONSTR_CHECK") {
        if (!not_valid) f.scan = true;
      } else if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" || type == "CONSTR_EXCLUSION") {
        // Builds an index under ACCESS EXCLUSIVE unless an existing index is named.
        std::string_view index = con["indexname"].str();
        if (index.empty()) {
          f.scan = true;
        } else {
          // USING INDEX: ATExecAddIndexConstraint renames the index to the
          // constraint's name when they differ (RenameRelationInternal takes SHARE
          // UPDATE EXCLUSIVE on an index), else only opens it (ACCESS SHARE).
          std::string_view conname = con["conname"].str();
          bool renamed = !conname.empty() && conname != index;
          b.lock(RelationName{rel.schema, std::string(index)},
                 renamed ? LockMode::kShareUpdateExclusive : LockMode::kAccessShare, RelationKind::kIndex);
        }
      }
    } else if (sub == "AT_AttachPartition") {
      // Since PostgreSQL 12: SHARE UPDATE EXCLUSIVE on the parent, ACCESS EXCLUSIVE on
      // the partition (scanned to check the bound unless a constraint proves it).
      m = LockMode::kShareUpdateExclusive;
      Node part = cmd["def"].body();
      if (rkind != RelationKind::kIndex) {
        b.lock(range_var(part["name"]), LockMode::kAccessExclusive);
        f.scan = true;
      } else {
        b.lock(range_var(part["name"]), LockMode::kAccessExclusive, RelationKind::kIndex);
      }
    } else if (sub == "AT_DetachPartition") {
      Node part = cmd["def"].body();
      if (part["concurrent"].boolean()) {
        // PostgreSQL docs, ALTER TABLE, DETACH PARTITION: the first transaction takes
        // SHARE UPDATE EXCLUSIVE on parent and partition; "the second transaction
        // acquires SHARE UPDATE EXCLUSIVE on the partitioned table and ACCESS
        // EXCLUSIVE lock on the partition" (tests/pg sees it wait for that lock).
        m = LockMode::kShareUpdateExclusive;
        b.lock(range_var(part["name"]), LockMode::kAccessExclusive);
        b.non_transactional(kWhyDetachConcurrently);
      } else {
        b.lock(range_var(part["name"]), LockMode::kAccessExclusive);
      }
    } else if (sub == "AT_SetLogged" || sub == "AT_SetUnLogged" || sub == "AT_SetTableSpace" ||
               sub == "AT_SetAccessMethod") {
      f.rewrite = true;
    } else if (sub == "AT_AddInherit") {
      b.lock(range_var(cmd["def"]), LockMode::kShareUpdateExclusive);
    } else if (sub == "AT_DropInherit") {
      // ATExecDropInherit opens the parent with ACCESS SHARE only; ADD INHERIT
      // (ATExecAddInherit) takes SHARE UPDATE EXCLUSIVE on it.
      b.lock(range_var(cmd["def"]), LockMode::kAccessShare);
    }
    mode = std::max(mode, m);
  }
  b.lock(rel, mode, rkind);
}

RelationKind drop_kind(std::string_view remove_type) {
  if (remove_type == "OBJECT_INDEX") return RelationKind::kIndex;
  if (remove_type == "OBJECT_VIEW") return RelationKind::kView;
  if (remove_type == "OBJECT_MATVIEW") return RelationKind::kMaterializedView;
  if (remove_type == "OBJECT_SEQUENCE") return RelationKind::kSequence;
  return RelationKind::kTable;
}

void drop_stmt(Node s, StatementFacts& f, Builder& b) {
  std::string_view type = s["removeType"].str();
  bool concurrent = s["concurrent"].boolean();
  std::string_view word = object_word(type);
  f.kind = word.empty() ? "DROP" : "DROP " + std::string(word);
  bool relation_object = type == "OBJECT_TABLE" || type == "OBJECT_INDEX" || type == "OBJECT_VIEW" ||
                         type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE" ||
                         type == "OBJECT_FOREIGN_TABLE";
  bool on_table_object = type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY" || type == "OBJECT_RULE";
  for (Node obj : s["objects"]) {
    Node list = obj.tag() == "List" ? obj.body()["items"] : obj;
    if (relation_object) {
      RelationName r = qualified_name(list);
      if (type == "OBJECT_INDEX" && concurrent) {
        b.lock(r, LockMode::kShareUpdateExclusive, RelationKind::kIndex);
      } else {
        b.lock(r, LockMode::kAccessExclusive, drop_kind(type));
      }
      f.drops.push_back(r);
    } else if (on_table_object) {
      // DROP TRIGGER/POLICY/RULE name ON table: the list is [schema?, table, name].
      std::size_t n = list.size();
      if (n >= 2) {
        RelationName r;
        r.name = std::string(string_value(list.at(n - 2)));
        if (n >= 3) r.schema = std::string(string_value(list.at(n - 3)));
        b.lock(r, LockMode::kAccessExclusive);
      }
    }
  }
  if (type == "OBJECT_INDEX" && concurrent) b.non_transactional(kWhyDropIndexConcurrently);
}

void create_stmt(Node s, StatementFacts& f, Builder& b) {
  f.kind = "CREATE TABLE";
  RelationName rel = range_var(s["relation"]);
  f.creates.push_back(rel);
  auto constraint_locks = [&](Node cons) {
    for (Node c : cons) {
      Node con = c.body();
      if (con["contype"].str() == "CONSTR_FOREIGN")
        b.lock(range_var(con["pktable"]), LockMode::kShareRowExclusive);
    }
  };
  for (Node elt : s["tableElts"]) {
    if (elt.tag() == "ColumnDef") {
      constraint_locks(elt.body()["constraints"]);
    } else if (elt.tag() == "Constraint") {
      Node con = elt.body();
      if (con["contype"].str() == "CONSTR_FOREIGN")
        b.lock(range_var(con["pktable"]), LockMode::kShareRowExclusive);
    } else if (elt.tag() == "TableLikeClause") {
      b.lock(range_var(elt.body()["relation"]), LockMode::kAccessShare);
    }
  }
  // PARTITION OF takes ACCESS EXCLUSIVE on the parent; INHERITS takes SHARE UPDATE
  // EXCLUSIVE (MergeAttributes in tablecmds.c).
  bool partition = !s["partbound"].missing();
  for (Node parent : s["inhRelations"]) {
    b.lock(range_var(parent), partition ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive);
  }
}

void rename_stmt(Node s, StatementFacts& f, Builder& b) {
  std::string_view type = s["renameType"].str();
  std::string_view reltype = s["relationType"].str();
  RelationName rel = range_var(s["relation"]);
  if (type == "OBJECT_INDEX") {
    // Since PostgreSQL 12 renaming an index takes SHARE UPDATE EXCLUSIVE.
    f.kind = "ALTER INDEX";
    b.lock(rel, LockMode::kShareUpdateExclusive, RelationKind::kIndex);
    RelationName renamed{rel.schema, std::string(s["newname"].str())};
    f.creates.push_back(renamed);
    return;
  }
  if (rel.empty()) {
    f.kind = alter_kind(type);
    return;
  }
  // The tag names the renamed object, a column by its relation's type (CreateCommandTag,
  // utility.c); constraints, triggers and policies are on tables (relationType is
  // left unset for them).
  std::string_view kind_of = type;
  if (type == "OBJECT_COLUMN") {
    kind_of = reltype;
  } else if (type == "OBJECT_TABCONSTRAINT" || type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY") {
    kind_of = "OBJECT_TABLE";
  }
  f.kind = alter_kind(type == "OBJECT_COLUMN" ? reltype : type);
  b.lock(rel, LockMode::kAccessExclusive, relation_kind_of(kind_of));
  if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" ||
      type == "OBJECT_SEQUENCE") {
    f.creates.push_back(RelationName{rel.schema, std::string(s["newname"].str())});
  }
}

void dml(std::string_view tag, Node s, StatementFacts& f, Builder& b) {
  RelationName target = range_var(s["relation"]);
  f.kind = tag == "InsertStmt" ? "INSERT" : (tag == "UpdateStmt" ? "UPDATE" : "DELETE");
  b.lock(target, LockMode::kRowExclusive);
  if (tag != "InsertStmt") f.scan = s["whereClause"].missing();
  for (const char* part : {"withClause", "selectStmt", "fromClause", "usingClause", "whereClause",
                           "returningList", "targetList"}) {
    b.read_relations(s[part], &target);
  }
}

// MERGE (new in PostgreSQL 15): ROW EXCLUSIVE on the target, as any DML, and ACCESS
// SHARE on the source and on what its conditions and actions read.
void merge_stmt(Node s, StatementFacts& f, Builder& b) {
  RelationName target = range_var(s["relation"]);
  f.kind = "MERGE";
  b.lock(target, LockMode::kRowExclusive);
  for (const char* part : {"withClause", "sourceRelation", "joinCondition", "mergeWhenClauses"}) {
    b.read_relations(s[part], &target);
  }
}

// One pass over the whole tree: RangeVars appear wrapped ({"RangeVar": {...}} in
// FROM lists) and bare (the "relation" of UPDATE or ALTER TABLE), so any object with
// a "relname" is one. A foreign key's pktable is visited after its Constraint.
void collect_schema_refs(Node n, std::vector<const JsonValue*>& fk_targets, std::vector<SchemaRef>& out,
                         int depth) {
  if (depth > 2000) return;
  if (n.is_array()) {
    for (Node c : n)
      collect_schema_refs(c, fk_targets, out, depth + 1);
    return;
  }
  if (!n.is_object()) return;
  Node relname = n["relname"];
  if (relname.is_string()) {
    std::string_view schema = n["schemaname"].str();
    if (!schema.empty()) {
      bool fk = std::find(fk_targets.begin(), fk_targets.end(), n.raw()) != fk_targets.end();
      out.push_back(SchemaRef{RelationName{std::string(schema), std::string(relname.str())},
                              static_cast<std::int32_t>(n["location"].integer(-1)), fk});
    }
    return;  // a RangeVar holds no further relations (its alias has none)
  }
  if (n["contype"].str() == "CONSTR_FOREIGN") fk_targets.push_back(n["pktable"].raw());
  for (const JsonMember* m = n.members_begin(); m != n.members_end(); ++m) {
    Node child(&m->value);
    if (child.is_object() || child.is_array()) collect_schema_refs(child, fk_targets, out, depth + 1);
  }
}

// Command tags of the remaining statements (CreateCommandTag in utility.c); the node
// name itself when PostgreSQL's tag is not listed here.
std::string_view utility_tag(std::string_view node) {
  static constexpr auto kTags = std::to_array<std::pair<std::string_view, std::string_view>>({
      {"AlterCollationStmt", "ALTER COLLATION"},
      {"AlterDatabaseRefreshCollStmt", "ALTER DATABASE"},
      {"AlterDatabaseSetStmt", "ALTER DATABASE"},
      {"AlterDatabaseStmt", "ALTER DATABASE"},
      {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES"},
      {"AlterEventTrigStmt", "ALTER EVENT TRIGGER"},
      {"AlterExtensionContentsStmt", "ALTER EXTENSION"},
      {"AlterExtensionStmt", "ALTER EXTENSION"},
      {"AlterFdwStmt", "ALTER FOREIGN DATA WRAPPER"},
      {"AlterForeignServerStmt", "ALTER SERVER"},
      {"AlterOpFamilyStmt", "ALTER OPERATOR FAMILY"},
      {"AlterOperatorStmt", "ALTER OPERATOR"},
      {"AlterPublicationStmt", "ALTER PUBLICATION"},
      {"AlterRoleSetStmt", "ALTER ROLE"},
      {"AlterRoleStmt", "ALTER ROLE"},
      {"AlterStatsStmt", "ALTER STATISTICS"},
      {"AlterSubscriptionStmt", "ALTER SUBSCRIPTION"},
      {"AlterTSConfigurationStmt", "ALTER TEXT SEARCH CONFIGURATION"},
      {"AlterTSDictionaryStmt", "ALTER TEXT SEARCH DICTIONARY"},
      {"AlterTableMoveAllStmt", "ALTER TABLE"},
      {"AlterTableSpaceOptionsStmt", "ALTER TABLESPACE"},
      {"AlterTypeStmt", "ALTER TYPE"},
      {"AlterUserMappingStmt", "ALTER USER MAPPING"},
      {"CallStmt", "CALL"},
      {"CheckPointStmt", "CHECKPOINT"},
      {"ClosePortalStmt", "CLOSE CURSOR"},
      {"ConstraintsSetStmt", "SET CONSTRAINTS"},
      {"CopyStmt", "COPY"},
      {"CreateAmStmt", "CREATE ACCESS METHOD"},
      {"CreateCastStmt", "CREATE CAST"},
      {"CreateConversionStmt", "CREATE CONVERSION"},
      {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
      {"CreateFdwStmt", "CREATE FOREIGN DATA WRAPPER"},
      {"CreateForeignServerStmt", "CREATE SERVER"},
      {"CreateForeignTableStmt", "CREATE FOREIGN TABLE"},
      {"CreateOpClassStmt", "CREATE OPERATOR CLASS"},
      {"CreateOpFamilyStmt", "CREATE OPERATOR FAMILY"},
      {"CreatePLangStmt", "CREATE LANGUAGE"},
      {"CreatePublicationStmt", "CREATE PUBLICATION"},
      {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION"},
      {"CreateTransformStmt", "CREATE TRANSFORM"},
      {"CreateUserMappingStmt", "CREATE USER MAPPING"},
      {"DeallocateStmt", "DEALLOCATE"},
      {"DeclareCursorStmt", "DECLARE CURSOR"},
      {"DiscardStmt", "DISCARD"},
      {"DropOwnedStmt", "DROP OWNED"},
      {"DropRoleStmt", "DROP ROLE"},
      {"DropSubscriptionStmt", "DROP SUBSCRIPTION"},
      {"DropUserMappingStmt", "DROP USER MAPPING"},
      {"ExecuteStmt", "EXECUTE"},
      {"FetchStmt", "FETCH"},
      {"ImportForeignSchemaStmt", "IMPORT FOREIGN SCHEMA"},
      {"ListenStmt", "LISTEN"},
      {"LoadStmt", "LOAD"},
      {"NotifyStmt", "NOTIFY"},
      {"PrepareStmt", "PREPARE"},
      {"ReassignOwnedStmt", "REASSIGN OWNED"},
      {"SecLabelStmt", "SECURITY LABEL"},
      {"UnlistenStmt", "UNLISTEN"},
      {"VariableShowStmt", "SHOW"},
  });
  for (const auto& [k, t] : kTags) {
    if (node == k) return t;
  }
  return node;
}

// Whether a DefElem list names `name` at all (ALTER DATABASE d SET TABLESPACE t is
// AlterDatabaseStmt with a "tablespace" option).
bool option_named(Node list, std::string_view name) {
  for (Node d : list) {
    if (d.body()["defname"].str() == name) return true;
  }
  return false;
}

}  // namespace

StatementFacts analyze_statement(Node ast, int pg_major) {
  StatementFacts f;
  Builder b(f);
  std::string_view tag = ast.tag();
  Node s = ast.body();

  if (tag == "IndexStmt") {
    f.kind = "CREATE INDEX";
    RelationName table = range_var(s["relation"]);
    f.scan = true;
    if (s["concurrent"].boolean()) {
      b.lock(table, LockMode::kShareUpdateExclusive);
      b.non_transactional(kWhyIndexConcurrently);
    } else {
      b.lock(table, LockMode::kShare);
    }
    if (!s["idxname"].str().empty())
      f.creates.push_back(RelationName{table.schema, std::string(s["idxname"].str())});
  } else if (tag == "DropStmt") {
    drop_stmt(s, f, b);
  } else if (tag == "AlterTableStmt") {
    alter_table(s, pg_major, f, b);
  } else if (tag == "CreateStmt") {
    create_stmt(s, f, b);
  } else if (tag == "CreateTableAsStmt") {
    bool matview = s["objtype"].str() == "OBJECT_MATVIEW";
    f.kind = matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
    // "into" is a bare IntoClause (a typed field), not a {"IntoClause": ...} wrapper.
    f.creates.push_back(range_var(s["into"]["rel"]));
    b.read_relations(s["query"]);
  } else if (tag == "ViewStmt") {
    f.kind = "CREATE VIEW";
    RelationName view = range_var(s["view"]);
    // CREATE OR REPLACE VIEW on an existing view takes ACCESS EXCLUSIVE on it.
    if (s["replace"].boolean()) b.lock(view, LockMode::kAccessExclusive, RelationKind::kView);
    f.creates.push_back(view);
    b.read_relations(s["query"]);
  } else if (tag == "RenameStmt") {
    rename_stmt(s, f, b);
  } else if (tag == "AlterObjectSchemaStmt") {
    f.kind = alter_kind(s["objectType"].str());
    RelationName rel = range_var(s["relation"]);
    if (!rel.empty()) {
      b.lock(rel, LockMode::kAccessExclusive, relation_kind_of(s["objectType"].str()));
      f.creates.push_back(RelationName{std::string(s["newschema"].str()), rel.name});
    }
  } else if (tag == "TruncateStmt") {
    f.kind = "TRUNCATE TABLE";
    for (Node r : s["relations"])
      b.lock(range_var(r), LockMode::kAccessExclusive);
  } else if (tag == "ClusterStmt") {
    f.kind = "CLUSTER";
    RelationName rel = range_var(s["relation"]);
    if (rel.empty()) {
      b.non_transactional(kWhyCluster);
    } else {
      b.lock(rel, LockMode::kAccessExclusive);
    }
    f.rewrite = true;
  } else if (tag == "VacuumStmt") {
    bool vacuum = s["is_vacuumcmd"].boolean();
    bool full = option_enabled(s["options"], "full");  // VACUUM (FULL false) is plain VACUUM
    f.kind = vacuum ? "VACUUM" : "ANALYZE";
    LockMode m = vacuum && full ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive;
    for (Node vr : s["rels"])
      b.lock(range_var(vr.body()["relation"]), m);
    if (vacuum) b.non_transactional(kWhyVacuum);
    if (full) f.rewrite = true;
    f.scan = true;
  } else if (tag == "ReindexStmt") {
    f.kind = "REINDEX";
    std::string_view kind = s["kind"].str();
    bool concurrent = option_enabled(s["params"], "concurrently");
    RelationName rel = range_var(s["relation"]);
    if (kind == "REINDEX_OBJECT_INDEX") {
      // REINDEX INDEX: ACCESS EXCLUSIVE on the index (reads using it block) and
      // SHARE on its table (writes block); CONCURRENTLY: SHARE UPDATE EXCLUSIVE.
      b.lock(rel, concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
             RelationKind::kIndex);
    } else if (kind == "REINDEX_OBJECT_TABLE") {
      b.lock(rel, concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare);
    } else {
      b.non_transactional(kWhyReindexConcurrently);
    }
    if (concurrent) b.non_transactional(kWhyReindexConcurrently);
    f.scan = true;
  } else if (tag == "RefreshMatViewStmt") {
    f.kind = "REFRESH MATERIALIZED VIEW";
    bool concurrent = s["concurrent"].boolean();
    b.lock(range_var(s["relation"]), concurrent ? LockMode::kExclusive : LockMode::kAccessExclusive,
           RelationKind::kMaterializedView);
    f.scan = true;
    // Without CONCURRENTLY the query fills a new heap that replaces the old one
    // (ExecRefreshMatView: make_new_heap + finish_heap_swap), as a rewrite does;
    // CONCURRENTLY applies a diff to the existing heap in place.
    f.rewrite = !concurrent;
  } else if (tag == "CreateStatsStmt") {
    // PostgreSQL docs §13.3.1: SHARE UPDATE EXCLUSIVE is "acquired by ... CREATE
    // STATISTICS"; the statistics are built by the next ANALYZE, not here.
    f.kind = "CREATE STATISTICS";
    for (Node r : s["relations"])
      b.lock(range_var(r), LockMode::kShareUpdateExclusive);
  } else if (tag == "RuleStmt") {
    // DefineQueryRewrite opens the table or view with AccessExclusiveLock ("the rule
    // changes the relation's behaviour for every query"); the actions are parsed like
    // statements, so a DO ALSO INSERT locks its target ROW EXCLUSIVE.
    f.kind = "CREATE RULE";
    RelationName rel = range_var(s["relation"]);
    b.lock(rel, LockMode::kAccessExclusive);
    b.read_relations(s["whereClause"], &rel);
    b.read_relations(s["actions"], &rel);
  } else if (tag == "CreateTrigStmt") {
    f.kind = "CREATE TRIGGER";
    b.lock(range_var(s["relation"]), LockMode::kShareRowExclusive);
  } else if (tag == "CreatePolicyStmt" || tag == "AlterPolicyStmt") {
    f.kind = tag == "CreatePolicyStmt" ? "CREATE POLICY" : "ALTER POLICY";
    b.lock(range_var(s["table"]), LockMode::kAccessExclusive);
  } else if (tag == "CommentStmt") {
    f.kind = "COMMENT";
    std::string_view objtype = s["objtype"].str();
    Node obj = s["object"];
    Node list = obj.tag() == "List" ? obj.body()["items"] : obj;
    if (objtype == "OBJECT_COLUMN") {
      std::size_t n = list.size();
      RelationName r;
      if (n >= 2) r.name = std::string(string_value(list.at(n - 2)));
      if (n >= 3) r.schema = std::string(string_value(list.at(n - 3)));
      b.lock(r, LockMode::kShareUpdateExclusive);
    } else if (relation_kind_of(objtype) != RelationKind::kUnknown) {
      b.lock(qualified_name(list), LockMode::kShareUpdateExclusive, relation_kind_of(objtype));
    }
  } else if (tag == "LockStmt") {
    f.kind = "LOCK TABLE";
    auto mode = static_cast<LockMode>(std::clamp<std::int64_t>(s["mode"].integer(8), 1, 8));
    for (Node r : s["relations"])
      b.lock(range_var(r), mode);
  } else if (tag == "GrantStmt") {
    f.kind = s["is_grant"].boolean() ? "GRANT" : "REVOKE";
  } else if (tag == "InsertStmt" || tag == "UpdateStmt" || tag == "DeleteStmt") {
    dml(tag, s, f, b);
  } else if (tag == "MergeStmt") {
    merge_stmt(s, f, b);
  } else if (tag == "SelectStmt") {
    // SELECT ... INTO creates its table as CREATE TABLE AS does (PostgreSQL turns it
    // into a CreateTableAsStmt; event triggers see the tag "SELECT INTO").
    Node into = select_into(s);
    f.kind = into ? "SELECT INTO" : "SELECT";
    if (into) f.creates.push_back(range_var(into["rel"]));
    b.read_relations(ast);
  } else if (tag == "ExplainStmt") {
    // Parse analysis of the explained statement takes its locks whether or not it
    // runs (EXPLAIN UPDATE t holds ROW EXCLUSIVE on t); with ANALYZE it runs, and
    // what it creates, scans or rewrites is real (EXPLAIN ANALYZE CREATE TABLE AS
    // creates the table). PostgreSQL docs, EXPLAIN: "the statement is actually
    // executed when the ANALYZE option is used".
    StatementFacts inner = analyze_statement(s["query"], pg_major);
    f.kind = "EXPLAIN";
    f.locks = std::move(inner.locks);
    if (option_enabled(s["options"], "analyze")) {
      f.creates = std::move(inner.creates);
      f.rewrite = inner.rewrite;
      f.scan = inner.scan;
    }
  } else if (tag == "CreateSeqStmt") {
    f.kind = "CREATE SEQUENCE";
    f.creates.push_back(range_var(s["sequence"]));
  } else if (tag == "AlterSeqStmt") {
    f.kind = "ALTER SEQUENCE";
    b.lock(range_var(s["sequence"]), LockMode::kShareRowExclusive, RelationKind::kSequence);
  } else if (tag == "CreatedbStmt" || tag == "DropdbStmt") {
    f.kind = tag == "CreatedbStmt" ? "CREATE DATABASE" : "DROP DATABASE";
    b.non_transactional(kWhyDatabase);
  } else if (tag == "CreateTableSpaceStmt" || tag == "DropTableSpaceStmt") {
    f.kind = tag == "CreateTableSpaceStmt" ? "CREATE TABLESPACE" : "DROP TABLESPACE";
    b.non_transactional(kWhyTablespace);
  } else if (tag == "AlterSystemStmt") {
    f.kind = "ALTER SYSTEM";
    b.non_transactional(kWhyAlterSystem);
  } else if (tag == "TransactionStmt") {
    std::string_view k = s["kind"].str();
    f.kind = k == "TRANS_STMT_BEGIN" || k == "TRANS_STMT_START" ? "BEGIN"
             : k == "TRANS_STMT_COMMIT"                         ? "COMMIT"
             : k == "TRANS_STMT_ROLLBACK"                       ? "ROLLBACK"
             : k == "TRANS_STMT_PREPARE"                        ? "PREPARE TRANSACTION"
             : k == "TRANS_STMT_COMMIT_PREPARED"                ? "COMMIT PREPARED"
             : k == "TRANS_STMT_ROLLBACK_PREPARED"              ? "ROLLBACK PREPARED"
                                                                : "TRANSACTION";
    if (k == "TRANS_STMT_COMMIT_PREPARED" || k == "TRANS_STMT_ROLLBACK_PREPARED")
      b.non_transactional(kWhyPrepared);
  } else if (tag == "VariableSetStmt") {
    f.kind = s["kind"].str() == "VAR_RESET" || s["kind"].str() == "VAR_RESET_ALL" ? "RESET" : "SET";
  } else if (tag == "CreateSchemaStmt") {
    f.kind = "CREATE SCHEMA";
  } else if (tag == "CreateEnumStmt" || tag == "CompositeTypeStmt" || tag == "CreateRangeStmt") {
    f.kind = "CREATE TYPE";
  } else if (tag == "AlterEnumStmt") {
    f.kind = "ALTER TYPE";
  } else if (tag == "CreateDomainStmt") {
    f.kind = "CREATE DOMAIN";
  } else if (tag == "AlterDomainStmt") {
    f.kind = "ALTER DOMAIN";
    // ADD CONSTRAINT and SET NOT NULL ('O') check every column of the domain in every
    // table using it.
    std::string_view sub = s["subtype"].str();
    if ((sub == "C" && !s["def"].body()["skip_validation"].boolean()) || sub == "O") f.scan = true;
  } else if (tag == "CreateFunctionStmt") {
    f.kind = s["is_procedure"].boolean() ? "CREATE PROCEDURE" : "CREATE FUNCTION";
  } else if (tag == "CreateExtensionStmt") {
    f.kind = "CREATE EXTENSION";
  } else if (tag == "DoStmt") {
    f.kind = "DO";
  } else if (tag == "CreateRoleStmt") {
    f.kind = "CREATE ROLE";
  } else if (tag == "GrantRoleStmt") {
    f.kind = "GRANT ROLE";
  } else if (tag == "AlterOwnerStmt") {
    f.kind = alter_kind(s["objectType"].str());
  } else if (tag == "DefineStmt") {
    std::string_view word = object_word(s["kind"].str());
    f.kind = word.empty() ? "CREATE" : "CREATE " + std::string(word);
  } else if (tag == "AlterFunctionStmt") {
    f.kind = alter_kind(s["objtype"].str());
  } else if (tag == "AlterDatabaseStmt" && option_named(s["options"], "tablespace")) {
    f.kind = "ALTER DATABASE";
    b.non_transactional(kWhyDatabaseTablespace);
  } else {
    f.kind = std::string(utility_tag(tag));
  }
  std::vector<const JsonValue*> fk_targets;
  collect_schema_refs(ast, fk_targets, f.schema_refs, 0);
  return f;
}

}  // namespace schemagate::sql
