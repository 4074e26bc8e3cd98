#include "gates/lint/require_default_for_not_null.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

using namespace columns;  // NOLINT(google-build-using-namespace): this file's helpers

const GateInfo& RequireDefaultForNotNull::info() const {
  static const GateInfo kInfo{"lint.require-default-for-not-null",
                              "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows, "
                              "after locking it against all "
                              "reads and writes.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

namespace {

// Columns that fill themselves: identity, generated and serial columns get a value
// per row (lint.ban-add-generated-column reports their rewrite).
bool fills_itself(sql::Node coldef) {
  std::string t = sql::type_name(coldef["typeName"]);
  for (std::string_view serial : {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"}) {
    if (t == serial) return true;
  }
  return column_constraint(coldef, "CONSTR_IDENTITY") || column_constraint(coldef, "CONSTR_GENERATED");
}

}  // namespace

void RequireDefaultForNotNull::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                                     Reporter& out) const {
  for_each_alter_cmd(st, "AT_AddColumn", [&](const sql::RelationName& table, sql::Node cmd) {
    if (table_is_new(st, table)) return;  // created in this script: no rows yet
    sql::Node coldef = cmd["def"].body();
    // PRIMARY KEY implies NOT NULL.
    bool not_null =
        column_constraint(coldef, "CONSTR_NOTNULL") || column_constraint(coldef, "CONSTR_PRIMARY");
    if (!not_null || column_default(coldef) || fills_itself(coldef)) return;
    const sql::RelationLock* lock = st.facts.find(table);
    std::string t = display_relation(table);
    std::string c = quote_ident(coldef["colname"].str());
    std::string type = column_type_sql(column_type(coldef["typeName"]));
    std::string check = quote_ident(table.name + "_" + std::string(coldef["colname"].str()) + "_not_null");
    Finding& f = out.report(
        script, st,
        "Adding NOT NULL column " + c + " to " + t + " without a DEFAULT fails if " + t +
            " has any rows, after waiting for " + columns::a_lock_phrase(lock->mode, table) + ", which " +
            std::string(sql::lock_mode_blocks(lock->mode)) + ".",
        ctx.pg_major() >= 11
            ? "Give " + c +
                  " a constant DEFAULT (stored without a rewrite since PostgreSQL 11), or add it "
                  "nullable, backfill it in batches and set NOT NULL afterwards."
            : "Add " + c + " nullable, backfill it in batches and set NOT NULL afterwards (on PostgreSQL " +
                  std::to_string(ctx.pg_major()) + " any DEFAULT rewrites " + t + ").");
    f.steps = {"ALTER TABLE " + t + " ADD COLUMN " + c + " " + type + ";",
               "Backfill " + c + " in batches, one short transaction each: UPDATE " + t + " SET " + c +
                   " = ... WHERE <next batch of keys> AND " + c + " IS NULL;",
               "ALTER TABLE " + t + " ADD CONSTRAINT " + check + " CHECK (" + c + " IS NOT NULL) NOT VALID;",
               "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + check +
                   "; (SHARE UPDATE EXCLUSIVE: reads and writes continue)",
               "ALTER TABLE " + t + " ALTER COLUMN " + c + " SET NOT NULL; (PostgreSQL 12+ proves it with " +
                   check + " instead of scanning), then ALTER TABLE " + t + " DROP CONSTRAINT " + check +
                   ";"};
  });
}

}  // namespace schemagate::gates::lint
