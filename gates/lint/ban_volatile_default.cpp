#include "gates/lint/ban_volatile_default.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

using namespace columns;  // NOLINT(google-build-using-namespace): this file's helpers

const GateInfo& BanVolatileDefault::info() const {
  static const GateInfo kInfo{
      "lint.ban-volatile-default",
      "ADD COLUMN with a volatile DEFAULT rewrites the whole table under an ACCESS EXCLUSIVE lock.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanVolatileDefault::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                               Reporter& out) const {
  for_each_alter_cmd(st, "AT_AddColumn", [&](const sql::RelationName& table, sql::Node cmd) {
    if (table_is_new(st, table)) return;  // created in this script: nothing to rewrite
    sql::Node coldef = cmd["def"].body();
    sql::Node def = column_default(coldef);
    if (!def) return;
    // Since PostgreSQL 11 a non-volatile default is evaluated once and stored in the
    // catalog (ALTER TABLE docs, Notes); before 11 every default rewrites the table.
    std::string function;
    bool volatile_default =
        sql::expression_volatility(def["raw_expr"], &function) == sql::Volatility::kVolatile;
    bool old_server = ctx.pg_major() < 11;
    if (!volatile_default && !old_server) return;
    const sql::RelationLock* lock = st.facts.find(table);
    std::string t = display_relation(table);
    std::string c = quote_ident(coldef["colname"].str());
    std::string type = column_type_sql(column_type(coldef["typeName"]));
    // Name the function, never the expression: defaults may hold secrets.
    std::string what = volatile_default ? "a volatile DEFAULT (" + function + ")"
                                        : "a DEFAULT on PostgreSQL " + std::to_string(ctx.pg_major());
    std::string the_default = volatile_default ? "<your " + function + " default>" : "<your default>";
    Finding& f = out.report(script, st,
                            "Adding column " + c + " to " + t + " with " + what + " rewrites " + t +
                                " under " + columns::a_lock_phrase(lock->mode, table) + ", which " +
                                std::string(sql::lock_mode_blocks(lock->mode)) + " until the rewrite ends.",
                            "Add " + c +
                                " without a DEFAULT, set the DEFAULT in a second statement so it "
                                "applies to new rows only, and backfill existing rows in batches.");
    f.steps = {"ALTER TABLE " + t + " ADD COLUMN " + c + " " + type + ";",
               "ALTER TABLE " + t + " ALTER COLUMN " + c + " SET DEFAULT " + the_default +
                   "; (new rows only, no rewrite)",
               "Backfill existing rows in batches, one short transaction each: UPDATE " + t + " SET " + c +
                   " = " + the_default + " WHERE <next batch of keys> AND " + c + " IS NULL;"};
  });
}

}  // namespace schemagate::gates::lint
