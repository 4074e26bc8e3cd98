#include "gates/lint/ban_exclusion_constraint.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanExclusionConstraint::info() const {
  static const GateInfo kInfo{
      "lint.ban-exclusion-constraint",
      "ADD EXCLUDE builds its index under an ACCESS EXCLUSIVE lock and cannot be built concurrently.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanExclusionConstraint::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                   Reporter& out) const {
  sql::RelationName table = alter_table_relation(st);
  for (const AddedConstraint& c : added_constraints(st)) {
    if (c.contype != "CONSTR_EXCLUSION") continue;
    const sql::RelationLock* lock = existing_lock(st, table);
    if (lock == nullptr) continue;  // created earlier in this script: empty, built at once
    std::string t = display_relation(table);
    std::string name = quote_ident(c.name);
    // ADD table_constraint takes ACCESS EXCLUSIVE; USING INDEX accepts only UNIQUE
    // and PRIMARY KEY, and CREATE INDEX cannot make an exclusion index (PostgreSQL
    // docs, ALTER TABLE, "ADD table_constraint_using_index").
    Finding& f =
        out.report(script, st,
                   "ADD EXCLUDE " + name + " builds its index on " + t + " under " + a_lock(lock->mode) +
                       ": it " + std::string(sql::lock_mode_blocks(lock->mode)) + " on " + t +
                       " until the build ends, and there is no concurrent way to build it.",
                   "Add exclusion constraints when the table is created, or to " + t +
                       " in a maintenance window with a short lock_timeout.");
    f.steps = {
        "Measure the build on a copy of " + t + " to know how long " + t + " will be locked.",
        "Run ALTER TABLE " + t + " ADD CONSTRAINT " + name +
            " EXCLUDE ...; in a maintenance window, after SET lock_timeout so it does not queue behind "
            "long queries.",
        "Or enforce the rule elsewhere (a trigger, or a new table created with the constraint) if downtime "
        "is not possible."};
  }
}

}  // namespace schemagate::gates::lint
