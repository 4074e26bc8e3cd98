#include "server/plan.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "gates/common/digest.hpp"
#include "gates/common/text.hpp"
#include "gates/engine.hpp"
#include "gates/registry.hpp"
#include "server/job_input.hpp"
#include "server/migration_cache.hpp"

namespace schemagate::server {
namespace {

using nlohmann::json;

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// sha256 over each (name, text), length-prefixed, in name order; hex.
std::string content_hash(const std::vector<std::pair<std::string, std::string>>& files) {
  digest::Sha256 h;
  for (const auto& [name, text] : files) {
    for (const std::string* part : {&name, &text})
      h.add(std::to_string(part->size()) + ":").add(*part);
  }
  return h.hex();
}

bool valid_configmap_key(const std::string& key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

// {tenant}, {namespace}, {schema}, {database} in every string of the template.
void fill_placeholders(json& v, const std::map<std::string, std::string>& values) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.find('{') == std::string::npos) return;
    for (const auto& [k, val] : values)
      s = replace_all(std::move(s), "{" + k + "}", val);
    v = s;
  } else if (v.is_object() || v.is_array()) {
    for (auto& item : v)
      fill_placeholders(item, values);
  }
}

// Sets env `name` of a container to `value` (replacing an existing entry).
void set_env(json& container, const std::string& name, const std::string& value) {
  json& env = container["env"];
  if (!env.is_array()) env = json::array();
  for (json& e : env) {
    if (e.value("name", "") == name) {
      e = {{"name", name}, {"value", value}};
      return;
    }
  }
  env.push_back({{"name", name}, {"value", value}});
}

// Appends the settings PGOPTIONS lacks; a PGOPTIONS from a reference is left alone
// (we never read Secrets) and job.require-timeouts judges the result.
void harden_pgoptions(json& container, const PlanOptions& options) {
  json& env = container["env"];
  if (!env.is_array()) env = json::array();
  json* existing = nullptr;
  for (json& e : env) {
    if (e.value("name", "") == "PGOPTIONS") existing = &e;
  }
  if (existing != nullptr && !existing->contains("value") && existing->contains("valueFrom")) return;
  std::string value = existing != nullptr ? existing->value("value", "") : "";
  auto have = parse_pgoptions(value);
  for (const auto& [name, v] : {std::pair<std::string, std::string>{"lock_timeout", options.lock_timeout},
                                {"statement_timeout", options.statement_timeout}}) {
    if (have.count(name) != 0) continue;
    value += (value.empty() ? "" : " ") + std::string("-c ") + name + "=" + v;
  }
  if (existing != nullptr) {
    (*existing)["value"] = value;
  } else {
    env.push_back({{"name", "PGOPTIONS"}, {"value", value}});
  }
}

// The rollback command: the template's "up" argument turned into the tool's one-step
// down. Returns false when there is no "up" to turn.
bool to_down_command(json& container, const std::string& format) {
  std::vector<std::string> down;
  if (format == "golang-migrate") down = {"down", "1"};  // bare `down` asks for confirmation
  if (format == "goose") down = {"down"};
  if (format == "flyway") down = {"undo"};
  if (down.empty()) return false;
  std::string joined;
  for (const auto& d : down)
    joined += (joined.empty() ? "" : " ") + d;
  bool changed = false;
  for (const char* field : {"command", "args"}) {
    if (!container.contains(field) || !container[field].is_array()) continue;
    json out = json::array();
    for (const json& a : container[field]) {
      std::string s = a.is_string() ? a.get<std::string>() : std::string();
      if (s == "up") {
        for (const auto& d : down)
          out.push_back(d);
        changed = true;
        continue;
      }
      // A shell script: replace the word "up" (space-separated) once.
      std::string padded = " " + s + " ";
      std::size_t at = padded.find(" up ");
      if (s.find(' ') != std::string::npos && at != std::string::npos) {
        padded.replace(at + 1, 2, joined);
        out.push_back(padded.substr(1, padded.size() - 2));
        changed = true;
        continue;
      }
      out.push_back(a);
    }
    container[field] = out;
  }
  return changed;
}

std::string first_of(const std::string* list, const std::string& fallback) {
  if (list == nullptr) return fallback;
  auto items = schemagate::text::split_list(*list);
  return items.empty() ? fallback : items.front();
}

// A DNS label of at most 63 characters: prefix shortened, suffix kept.
std::string object_name(std::string prefix, const std::string& suffix) {
  const std::size_t room = 63 - suffix.size() - 1;
  if (prefix.size() > room) prefix.resize(room);
  while (!prefix.empty() && prefix.back() == '-')
    prefix.pop_back();
  return prefix + "-" + suffix;
}

