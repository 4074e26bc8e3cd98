#include "gates/rollback/down_reverses_up.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "gates/common/schema_changes.hpp"
#include "gates/common/statement_gate.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::rollback {

namespace {

using sql::RelationName;
using Kind = Change::Kind;

// Names linked by renames in the up or the down: after `ALTER TABLE a RENAME TO b`
// the down may drop b, or rename b back and then drop a column of a.
class Aliases {
 public:
  explicit Aliases(const std::vector<const Change*>& changes) {
    for (const Change* c : changes) {
      if (c->kind == Kind::kRename) unite(c->name.name, c->new_name);
    }
    for (const Change* c : changes) {
      if (c->kind == Kind::kRenameColumn)
        unite(column_key(c->table.name, c->column), column_key(c->table.name, c->new_name));
    }
  }

  bool same_relation(const RelationName& a, const RelationName& b) const {
    if (a.matches(b)) return true;
    bool schemas = a.schema.empty() || b.schema.empty() || a.schema == b.schema;
    return schemas && root(a.name) == root(b.name);
  }
  bool same_column(const RelationName& table, const std::string& a, const std::string& b) const {
    return a == b || root(column_key(table.name, a)) == root(column_key(table.name, b));
  }

 private:
  std::string column_key(const std::string& table, const std::string& column) const {
    return root(table) + "\x1f" + column;
  }
  std::string root(std::string n) const {
    for (auto it = parent_.find(n); it != parent_.end() && it->second != n; it = parent_.find(n))
      n = it->second;
    return n;
  }
  void unite(const std::string& a, const std::string& b) {
    std::string ra = root(a);
    std::string rb = root(b);
    if (ra != rb) parent_[ra] = rb;
  }
  std::map<std::string, std::string> parent_;
};

class Undo {
 public:
  Undo(const std::vector<const Change*>& effects, const Aliases& aliases) : fx_(effects), al_(aliases) {}

  bool covers(const Change& c) const {
    switch (c.kind) {
      case Kind::kCreate:
        return created_covered(c);
      case Kind::kAddColumn:
        return column_dropped(c.table, c.column) || table_dropped(c.table);
      case Kind::kAddConstraint:
        return any([&](const Change& e) {
                 return e.kind == Kind::kDropConstraint && e.name.name == c.name.name &&
                        al_.same_relation(e.table, c.table);
               }) ||
               std::any_of(c.columns.begin(), c.columns.end(),
                           [&](const std::string& col) { return column_dropped(c.table, col); }) ||
               table_dropped(c.table);
      case Kind::kRename: {
        RelationName renamed{c.name.schema, c.new_name};
        return any([&](const Change& e) {
                 return e.kind == Kind::kRename && e.new_name == c.name.name && e.name.matches(renamed);
               }) ||
               dropped(c.object, renamed) || (c.object == ObjectKind::kTable && table_dropped(renamed));
      }
      case Kind::kRenameColumn:
        return any([&](const Change& e) {
                 return e.kind == Kind::kRenameColumn && al_.same_relation(e.table, c.table) &&
                        e.column == c.new_name && e.new_name == c.column;
               }) ||
               column_dropped(c.table, c.new_name) || table_dropped(c.table);
      case Kind::kSetNotNull:
        return column_change(c, {Kind::kDropNotNull});
      case Kind::kDropNotNull:
        return column_change(c, {Kind::kSetNotNull});
      case Kind::kSetDefault:
        return column_change(c, {Kind::kDropDefault, Kind::kSetDefault});
      case Kind::kDropDefault:
        return column_change(c, {Kind::kSetDefault});
      case Kind::kEnableRls:
        return table_change(c, Kind::kDisableRls);
      case Kind::kDisableRls:
        return table_change(c, Kind::kEnableRls);
      default:
        return true;
    }
  }

 private:
  template <typename F>
  bool any(F f) const {
    return std::any_of(fx_.begin(), fx_.end(), [&](const Change* e) { return f(*e); });
  }
  bool schema_dropped(const std::string& schema) const {
    return !schema.empty() && any([&](const Change& e) {
      return e.kind == Kind::kDrop && e.object == ObjectKind::kSchema && e.name.name == schema;
    });
  }
  bool dropped(ObjectKind kind, const RelationName& name) const {
    return schema_dropped(name.schema) || any([&](const Change& e) {
             return e.kind == Kind::kDrop && e.object == kind && al_.same_relation(e.name, name);
           });
  }
  // A dropped table takes its columns, indexes, constraints, triggers and policies.
  bool table_dropped(const RelationName& t) const { return dropped(ObjectKind::kTable, t); }
  bool column_dropped(const RelationName& t, const std::string& column) const {
    return any([&](const Change& e) {
      return e.kind == Kind::kDropColumn && al_.same_relation(e.table, t) &&
             al_.same_column(t, e.column, column);
    });
  }
  bool column_change(const Change& c, std::initializer_list<Kind> undo) const {
    return any([&](const Change& e) {
             return std::find(undo.begin(), undo.end(), e.kind) != undo.end() &&
                    al_.same_relation(e.table, c.table) && al_.same_column(c.table, e.column, c.column);
           }) ||
           column_dropped(c.table, c.column) || table_dropped(c.table);
  }
  bool table_change(const Change& c, Kind undo) const {
    return any([&](const Change& e) { return e.kind == undo && al_.same_relation(e.table, c.table); }) ||
           table_dropped(c.table);
  }

