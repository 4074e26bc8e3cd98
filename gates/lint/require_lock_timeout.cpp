#include "gates/lint/require_lock_timeout.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireLockTimeout::info() const {
  static const GateInfo kInfo{
      "lint.require-lock-timeout",
      "A statement that waits for a lock blocking reads or writes needs a lock_timeout, or the lock queue "
      "blocks the table.",
      Category::kLint,
      // Warning by default: a role or database default (ALTER ROLE ... SET lock_timeout)
      // is invisible here. Policies that own the Job's environment raise it to error.
      Severity::kWarning,
      {OptionSpec{"max", OptionSpec::Type::kString, "",
                  "Longest lock_timeout allowed, e.g. \"10s\"; a longer one also fires. Empty: any."}}};
  return kInfo;
}

namespace {

// Locks that conflict with ACCESS SHARE (reads) or ROW EXCLUSIVE (writes): SHARE and
// stronger. A waiting request queues every later conflicting request behind it
// (PostgreSQL docs §13.3.1), so waiting for these stalls ordinary traffic.
bool blocks_traffic(sql::LockMode m) {
  return sql::lock_modes_conflict(m, sql::LockMode::kAccessShare) ||
         sql::lock_modes_conflict(m, sql::LockMode::kRowExclusive);
}

const sql::RelationLock* strongest_blocking(const sql::Statement& st) {
  return st.facts.strongest_existing([](const sql::RelationLock& l) { return blocks_traffic(l.mode); });
}

}  // namespace

void RequireLockTimeout::evaluate(const Context& ctx, Reporter& out) const {
  std::optional<double> max;
  if (!out.options().get("max").empty()) max = columns::parse_duration_ms(out.options().get("max"));
  std::string example = max ? columns::format_duration_ms(*max) : "5s";
  for (const sql::Script* script : ctx.scripts()) {
    columns::SettingTracker timeout(ctx, "lock_timeout");
    for (const sql::Statement& st : script->statements) {
      const sql::RelationLock* lock = strongest_blocking(st);
      std::optional<std::string> value = timeout.value(st);
      timeout.apply(st);
      if (lock == nullptr) continue;
      // A plain number, not an optional: GCC's -Wmaybe-uninitialized misreads the optional here.
      double ms = 0;  // 0 disables the timeout, as does no setting at all
      if (value) ms = columns::parse_duration_ms(*value).value_or(0);
      bool missing = ms <= 0;
      bool too_long = !missing && max && ms > *max;
      if (!missing && !too_long) continue;
      std::string t = display_relation(lock->relation);
      std::string who = sql::lock_modes_conflict(lock->mode, sql::LockMode::kAccessShare)
                            ? "every later read and write of " + t
                            : "every later write to " + t;
      std::string wait =
          missing ? st.facts.kind + " waits for " + columns::a_lock_phrase(lock->mode, lock->relation) +
                        " without a lock_timeout"
                  : st.facts.kind + " waits up to " + columns::format_duration_ms(ms) + " for " +
                        columns::a_lock_phrase(lock->mode, lock->relation) + " (lock_timeout above the " +
                        columns::format_duration_ms(*max) + " maximum)";
      Finding& f = out.report(
          *script, st, wait + ", and while it waits " + who + " queues behind it.",
          "Run SET lock_timeout = '" + example + "'; before it and retry the migration if it times out.");
      f.steps = {"Start the script with SET lock_timeout = '" + example +
                     "'; (or give the Job PGOPTIONS=\"-c "
                     "lock_timeout=" +
                     example + "\").",
                 "If it fails with \"canceling statement due to lock timeout\", a long transaction held " +
                     t + ": run the migration again, at a quieter time if it keeps failing."};
      break;  // once per script: the first statement is where the setting belongs
    }
  }
}

}  // namespace schemagate::gates::lint
