#include "gates/lint/ban_add_generated_column.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

using namespace columns;  // NOLINT(google-build-using-namespace): this file's helpers

const GateInfo& BanAddGeneratedColumn::info() const {
  static const GateInfo kInfo{"lint.ban-add-generated-column",
                              "Adding a stored generated, identity or serial column to an existing table "
                              "rewrites it under an ACCESS EXCLUSIVE lock.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

namespace {

bool is_serial(std::string_view t) {
  for (std::string_view serial : {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"}) {
    if (t == serial) return true;
  }
  return false;
}

// bigserial -> bigint: the column type the serial stands for.
std::string serial_base(std::string_view t) {
  if (t == "bigserial" || t == "serial8") return "bigint";
  if (t == "smallserial" || t == "serial2") return "smallint";
  return "integer";
}

}  // namespace

void BanAddGeneratedColumn::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                  Reporter& out) const {
  for_each_alter_cmd(st, "AT_AddColumn", [&](const sql::RelationName& table, sql::Node cmd) {
    if (table_is_new(st, table)) return;  // created in this script: nothing to rewrite
    sql::Node coldef = cmd["def"].body();
    std::string type_name = sql::type_name(coldef["typeName"]);
    std::string kind;
    if (column_constraint(coldef, "CONSTR_GENERATED")) {
      kind = "stored generated column";
    } else if (column_constraint(coldef, "CONSTR_IDENTITY")) {
      kind = "identity column";
    } else if (is_serial(type_name)) {
      kind = type_name + " column";
    } else {
      return;
    }
    const sql::RelationLock* lock = st.facts.find(table);
    std::string t = display_relation(table);
    std::string c = quote_ident(coldef["colname"].str());
    std::string lock_words = columns::a_lock_phrase(lock->mode, table) + ", which " +
                             std::string(sql::lock_mode_blocks(lock->mode)) + " until the rewrite ends.";
    if (kind == "stored generated column") {
      std::string type = column_type_sql(column_type(coldef["typeName"]));
      Finding& f = out.report(
          script, st, "Adding the " + kind + " " + c + " to " + t + " rewrites " + t + " under " + lock_words,
          "Add " + c +
              " as a plain nullable column kept up to date by a trigger, and backfill existing rows "
              "in batches.");
      f.steps = {"ALTER TABLE " + t + " ADD COLUMN " + c + " " + type + ";",
                 "CREATE TRIGGER on " + t + " BEFORE INSERT OR UPDATE that computes " + c +
                     " for new and changed rows.",
                 "Backfill existing rows in batches, one short transaction each: UPDATE " + t + " SET " + c +
                     " = <expression> WHERE <next batch of keys> AND " + c + " IS NULL;"};
      return;
    }
    std::string type =
        is_serial(type_name) ? serial_base(type_name) : column_type_sql(column_type(coldef["typeName"]));
    std::string seq = quote_ident(table.name + "_" + std::string(coldef["colname"].str()) + "_seq");
    if (!table.schema.empty()) seq = quote_ident(table.schema) + "." + seq;
    Finding& f = out.report(
        script, st, "Adding the " + kind + " " + c + " to " + t + " rewrites " + t + " under " + lock_words,
        "Add " + c + " as a plain nullable " + type +
            " column, give it a sequence DEFAULT for new rows, and backfill existing rows in batches.");
    f.steps = {"CREATE SEQUENCE " + seq + " AS " + type + ";",
               "ALTER TABLE " + t + " ADD COLUMN " + c + " " + type + ";",
               "ALTER TABLE " + t + " ALTER COLUMN " + c + " SET DEFAULT nextval('" + seq +
                   "'); (new rows only, no rewrite)",
               "Backfill existing rows in batches, one short transaction each: UPDATE " + t + " SET " + c +
                   " = nextval('" + seq + "') WHERE <next batch of keys> AND " + c + " IS NULL;",
               "ALTER SEQUENCE " + seq + " OWNED BY " + t + "." + c +
                   "; then add NOT NULL through a CHECK (" + c +
                   " IS NOT NULL) NOT VALID constraint and "
                   "VALIDATE CONSTRAINT."};
  });
}

}  // namespace schemagate::gates::lint
