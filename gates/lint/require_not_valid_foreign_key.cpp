#include "gates/lint/require_not_valid_foreign_key.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireNotValidForeignKey::info() const {
  static const GateInfo kInfo{
      "lint.require-not-valid-foreign-key",
      "ADD FOREIGN KEY without NOT VALID checks every row while blocking writes to both tables.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

// "a SHARE ROW EXCLUSIVE lock on both orders and customers (blocks writes ...)", or,
// when the modes differ, each lock with what it blocks.
std::string locks_phrase(const sql::RelationLock& a, const sql::RelationLock* b) {
  std::string ta = display_relation(a.relation);
  std::string blocks_a = " (" + std::string(sql::lock_mode_blocks(a.mode)) + ")";
  if (b == nullptr) return a_lock(a.mode) + " on " + ta + blocks_a;
  std::string tb = display_relation(b->relation);
  if (a.mode == b->mode) return a_lock(a.mode) + " on both " + ta + " and " + tb + blocks_a;
  return a_lock(a.mode) + " on " + ta + blocks_a + " and " + a_lock(b->mode) + " on " + tb + " (" +
         std::string(sql::lock_mode_blocks(b->mode)) + ")";
}

}  // namespace

void RequireNotValidForeignKey::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                      Reporter& out) const {
  sql::RelationName table = alter_table_relation(st);
  for (const AddedConstraint& c : added_constraints(st)) {
    if (c.contype != "CONSTR_FOREIGN" || c.not_valid) continue;
    // A table created earlier in this script is empty: the check reads nothing.
    const sql::RelationLock* own = existing_lock(st, table);
    if (own == nullptr) continue;
    sql::RelationName referenced = sql::range_var(c.def["pktable"]);
    const sql::RelationLock* ref = referenced.matches(table) ? nullptr : existing_lock(st, referenced);
    std::string t = display_relation(table);
    std::string r = display_relation(referenced);
    std::string name = quote_ident(c.name);
    // ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables (PostgreSQL docs, ALTER
    // TABLE, "ADD table_constraint"); validateForeignKeyConstraint then reads all of
    // `table` under it. ADD COLUMN ... REFERENCES does the same under ADD COLUMN's
    // ACCESS EXCLUSIVE, and a column constraint cannot be NOT VALID.
    Finding& f = out.report(script, st,
                            "ADD FOREIGN KEY " + name + " checks every row of " + t + " while holding " +
                                locks_phrase(*own, ref) + ", until the check ends.",
                            "Add " + name +
                                " with NOT VALID, then VALIDATE CONSTRAINT it in a separate migration, which "
                                "only takes SHARE UPDATE EXCLUSIVE on " +
                                t + ".");
    std::string references = "REFERENCES " + r;
    if (c.def["pk_attrs"].size() > 0) {
      std::vector<std::string> pk;
      for (sql::Node n : c.def["pk_attrs"])
        pk.emplace_back(sql::string_value(n));
      references += " (" + join_idents(pk) + ")";
    }
    std::string add = "ALTER TABLE " + t + " ADD CONSTRAINT " + name + " FOREIGN KEY (" +
                      join_idents(c.columns) + ") " + references + " NOT VALID;";
    f.steps.clear();
    if (!c.column.empty())
      f.steps.push_back("Add the column without REFERENCES: ALTER TABLE " + t + " ADD COLUMN " +
                        quote_ident(c.column) + " ...;");
    f.steps.push_back(add);
    f.steps.push_back("In a separate migration (its own transaction): ALTER TABLE " + t +
                      " VALIDATE CONSTRAINT " + name + ";");
  }
}

}  // namespace schemagate::gates::lint
