#include "gates/engine.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include "gates/common/text.hpp"

namespace schemagate::gates {

std::size_t Verdict::count(Severity s) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == s; }));
}

std::vector<std::string> Verdict::fired_gates() const {
  std::set<std::string> ids;
  for (const auto& f : findings)
    ids.insert(f.gate_id);
  return {ids.begin(), ids.end()};
}

Approval parse_approval(std::string_view annotation) {
  Approval a;
  std::size_t colon = annotation.find(':');
  std::string_view ids = annotation.substr(0, colon);
  std::string_view reason =
      colon == std::string_view::npos ? std::string_view{} : annotation.substr(colon + 1);
  a.gate_ids = text::split_list(ids);
  a.reason = std::string(text::trim(reason));
  a.valid = !a.gate_ids.empty() && !a.reason.empty();
  return a;
}

namespace {

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.location.source, a.location.line, a.location.column, a.gate_id, a.message) <
         std::tie(b.location.source, b.location.line, b.location.column, b.gate_id, b.message);
}

}  // namespace

namespace {

// Lint and rollback gates read only the migration set, the policy and the session
// settings (a registry test keeps them from reading the Job or the cluster), so
// their findings can be memoized per migration set.
bool memoizable(const GateInfo& info) {
  return (info.category == Category::kLint || info.category == Category::kRollback) &&
         info.id != kUnusedSuppressionGate;
}

std::string memo_key(const Context& ctx, const Policy& policy) {
  std::string key = ctx.migrations->hash;
  key += '|';
  key += std::to_string(policy.generation);
  key += '|';
  key += std::to_string(policy.postgres_version);
  for (const auto& [name, value] : ctx.session_settings) {
    key += '|';
    key += name;
    key += '=';
    key += value;
  }
  // Severities are applied per request; options a namespace overrides change what
  // the gates report, so such a namespace gets entries of its own.
  if (auto nit = policy.namespaces.find(ctx.namespace_name); nit != policy.namespaces.end()) {
    for (const auto& [id, setting] : nit->second) {
      if (!setting.options.empty()) {
        key += "|ns=" + ctx.namespace_name;
        break;
      }
    }
  }
  return key;
}

}  // namespace

