#include "gates/lint/require_statement_timeout.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireStatementTimeout::info() const {
  static const GateInfo kInfo{"lint.require-statement-timeout",
                              "A script that locks existing tables should set a statement_timeout so a slow "
                              "statement cannot hold its locks indefinitely.",
                              Category::kLint,
                              Severity::kWarning,
                              {}};
  return kInfo;
}

namespace {

// Writes (ROW EXCLUSIVE) and anything that blocks reads or writes (SHARE and up).
// SHARE UPDATE EXCLUSIVE is left out: CREATE INDEX CONCURRENTLY and VALIDATE
// CONSTRAINT are meant to run long and block neither reads nor writes.
bool worth_a_timeout(sql::LockMode m) {
  return m == sql::LockMode::kRowExclusive || m >= sql::LockMode::kShare;
}

const sql::RelationLock* strongest_held(const sql::Statement& st) {
  return st.facts.strongest_existing([](const sql::RelationLock& l) { return worth_a_timeout(l.mode); });
}

}  // namespace

void RequireStatementTimeout::evaluate(const Context& ctx, Reporter& out) const {
  for (const sql::Script* script : ctx.scripts()) {
    columns::SettingTracker timeout(ctx, "statement_timeout");
    for (const sql::Statement& st : script->statements) {
      const sql::RelationLock* lock = strongest_held(st);
      std::optional<std::string> value = timeout.value(st);
      timeout.apply(st);
      if (lock == nullptr) continue;
      std::optional<double> ms = value ? columns::parse_duration_ms(*value) : std::nullopt;
      if (ms && *ms > 0) continue;  // 0 disables the timeout
      std::string t = display_relation(lock->relation);
      Finding& f = out.report(
          *script, st,
          st.facts.kind + " on " + t + " runs without a statement_timeout, so a slow run holds its " +
              lock_phrase(lock->mode, lock->relation) + ", which " +
              std::string(sql::lock_mode_blocks(lock->mode)) + ", for as long as it takes.",
          "Run SET statement_timeout = '1min'; (or a bound that fits the migration) at the start of the "
          "script.");
      f.steps = {
          "Start the script with SET statement_timeout = '1min'; (or give the Job PGOPTIONS=\"-c "
          "statement_timeout=1min\").",
          "Give statements that must run long and block nobody (CREATE INDEX CONCURRENTLY) their own "
          "migration that starts with SET statement_timeout = 0;"};
      break;  // once per script
    }
  }
}

}  // namespace schemagate::gates::lint