  bool created_covered(const Change& c) const {
    // CREATE OR REPLACE may redefine an object that existed before: a down that
    // puts the old definition back undoes it as well as a DROP does.
    if (c.replace && any([&](const Change& e) {
          return e.kind == Kind::kCreate && e.object == c.object && e.name.matches(c.name);
        }))
      return true;
    switch (c.object) {
      case ObjectKind::kTable:
      case ObjectKind::kMaterializedView:
      case ObjectKind::kSequence:
        return dropped(c.object, c.name);
      case ObjectKind::kView:
        // DROP TABLE ... CASCADE takes the views that read the table with it.
        return dropped(c.object, c.name) || any([&](const Change& e) {
                 return e.kind == Kind::kDrop && e.object == ObjectKind::kTable && e.cascade &&
                        std::find(c.columns.begin(), c.columns.end(), e.name.name) != c.columns.end();
               });
      case ObjectKind::kIndex:
        // An index attached as a constraint (ADD CONSTRAINT ... USING INDEX) goes with it.
        return dropped(c.object, c.name) || table_dropped(c.table) || any([&](const Change& e) {
                 return e.kind == Kind::kDropConstraint && e.name.name == c.name.name &&
                        al_.same_relation(e.table, c.table);
               });
      case ObjectKind::kType:
      case ObjectKind::kFunction:
        return schema_dropped(c.name.schema) || any([&](const Change& e) {
                 return e.kind == Kind::kDrop && e.object == c.object && e.name.matches(c.name);
               });
      case ObjectKind::kSchema:
        return schema_dropped(c.name.name);
      case ObjectKind::kTrigger:
      case ObjectKind::kPolicy:
        return table_dropped(c.table) || any([&](const Change& e) {
                 if (e.kind != Kind::kDrop) return false;
                 if (e.object == c.object)
                   return e.name.name == c.name.name && al_.same_relation(e.table, c.table);
                 // DROP FUNCTION ... CASCADE drops the triggers that call it.
                 return c.object == ObjectKind::kTrigger && e.object == ObjectKind::kFunction && e.cascade &&
                        !c.columns.empty() && e.name.name == c.columns[0];
               });
    }
    return true;
  }

  const std::vector<const Change*>& fx_;
  const Aliases& al_;
};

std::string drop_sql(const Change& c) {
  std::string name = display_relation(c.name);
  switch (c.object) {
    case ObjectKind::kTrigger:
    case ObjectKind::kPolicy:
      return "DROP " + std::string(c.object == ObjectKind::kTrigger ? "TRIGGER" : "POLICY") + " IF EXISTS " +
             quote_ident(c.name.name) + " ON " + display_relation(c.table);
    default: {
      std::string kind(object_kind_name(c.object));
      std::transform(kind.begin(), kind.end(), kind.begin(),
                     [](char ch) { return static_cast<char>(std::toupper(ch)); });
      return "DROP " + kind + " IF EXISTS " + name;
    }
  }
}

struct Advice {
  std::string message;  // without the down's name
  std::string fix;      // the SQL to add
};

Advice advice(const Change& c) {
  std::string t = display_relation(c.table);
  std::string col = t + "." + quote_ident(c.column);
  std::string alter = "ALTER TABLE " + t + " ALTER COLUMN " + quote_ident(c.column);
  switch (c.kind) {
    case Kind::kCreate: {
      std::string what = std::string(object_kind_name(c.object)) + " " + display_relation(c.name);
      if (c.object == ObjectKind::kTrigger || c.object == ObjectKind::kPolicy) what += " on " + t;
      return {"does not drop " + what + " that this migration creates: a rollback leaves it behind.",
              drop_sql(c)};
    }
    case Kind::kAddColumn:
      return {"does not drop column " + col + " that this migration adds: a rollback leaves it behind.",
              "ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + quote_ident(c.column)};
    case Kind::kAddConstraint:
      return {"does not drop constraint " + quote_ident(c.name.name) + " that this migration adds to " + t +
                  ": a rollback keeps enforcing it.",
              "ALTER TABLE " + t + " DROP CONSTRAINT IF EXISTS " + quote_ident(c.name.name)};
    case Kind::kRename: {
      std::string kind(object_kind_name(c.object));
      std::string upper = kind;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](char ch) { return static_cast<char>(std::toupper(ch)); });
      RelationName renamed{c.name.schema, c.new_name};
      return {"does not rename " + kind + " " + display_relation(renamed) + " back to " +
                  quote_ident(c.name.name) +
                  ": a rollback keeps the new name, and code expecting the old one fails.",
              "ALTER " + upper + " " + display_relation(renamed) + " RENAME TO " + quote_ident(c.name.name)};
    }
    case Kind::kRenameColumn:
      return {
          "does not rename column " + t + "." + quote_ident(c.new_name) + " back to " +
              quote_ident(c.column) +
              ": a rollback keeps the new name, and code expecting the old one fails.",
          "ALTER TABLE " + t + " RENAME COLUMN " + quote_ident(c.new_name) + " TO " + quote_ident(c.column)};
    case Kind::kSetNotNull:
      return {
          "does not drop the NOT NULL this migration sets on " + col + ": a rollback keeps rejecting NULLs.",
          alter + " DROP NOT NULL"};
    case Kind::kDropNotNull:
      return {"does not restore the NOT NULL this migration drops from " + col +
                  ": a rollback keeps accepting NULLs.",
              alter + " SET NOT NULL"};
    case Kind::kSetDefault:
      return {"does not drop or restore the default this migration sets on " + col +
                  ": a rollback keeps the new default.",
              alter + " DROP DEFAULT (or SET DEFAULT to the previous value)"};
    case Kind::kDropDefault:
      return {"does not restore the default this migration drops from " + col +
                  ": a rollback leaves the column without it.",
              alter + " SET DEFAULT <the previous default>"};
    case Kind::kEnableRls:
      return {"does not disable the row level security this migration enables on " + t +
                  ": a rollback keeps filtering rows by policy.",
              "ALTER TABLE " + t + " DISABLE ROW LEVEL SECURITY"};
    case Kind::kDisableRls:
      return {"does not re-enable the row level security this migration disables on " + t +
                  ": a rollback leaves its rows unprotected by policies.",
              "ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY"};
    default:
      return {};
  }
}

