// `schemagate plan --job-template job.yaml --migrations DIR --cluster-state F
//   [--waves canary=N,batch=N] [--canary a,b] [--config policy.yaml]
//   [--namespace-selector sel] [--lock-timeout 5s] [--statement-timeout 15min]
//   [--active-deadline 1800]`
// Prints the rollout as multi-document YAML on stdout and a summary on stderr.
// Every generated Job is judged by the engine first: one that admission would deny
// fails the whole plan (exit 1) and nothing is printed on stdout, so
// `schemagate plan ... | kubectl apply -f -` applies all or nothing.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "gates/registry.hpp"
#include "k8s/static_cluster_view.hpp"
#include "k8s/yaml_json.hpp"
#include "server/commands.hpp"
#include "server/flags.hpp"
#include "server/plan.hpp"
#include "server/plan_yaml.hpp"

namespace schemagate::server {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Left-aligned columns, two spaces apart.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    width.resize(std::max(width.size(), r.size()));
    for (std::size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i)
      line += r[i] + (i + 1 < r.size() ? std::string(width[i] - r[i].size() + 2, ' ') : "");
    out += line + "\n";
  }
  return out;
}

}  // namespace

int cmd_plan(const Args& args) {
  for (const auto& a : args) {
    if (a == "--kubeconfig" || a.rfind("--kubeconfig=", 0) == 0) {
      throw UsageError(
          "--kubeconfig is not supported yet (schemagate has no live Kubernetes client): export the tenants "
          "with `kubectl get namespaces -o yaml > state.yaml` and pass --cluster-state state.yaml");
    }
  }
  Flags flags(args, {"--job-template", "--migrations", "--cluster-state", "--waves", "--canary", "--config",
                     "--namespace-selector", "--lock-timeout", "--statement-timeout", "--active-deadline"});
  if (!flags.positional().empty()) throw UsageError("plan takes no positional arguments");
  auto tpl_path = flags.get("--job-template");
  auto dir = flags.get("--migrations");
  auto state_path = flags.get("--cluster-state");
  if (!tpl_path || !dir || !state_path)
    throw UsageError("plan needs --job-template FILE, --migrations DIR and --cluster-state FILE");

  PlanOptions options;
  std::string error;
  if (auto w = flags.get("--waves"); w && !parse_waves(*w, options.waves, error)) throw UsageError(error);
  if (auto c = flags.get("--canary")) {
    std::stringstream in(*c);
    for (std::string t; std::getline(in, t, ',');) {
      if (!t.empty()) options.waves.canary_tenants.push_back(t);
    }
  }
  if (auto s = flags.get("--namespace-selector");
      s && !parse_label_selector(*s, options.namespace_selector, error))
    throw UsageError(error);
  options.lock_timeout = flags.get_or("--lock-timeout", options.lock_timeout);
  options.statement_timeout = flags.get_or("--statement-timeout", options.statement_timeout);
  if (auto d = flags.get("--active-deadline")) {
    try {
      options.active_deadline_seconds = std::stoll(*d);
    } catch (...) {
      throw UsageError("--active-deadline must be a number of seconds");
    }
    if (options.active_deadline_seconds <= 0) throw UsageError("--active-deadline must be positive");
  }

  const gates::Registry& registry = gates::builtin_registry();
  gates::Policy policy;
  if (auto path = flags.get("--config"); path && !gates::load_policy_file(*path, registry, policy, error)) {
    std::cerr << "schemagate plan: " << error << "\n";
    return 2;
  }

  PlanInput input;
  input.policy = &policy;
  std::vector<k8s::YamlDocument> docs;
  if (!k8s::parse_yaml_documents(read_file(*tpl_path), *tpl_path, docs, error)) {
    std::cerr << "schemagate plan: " << error << "\n";
    return 2;
  }
  if (docs.size() != 1) {
    std::cerr << "schemagate plan: " << *tpl_path << ": expected one Job, found " << docs.size()
              << " documents\n";
    return 2;
  }
  input.job_template = docs[0].object;
  if (!sql::read_migration_paths({*dir}, input.migrations, error)) {
    std::cerr << "schemagate plan: " << error << "\n";
    return 2;
  }
  k8s::ClusterSnapshot cluster;
  if (!k8s::parse_cluster_state(read_file(*state_path), *state_path, cluster, error)) {
    std::cerr << "schemagate plan: " << error << "\n";
    return 2;
  }
  input.namespaces = cluster.list_namespaces();

  Plan plan;
  if (!make_plan(input, options, plan, error)) {
    std::cerr << "schemagate plan: " << error << "\n";
    return 2;
  }

  // Judge every generated Job as admission would; collect every denial before failing.
  std::vector<PlanVerdict> verdicts = judge_plan(plan, policy, cluster);
  std::map<const PlannedTenant*, std::size_t> warnings;
  std::size_t denied = 0;
  for (const auto& v : verdicts) {
    warnings[v.tenant] += v.verdict.count(gates::Severity::kWarning);
    if (v.verdict.decision != gates::Decision::kDeny) continue;
    ++denied;
    std::cerr << "schemagate plan: tenant " << v.tenant->tenant << " (namespace " << v.tenant->namespace_name
              << "): Job " << v.job_name << " would be denied:\n";
    for (const auto& f : v.verdict.findings) {
      if (f.severity != gates::Severity::kError) continue;
      std::cerr << "  [" << f.gate_id << "] " << f.location.display() << ": " << f.message << " — " << f.help
                << "\n";
    }
  }

  std::vector<std::vector<std::string>> rows = {
      {"TENANT", "NAMESPACE", "DATABASE", "SCHEMA", "WAVE", "WARNINGS"}};
  for (const auto& t : plan.tenants) {
    rows.push_back({t.tenant, t.namespace_name, t.database, t.schema, std::to_string(t.wave),
                    std::to_string(warnings[&t])});
  }
  std::cerr << table(rows);
  for (const auto& n : plan.notes)
    std::cerr << "note: " << n << "\n";
  if (denied > 0) {
    std::cerr << "schemagate plan: " << denied << " generated Job" << (denied == 1 ? "" : "s")
              << " would be denied; no plan printed\n";
    return 1;
  }
  std::cerr << plan.tenants.size() << " tenant" << (plan.tenants.size() == 1 ? "" : "s") << ", "
            << (plan.tenants.empty() ? 0 : plan.tenants.back().wave) << " wave"
            << (plan.tenants.empty() || plan.tenants.back().wave == 1 ? "" : "s") << ", migrations "
            << plan.hash8 << " (" << plan.format << "); apply a wave with: kubectl apply -f plan.yaml -l "
            << "schemagate.io/wave=1\n";
  std::cout << to_yaml_stream(plan.objects());
  return 0;
}

}  // namespace schemagate::server
