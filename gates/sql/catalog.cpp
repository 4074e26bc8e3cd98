#include "gates/sql/catalog.hpp"

#include <algorithm>
#include <array>

namespace schemagate::sql {

namespace {

constexpr int kMaxPartitionDepth = 32;

template <typename T>
auto find_named(std::vector<T>& v, const RelationName& r) {
  return std::find_if(v.begin(), v.end(), [&](const T& x) { return x.name.matches(r); });
}

// ALTER TABLE subcommands that PostgreSQL applies to every partition of a partitioned
// table too, taking the same lock there (ATPrepCmd recursion / ATSimpleRecursion;
// tests/pg observes each on the fixture's partitioned table).
bool recurses_to_partitions(std::string_view sub) {
  static constexpr std::array<std::string_view, 24> kRecursing = {"AT_AddColumn",
                                                                  "AT_AddColumnRecurse",
                                                                  "AT_DropColumn",
                                                                  "AT_DropColumnRecurse",
                                                                  "AT_ColumnDefault",
                                                                  "AT_DropNotNull",
                                                                  "AT_SetNotNull",
                                                                  "AT_AddConstraint",
                                                                  "AT_AddConstraintRecurse",
                                                                  "AT_DropConstraint",
                                                                  "AT_DropConstraintRecurse",
                                                                  "AT_AlterColumnType",
                                                                  "AT_ValidateConstraint",
                                                                  "AT_ValidateConstraintRecurse",
                                                                  "AT_SetStatistics",
                                                                  "AT_SetOptions",
                                                                  "AT_ResetOptions",
                                                                  "AT_SetStorage",
                                                                  "AT_SetCompression",
                                                                  "AT_AddIdentity",
                                                                  "AT_SetIdentity",
                                                                  "AT_DropIdentity",
                                                                  "AT_DropExpression",
                                                                  "AT_CheckNotNull"};
  return std::find(kRecursing.begin(), kRecursing.end(), sub) != kRecursing.end();
}

}  // namespace

Catalog::Table* Catalog::table(const RelationName& r) {
  auto it = find_named(tables_, r);
  return it == tables_.end() ? nullptr : &*it;
}

const Catalog::Table* Catalog::table(const RelationName& r) const {
  auto it = std::find_if(tables_.begin(), tables_.end(), [&](const Table& t) { return t.name.matches(r); });
  return it == tables_.end() ? nullptr : &*it;
}

void Catalog::children(const RelationName& parent, std::vector<RelationName>& out, int depth) const {
  if (depth > kMaxPartitionDepth) return;
  for (const Table& t : tables_) {
    bool child = std::any_of(t.parents.begin(), t.parents.end(),
                             [&](const RelationName& p) { return p.matches(parent); });
    if (!child || std::find(out.begin(), out.end(), t.name) != out.end()) continue;
    out.push_back(t.name);
    children(t.name, out, depth + 1);
  }
}

void Catalog::drop_relation(const RelationName& r) {
  std::erase_if(tables_, [&](const Table& t) { return t.name.matches(r); });
  std::erase_if(indexes_, [&](const Index& i) { return i.name.matches(r) || i.table.matches(r); });
  std::erase_if(views_, [&](const View& v) { return v.name.matches(r); });
  std::erase_if(statistics_, [&](const Named& s) { return s.table.matches(r); });
}

void Catalog::add_constraint(Table& t, Node con, std::string_view column) {
  std::string_view type = con["contype"].str();
  std::string name(con["conname"].str());
  if (type == "CONSTR_FOREIGN") {
    ForeignKey fk;
    fk.columns =
        column.empty() ? string_list(con["fk_attrs"]) : std::vector<std::string>{std::string(column)};
    fk.references = range_var(con["pktable"]);
    fk.name = name.empty() ? make_object_name(t.name.name, join_underscore(fk.columns), "fkey") : name;
    t.foreign_keys.push_back(std::move(fk));
  } else if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" || type == "CONSTR_EXCLUSION") {
    // The index behind the constraint (named as ChooseConstraintName names it).
    std::string_view index = con["indexname"].str();
    if (!index.empty()) return;  // USING INDEX: an index the catalog already has
    std::vector<std::string> keys =
        column.empty() ? string_list(con["keys"]) : std::vector<std::string>{std::string(column)};
    if (name.empty()) {
      name = type == "CONSTR_PRIMARY" ? make_object_name(t.name.name, "", "pkey")
                                      : make_object_name(t.name.name, join_underscore(keys),
                                                         type == "CONSTR_UNIQUE" ? "key" : "excl");
    }
    indexes_.push_back(Index{RelationName{t.name.schema, name}, t.name});
  }
}

