#include "gates/lint/prefer_timestamptz.hpp"

#include "gates/common/column_types.hpp"
#include "gates/common/script_objects.hpp"

namespace schemagate::gates::lint {

const GateInfo& PreferTimestamptz::info() const {
  static const GateInfo kInfo{
      "lint.prefer-timestamptz",
      "timestamp without time zone stores wall-clock times that are ambiguous across time zones.",
      Category::kLint,
      Severity::kWarning,
      {}};
  return kInfo;
}

void PreferTimestamptz::check(const Context&, const sql::Script& script, const sql::Statement& st,
                              Reporter& out) const {
  coltypes::for_each_column_type(st, [&](const coltypes::ColumnType& c) {
    if (sql::type_name(c.type) != "timestamp") return;  // timestamptz is "timestamptz"
    std::string col = coltypes::display_column(c);
    out.report_at(
        script, st, objects::node_offset(script, st, c.column_def),
        "Column " + col +
            " is timestamp without time zone: it stores a wall-clock time with no zone, so the same "
            "instant written from sessions in different time zones is stored as different values.",
        "Declare " + col +
            " as timestamptz (timestamp with time zone), which stores an absolute instant and shows it "
            "in each session's time zone.");
  });
}

}  // namespace schemagate::gates::lint
