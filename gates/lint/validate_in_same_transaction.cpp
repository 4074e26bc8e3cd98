#include "gates/lint/validate_in_same_transaction.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& ValidateInSameTransaction::info() const {
  static const GateInfo kInfo{
      "lint.validate-in-same-transaction",
      "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID keeps the ADD's lock.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void ValidateInSameTransaction::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                      Reporter& out) const {
  if (st.transaction < 0) return;  // autocommit: the ADD committed and released its lock
  sql::RelationName table = alter_table_relation(st);
  for (sql::Node cmd : alter_table_commands(st)) {
    std::string_view sub = cmd["subtype"].str();
    if (sub != "AT_ValidateConstraint" && sub != "AT_ValidateConstraintRecurse") continue;
    std::string_view name = cmd["name"].str();
    // Locks are held until the transaction ends (PostgreSQL docs §13.3.1), so the
    // ADD's lock (ACCESS EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE for FOREIGN KEY)
    // is still held while VALIDATE scans the table.
    for (const sql::Statement& earlier : script.statements) {
      if (earlier.index >= st.index) break;
      if (earlier.transaction != st.transaction || !alter_table_relation(earlier).matches(table)) continue;
      for (const AddedConstraint& c : added_constraints(earlier)) {
        if (!c.not_valid || c.name != name) continue;
        const sql::RelationLock* lock = existing_lock(earlier, alter_table_relation(earlier));
        if (lock == nullptr) continue;  // a table created in this script: no one waits on it
        std::string t = display_relation(table);
        std::string n = quote_ident(name);
        Finding& f = out.report(
            script, st,
            "VALIDATE CONSTRAINT " + n + " runs in the transaction that added it NOT VALID on line " +
                std::to_string(earlier.position.line) + ", so " + a_lock(lock->mode) + " on " + t +
                " stays held through the whole validation scan: it " +
                std::string(sql::lock_mode_blocks(lock->mode)) + ".",
            "Move VALIDATE CONSTRAINT " + n +
                " to a separate migration (its own transaction) after the one that adds it.");
        f.steps = {"Keep ALTER TABLE " + t + " ADD CONSTRAINT " + n + " ... NOT VALID; in this migration.",
                   "In the next migration (its own transaction): ALTER TABLE " + t + " VALIDATE CONSTRAINT " +
                       n + ";"};
        return;
      }
    }
  }
}

}  // namespace schemagate::gates::lint