void Catalog::add_column(Table& t, Node def) {
  std::string column(def["colname"].str());
  t.columns.emplace_back(column, column_type(def["typeName"]));
  for (Node c : def["constraints"])
    add_constraint(t, c.body(), column);
}

void Catalog::add_table(Node s) {
  RelationName name = range_var(s["relation"]);
  drop_relation(name);
  Table t;
  t.name = name;
  t.partitioned = !s["partspec"].missing();
  for (Node parent : s["inhRelations"])
    t.parents.push_back(range_var(parent));
  tables_.push_back(std::move(t));
  Table& added = tables_.back();
  for (Node elt : s["tableElts"]) {
    if (elt.tag() == "ColumnDef") {
      Node def = elt.body();
      add_column(added, def);
    } else if (elt.tag() == "Constraint") {
      add_constraint(added, elt.body(), {});
    }
  }
}

void Catalog::alter_table(Node s) {
  RelationName name = range_var(s["relation"]);
  Table* t = table(name);
  for (Node c : s["cmds"]) {
    Node cmd = c.body();
    std::string_view sub = cmd["subtype"].str();
    if (sub == "AT_AttachPartition" || sub == "AT_DetachPartition") {
      Table* part = table(range_var(cmd["def"].body()["name"]));
      if (part == nullptr) continue;
      std::erase_if(part->parents, [&](const RelationName& p) { return p.matches(name); });
      if (sub == "AT_AttachPartition") part->parents.push_back(name);
      continue;
    }
    if (t == nullptr) continue;
    if (sub == "AT_AddInherit" || sub == "AT_DropInherit") {
      RelationName parent = range_var(cmd["def"]);
      std::erase_if(t->parents, [&](const RelationName& p) { return p.matches(parent); });
      if (sub == "AT_AddInherit") t->parents.push_back(parent);
    } else if (sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse") {
      add_column(*t, cmd["def"].body());
    } else if (sub == "AT_DropColumn" || sub == "AT_DropColumnRecurse") {
      std::string_view column = cmd["name"].str();
      std::erase_if(t->columns, [&](const auto& col) { return col.first == column; });
      std::erase_if(t->foreign_keys, [&](const ForeignKey& fk) {
        return std::find(fk.columns.begin(), fk.columns.end(), column) != fk.columns.end();
      });
    } else if (sub == "AT_AlterColumnType") {
      for (auto& col : t->columns) {
        if (col.first == cmd["name"].str()) col.second = column_type(cmd["def"].body()["typeName"]);
      }
    } else if (sub == "AT_AddConstraint" || sub == "AT_AddConstraintRecurse") {
      add_constraint(*t, cmd["def"].body(), {});
    } else if (sub == "AT_DropConstraint" || sub == "AT_DropConstraintRecurse") {
      std::erase_if(t->foreign_keys, [&](const ForeignKey& fk) { return fk.name == cmd["name"].str(); });
    }
  }
}

