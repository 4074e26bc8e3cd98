#include "gates/lint/ban_column_type_change.hpp"

#include <algorithm>
#include <cctype>

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

using namespace columns;  // NOLINT(google-build-using-namespace): this file's helpers

const GateInfo& BanColumnTypeChange::info() const {
  static const GateInfo kInfo{
      "lint.ban-column-type-change",
      "ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE "
      "lock unless the new type is binary coercible.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

bool is_utc(std::string_view zone) {
  std::string z(zone);
  std::transform(z.begin(), z.end(), z.begin(), [](unsigned char c) { return std::tolower(c); });
  return z == "utc" || z == "etc/utc" || z == "gmt" || z == "etc/gmt" || z == "uct" || z == "zulu";
}

// The TimeZone `st` runs with, from PGOPTIONS and SET statements before it.
bool session_is_utc(const Context& ctx, const sql::Script& script, const sql::Statement& st) {
  SettingTracker zone(ctx, "timezone");
  for (const sql::Statement& x : script.statements) {
    if (&x == &st) break;
    zone.apply(x);
  }
  std::optional<std::string> v = zone.value(st);
  return v && is_utc(*v);
}

// A change to text or unbounded varchar is free from any varchar or text, and one to
// varchar(m) from any shorter varchar (ATColumnChangeRequiresRewrite: binary coercible,
// the length check only widens): the type we could not see is most likely one of
// those, so the finding is a "may". Widening a varchar is the most common change of all.
bool free_from_strings(const SqlType& to) {
  return !to.array && (to.name == "text" || to.name == "varchar");
}

}  // namespace

void BanColumnTypeChange::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                                Reporter& out) const {
  for_each_alter_cmd(st, "AT_AlterColumnType", [&](const sql::RelationName& table, sql::Node cmd) {
    if (table_is_new(st, table)) return;  // created in this script: nothing to rewrite
    std::string_view column = cmd["name"].str();
    sql::Node def = cmd["def"].body();
    SqlType to = column_type(def["typeName"]);
    bool using_clause = !def["raw_default"].missing();
    // A new collation rebuilds every index on the column even when the type is free.
    bool collate = !def["collClause"].missing();
    std::optional<SqlType> from = column_type_before(ctx, script, st, table, column);
    bool maybe = false;
    if (!using_clause && !collate) {
      if (from && type_change_keeps_table(*from, to, ctx.pg_major(), session_is_utc(ctx, script, st))) return;
      maybe = !from && free_from_strings(to);
    }
    const sql::RelationLock* lock = st.facts.find(table);
    std::string t = display_relation(table);
    std::string c = quote_ident(column);
    std::string type = column_type_sql(to);
    std::string change = "Changing " + t + "." + c;
    if (from) change += " from " + column_type_sql(*from);
    change += " to " + type;
    if (using_clause) change += " with USING";
    std::string lock_words = columns::a_lock_phrase(lock->mode, table) + ", which " +
                             std::string(sql::lock_mode_blocks(lock->mode)) + " until the rewrite ends.";
    std::string help = "Add a new " + type +
                       " column, keep it in sync with a trigger, backfill it in batches, then switch to it "
                       "and drop " +
                       c + ".";
    Finding* f = nullptr;
    if (maybe) {
      // The old type is not in any earlier migration: from varchar or text (a shorter
      // varchar for varchar(m)) the change is free, from anything else it rewrites.
      // Reported one level milder.
      f = &out.report(
          script, st,
          change + " may rewrite " + t + " and its indexes (no earlier migration shows the old type of " + c +
              ") under " + lock_words,
          "If " + c + (to.mods.empty() ? " is varchar or text" : " is a shorter varchar") +
              " this is free and can be suppressed; otherwise " +
              std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(help[0])))) +
              help.substr(1));
      f->severity = Severity::kWarning;
    } else {
      f = &out.report(script, st, change + " rewrites " + t + " and its indexes under " + lock_words, help);
    }
    std::string col = std::string(column) + "_new";
    std::string c2 = quote_ident(col);
    f->steps = {"ALTER TABLE " + t + " ADD COLUMN " + c2 + " " + type + ";",
                "CREATE TRIGGER on " + t + " BEFORE INSERT OR UPDATE that sets " + c2 + " from " + c + ".",
                "Backfill existing rows in batches, one short transaction each: UPDATE " + t + " SET " + c2 +
                    " = <" + c + " converted> WHERE <next batch of keys> AND " + c2 + " IS NULL;",
                "Move readers and writers to " + c2 +
                    " (or rename both columns in one short transaction), then "
                    "drop the trigger and " +
                    c + "."};
  });
}

}  // namespace schemagate::gates::lint