bool needs_undo(Kind k) {
  return k != Kind::kDrop && k != Kind::kDropColumn && k != Kind::kDropConstraint;
}

}  // namespace

const GateInfo& DownReversesUp::info() const {
  static const GateInfo kInfo{
      "rollback.down-reverses-up",
      "A down migration must undo everything its up migration does, or a rollback leaves the schema half "
      "changed.",
      Category::kRollback,
      Severity::kError,
      {}};
  return kInfo;
}

void DownReversesUp::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.migrations == nullptr) return;
  for (const sql::Migration& m : ctx.migrations->migrations) {
    if (!m.up || !m.down) continue;  // rollback.require-down-migration speaks for a missing down
    // A down that does not parse, or runs SQL built at run time, cannot be judged:
    // lint.sql-syntax-error and lint.unanalyzable-go-sql report it instead.
    if (!m.down->errors.empty() || !m.down->opaque_sql.empty()) continue;
    std::vector<Change> up = script_changes(*m.up);
    std::vector<Change> down = script_changes(*m.down);
    std::vector<const Change*> all;
    std::vector<const Change*> down_fx;
    all.reserve(up.size() + down.size());
    down_fx.reserve(down.size());
    for (const Change& c : up)
      all.push_back(&c);
    for (const Change& c : down) {
      all.push_back(&c);
      down_fx.push_back(&c);
    }
    Aliases aliases(all);
    Undo by_down(down_fx, aliases);
    std::string down_name = down_display(m);

    // Objects the up creates: what it then does to them goes with them when the
    // down drops them, so only the creation is reported.
    std::vector<const Change*> created;
    for (std::size_t i = 0; i < up.size(); ++i) {
      const Change& c = up[i];
      if (!needs_undo(c.kind)) continue;
      bool on_new = std::any_of(created.begin(), created.end(), [&](const Change* k) {
        if (k->object == ObjectKind::kSchema) return !c.name.schema.empty() && c.name.schema == k->name.name;
        if (k->kind == Kind::kAddColumn)
          return c.kind != Kind::kAddColumn && !c.column.empty() && c.column == k->column &&
                 aliases.same_relation(k->table, c.table);
        return k->object == ObjectKind::kTable && (c.kind != Kind::kCreate || !c.table.empty()) &&
               aliases.same_relation(k->name, c.table);
      });
      if (c.kind == Kind::kCreate || c.kind == Kind::kAddColumn) created.push_back(&c);
      if (on_new) continue;
      // Undone later in the up itself (a helper table dropped at the end).
      std::vector<const Change*> later;
      for (std::size_t j = i + 1; j < up.size(); ++j)
        later.push_back(&up[j]);
      if (Undo(later, aliases).covers(c) || by_down.covers(c)) continue;
      Advice a = advice(c);
      if (a.message.empty()) continue;
      std::string message = down_name + " " + a.message;
      if (message.rfind("the ", 0) == 0) message[0] = 'T';  // "the Down section of ..."
      out.report(*m.up, *c.statement, message, "Add " + a.fix + "; to " + down_name + ".");
    }
  }
}

}  // namespace schemagate::gates::rollback
