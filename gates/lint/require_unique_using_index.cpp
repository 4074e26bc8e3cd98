#include "gates/lint/require_unique_using_index.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireUniqueUsingIndex::info() const {
  static const GateInfo kInfo{
      "lint.require-unique-using-index",
      "ADD UNIQUE or PRIMARY KEY without USING INDEX builds the index under an ACCESS EXCLUSIVE lock.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireUniqueUsingIndex::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                    Reporter& out) const {
  sql::RelationName table = alter_table_relation(st);
  for (const AddedConstraint& c : added_constraints(st)) {
    bool primary = c.contype == "CONSTR_PRIMARY";
    if ((!primary && c.contype != "CONSTR_UNIQUE") || c.using_index) continue;
    const sql::RelationLock* lock = existing_lock(st, table);
    if (lock == nullptr) continue;  // created earlier in this script: the build is instant
    std::string t = display_relation(table);
    std::string name = quote_ident(c.name);
    std::string kind = primary ? "PRIMARY KEY" : "UNIQUE";
    std::string cols = join_idents(c.columns);
    // ALTER TABLE ADD CONSTRAINT takes ACCESS EXCLUSIVE and builds the index in the
    // same command; USING INDEX adopts an index built beforehand with CREATE UNIQUE
    // INDEX CONCURRENTLY (PostgreSQL docs, ALTER TABLE, "ADD table_constraint_using_index").
    Finding& f = out.report(
        script, st,
        "ADD " + kind + " " + name + " builds its unique index on " + t + " under " + a_lock(lock->mode) +
            ": it " + std::string(sql::lock_mode_blocks(lock->mode)) + " on " + t + " until the build ends.",
        "Build the index with CREATE UNIQUE INDEX CONCURRENTLY first, then add " + name + " " + kind +
            " USING INDEX.");
    f.steps.clear();
    if (!c.column.empty())
      f.steps.push_back("Add the column without " + kind + ": ALTER TABLE " + t + " ADD COLUMN " +
                        quote_ident(c.column) + " ...;");
    f.steps.push_back("In a migration of its own, outside a transaction: CREATE UNIQUE INDEX CONCURRENTLY " +
                      name + " ON " + t + " (" + cols + ");");
    if (primary)
      f.steps.push_back("Make " + cols +
                        " NOT NULL first without a scan (see lint.ban-set-not-null): PRIMARY KEY USING INDEX "
                        "otherwise sets NOT NULL with a full scan under ACCESS EXCLUSIVE.");
    f.steps.push_back("ALTER TABLE " + t + " ADD CONSTRAINT " + name + " " + kind + " USING INDEX " + name +
                      ";");
  }
}

}  // namespace schemagate::gates::lint
