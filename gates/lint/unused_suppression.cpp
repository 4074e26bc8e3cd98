#include "gates/lint/unused_suppression.hpp"

#include "gates/context.hpp"
#include "gates/registry.hpp"

namespace schemagate::gates::lint {

const GateInfo& UnusedSuppression::info() const {
  static const GateInfo kInfo{
      "lint.unused-suppression",
      "A schemagate:ignore comment that suppresses nothing, or gives no reason, is reported.",
      Category::kLint,
      Severity::kWarning,
      {}};
  return kInfo;
}

void UnusedSuppression::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.suppression_uses == nullptr) return;
  for (const SuppressionUse& use : *ctx.suppression_uses) {
    const sql::Suppression& s = use.script->suppressions[use.index];
    Location where{use.script->source->name(), s.position.line, s.position.column, -1};
    if (s.gate_id.empty()) {
      out.report(std::move(where), "This schemagate:ignore comment names no gate, so it suppresses nothing.",
                 "Write -- schemagate:ignore <gate-id> <reason>.");
    } else if (s.reason.empty()) {
      out.report(
          std::move(where), "Suppression of " + s.gate_id + " gives no reason, so it is not applied.",
          "Add the reason after the gate id: -- schemagate:ignore " + s.gate_id + " <why this is safe>.");
    } else if (builtin_registry().find(s.gate_id) == nullptr) {
      out.report(std::move(where), "Suppression names " + s.gate_id + ", which is not a gate.",
                 "Use an id from `schemagate gates`.");
    } else if (!use.used) {
      out.report(std::move(where),
                 "Suppression of " + s.gate_id + " matches no finding on the statement after it.",
                 "Remove the comment, or move it directly above the statement it is meant for.");
    }
  }
}

}  // namespace schemagate::gates::lint
