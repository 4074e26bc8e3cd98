#include "gates/cluster_view.hpp"

#include <atomic>
#include <nlohmann/json.hpp>

#include "gates/common/digest.hpp"
#include "gates/common/json_fields.hpp"

namespace schemagate::gates {
namespace {

using json_fields::field;
using json_fields::string_field;
using nlohmann::json;

std::optional<std::int64_t> int_field(const json& j, const char* key) {
  const json& v = field(j, key);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return std::nullopt;
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  const json& v = field(j, key);
  if (!v.is_array()) return out;
  for (const json& s : v) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

void string_map(const json& j, std::map<std::string, std::string, std::less<>>& out) {
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out.emplace(it.key(), it.value().get<std::string>());
  }
}

Container container_from_json(const json& c) {
  Container out;
  out.name = string_field(c, "name");
  out.image = string_field(c, "image");
  out.command = strings(c, "command");
  out.args = strings(c, "args");
  const json& env = field(c, "env");
  if (env.is_array()) {
    for (const json& e : env) {
      EnvVar v;
      v.name = string_field(e, "name");
      v.value = string_field(e, "value");
      v.from_ref = field(e, "valueFrom").is_object();
      out.env.push_back(std::move(v));
    }
  }
  const json& env_from = field(c, "envFrom");
  if (env_from.is_array()) {
    for (const json& e : env_from) {
      std::string cm = string_field(field(e, "configMapRef"), "name");
      if (!cm.empty()) out.env_from_configmaps.push_back(cm);
    }
  }
  const json& mounts = field(c, "volumeMounts");
  if (mounts.is_array()) {
    for (const json& m : mounts)
      out.mounts.push_back(VolumeMount{string_field(m, "name"), string_field(m, "mountPath")});
  }
  const json& sc = field(c, "securityContext");
  out.privileged = field(sc, "privileged").is_boolean() && field(sc, "privileged").get<bool>();
  if (field(sc, "allowPrivilegeEscalation").is_boolean()) {
    out.allow_privilege_escalation = field(sc, "allowPrivilegeEscalation").get<bool>();
  }
  out.added_capabilities = strings(field(sc, "capabilities"), "add");
  return out;
}

}  // namespace

const std::string* ObjectMeta::label(std::string_view key) const {
  auto it = labels.find(key);
  return it == labels.end() ? nullptr : &it->second;
}

const std::string* ObjectMeta::annotation(std::string_view key) const {
  auto it = annotations.find(key);
  return it == annotations.end() ? nullptr : &it->second;
}

bool Job::is_migration() const {
  const std::string* v = meta.label(keys::kMigration);
  return v != nullptr && *v == "true";
}

const std::string* Namespace::tenant() const {
  return meta.label(keys::kTenant);
}

ObjectMeta meta_from_json(const json& j) {
  ObjectMeta m;
  const json& md = field(j, "metadata");
  m.name = string_field(md, "name");
  m.namespace_name = string_field(md, "namespace");
  m.uid = string_field(md, "uid");
  m.resource_version = string_field(md, "resourceVersion");
  m.creation_timestamp = string_field(md, "creationTimestamp");
  string_map(field(md, "labels"), m.labels);
  string_map(field(md, "annotations"), m.annotations);
  return m;
}

Job job_from_json(const json& j) {
  Job job;
  job.meta = meta_from_json(j);
  const json& spec = field(j, "spec");
  job.backoff_limit = int_field(spec, "backoffLimit");
  job.active_deadline_seconds = int_field(spec, "activeDeadlineSeconds");
  job.suspended = field(spec, "suspend").is_boolean() && field(spec, "suspend").get<bool>();
  const json& pod = field(field(spec, "template"), "spec");
  job.restart_policy = string_field(pod, "restartPolicy");
  for (const char* key : {"containers", "initContainers"}) {
    const json& list = field(pod, key);
    if (!list.is_array()) continue;
    auto& dest = std::string_view(key) == "containers" ? job.containers : job.init_containers;
    for (const json& c : list)
      dest.push_back(container_from_json(c));
  }
  const json& volumes = field(pod, "volumes");
  if (volumes.is_array()) {
    for (const json& v : volumes) {
      Volume vol;
      vol.name = string_field(v, "name");
      std::string cm = string_field(field(v, "configMap"), "name");
      if (!cm.empty()) vol.configmaps.push_back(cm);
      const json& sources = field(field(v, "projected"), "sources");
      if (sources.is_array()) {
        for (const json& s : sources) {
          std::string pcm = string_field(field(s, "configMap"), "name");
          if (!pcm.empty()) vol.configmaps.push_back(pcm);
        }
      }
      job.volumes.push_back(std::move(vol));
    }
  }
  for (const char* key : {"hostNetwork", "hostPID", "hostIPC"}) {
    const json& v = field(pod, key);
    bool on = v.is_boolean() && v.get<bool>();
    if (std::string_view(key) == "hostNetwork") job.host_network = on;
    if (std::string_view(key) == "hostPID") job.host_pid = on;
    if (std::string_view(key) == "hostIPC") job.host_ipc = on;
  }
  const json& status = field(j, "status");
  job.active = int_field(status, "active").value_or(0);
  job.succeeded = int_field(status, "succeeded").value_or(0);
  job.failed = int_field(status, "failed").value_or(0);
  const json& conditions = field(status, "conditions");
  if (conditions.is_array()) {
    for (const json& c : conditions) {
      if (string_field(c, "status") != "True") continue;
      if (string_field(c, "type") == "Complete") job.condition_complete = true;
      if (string_field(c, "type") == "Failed") job.condition_failed = true;
    }
  }
  return job;
}

Namespace namespace_from_json(const json& j) {
  return Namespace{meta_from_json(j)};
}

ConfigMap configmap_from_json(const json& j) {
  ConfigMap cm;
  cm.meta = meta_from_json(j);
  const json& data = field(j, "data");
  if (data.is_object()) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      if (!it.value().is_string()) continue;
      const std::string& text = it.value().get_ref<const std::string&>();
      if (it.key().size() > 4 && it.key().compare(it.key().size() - 4, 4, ".sql") == 0)
        cm.sql_digests.emplace(it.key(), digest::sha256(text));
      cm.data.emplace(it.key(), text);
    }
  }
  return cm;
}

Lease lease_from_json(const json& j) {
  Lease l;
  l.meta = meta_from_json(j);
  const json& spec = field(j, "spec");
  l.holder_identity = string_field(spec, "holderIdentity");
  l.lease_duration_seconds = int_field(spec, "leaseDurationSeconds").value_or(0);
  l.acquire_time = string_field(spec, "acquireTime");
  l.renew_time = string_field(spec, "renewTime");
  return l;
}

std::uint64_t next_state_version() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace schemagate::gates
