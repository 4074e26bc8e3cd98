#include "gates/lint/deadlock_lock_order.hpp"

#include <algorithm>
#include <optional>

#include "gates/common/constraints.hpp"
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

const GateInfo& DeadlockLockOrder::info() const {
  static const GateInfo kInfo{
      "lint.deadlock-lock-order",
      "Two transactions lock the same two tables in opposite orders.",
      Category::kLint,
      // Info: migration tools apply a set one migration at a time under an advisory
      // lock, and concurrency.one-migration-per-database admits one Job per database,
      // so two of these transactions meet only when something bypasses both.
      Severity::kInfo,
      {{"withinScript", OptionSpec::Type::kBool, "true",
        "Also compare transactions of the same script, not only transactions of different migrations."}}};
  return kInfo;
}

namespace {

// One transaction block of a script and the pre-existing relations it locks, in the
// order it first locks them.
struct Unit {
  const sql::Script* script = nullptr;
  std::vector<const sql::Statement*> statements;
  struct Acquire {
    sql::RelationName relation;
    std::size_t at = 0;  // index into statements
  };
  std::vector<Acquire> order;

  const Acquire* first(const sql::RelationName& r) const {
    for (const auto& a : order) {
      if (a.relation.matches(r)) return &a;
    }
    return nullptr;
  }
  // The mode held on `r` after statements [0, until) ran.
  sql::LockMode held(const sql::RelationName& r, std::size_t until) const {
    sql::LockMode m = sql::LockMode::kNone;
    for (std::size_t i = 0; i < until && i < statements.size(); ++i) {
      const sql::RelationLock* l = statements[i]->facts.find(r);
      if (l != nullptr && !l->is_new) m = std::max(m, l->mode);
    }
    return m;
  }
  // The mode requested on `r` by statement `at`.
  sql::LockMode requested(const sql::RelationName& r, std::size_t at) const {
    const sql::RelationLock* l = statements[at]->facts.find(r);
    return l == nullptr ? sql::LockMode::kNone : l->mode;
  }
};

std::vector<Unit> units_of(const sql::Script& script) {
  std::vector<Unit> out;
  int current = -1;
  for (const sql::Statement& st : script.statements) {
    if (st.transaction < 0) continue;  // autocommit statements release their locks at once
    if (out.empty() || st.transaction != current) {
      out.push_back(Unit{&script, {}, {}});
      current = st.transaction;
    }
    Unit& u = out.back();
    u.statements.push_back(&st);
    for (const sql::RelationLock& l : st.facts.locks) {
      if (l.is_new || l.kind == sql::RelationKind::kSequence || u.first(l.relation) != nullptr) continue;
      u.order.push_back(Unit::Acquire{l.relation, u.statements.size() - 1});
    }
  }
  return out;
}

// `u` locks a then b (in different statements): the statement index that locks b.
std::optional<std::size_t> locks_in_order(const Unit& u, const sql::RelationName& a,
                                          const sql::RelationName& b) {
  const Unit::Acquire* fa = u.first(a);
  const Unit::Acquire* fb = u.first(b);
  if (fa == nullptr || fb == nullptr || fa->at >= fb->at) return std::nullopt;
  return fb->at;
}

}  // namespace

void DeadlockLockOrder::evaluate(const Context& ctx, Reporter& out) const {
  bool within_script = out.options().get_bool("withinScript");
  std::vector<Unit> units;
  for (const sql::Script* script : ctx.scripts()) {
    for (Unit& u : units_of(*script))
      units.push_back(std::move(u));
  }
  for (std::size_t j = 1; j < units.size(); ++j) {
    const Unit& second = units[j];
    for (std::size_t x = 0; x < second.order.size(); ++x) {
      for (std::size_t y = x + 1; y < second.order.size(); ++y) {
        // `second` locks b then a; look for an earlier unit that locks a then b.
        const sql::RelationName& b = second.order[x].relation;
        const sql::RelationName& a = second.order[y].relation;
        if (second.order[x].at == second.order[y].at) continue;  // one statement: order not ours to see
        for (std::size_t i = 0; i < j; ++i) {
          const Unit& first = units[i];
          bool same_script = first.script == second.script;
          // An up and a down script never run together; neither do two blocks of
          // one script unless the option asks to treat them as separate runs.
          if (first.script->direction != second.script->direction || (same_script && !within_script))
            continue;
          auto first_b = locks_in_order(first, a, b);
          auto second_a = locks_in_order(second, b, a);
          if (!first_b || !second_a) continue;
          // A deadlock needs each waiter's request to conflict with what the other
          // holds (PostgreSQL docs §13.3.4 "Deadlocks", Table 13.2).
          bool first_waits =
              sql::lock_modes_conflict(first.requested(b, *first_b), second.held(b, *second_a));
          bool second_waits =
              sql::lock_modes_conflict(second.requested(a, *second_a), first.held(a, *first_b));
          if (!first_waits || !second_waits) continue;
          const sql::Statement& here = *second.statements[*second_a];
          const sql::Statement& there = *first.statements[*first_b];
          std::string ta = display_relation(a);
          std::string tb = display_relation(b);
          std::string place = statement_place(*first.script, there);
          Finding& f = out.report(
              *second.script, here,
              "This transaction locks " + tb + " then " + ta + ", while the transaction at " + place +
                  " locks " + ta + " then " + tb +
                  ": run concurrently, each waits for the other and PostgreSQL aborts one "
                  "with a deadlock.",
              "Lock " + ta + " and " + tb + " in the same order in every migration, e.g. LOCK TABLE " + ta +
                  ", " + tb + " at the start of each transaction.");
          f.steps = {
              "Pick one order for " + ta + " and " + tb + " and use it everywhere (this finding suggests " +
                  ta + " first, as at " + place + ").",
              "Start this transaction with LOCK TABLE " + ta + ", " + tb +
                  " IN <the strongest mode it needs> MODE, or split it so it holds one table at a time."};
          break;
        }
      }
    }
  }
}

}  // namespace schemagate::gates::lint
