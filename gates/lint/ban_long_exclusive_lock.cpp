#include "gates/lint/ban_long_exclusive_lock.hpp"

#include <algorithm>

#include "gates/common/constraints.hpp"
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanLongExclusiveLock::info() const {
  static const GateInfo kInfo{
      "lint.ban-long-exclusive-lock",
      "An ACCESS EXCLUSIVE lock taken inside a transaction stays held while later statements run.",
      Category::kLint,
      Severity::kWarning,
      {{"reportFastStatements", OptionSpec::Type::kBool, "false",
        "Also report when every later statement is fast (no scan, no rewrite, no other existing table)."}}};
  return kInfo;
}

namespace {

// The mode the transaction already holds on `r` before statement `before`.
sql::LockMode held_before(const std::vector<sql::Statement>& stmts, std::size_t before, int transaction,
                          const sql::RelationName& r) {
  sql::LockMode m = sql::LockMode::kNone;
  for (std::size_t k = 0; k < before; ++k) {
    if (stmts[k].transaction != transaction) continue;
    const sql::RelationLock* l = stmts[k].facts.find(r);
    if (l != nullptr) m = std::max(m, l->mode);
  }
  return m;
}

// What makes statement `j` slow while the lock is held, in words ("" = fast): it
// rewrites or scans an existing table, or waits for a lock on another existing
// table that the transaction does not hold yet (a LOCK TABLE up front does).
std::string slow_reason(const std::vector<sql::Statement>& stmts, std::size_t j,
                        const sql::RelationName& locked) {
  const sql::Statement& later = stmts[j];
  for (const sql::RelationLock& l : later.facts.locks) {
    if (l.is_new) continue;
    if (later.facts.rewrite) return "rewrites " + display_relation(l.relation);
    if (later.facts.scan) return "scans " + display_relation(l.relation);
  }
  for (const sql::RelationLock& l : later.facts.locks) {
    if (l.is_new || l.relation.matches(locked)) continue;
    if (held_before(stmts, j, later.transaction, l.relation) >= l.mode) continue;
    return "waits for " + a_lock(l.mode) + " on " + display_relation(l.relation);
  }
  return {};
}

}  // namespace

void BanLongExclusiveLock::evaluate(const Context& ctx, Reporter& out) const {
  bool report_fast = out.options().get_bool("reportFastStatements");
  for (const sql::Script* script : ctx.scripts()) {
    const auto& stmts = script->statements;
    for (std::size_t i = 0; i < stmts.size(); ++i) {
      const sql::Statement& st = stmts[i];
      if (st.transaction < 0) continue;  // autocommit: the lock ends with the statement
      for (const sql::RelationLock& lock : st.facts.locks) {
        if (lock.is_new || lock.mode != sql::LockMode::kAccessExclusive ||
            lock.kind != sql::RelationKind::kTable)
          continue;
        // Report only where the transaction first takes the lock: after that it is
        // already held (PostgreSQL docs §13.3.1: locks are held until the end of the
        // transaction).
        bool earlier = false;
        for (std::size_t j = 0; j < i && !earlier; ++j) {
          if (stmts[j].transaction != st.transaction) continue;
          const sql::RelationLock* prev = stmts[j].facts.find(lock.relation);
          earlier = prev != nullptr && prev->mode == sql::LockMode::kAccessExclusive;
        }
        if (earlier) continue;
        std::size_t following = 0;
        const sql::Statement* slow = nullptr;
        std::string reason;
        for (std::size_t j = i + 1; j < stmts.size(); ++j) {
          if (stmts[j].transaction != st.transaction) break;
          if (is_transaction_control(stmts[j])) continue;
          ++following;
          if (slow == nullptr) {
            reason = slow_reason(stmts, j, lock.relation);
            if (!reason.empty()) slow = &stmts[j];
          }
        }
        if (following == 0 || (slow == nullptr && !report_fast)) continue;
        std::string t = display_relation(lock.relation);
        std::string n = std::to_string(following);
        std::string statements = following == 1 ? "1 more statement runs" : n + " more statements run";
        Finding& f =
            out.report(*script, st,
                       st.facts.kind + " takes an ACCESS EXCLUSIVE lock on " + t + " and " + statements +
                           " before the transaction commits: it " +
                           std::string(sql::lock_mode_blocks(sql::LockMode::kAccessExclusive)) + " on " + t +
                           " until they finish.",
                       "Commit right after the statement that locks " + t +
                           ": move the later statements to another migration, or take this lock last.");
        f.steps.clear();
        if (slow != nullptr)
          f.steps.push_back("Line " + std::to_string(slow->position.line) + " (" + slow->facts.kind + ") " +
                            reason + " while " + t + " stays locked.");
        f.steps.push_back(
            "Put the " + st.facts.kind + " on " + t +
            " in a migration of its own, or last in its transaction, so the lock ends at once.");
        f.steps.push_back("Move the " + n + " later statement" + (following == 1 ? "" : "s") +
                          " to a separate migration.");
        f.steps.push_back(
            "Start the migration with SET lock_timeout so the lock request gives up instead of "
            "queueing every query on " +
            t + " behind it.");
      }
    }
  }
}

}  // namespace schemagate::gates::lint
