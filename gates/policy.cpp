#include "gates/policy.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "gates/registry.hpp"

namespace schemagate::gates {

std::string_view tenancy_model_name(TenancyModel m) {
  switch (m) {
    case TenancyModel::kSchemaPerTenant:
      return "schema-per-tenant";
    case TenancyModel::kDatabasePerTenant:
      return "database-per-tenant";
    case TenancyModel::kSharedSchema:
      return "shared-schema";
  }
  return "schema-per-tenant";
}

Severity Policy::severity_for(const GateInfo& info, std::string_view ns) const {
  auto nit = namespaces.find(std::string(ns));
  if (nit != namespaces.end()) {
    auto git = nit->second.find(info.id);
    if (git != nit->second.end() && git->second.severity) return *git->second.severity;
  }
  auto git = gates.find(info.id);
  if (git != gates.end() && git->second.severity) return *git->second.severity;
  return info.default_severity;
}

Options Policy::options_for(const GateInfo& info, std::string_view ns) const {
  std::map<std::string, std::string> values;
  for (const auto& o : info.options)
    values[o.name] = o.default_value;
  auto apply = [&](const GateSetting& s) {
    for (const auto& [k, v] : s.options)
      values[k] = v;
  };
  if (auto git = gates.find(info.id); git != gates.end()) apply(git->second);
  if (auto nit = namespaces.find(std::string(ns)); nit != namespaces.end()) {
    if (auto git = nit->second.find(info.id); git != nit->second.end()) apply(git->second);
  }
  return Options(values);  // a copy either way: Options keys its map with std::less<>
}

bool Policy::is_exempt(std::string_view ns) const {
  return std::find(exempt_namespaces.begin(), exempt_namespaces.end(), ns) != exempt_namespaces.end();
}

namespace {

struct PolicyError {
  std::string message;
};

[[noreturn]] void fail(const std::string& source, const YAML::Node& at, const std::string& what) {
  YAML::Mark m = at.Mark();
  std::ostringstream out;
  out << source;
  if (!m.is_null()) out << ":" << (m.line + 1) << ":" << (m.column + 1);
  out << ": " << what;
  throw PolicyError{out.str()};
}

void expect_map(const std::string& src, const YAML::Node& n, const std::string& what) {
  if (!n.IsMap()) fail(src, n, what + " must be a mapping");
}

void check_keys(const std::string& src, const YAML::Node& n, const std::set<std::string>& allowed,
                const std::string& where) {
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string key = it->first.as<std::string>();
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      fail(src, it->first, "unknown key '" + key + "' in " + where + " (expected one of: " + list + ")");
    }
  }
}

int as_int(const std::string& src, const YAML::Node& n, const std::string& key, int min) {
  int v = 0;
  try {
    v = n.as<int>();
  } catch (const YAML::Exception&) {
    fail(src, n, key + " must be an integer");
  }
  if (v < min) fail(src, n, key + " must be at least " + std::to_string(min));
  return v;
}

std::string as_str(const std::string& src, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) fail(src, n, key + " must be a string");
  return n.as<std::string>();
}

std::vector<std::string> as_list(const std::string& src, const YAML::Node& n, const std::string& key) {
  if (!n.IsSequence()) fail(src, n, key + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : n)
    out.push_back(as_str(src, item, key + " item"));
  return out;
}

Severity as_severity(const std::string& src, const YAML::Node& n, const std::string& gate) {
  auto s = parse_severity(n.IsScalar() ? n.as<std::string>() : std::string());
  if (!s) fail(src, n, "severity of " + gate + " must be error, warning, info or off");
  return *s;
}

