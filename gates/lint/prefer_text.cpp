#include "gates/lint/prefer_text.hpp"

#include "gates/common/column_types.hpp"
#include "gates/common/script_objects.hpp"

namespace schemagate::gates::lint {

const GateInfo& PreferText::info() const {
  static const GateInfo kInfo{"lint.prefer-text",
                              "varchar(n) columns need an ALTER TABLE under ACCESS EXCLUSIVE to change n; "
                              "text with a CHECK does not.",
                              Category::kLint,
                              Severity::kWarning,
                              {}};
  return kInfo;
}

void PreferText::check(const Context&, const sql::Script& script, const sql::Statement& st,
                       Reporter& out) const {
  coltypes::for_each_column_type(st, [&](const coltypes::ColumnType& c) {
    std::vector<long long> mods = sql::type_mods(c.type);
    if (sql::type_name(c.type) != "varchar" || mods.empty()) return;  // plain varchar is text already
    std::string col = coltypes::display_column(c);
    std::string n = std::to_string(mods[0]);
    std::string t = display_relation(c.table);
    out.report_at(
        script, st, objects::node_offset(script, st, c.column_def),
        "Column " + col + " is varchar(" + n +
            "): changing the limit later takes an ACCESS EXCLUSIVE lock on " + t +
            ", and lowering it rewrites " + t + ".",
        "Declare it as text with CHECK (length(" + quote_ident(c.column) + ") <= " + n +
            "), which can later be swapped without a rewrite (ADD the new CHECK NOT VALID, then VALIDATE).");
  });
}

}  // namespace schemagate::gates::lint
