#include "gates/lint/require_not_valid_check.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireNotValidCheck::info() const {
  static const GateInfo kInfo{"lint.require-not-valid-check",
                              "ADD CHECK without NOT VALID checks every row under an ACCESS EXCLUSIVE lock.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

void RequireNotValidCheck::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                 Reporter& out) const {
  sql::RelationName table = alter_table_relation(st);
  for (const AddedConstraint& c : added_constraints(st)) {
    if (c.contype != "CONSTR_CHECK" || c.not_valid) continue;
    const sql::RelationLock* lock = existing_lock(st, table);
    if (lock == nullptr) continue;  // created earlier in this script: nothing to check
    std::string t = display_relation(table);
    std::string name = quote_ident(c.name);
    // ADD CONSTRAINT CHECK takes ACCESS EXCLUSIVE (PostgreSQL docs, ALTER TABLE,
    // "ADD table_constraint") and, unless NOT VALID, reads every row before it
    // commits; a new column's CHECK is verified by the same full scan (phase 3 of
    // ALTER TABLE), and column constraints cannot be NOT VALID.
    Finding& f =
        out.report(script, st,
                   "ADD CHECK " + name + " on " + t + " holds " + a_lock(lock->mode) + " on " + t +
                       " while every row is checked: it " + std::string(sql::lock_mode_blocks(lock->mode)) +
                       " on " + t + " until the scan ends.",
                   "Add " + name +
                       " with NOT VALID, then VALIDATE CONSTRAINT it in a separate migration, which only "
                       "takes SHARE UPDATE "
                       "EXCLUSIVE on " +
                       t + ".");
    f.steps.clear();
    if (!c.column.empty())
      f.steps.push_back("Add the column without the CHECK: ALTER TABLE " + t + " ADD COLUMN " +
                        quote_ident(c.column) + " ...;");
    f.steps.push_back("ALTER TABLE " + t + " ADD CONSTRAINT " + name + " CHECK (...) NOT VALID;");
    f.steps.push_back("In a separate migration (its own transaction): ALTER TABLE " + t +
                      " VALIDATE CONSTRAINT " + name + ";");
  }
}

}  // namespace schemagate::gates::lint