void Catalog::rename(Node s) {
  std::string_view type = s["renameType"].str();
  RelationName rel = range_var(s["relation"]);
  std::string new_name(s["newname"].str());
  if (type == "OBJECT_TABLE" || type == "OBJECT_FOREIGN_TABLE") {
    RelationName renamed{rel.schema, new_name};
    for (Table& t : tables_) {
      if (t.name.matches(rel)) t.name.name = new_name;
      for (RelationName& p : t.parents) {
        if (p.matches(rel)) p.name = new_name;
      }
      for (ForeignKey& fk : t.foreign_keys) {
        if (fk.references.matches(rel)) fk.references.name = new_name;
      }
    }
    for (Index& i : indexes_) {
      if (i.table.matches(rel)) i.table.name = new_name;
    }
    for (Named& st : statistics_) {
      if (st.table.matches(rel)) st.table.name = new_name;
    }
    for (View& v : views_) {
      for (RelationName& x : v.reads) {
        if (x.matches(rel)) x.name = new_name;
      }
    }
  } else if (type == "OBJECT_INDEX") {
    for (Index& i : indexes_) {
      if (i.name.matches(rel)) i.name.name = new_name;
    }
  } else if (type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW") {
    for (View& v : views_) {
      if (v.name.matches(rel)) v.name.name = new_name;
    }
  } else if (type == "OBJECT_COLUMN") {
    if (Table* t = table(rel)) {
      for (auto& col : t->columns) {
        if (col.first == s["subname"].str()) col.first = new_name;
      }
      for (ForeignKey& fk : t->foreign_keys) {
        for (std::string& c : fk.columns) {
          if (c == s["subname"].str()) c = new_name;
        }
      }
    }
  } else if (type == "OBJECT_TABCONSTRAINT") {
    if (Table* t = table(rel)) {
      for (ForeignKey& fk : t->foreign_keys) {
        if (fk.name == s["subname"].str()) fk.name = new_name;
      }
    }
  }
}

// An ALTER TABLE made only of type changes (no USING, no COLLATE) whose old types the
// history shows and which are all binary coercible: the table keeps its file
// (ATColumnChangeRequiresRewrite). The session time zone is not known here, so a
// timestamp -> timestamptz change keeps its rewrite.
bool Catalog::type_changes_keep_table(const Table& t, Node alter) const {
  for (Node c : alter["cmds"]) {
    Node cmd = c.body();
    if (cmd["subtype"].str() != "AT_AlterColumnType") return false;
    Node def = cmd["def"].body();
    if (!def["raw_default"].missing() || !def["collClause"].missing()) return false;
    auto col = std::find_if(t.columns.begin(), t.columns.end(),
                            [&](const auto& x) { return x.first == cmd["name"].str(); });
    if (col == t.columns.end()) return false;
    if (!type_change_keeps_table(col->second, column_type(def["typeName"]), pg_major_, false)) return false;
  }
  return true;
}

void Catalog::apply(const Statement& st) {
  std::string_view tag = st.tag();
  Node s = st.body();
  if (tag == "CreateStmt") {
    add_table(s);
  } else if (tag == "CreateTableAsStmt") {
    RelationName name = range_var(s["into"]["rel"]);
    if (s["objtype"].str() == "OBJECT_MATVIEW") {
      View v{name, {}};
      walk(s["query"], [&](std::string_view t, Node n) {
        if (t == "RangeVar") v.reads.push_back(range_var(n));
      });
      views_.push_back(std::move(v));
    } else {
      drop_relation(name);
      tables_.push_back(Table{name, false, {}, {}, {}});
    }
  } else if (tag == "ViewStmt") {
    RelationName name = range_var(s["view"]);
    std::erase_if(views_, [&](const View& v) { return v.name.matches(name); });
    View v{name, {}};
    walk(s["query"], [&](std::string_view t, Node n) {
      if (t == "RangeVar") v.reads.push_back(range_var(n));
    });
    views_.push_back(std::move(v));
  } else if (tag == "IndexStmt") {
    RelationName table = range_var(s["relation"]);
    std::string name(s["idxname"].str());
    if (name.empty()) {
      // ChooseIndexName: <table>_<columns>_idx, "expr" for an expression.
      std::vector<std::string> columns;
      for (Node p : s["indexParams"]) {
        std::string_view col = p.body()["name"].str();
        columns.emplace_back(col.empty() ? "expr" : col);
      }
      name = make_object_name(table.name, join_underscore(columns), "idx");
    }
    indexes_.push_back(Index{RelationName{table.schema, name}, table});
  } else if (tag == "AlterTableStmt") {
    alter_table(s);
  } else if (tag == "RenameStmt") {
    rename(s);
  } else if (tag == "CreateStatsStmt" && s["relations"].size() == 1) {
    statistics_.push_back(Named{qualified_name(s["defnames"]), range_var(s["relations"].at(0))});
  } else if (tag == "DropStmt") {
    std::string_view type = s["removeType"].str();
    for (Node obj : s["objects"]) {
      Node list = obj.tag() == "List" ? obj.body()["items"] : obj;
      if (type == "OBJECT_STATISTIC_EXT") {
        RelationName name = qualified_name(list);
        std::erase_if(statistics_, [&](const Named& x) { return x.name.matches(name); });
      } else if (type == "OBJECT_TABLE" || type == "OBJECT_INDEX" || type == "OBJECT_VIEW" ||
                 type == "OBJECT_MATVIEW" || type == "OBJECT_FOREIGN_TABLE") {
        drop_relation(qualified_name(list));
      }
    }
  }
}