Verdict Engine::evaluate(const Context& ctx) const {
  Policy defaults;
  const Policy& policy = ctx.policy ? *ctx.policy : defaults;
  Verdict v;
  v.audit = policy.mode == Mode::kAudit;
  if (ctx.migrations) v.migration_hash = ctx.migrations->hash;
  const std::vector<const sql::Script*>& scripts = ctx.scripts();

  // Every suppression in the input, to record which ones were used.
  std::vector<SuppressionUse> uses;
  for (const sql::Script* s : scripts) {
    for (std::size_t i = 0; i < s->suppressions.size(); ++i)
      uses.push_back(SuppressionUse{s, i, false});
  }
  // A suppression above a DO block also covers the statements its body runs.
  auto suppressed = [&](const Finding& f) {
    if (f.script == nullptr || f.location.statement < 0) return false;
    const auto& statements = f.script->statements;
    auto index = static_cast<std::size_t>(f.location.statement);
    int parent = index < statements.size() ? statements[index].parent : -1;
    for (auto& u : uses) {
      if (u.script != f.script) continue;
      const sql::Suppression& s = u.script->suppressions[u.index];
      bool covers = s.statement == f.location.statement || (parent >= 0 && s.statement == parent);
      if (covers && s.gate_id == f.gate_id && !s.reason.empty()) {
        u.used = true;
        return true;
      }
    }
    return false;
  };
  auto admit = [&](Finding f, const GateInfo& info, Severity sev) {
    if (suppressed(f)) return;
    if (info.category == Category::kLint && f.script != nullptr &&
        f.script->direction == sql::Direction::kDown && info.id != "lint.sql-syntax-error") {
      sev = std::min(sev, policy.down_migration_lint);
      if (sev == Severity::kOff) return;
    }
    // A gate may mark a finding milder than its default (a "may" finding, e.g. an
    // old type it cannot see): it stays that much milder, never above the policy.
    f.severity = f.severity < info.default_severity ? std::min(f.severity, sev) : sev;
    v.findings.push_back(std::move(f));
  };
  auto run = [&](const Gate& gate, const Context& c, Severity sev) {
    const GateInfo& info = gate.info();
    Options options = policy.options_for(info, ctx.namespace_name);
    std::vector<Finding> found;
    Reporter reporter(info, options, found);
    gate.evaluate(c, reporter);
    for (Finding& f : found)
      admit(std::move(f), info, sev);
  };

  // Memoized lint and rollback findings: computed with every such gate on (their
  // severity is this request's business), script pointers kept as indices.
  std::shared_ptr<const std::vector<Finding>> memo;
  if (ctx.finding_cache != nullptr && ctx.migrations != nullptr && !ctx.migrations->hash.empty()) {
    std::string key = memo_key(ctx, policy);
    memo = ctx.finding_cache->find(key);
    if (!memo) {
      auto fresh = std::make_shared<std::vector<Finding>>();
      for (const auto& gate : registry_.gates()) {
        const GateInfo& info = gate->info();
        if (!memoizable(info)) continue;
        Options options = policy.options_for(info, ctx.namespace_name);
        Reporter reporter(info, options, *fresh);
        gate->evaluate(ctx, reporter);
      }
      for (Finding& f : *fresh) {
        auto it = std::find(scripts.begin(), scripts.end(), f.script);
        f.script_index = it == scripts.end() ? -1 : static_cast<int>(it - scripts.begin());
        f.script = nullptr;
      }
      ctx.finding_cache->insert(key, fresh);
      memo = std::move(fresh);
    }
  }

  const Gate* last = nullptr;
  std::unordered_map<std::string_view, std::pair<const GateInfo*, Severity>> memo_gates;
  for (const auto& gate : registry_.gates()) {
    const GateInfo& info = gate->info();
    Severity sev = policy.severity_for(info, ctx.namespace_name);
    if (info.id == kUnusedSuppressionGate) {
      last = gate.get();
      continue;
    }
    if (memo && memoizable(info)) {
      memo_gates.emplace(info.id, std::make_pair(&info, sev));
      continue;
    }
    if (sev != Severity::kOff) run(*gate, ctx, sev);
  }
  if (memo) {
    for (const Finding& cached : *memo) {
      auto it = memo_gates.find(cached.gate_id);
      if (it == memo_gates.end() || it->second.second == Severity::kOff) continue;
      Finding f = cached;
      if (f.script_index >= 0 && static_cast<std::size_t>(f.script_index) < scripts.size())
        f.script = scripts[static_cast<std::size_t>(f.script_index)];
      admit(std::move(f), *it->second.first, it->second.second);
    }
  }
  if (last != nullptr) {
    Severity sev = policy.severity_for(last->info(), ctx.namespace_name);
    if (sev != Severity::kOff) {
      Context with_uses = ctx;
      with_uses.suppression_uses = &uses;
      run(*last, with_uses, sev);
    }
  }

  // An approval annotation turns the named gates' errors into recorded, admitted
  // findings; the approval is audited (auditAnnotations, decision log).
  if (ctx.approval.valid) {
    std::set<std::string> approved;
    for (Finding& f : v.findings) {
      if (f.severity != Severity::kError) continue;
      if (std::find(ctx.approval.gate_ids.begin(), ctx.approval.gate_ids.end(), f.gate_id) ==
          ctx.approval.gate_ids.end())
        continue;
      f.severity = Severity::kWarning;
      f.approval = ctx.approval.reason;
      approved.insert(f.gate_id);
    }
    v.approved_gates.assign(approved.begin(), approved.end());
    if (!approved.empty()) v.approval_reason = ctx.approval.reason;
  }

  std::sort(v.findings.begin(), v.findings.end(), finding_less);
  v.would_deny = v.count(Severity::kError) > 0;
  v.decision = v.would_deny && !v.audit ? Decision::kDeny : Decision::kAllow;
  return v;
}

}  // namespace schemagate::gates
