#include "server/job_input.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "gates/common/json_fields.hpp"
#include "gates/job/require_migration_sql.hpp"

namespace schemagate::server {
namespace {

using json_fields::field;
using json_fields::string_field;
using nlohmann::json;

std::vector<std::string> item_keys(const json& source) {
  std::vector<std::string> keys;
  const json& items = field(source, "items");
  if (!items.is_array()) return keys;
  for (const json& i : items) {
    std::string k = string_field(i, "key");
    if (!k.empty()) keys.push_back(std::move(k));
  }
  return keys;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return std::string(s);
}

void add_setting(std::map<std::string, std::string>& out, std::string_view assignment) {
  std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) return;
  std::string name(assignment.substr(0, eq));
  for (char& c : name)
    c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out[name] = std::string(assignment.substr(eq + 1));
}

}  // namespace

std::vector<MigrationSource> migration_sources(const json& job_object, const gates::Job& job) {
  std::vector<MigrationSource> out;
  std::set<std::string> seen;
  std::set<std::string> mounted;
  for (const auto* list : {&job.containers, &job.init_containers}) {
    for (const gates::Container& c : *list) {
      for (const gates::VolumeMount& m : c.mounts)
        mounted.insert(m.name);
    }
  }
  const json& volumes = field(field(field(field(job_object, "spec"), "template"), "spec"), "volumes");
  if (volumes.is_array()) {
    for (std::size_t i = 0; i < volumes.size(); ++i) {
      const json& v = volumes[i];
      if (!mounted.count(string_field(v, "name"))) continue;
      std::string base = "spec.template.spec.volumes[" + std::to_string(i) + "]";
      const json& cm = field(v, "configMap");
      if (std::string name = string_field(cm, "name"); !name.empty() && seen.insert(name).second) {
        out.push_back({name, base + ".configMap.name", item_keys(cm)});
      }
      const json& sources = field(field(v, "projected"), "sources");
      if (!sources.is_array()) continue;
      for (std::size_t j = 0; j < sources.size(); ++j) {
        const json& pcm = field(sources[j], "configMap");
        if (std::string name = string_field(pcm, "name"); !name.empty() && seen.insert(name).second) {
          out.push_back(
              {name, base + ".projected.sources[" + std::to_string(j) + "].configMap.name", item_keys(pcm)});
        }
      }
    }
  }
  if (const std::string* names = job.meta.annotation(gates::keys::kMigrations)) {
    std::string_view rest = *names;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string name = trim(rest.substr(0, comma));
      if (!name.empty() && seen.insert(name).second) {
        out.push_back({name, "metadata.annotations[schemagate.io/migrations]", {}});
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_pgoptions(std::string_view value) {
  // libpq splits PGOPTIONS on unescaped whitespace; a backslash escapes the next character.
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size()) {
      word += value[++i];
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));

  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i];
    if (w == "-c" && i + 1 < words.size()) {
      add_setting(out, words[++i]);
    } else if (w.size() > 2 && w.substr(0, 2) == "-c") {
      add_setting(out, w.substr(2));
    } else if (w.size() > 2 && w.substr(0, 2) == "--") {
      add_setting(out, w.substr(2));
    }
  }
  return out;
}

std::unique_ptr<JobContext> build_job_context(const json& job_object, std::string namespace_name,
                                              const JobContextOptions& options) {
  auto out = std::make_unique<JobContext>();
  out->job = gates::job_from_json(job_object);
  if (out->job.meta.namespace_name.empty()) out->job.meta.namespace_name = namespace_name;
  gates::Context& ctx = out->ctx;
  ctx.job = &out->job;
  ctx.policy = options.policy;
  ctx.cluster = options.cluster;
  ctx.namespace_name = std::move(namespace_name);
  ctx.operation = options.operation;
  ctx.dry_run = options.dry_run;
  if (const std::string* a = out->job.meta.annotation(gates::keys::kApprove)) {
    ctx.approval = gates::parse_approval(*a);
  }
  // Literal values only: a valueFrom may name a Secret, and we never read those.
  for (const auto* list : {&out->job.init_containers, &out->job.containers}) {
    for (const gates::Container& c : *list) {
      for (const gates::EnvVar& e : c.env) {
        if (e.name != "PGOPTIONS" || e.from_ref) continue;
        for (auto& [k, v] : parse_pgoptions(e.value))
          ctx.session_settings[k] = v;
      }
    }
  }

  sql::LoadOptions load;
  load.pg_major = options.policy ? options.policy->postgres_version : 15;
  if (const std::string* f = out->job.meta.annotation(gates::keys::kFormat)) {
    load.format = sql::parse_format(trim(*f));
    if (!load.format) {
      ctx.input_errors.push_back(gates::job::input_error(
          "metadata.annotations[schemagate.io/format]",
          "Unknown migration format '" + trim(*f) + "' (expected golang-migrate, goose, flyway or plain)."));
    }
  }
  // Texts held by the ConfigMaps (kept alive below) for inputs that came with a
  // digest only: copied into the inputs on a cache miss, never on a hit.
  std::vector<std::shared_ptr<const gates::ConfigMap>> held;
  std::vector<std::pair<std::size_t, const std::string*>> deferred;
  auto fill = [&deferred](std::vector<sql::MigrationInput>& inputs) {
    for (auto [index, text] : deferred)
      inputs[index].text = *text;
  };
  auto parse = [&](std::vector<sql::MigrationInput> inputs) -> std::shared_ptr<const sql::MigrationSet> {
    if (options.cache) return options.cache->get(std::move(inputs), load, fill);
    fill(inputs);
    return sql::build_migration_set(std::move(inputs), load);
  };

  if (options.sql_override) {
    out->migrations = parse(*options.sql_override);
    ctx.migrations = out->migrations.get();
    return out;
  }
  // The cheap path: a Job that is not a migration has no SQL to read.
  if (!out->job.is_migration()) return out;

  std::vector<sql::MigrationInput> inputs;
  const std::string& ns = ctx.namespace_name;
  for (const MigrationSource& src : migration_sources(job_object, out->job)) {
    if (options.cluster == nullptr) {
      ctx.input_errors.push_back(gates::job::input_error(
          src.location,
          "ConfigMap " + src.configmap + " cannot be read: schemagate was given no cluster state."));
      continue;
    }
    std::shared_ptr<const gates::ConfigMap> cm = options.cluster->configmap(ns, src.configmap);
    if (!cm) {
      ctx.input_errors.push_back(gates::job::input_error(
          src.location, "ConfigMap " + src.configmap + " does not exist in namespace " + ns + "."));
      continue;
    }
    std::size_t found = 0;
    for (const auto& [key, text] : cm->data) {
      if (!ends_with(key, ".sql")) continue;
      if (!src.keys.empty() && std::find(src.keys.begin(), src.keys.end(), key) == src.keys.end()) continue;
      std::string name = "configmap/" + src.configmap + "/" + key;
      if (auto digest = cm->sql_digests.find(key); digest != cm->sql_digests.end()) {
        deferred.emplace_back(inputs.size(), &text);
        inputs.push_back({std::move(name), std::string(), digest->second});
      } else {
        inputs.push_back({std::move(name), text});
      }
      ++found;
    }
    held.push_back(std::move(cm));
    if (found == 0) {
      ctx.input_errors.push_back(gates::job::input_error(
          src.location, "ConfigMap " + src.configmap + " in namespace " + ns + " holds no .sql key."));
    }
  }
  if (!inputs.empty()) {
    out->migrations = parse(std::move(inputs));
    ctx.migrations = out->migrations.get();
  }
  return out;
}

}  // namespace schemagate::server