std::string option_value(const std::string& src, const YAML::Node& n, const OptionSpec& spec,
                         const std::string& gate) {
  std::string where = gate + " option " + spec.name;
  switch (spec.type) {
    case OptionSpec::Type::kBool: {
      std::string v = as_str(src, n, where);
      if (v != "true" && v != "false") fail(src, n, where + " must be true or false");
      return v;
    }
    case OptionSpec::Type::kInt:
      return std::to_string(as_int(src, n, where, 0));
    case OptionSpec::Type::kString:
      return as_str(src, n, where);
    case OptionSpec::Type::kStringList: {
      std::string joined;
      for (const auto& s : as_list(src, n, where))
        joined += (joined.empty() ? "" : ",") + s;
      return joined;
    }
  }
  return {};
}

GateSetting gate_setting(const std::string& src, const YAML::Node& key, const YAML::Node& value,
                         const Registry& registry) {
  std::string id = key.as<std::string>();
  const Gate* gate = registry.find(id);
  if (gate == nullptr) fail(src, key, "unknown gate '" + id + "' (see `schemagate gates`)");
  GateSetting s;
  if (value.IsScalar()) {
    s.severity = as_severity(src, value, id);
    return s;
  }
  expect_map(src, value, id);
  for (auto it = value.begin(); it != value.end(); ++it) {
    std::string k = it->first.as<std::string>();
    if (k == "severity") {
      s.severity = as_severity(src, it->second, id);
      continue;
    }
    const auto& opts = gate->info().options;
    auto spec = std::find_if(opts.begin(), opts.end(), [&](const OptionSpec& o) { return o.name == k; });
    if (spec == opts.end()) {
      std::string list = "severity";
      for (const auto& o : opts)
        list += ", " + o.name;
      fail(src, it->first, "unknown option '" + k + "' for " + id + " (expected one of: " + list + ")");
    }
    s.options[k] = option_value(src, it->second, *spec, id);
  }
  return s;
}

std::map<std::string, GateSetting> gate_settings(const std::string& src, const YAML::Node& n,
                                                 const Registry& r) {
  std::map<std::string, GateSetting> out;
  if (n.IsNull()) return out;
  expect_map(src, n, "gates");
  for (auto it = n.begin(); it != n.end(); ++it)
    out[it->first.as<std::string>()] = gate_setting(src, it->first, it->second, r);
  return out;
}

