#include "gates/lint/ban_set_not_null.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanSetNotNull::info() const {
  static const GateInfo kInfo{"lint.ban-set-not-null",
                              "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

namespace {

struct NotNullCheck {
  sql::RelationName table;
  std::string column;
  std::string name;
  bool valid = false;
};

// Records CHECK (col IS NOT NULL) constraints added and validated by `st`.
void track(const sql::Statement& st, std::vector<NotNullCheck>& checks) {
  sql::RelationName table = alter_table_relation(st);
  for (const AddedConstraint& c : added_constraints(st)) {
    std::string column = not_null_check_column(c.def);
    if (!column.empty()) checks.push_back(NotNullCheck{table, column, c.name, !c.not_valid});
  }
  for (sql::Node cmd : alter_table_commands(st)) {
    std::string_view sub = cmd["subtype"].str();
    if (sub != "AT_ValidateConstraint" && sub != "AT_ValidateConstraintRecurse") continue;
    for (NotNullCheck& c : checks) {
      if (c.name == cmd["name"].str() && c.table.matches(table)) c.valid = true;
    }
  }
}

}  // namespace

void BanSetNotNull::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                          Reporter& out) const {
  if (st.tag() != "AlterTableStmt") return;
  sql::RelationName table = alter_table_relation(st);
  const sql::RelationLock* lock = existing_lock(st, table);
  if (lock == nullptr) return;  // created earlier in this script: nothing to scan
  bool any = false;
  for (sql::Node cmd : alter_table_commands(st))
    any = any || cmd["subtype"].str() == "AT_SetNotNull";
  if (!any) return;

  // Since PostgreSQL 12, SET NOT NULL skips the scan when a valid CHECK constraint
  // proves the column has no NULLs (PostgreSQL docs, ALTER TABLE, SET NOT NULL).
  // Look for one validated earlier: in earlier up migrations of the set, and earlier
  // in this script.
  std::vector<NotNullCheck> checks;
  if (ctx.pg_major() >= 12) {
    for (const sql::Script* other : ctx.scripts()) {
      if (other == &script) break;
      if (other->direction != sql::Direction::kUp || script.direction != sql::Direction::kUp) continue;
      for (const sql::Statement& s : other->statements)
        track(s, checks);
    }
    for (const sql::Statement& s : script.statements) {
      if (s.index >= st.index) break;
      track(s, checks);
    }
  }

  std::string t = display_relation(table);
  for (sql::Node cmd : alter_table_commands(st)) {
    if (cmd["subtype"].str() != "AT_SetNotNull") continue;
    std::string column(cmd["name"].str());
    bool proven = false;
    for (const NotNullCheck& c : checks)
      proven = proven || (c.valid && c.column == column && c.table.matches(table));
    if (proven) continue;
    std::string col = quote_ident(column);
    std::string con = quote_ident(default_constraint_name(table.name, {column}, "not_null"));
    std::string message = "SET NOT NULL on " + t + "." + col + " holds " + a_lock(lock->mode) + " on " + t +
                          " while every row is checked: it " +
                          std::string(sql::lock_mode_blocks(lock->mode)) + " on " + t +
                          " until the scan ends.";
    std::string add =
        "ALTER TABLE " + t + " ADD CONSTRAINT " + con + " CHECK (" + col + " IS NOT NULL) NOT VALID;";
    std::string validate = "In a separate migration (its own transaction): ALTER TABLE " + t +
                           " VALIDATE CONSTRAINT " + con +
                           "; (SHARE UPDATE EXCLUSIVE: reads and writes go on)";
    if (ctx.pg_major() >= 12) {
      Finding& f = out.report(script, st, message,
                              "Prove " + col +
                                  " has no NULLs with a CHECK constraint added NOT VALID and validated "
                                  "in a separate migration; SET NOT NULL then skips the scan.");
      f.steps = {
          add, validate,
          "ALTER TABLE " + t + " ALTER COLUMN " + col + " SET NOT NULL; (uses the valid constraint, no scan)",
          "ALTER TABLE " + t + " DROP CONSTRAINT " + con + ";"};
    } else {
      Finding& f =
          out.report(script, st, message,
                     "Before PostgreSQL 12 SET NOT NULL always scans: enforce it with a CHECK constraint "
                     "added NOT VALID and validated in a separate migration instead.");
      f.steps = {add, validate};
    }
  }
}

}  // namespace schemagate::gates::lint