// Clears what the apiserver sets on a live Job, so a Job exported with
// `kubectl get -o yaml` works as a template.
void strip_server_fields(json& job) {
  job.erase("status");
  json& meta = job["metadata"];
  for (const char* k : {"namespace", "uid", "resourceVersion", "creationTimestamp", "generation",
                        "generateName", "managedFields", "selfLink", "ownerReferences"})
    meta.erase(k);
  if (meta.contains("annotations"))
    meta["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
  json& spec = job["spec"];
  spec.erase("selector");
  spec.erase("manualSelector");
  if (spec["template"].contains("metadata") && spec["template"]["metadata"].contains("labels")) {
    json& labels = spec["template"]["metadata"]["labels"];
    for (const char* k :
         {"controller-uid", "job-name", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"})
      labels.erase(k);
  }
}

class PlanClusterView final : public gates::ClusterView {
 public:
  PlanClusterView(const gates::ClusterView& base, std::vector<gates::ConfigMap> extra)
      : base_(base), extra_(std::move(extra)) {}
  std::optional<gates::Namespace> get_namespace(std::string_view name) const override {
    return base_.get_namespace(name);
  }
  std::optional<gates::ConfigMap> get_configmap(std::string_view ns, std::string_view name) const override {
    for (const auto& cm : extra_) {
      if (cm.meta.namespace_name == ns && cm.meta.name == name) return cm;
    }
    return base_.get_configmap(ns, name);
  }
  std::shared_ptr<const gates::ConfigMap> configmap(std::string_view ns,
                                                    std::string_view name) const override {
    for (const auto& cm : extra_) {
      if (cm.meta.namespace_name == ns && cm.meta.name == name)
        return std::shared_ptr<const gates::ConfigMap>(std::shared_ptr<void>(), &cm);  // lives with the view
    }
    return base_.configmap(ns, name);
  }
  std::vector<gates::Namespace> list_namespaces() const override { return base_.list_namespaces(); }
  std::vector<gates::Job> migration_jobs(std::string_view ns) const override {
    return base_.migration_jobs(ns);
  }
  std::vector<gates::Lease> list_leases(std::string_view ns) const override { return base_.list_leases(ns); }
  bool synced() const override { return base_.synced(); }
  void for_each_namespace(const std::function<void(const gates::Namespace&)>& f) const override {
    base_.for_each_namespace(f);
  }
  std::uint64_t namespaces_version() const override { return base_.namespaces_version(); }

 private:
  const gates::ClusterView& base_;
  std::vector<gates::ConfigMap> extra_;
};

}  // namespace

std::vector<json> Plan::objects() const {
  std::vector<json> out;
  for (const auto& t : tenants) {
    out.push_back(t.configmap);
    out.push_back(t.job);
    out.push_back(t.rollback_job);
  }
  return out;
}

bool make_plan(const PlanInput& input, const PlanOptions& options, Plan& out, std::string& error) {
  const json& tpl = input.job_template;
  gates::Policy defaults;
  const gates::Policy& policy = input.policy ? *input.policy : defaults;
  if (!tpl.is_object() || tpl.value("kind", "") != "Job" || tpl.value("apiVersion", "") != "batch/v1") {
    error = "the job template must be one batch/v1 Job";
    return false;
  }
  const json* containers = nullptr;
  if (tpl.contains("spec") && tpl["spec"].contains("template") && tpl["spec"]["template"].contains("spec"))
    containers = &tpl["spec"]["template"]["spec"]["containers"];
  if (containers == nullptr || !containers->is_array() || containers->empty()) {
    error = "the job template has no spec.template.spec.containers";
    return false;
  }

  // The migrations, keyed by file name as the ConfigMap will hold them.
  std::map<std::string, std::string> files;
  for (const auto& m : input.migrations) {
    std::filesystem::path p(m.name);
    if (p.extension() != ".sql") continue;  // goose .go migrations cannot ship in a ConfigMap
    std::string key = p.filename().string();
    if (!valid_configmap_key(key)) {
      error = m.name + ": a ConfigMap key may hold only letters, digits, '-', '_' and '.'";
      return false;
    }
    if (!files.emplace(key, m.text).second) {
      error = m.name + ": another migration has the file name " + key + " (ConfigMap keys must be unique)";
      return false;
    }
  }
  if (files.empty()) {
    error = "the migrations directory holds no .sql file";
    return false;
  }
  // The apiserver refuses a ConfigMap over 1 MiB (data plus metadata); fail here, not mid-rollout.
  std::size_t bytes = 0;
  for (const auto& [k, v] : files)
    bytes += k.size() + v.size();
  constexpr std::size_t kConfigMapLimit = 1000 * 1000;
  if (bytes > kConfigMapLimit) {
    error = "the migrations hold " + std::to_string(bytes) +
            " bytes, more than a ConfigMap can (1 MiB): split the directory and plan each part";
    return false;
  }
  out = Plan{};
  out.hash8 = content_hash({files.begin(), files.end()}).substr(0, 8);

  const json& tmeta = tpl.contains("metadata") ? tpl["metadata"] : json::object();
  const json* tann = tmeta.contains("annotations") ? &tmeta["annotations"] : nullptr;
  if (tann != nullptr && tann->contains(gates::keys::kFormat)) {
    out.format = (*tann)[std::string(gates::keys::kFormat)].get<std::string>();
  } else {
    std::vector<sql::MigrationInput> inputs;
    inputs.reserve(files.size());
    for (const auto& [k, v] : files)
      inputs.push_back({k, v});
    sql::LoadOptions load;
    load.pg_major = policy.postgres_version;
    auto set = sql::build_migration_set(std::move(inputs), load);
    out.format = set->migrations.empty() ? "plain" : std::string(sql::format_name(set->migrations[0].format));
  }

  // Tenants: labelled Namespaces, sorted by tenant then namespace.
  std::vector<const gates::Namespace*> tenants;
  for (const auto& ns : input.namespaces) {
    if (ns.tenant() != nullptr && options.namespace_selector.matches(ns.meta.labels)) tenants.push_back(&ns);
  }
  std::sort(tenants.begin(), tenants.end(), [](const gates::Namespace* a, const gates::Namespace* b) {
    return std::tie(*a->tenant(), a->meta.name) < std::tie(*b->tenant(), b->meta.name);
  });
  if (tenants.empty()) {
    error = "no Namespace labelled " + std::string(gates::keys::kTenant) +
            (options.namespace_selector.terms.empty() ? "" : " matches --namespace-selector") +
            " in the cluster state";
    return false;
  }

  // Waves: canaries first, then batches no larger than the policy lets run at once.
  const int max = policy.concurrency.max_concurrent_migrations;
  int batch = options.waves.batch > 0 ? std::min(options.waves.batch, max) : max;
  if (options.waves.batch > max) {
    out.notes.push_back("batch=" + std::to_string(options.waves.batch) +
                        " is above the policy's concurrency.maxConcurrentMigrations; batches hold " +
                        std::to_string(max) + " tenants");
  }
  std::vector<const gates::Namespace*> canaries;
  std::vector<const gates::Namespace*> rest;
  if (!options.waves.canary_tenants.empty()) {
    for (const auto& c : options.waves.canary_tenants) {
      bool known =
          std::any_of(tenants.begin(), tenants.end(), [&](const auto* ns) { return *ns->tenant() == c; });
      if (!known) {
        error = "--canary names tenant " + c + ", which no selected Namespace belongs to";
        return false;
      }
    }
    for (const auto* ns : tenants) {
      bool canary = std::find(options.waves.canary_tenants.begin(), options.waves.canary_tenants.end(),
                              *ns->tenant()) != options.waves.canary_tenants.end();
      (canary ? canaries : rest).push_back(ns);
    }
  } else {
    std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(options.waves.canary), tenants.size());
    canaries.assign(tenants.begin(), tenants.begin() + static_cast<std::ptrdiff_t>(n));
    rest.assign(tenants.begin() + static_cast<std::ptrdiff_t>(n), tenants.end());
  }
  std::vector<std::pair<const gates::Namespace*, int>> waves;
  int wave = 0;
  for (const auto* group : {&canaries, &rest}) {
    for (std::size_t i = 0; i < group->size(); ++i) {
      if (i % static_cast<std::size_t>(batch) == 0) ++wave;
      waves.emplace_back((*group)[i], wave);
    }
  }

  std::string prefix = tmeta.value("name", "");
  if (prefix.empty()) prefix = tmeta.value("generateName", "");
  while (!prefix.empty() && prefix.back() == '-')
    prefix.pop_back();
  if (prefix.empty()) prefix = "migrate";
  const std::string cm_name = object_name(prefix, "migrations-" + out.hash8);
  const std::string job_name = object_name(prefix, out.hash8);
  const std::string rollback_name = object_name(prefix, "rollback-" + out.hash8);
  bool rollback_turned = true;

  for (const auto& [ns, wave_no] : waves) {
    PlannedTenant t;
    t.tenant = *ns->tenant();
    t.namespace_name = ns->meta.name;
    t.schema = first_of(ns->meta.annotation(gates::keys::kSchemas),
                        replace_all(policy.tenancy.schema_template, "{tenant}", t.tenant));
    t.database = first_of(ns->meta.annotation(gates::keys::kDatabases),
                          replace_all(policy.tenancy.database_template, "{tenant}", t.tenant));
    t.wave = wave_no;
    const std::string wave_label = std::to_string(wave_no);

    t.configmap = {{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata",
                    {{"name", cm_name},
                     {"namespace", t.namespace_name},
                     {"labels", {{"schemagate.io/wave", wave_label}}}}},
                   // The name carries the content hash: the ConfigMap never changes.
                   {"immutable", true},
                   {"data", json(files)}};

    json job = tpl;
    strip_server_fields(job);
    fill_placeholders(job, {{"tenant", t.tenant},
                            {"namespace", t.namespace_name},
                            {"schema", t.schema},
                            {"database", t.database}});
    json& meta = job["metadata"];
    meta["name"] = job_name;
    meta["namespace"] = t.namespace_name;
    meta["labels"][std::string(gates::keys::kMigration)] = "true";
    meta["labels"]["schemagate.io/wave"] = wave_label;
    meta["annotations"][std::string(gates::keys::kDatabase)] = t.database;
    meta["annotations"][std::string(gates::keys::kSchema)] = t.schema;
    meta["annotations"][std::string(gates::keys::kMigrations)] = cm_name;
    meta["annotations"][std::string(gates::keys::kFormat)] = out.format;
    json& spec = job["spec"];
    spec["backoffLimit"] = 0;
    if (!spec.contains("activeDeadlineSeconds"))
      spec["activeDeadlineSeconds"] = options.active_deadline_seconds;
    json& pod = spec["template"]["spec"];
    pod["restartPolicy"] = "Never";
    // The SQL: the pod volume "migrations" holds the generated ConfigMap; a container
    // that mounts it keeps its mountPath, else the first container gets /migrations.
    json& volumes = pod["volumes"];
    if (!volumes.is_array()) volumes = json::array();
    json volume = {{"name", "migrations"}, {"configMap", {{"name", cm_name}}}};
    auto vit = std::find_if(volumes.begin(), volumes.end(),
                            [](const json& v) { return v.value("name", "") == "migrations"; });
    if (vit != volumes.end()) {
      *vit = volume;
    } else {
      volumes.push_back(volume);
    }
    bool mounted = false;
    for (const char* list : {"initContainers", "containers"}) {
      if (!pod.contains(list)) continue;
      for (json& c : pod[list]) {
        harden_pgoptions(c, options);
        set_env(c, "SCHEMAGATE_DIRECTION", "up");
        if (!c.contains("volumeMounts")) continue;
        for (const json& m : c["volumeMounts"])
          mounted = mounted || m.value("name", "") == "migrations";
      }
    }
    if (!mounted) {
      pod["containers"][0]["volumeMounts"].push_back(
          {{"name", "migrations"}, {"mountPath", "/migrations"}, {"readOnly", true}});
    }
    t.job = job;

    // The rollback: the same Job running the down migrations, created suspended.
    json rb = job;
    rb["metadata"]["name"] = rollback_name;
    rb["metadata"]["labels"]["schemagate.io/rollback"] = "true";
    rb["spec"]["suspend"] = true;
    bool turned = false;
    for (const char* list : {"initContainers", "containers"}) {
      if (!rb["spec"]["template"]["spec"].contains(list)) continue;
      for (json& c : rb["spec"]["template"]["spec"][list]) {
        set_env(c, "SCHEMAGATE_DIRECTION", "down");
        turned = to_down_command(c, out.format) || turned;
      }
    }
    rollback_turned = rollback_turned && turned;
    t.rollback_job = rb;
    out.tenants.push_back(std::move(t));
  }
  if (!rollback_turned) {
    out.notes.push_back(
        "rollback Jobs run the template's command with SCHEMAGATE_DIRECTION=down: no \"up\" "
        "argument was found to turn into the " +
        out.format + " down command, so the command must honour the variable");
  }
  return true;
}

std::vector<PlanVerdict> judge_plan(const Plan& plan, const gates::Policy& policy,
                                    const gates::ClusterView& cluster) {
  std::vector<gates::ConfigMap> generated;
  for (const auto& t : plan.tenants)
    generated.push_back(gates::configmap_from_json(t.configmap));
  PlanClusterView view(cluster, std::move(generated));
  MigrationCache cache;  // every tenant's ConfigMap holds the same SQL: parsed once
  gates::Engine engine(gates::builtin_registry());
  std::vector<PlanVerdict> out;
  for (const auto& t : plan.tenants) {
    for (const json* job : {&t.job, &t.rollback_job}) {
      JobContextOptions jo;
      jo.policy = &policy;
      jo.cluster = &view;
      jo.cache = &cache;
      auto jc = build_job_context(*job, t.namespace_name, jo);
      out.push_back(PlanVerdict{&t, (*job)["metadata"]["name"].get<std::string>(), engine.evaluate(jc->ctx)});
    }
  }
  return out;
}

}  // namespace schemagate::server