void Catalog::augment(Statement& st) const {
  StatementFacts& f = st.facts;
  auto add = [&](const RelationName& r, LockMode m, RelationKind kind = RelationKind::kTable) {
    if (r.empty() || m == LockMode::kNone) return;
    for (RelationLock& l : f.locks) {
      if (l.relation == r) {
        l.mode = std::max(l.mode, m);
        return;
      }
    }
    f.locks.push_back(RelationLock{r, kind, m, false});
  };
  auto mode_of = [&](const RelationName& r) {
    const RelationLock* l = f.find(r);
    return l == nullptr ? LockMode::kNone : l->mode;
  };
  // What recursion reaches: partitions, and for `inheritance` children too.
  auto add_children = [&](const RelationName& r, LockMode m, bool inheritance) {
    const Table* t = table(r);
    if (t == nullptr || (!t->partitioned && !inheritance)) return;
    std::vector<RelationName> found;
    children(t->name, found);
    for (const RelationName& c : found)
      add(c, m);
  };
  // Tables whose foreign keys reference `r`: a CASCADE drops or empties them too.
  auto referencing = [&](const RelationName& r) {
    std::vector<RelationName> out;
    for (const Table& t : tables_) {
      for (const ForeignKey& fk : t.foreign_keys) {
        if (fk.references.matches(r) && !t.name.matches(r)) out.push_back(t.name);
      }
    }
    return out;
  };
  auto with_domain = [&](std::string_view domain) {
    std::vector<RelationName> out;
    for (const Table& t : tables_) {
      if (std::any_of(t.columns.begin(), t.columns.end(),
                      [&](const auto& c) { return c.second.name == domain; }))
        out.push_back(t.name);
    }
    return out;
  };

  std::string_view tag = st.tag();
  Node s = st.body();
  if (tag == "DropStmt") {
    std::string_view type = s["removeType"].str();
    bool cascade = s["behavior"].str() == "DROP_CASCADE";
    bool concurrent = s["concurrent"].boolean();
    for (Node obj : s["objects"]) {
      // Relations are lists of names; types and domains are TypeName nodes.
      Node list = obj.tag() == "List"       ? obj.body()["items"]
                  : obj.tag() == "TypeName" ? obj.body()["names"]
                                            : obj;
      RelationName name = qualified_name(list);
      if (type == "OBJECT_INDEX") {
        // index_drop locks the heap before the index (PostgreSQL docs, DROP INDEX).
        auto it = std::find_if(indexes_.begin(), indexes_.end(),
                               [&](const Index& i) { return i.name.matches(name); });
        if (it != indexes_.end())
          add(it->table, concurrent ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive);
      } else if (type == "OBJECT_TABLE") {
        // Dropping its foreign keys drops their triggers on the referenced tables
        // (RemoveTriggerById takes ACCESS EXCLUSIVE there).
        if (const Table* t = table(name)) {
          for (const ForeignKey& fk : t->foreign_keys)
            add(fk.references, LockMode::kAccessExclusive);
        }
        add_children(name, LockMode::kAccessExclusive, false);
        if (cascade) {
          for (const RelationName& r : referencing(name))
            add(r, LockMode::kAccessExclusive);
          for (const View& v : views_) {
            bool reads = std::any_of(v.reads.begin(), v.reads.end(),
                                     [&](const RelationName& x) { return x.matches(name); });
            if (reads) add(v.name, LockMode::kAccessExclusive, RelationKind::kView);
          }
        }
      } else if (type == "OBJECT_STATISTIC_EXT") {
        // RemoveStatisticsById updates the table's statistics under SHARE UPDATE EXCLUSIVE.
        auto it = std::find_if(statistics_.begin(), statistics_.end(),
                               [&](const Named& x) { return x.name.matches(name); });
        if (it != statistics_.end()) add(it->table, LockMode::kShareUpdateExclusive);
      } else if ((type == "OBJECT_DOMAIN" || type == "OBJECT_TYPE") && cascade) {
        for (const RelationName& r : with_domain(name.name))
          add(r, LockMode::kAccessExclusive);  // the columns of the type are dropped
      }
    }
  } else if (tag == "ReindexStmt") {
    bool concurrent = option_enabled(s["params"], "concurrently");
    RelationName rel = range_var(s["relation"]);
    if (s["kind"].str() == "REINDEX_OBJECT_INDEX") {
      auto it =
          std::find_if(indexes_.begin(), indexes_.end(), [&](const Index& i) { return i.name.matches(rel); });
      if (it != indexes_.end())
        add(it->table, concurrent ? LockMode::kShareUpdateExclusive : LockMode::kShare);
    } else if (s["kind"].str() == "REINDEX_OBJECT_TABLE" && !concurrent) {
      // Each index is rebuilt under ACCESS EXCLUSIVE (reindex_index).
      for (const Index& i : indexes_) {
        if (i.table.matches(rel)) add(i.name, LockMode::kAccessExclusive, RelationKind::kIndex);
      }
    }
  } else if (tag == "IndexStmt") {
    RelationName rel = range_var(s["relation"]);
    if (const Table* t = table(rel))
      f.target = t->partitioned ? StatementFacts::Target::kPartitioned : StatementFacts::Target::kTable;
    // CREATE INDEX on a partitioned table builds one on every partition; ON ONLY does not.
    if (s["relation"]["inh"].boolean() && !s["concurrent"].boolean()) add_children(rel, mode_of(rel), false);
  } else if (tag == "AlterTableStmt") {
    RelationName rel = range_var(s["relation"]);
    const Table* t = table(rel);
    if (t != nullptr)
      f.target = t->partitioned ? StatementFacts::Target::kPartitioned : StatementFacts::Target::kTable;
    bool recurse = false;
    for (Node c : s["cmds"]) {
      Node cmd = c.body();
      std::string_view sub = cmd["subtype"].str();
      recurse = recurse || recurses_to_partitions(sub);
      if (t == nullptr) continue;
      // Dropping a primary key or unique constraint with CASCADE drops the foreign keys
      // that depend on its index, and their triggers on the referencing tables.
      bool drop_cascade = (sub == "AT_DropConstraint" || sub == "AT_DropConstraintRecurse") &&
                          cmd["behavior"].str() == "DROP_CASCADE";
      if (drop_cascade && std::any_of(indexes_.begin(), indexes_.end(), [&](const Index& i) {
            return i.table.matches(rel) && i.name.name == cmd["name"].str();
          })) {
        for (const RelationName& r : referencing(rel))
          add(r, LockMode::kAccessExclusive);
      }
      for (const ForeignKey& fk : t->foreign_keys) {
        bool named = fk.name == cmd["name"].str();
        bool uses_column =
            std::find(fk.columns.begin(), fk.columns.end(), cmd["name"].str()) != fk.columns.end();
        if ((sub == "AT_DropConstraint" || sub == "AT_DropConstraintRecurse") && named) {
          add(fk.references, LockMode::kAccessExclusive);
        } else if ((sub == "AT_DropColumn" || sub == "AT_DropColumnRecurse") && uses_column) {
          add(fk.references, LockMode::kAccessExclusive);
        } else if ((sub == "AT_ValidateConstraint" || sub == "AT_ValidateConstraintRecurse") && named) {
          // RI_Initial_Check reads the referenced table with a row-locking query.
          add(fk.references, LockMode::kRowShare);
        }
      }
    }
    if (recurse && s["relation"]["inh"].boolean()) add_children(rel, mode_of(rel), true);
    if (f.rewrite && t != nullptr && type_changes_keep_table(*t, s)) f.rewrite = false;
  } else if (tag == "TruncateStmt") {
    bool cascade = s["behavior"].str() == "DROP_CASCADE";
    for (Node r : s["relations"]) {
      RelationName rel = range_var(r);
      if (r.body()["inh"].boolean()) add_children(rel, LockMode::kAccessExclusive, true);
      if (cascade) {
        for (const RelationName& x : referencing(rel))
          add(x, LockMode::kAccessExclusive);
      }
    }
  } else if (tag == "RenameStmt" && s["renameType"].str() == "OBJECT_COLUMN") {
    // renameatt recurses to partitions and inheritance children (not with ONLY).
    RelationName rel = range_var(s["relation"]);
    if (s["relation"]["inh"].boolean()) add_children(rel, mode_of(rel), true);
  } else if (tag == "VacuumStmt") {
    // VACUUM and ANALYZE of a partitioned table process each partition under its own lock.
    for (Node vr : s["rels"]) {
      RelationName rel = range_var(vr.body()["relation"]);
      add_children(rel, mode_of(rel), false);
    }
  } else if (tag == "UpdateStmt" || tag == "DeleteStmt" || tag == "SelectStmt") {
    // DML on a partitioned table locks every partition the plan keeps: all of them,
    // unless a constant on the partition key prunes some at plan time, which is not
    // judged here (a backfill's WHERE is rarely on the key).
    bool dml = tag != "SelectStmt";
    std::vector<RelationName> targets;
    if (dml && s["relation"]["inh"].boolean()) targets.push_back(range_var(s["relation"]));
    if (!dml) {
      for (const RelationLock& l : f.locks) {
        if (l.mode == LockMode::kRowShare) targets.push_back(l.relation);  // FOR UPDATE / FOR SHARE
      }
    }
    for (const RelationName& r : targets)
      add_children(r, mode_of(r), false);
  } else if (tag == "LockStmt") {
    auto mode = static_cast<LockMode>(std::clamp<std::int64_t>(s["mode"].integer(8), 1, 8));
    for (Node r : s["relations"]) {
      RelationName rel = range_var(r);
      if (r.body()["inh"].boolean()) add_children(rel, mode, true);
      // LOCK on a view locks what the view reads (LockViewRecurse), in the same mode.
      for (const View& v : views_) {
        if (!v.name.matches(rel)) continue;
        for (const RelationName& x : v.reads)
          add(x, mode);
      }
    }
  } else if (tag == "CreateTrigStmt" && s["row"].boolean()) {
    RelationName rel = range_var(s["relation"]);
    add_children(rel, mode_of(rel), false);  // a row trigger is cloned onto every partition
  } else if (tag == "AlterDomainStmt") {
    // Adding a validated constraint or NOT NULL checks every column of the domain
    // (validateDomainConstraint) under SHARE on its table.
    std::string_view sub = s["subtype"].str();
    // AlterDomainStmt.subtype: 'O' SET NOT NULL, 'C' ADD CONSTRAINT (parsenodes.h).
    bool checks = sub == "O" || (sub == "C" && !s["def"].body()["skip_validation"].boolean());
    if (checks) {
      for (const RelationName& r : with_domain(qualified_name(s["typeName"]).name))
        add(r, LockMode::kShare);
    }
  }
}

void apply_schema_history(MigrationSet& set, int pg_major) {
  Catalog catalog(pg_major);
  auto replay = [&catalog](Script& script) {
    for (Statement& st : script.statements) {
      catalog.augment(st);
      catalog.apply(st);
    }
  };
  // Ups in version order, then downs newest first, as a rollback runs them: the down of
  // the newest migration meets the schema all ups left, each down undoes its up, and
  // the next one meets what is left. No copy of the schema per migration.
  for (Migration& m : set.migrations) {
    if (m.up) replay(*m.up);
  }
  for (auto m = set.migrations.rbegin(); m != set.migrations.rend(); ++m) {
    if (m->down) replay(*m->down);
  }
}

}  // namespace schemagate::sql
