#include "gates/lint/prefer_jsonb.hpp"

#include "gates/common/column_types.hpp"
#include "gates/common/script_objects.hpp"

namespace schemagate::gates::lint {

const GateInfo& PreferJsonb::info() const {
  static const GateInfo kInfo{"lint.prefer-jsonb",
                              "json columns store raw text and cannot be compared or indexed; jsonb can.",
                              Category::kLint,
                              Severity::kWarning,
                              {}};
  return kInfo;
}

void PreferJsonb::check(const Context&, const sql::Script& script, const sql::Statement& st,
                        Reporter& out) const {
  coltypes::for_each_column_type(st, [&](const coltypes::ColumnType& c) {
    if (sql::type_name(c.type) != "json") return;  // a schema-qualified user type reads "schema.json"
    std::string col = coltypes::display_column(c);
    out.report_at(
        script, st, objects::node_offset(script, st, c.column_def),
        "Column " + col +
            " is json, which keeps the text as written, reparses it on every access and has no equality "
            "operator, so it has no GIN indexing and cannot be compared or used in DISTINCT and GROUP BY.",
        "Declare " + col + " as jsonb, unless the exact text, key order or duplicate keys must be kept.");
  });
}

}  // namespace schemagate::gates::lint
