#include "gates/common/tenancy.hpp"

#include <algorithm>
#include <array>
#include <mutex>

#include "gates/common/text.hpp"

namespace schemagate::gates {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool Tenant::owns_schema(std::string_view s) const {
  return contains(schemas, s);
}
bool Tenant::owns_database(std::string_view d) const {
  return contains(databases, d);
}

bool Tenant::owns_role(std::string_view role) const {
  auto owned_by = [&](std::string_view base) {
    if (base.empty()) return false;
    if (role == base) return true;
    return role.size() > base.size() && role.substr(0, base.size()) == base && role[base.size()] == '_';
  };
  if (owned_by(id)) return true;
  for (const auto& s : schemas) {
    if (owned_by(s)) return true;
  }
  for (const auto& d : databases) {
    if (owned_by(d)) return true;
  }
  return false;
}

std::string Tenant::schema_list() const {
  std::string out;
  for (const auto& s : schemas)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string expand_tenant_template(std::string_view tmpl, std::string_view tenant) {
  std::string out(tmpl);
  static constexpr std::string_view kPlaceholder = "{tenant}";
  for (std::size_t at = out.find(kPlaceholder); at != std::string::npos; at = out.find(kPlaceholder, at)) {
    out.replace(at, kPlaceholder.size(), tenant);
    at += tenant.size();
  }
  return out;
}

std::optional<Tenant> tenant_of(const Namespace& ns, const Policy& policy) {
  const std::string* id = ns.tenant();
  if (id == nullptr || id->empty()) return std::nullopt;
  Tenant t;
  t.id = *id;
  t.namespace_name = ns.meta.name;
  if (const std::string* s = ns.meta.annotation(keys::kSchemas)) t.schemas = text::split_list(*s);
  if (t.schemas.empty()) t.schemas.push_back(expand_tenant_template(policy.tenancy.schema_template, t.id));
  if (const std::string* d = ns.meta.annotation(keys::kDatabases)) t.databases = text::split_list(*d);
  if (t.databases.empty())
    t.databases.push_back(expand_tenant_template(policy.tenancy.database_template, t.id));
  return t;
}

std::optional<Tenant> job_tenant(const Context& ctx) {
  if (ctx.job == nullptr || ctx.cluster == nullptr || ctx.policy == nullptr) return std::nullopt;
  std::optional<Namespace> ns = ctx.cluster->get_namespace(ctx.namespace_name);
  if (!ns) return std::nullopt;
  return tenant_of(*ns, *ctx.policy);
}

TenantDirectory::TenantDirectory(const ClusterView& cluster, const Policy& policy) {
  cluster.for_each_namespace([&](const Namespace& ns) {
    if (std::optional<Tenant> t = tenant_of(ns, policy)) tenants_.push_back(std::move(*t));
  });
  std::sort(tenants_.begin(), tenants_.end(),
            [](const Tenant& a, const Tenant& b) { return a.namespace_name < b.namespace_name; });
  for (std::size_t i = 0; i < tenants_.size(); ++i) {
    for (const std::string& s : tenants_[i].schemas)
      schemas_[s].push_back(i);
    for (const std::string& d : tenants_[i].databases)
      databases_[d].push_back(i);
  }
}

const Tenant* TenantDirectory::owner(std::string_view name, bool database, std::string_view self_id) const {
  const auto& index = database ? databases_ : schemas_;
  auto it = index.find(name);
  if (it == index.end()) return nullptr;
  for (std::size_t i : it->second) {
    if (tenants_[i].id != self_id) return &tenants_[i];
  }
  return nullptr;
}

std::shared_ptr<const TenantDirectory> tenant_directory(const Context& ctx) {
  if (ctx.cluster == nullptr || ctx.policy == nullptr) return nullptr;
  const std::uint64_t version = ctx.cluster->namespaces_version();
  if (version == 0) return std::make_shared<const TenantDirectory>(*ctx.cluster, *ctx.policy);
  // A few entries: one per (namespaces state, templates) in use, so two policies with
  // different templates do not evict each other on every review.
  struct Entry {
    std::uint64_t version = 0;
    std::string schema_template, database_template;
    std::shared_ptr<const TenantDirectory> directory;
  };
  static std::mutex mu;
  static std::array<Entry, 4> entries;
  static std::size_t next = 0;
  const Policy::Tenancy& t = ctx.policy->tenancy;
  {
    std::lock_guard lock(mu);
    for (const Entry& e : entries) {
      if (e.directory && e.version == version && e.schema_template == t.schema_template &&
          e.database_template == t.database_template)
        return e.directory;
    }
  }
  // Built outside the lock: two reviews may both build it once; neither waits.
  auto built = std::make_shared<const TenantDirectory>(*ctx.cluster, *ctx.policy);
  std::lock_guard lock(mu);
  entries[next] = Entry{version, t.schema_template, t.database_template, built};
  next = (next + 1) % entries.size();
  return built;
}

std::optional<Tenant> other_owner(const Context& ctx, const Tenant& self, std::string_view name,
                                  bool database) {
  std::shared_ptr<const TenantDirectory> dir = tenant_directory(ctx);
  if (!dir) return std::nullopt;
  if (const Tenant* t = dir->owner(name, database, self.id)) return *t;
  return std::nullopt;
}

bool is_shared_schema(const Policy& policy, std::string_view schema) {
  return contains(policy.tenancy.shared_schemas, schema);
}

bool is_system_schema(std::string_view schema) {
  return schema == "pg_catalog" || schema == "information_schema" || schema.substr(0, 7) == "pg_temp" ||
         schema == "pg_toast";
}

}  // namespace schemagate::gates