void parse(const std::string& src, const YAML::Node& root, const Registry& registry, Policy& p) {
  if (root.IsNull()) return;  // an empty file: all defaults
  expect_map(src, root, "the policy");
  check_keys(src, root,
             {"postgresVersion", "mode", "failureMode", "tenancy", "concurrency", "cache", "gates",
              "namespaces", "exemptNamespaces", "downMigrationLint"},
             "the policy");
  if (auto n = root["postgresVersion"]) {
    p.postgres_version = as_int(src, n, "postgresVersion", 9);
    if (p.postgres_version > 17) fail(src, n, "postgresVersion must be between 9 and 17");
  }
  if (auto n = root["mode"]) {
    std::string v = as_str(src, n, "mode");
    if (v != "enforce" && v != "audit") fail(src, n, "mode must be enforce or audit");
    p.mode = v == "audit" ? Mode::kAudit : Mode::kEnforce;
  }
  if (auto n = root["failureMode"]) {
    std::string v = as_str(src, n, "failureMode");
    if (v != "closed" && v != "open") fail(src, n, "failureMode must be closed or open");
    p.failure_mode = v == "open" ? FailureMode::kOpen : FailureMode::kClosed;
  }
  if (auto t = root["tenancy"]) {
    expect_map(src, t, "tenancy");
    check_keys(src, t,
               {"model", "schemaTemplate", "databaseTemplate", "tenantColumn", "sharedSchemas",
                "unlabeledNamespace"},
               "tenancy");
    if (auto n = t["model"]) {
      std::string v = as_str(src, n, "tenancy.model");
      if (v == "schema-per-tenant") {
        p.tenancy.model = TenancyModel::kSchemaPerTenant;
      } else if (v == "database-per-tenant") {
        p.tenancy.model = TenancyModel::kDatabasePerTenant;
      } else if (v == "shared-schema") {
        p.tenancy.model = TenancyModel::kSharedSchema;
      } else {
        fail(src, n, "tenancy.model must be schema-per-tenant, database-per-tenant or shared-schema");
      }
    }
    if (auto n = t["schemaTemplate"]) p.tenancy.schema_template = as_str(src, n, "tenancy.schemaTemplate");
    if (auto n = t["databaseTemplate"])
      p.tenancy.database_template = as_str(src, n, "tenancy.databaseTemplate");
    if (auto n = t["tenantColumn"]) p.tenancy.tenant_column = as_str(src, n, "tenancy.tenantColumn");
    if (auto n = t["sharedSchemas"]) p.tenancy.shared_schemas = as_list(src, n, "tenancy.sharedSchemas");
    if (auto n = t["unlabeledNamespace"]) {
      std::string v = as_str(src, n, "tenancy.unlabeledNamespace");
      if (v != "deny" && v != "allow") fail(src, n, "tenancy.unlabeledNamespace must be deny or allow");
      p.tenancy.deny_unlabeled_namespace = v == "deny";
    }
  }
  if (auto c = root["concurrency"]) {
    expect_map(src, c, "concurrency");
    check_keys(src, c, {"maxConcurrentMigrations", "leaseDurationSeconds"}, "concurrency");
    if (auto n = c["maxConcurrentMigrations"])
      p.concurrency.max_concurrent_migrations = as_int(src, n, "concurrency.maxConcurrentMigrations", 1);
    if (auto n = c["leaseDurationSeconds"])
      p.concurrency.lease_duration_seconds = as_int(src, n, "concurrency.leaseDurationSeconds", 10);
  }
  if (auto c = root["cache"]) {
    expect_map(src, c, "cache");
    check_keys(src, c, {"maxStalenessSeconds"}, "cache");
    if (auto n = c["maxStalenessSeconds"])
      p.cache.max_staleness_seconds = as_int(src, n, "cache.maxStalenessSeconds", 0);
  }
  if (auto g = root["gates"]) p.gates = gate_settings(src, g, registry);
  if (auto ns = root["namespaces"]) {
    if (!ns.IsNull()) {
      expect_map(src, ns, "namespaces");
      for (auto it = ns.begin(); it != ns.end(); ++it) {
        expect_map(src, it->second, "namespaces." + it->first.as<std::string>());
        check_keys(src, it->second, {"gates"}, "namespaces." + it->first.as<std::string>());
        p.namespaces[it->first.as<std::string>()] = gate_settings(src, it->second["gates"], registry);
      }
    }
  }
  if (auto n = root["exemptNamespaces"]) p.exempt_namespaces = as_list(src, n, "exemptNamespaces");
  if (auto n = root["downMigrationLint"]) {
    std::optional<Severity> s = parse_severity(as_str(src, n, "downMigrationLint"));
    if (!s) fail(src, n, "downMigrationLint must be error, warning, info or off");
    p.down_migration_lint = *s;
  }
}

}  // namespace

bool parse_policy(const std::string& text, const std::string& source, const Registry& registry, Policy& out,
                  std::string& error) {
  static std::atomic<std::uint64_t> generations{0};
  Policy p;
  p.source = source;
  p.generation = ++generations;
  try {
    YAML::Node root = YAML::Load(text);
    parse(source, root, registry, p);
  } catch (const PolicyError& e) {
    error = e.message;
    return false;
  } catch (const YAML::Exception& e) {
    std::ostringstream msg;
    msg << source;
    if (!e.mark.is_null()) msg << ":" << (e.mark.line + 1) << ":" << (e.mark.column + 1);
    msg << ": " << e.msg;
    error = msg.str();
    return false;
  }
  out = std::move(p);
  return true;
}

bool load_policy_file(const std::string& path, const Registry& registry, Policy& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read policy file";
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_policy(buf.str(), path, registry, out, error);
}

}  // namespace schemagate::gates
