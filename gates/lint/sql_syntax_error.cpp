#include "gates/lint/sql_syntax_error.hpp"

#include "gates/context.hpp"

namespace schemagate::gates::lint {

const GateInfo& SqlSyntaxError::info() const {
  static const GateInfo kInfo{
      "lint.sql-syntax-error",
      "SQL that PostgreSQL cannot parse is reported at its line and column, never skipped.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void SqlSyntaxError::evaluate(const Context& ctx, Reporter& out) const {
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::SyntaxError& e : script->errors) {
      Location where{script->source->name(), e.position.line, e.position.column, -1};
      out.report(std::move(where),
                 "PostgreSQL " + std::to_string(ctx.pg_major()) + " cannot parse this: " + e.message + ".",
                 "Fix the syntax; no other gate can judge a statement that does not parse.");
    }
  }
}

}  // namespace schemagate::gates::lint
