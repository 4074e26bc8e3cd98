#include "gates/lint/unanalyzable_go_sql.hpp"

#include "gates/context.hpp"

namespace schemagate::gates::lint {

const GateInfo& UnanalyzableGoSql::info() const {
  static const GateInfo kInfo{
      "lint.unanalyzable-go-sql",
      "SQL that a Go migration builds at run time cannot be checked by any gate, so it is reported.",
      Category::kLint,
      Severity::kWarning,
      {}};
  return kInfo;
}

void UnanalyzableGoSql::evaluate(const Context& ctx, Reporter& out) const {
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::OpaqueSql& call : script->opaque_sql) {
      if (!call.ignore_reason.empty()) continue;  // reviewed by hand, with a reason
      std::string fn = script->go_function == "func literal"
                           ? "the " + std::string(sql::direction_name(script->direction)) + " function"
                           : script->go_function;
      Location where{script->source->name(), call.position.line, call.position.column, -1};
      out.report(
          std::move(where), call.call + " in " + fn + " runs SQL that no gate can check: " + call.why + ".",
          "Pass the SQL as a string literal or constant with values as parameters ($1, $2), or review it "
          "and put // schemagate:ignore lint.unanalyzable-go-sql <reason> above the call.");
    }
  }
}

}  // namespace schemagate::gates::lint
