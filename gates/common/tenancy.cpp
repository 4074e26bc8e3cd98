#include "gates/common/tenancy.hpp"

#include <algorithm>

namespace schemagate::gates {
namespace {

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    std::string_view item =
        s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

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
  if (const std::string* s = ns.meta.annotation(keys::kSchemas)) t.schemas = split_list(*s);
  if (t.schemas.empty()) t.schemas.push_back(expand_tenant_template(policy.tenancy.schema_template, t.id));
  if (const std::string* d = ns.meta.annotation(keys::kDatabases)) t.databases = split_list(*d);
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

std::optional<Tenant> other_owner(const Context& ctx, const Tenant& self, std::string_view name,
                                  bool database) {
  if (ctx.cluster == nullptr || ctx.policy == nullptr) return std::nullopt;
  for (const Namespace& ns : ctx.cluster->list_namespaces()) {
    std::optional<Tenant> t = tenant_of(ns, *ctx.policy);
    if (!t || t->id == self.id) continue;
    if (database ? t->owns_database(name) : t->owns_schema(name)) return t;
  }
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
