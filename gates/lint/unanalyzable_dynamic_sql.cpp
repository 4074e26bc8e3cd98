#include "gates/lint/unanalyzable_dynamic_sql.hpp"

#include "gates/context.hpp"

namespace schemagate::gates::lint {

const GateInfo& UnanalyzableDynamicSql::info() const {
  static const GateInfo kInfo{
      "lint.unanalyzable-dynamic-sql",
      "SQL that a DO block builds at run time cannot be checked by any gate, so it is reported.",
      Category::kLint,
      Severity::kWarning,
      {}};
  return kInfo;
}

void UnanalyzableDynamicSql::evaluate(const Context& ctx, Reporter& out) const {
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::DynamicSql& d : script->dynamic_sql) {
      if (d.statement < 0 || static_cast<std::size_t>(d.statement) >= script->statements.size()) continue;
      const sql::Statement& block = script->statements[static_cast<std::size_t>(d.statement)];
      // Reported on the DO statement (so a suppression above the block covers it), at
      // the place inside the body that runs the SQL.
      out.report_at(*script, block, d.offset, "The DO block runs SQL that no gate can check: " + d.why + ".",
                    "Write the statement as static SQL (in the DO block or on its own), or review it and put "
                    "-- schemagate:ignore lint.unanalyzable-dynamic-sql <reason> above the DO block.");
    }
  }
}

}  // namespace schemagate::gates::lint
