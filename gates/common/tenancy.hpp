// Tenants as the cluster describes them (ARCHITECTURE.md §5): a namespace labelled
// schemagate.io/tenant owns the schemas of its schemagate.io/schemas annotation (or
// the policy's schema template) and the databases of schemagate.io/databases (or the
// database template). Shared by the tenancy gates.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/context.hpp"

namespace schemagate::gates {

struct Tenant {
  std::string id;
  std::string namespace_name;
  std::vector<std::string> schemas;
  std::vector<std::string> databases;

  bool owns_schema(std::string_view s) const;
  bool owns_database(std::string_view d) const;
  // A role belongs to the tenant when its name is the tenant id, one of its schemas
  // or database names, or starts with one of those followed by '_' (acme_rw,
  // tenant_acme_owner): the naming convention the operator guide documents.
  bool owns_role(std::string_view role) const;
  std::string schema_list() const;
};

// "tenant_{tenant}" with {tenant} replaced.
std::string expand_tenant_template(std::string_view tmpl, std::string_view tenant);

// The tenant of a namespace: nullopt without the tenant label.
std::optional<Tenant> tenant_of(const Namespace& ns, const Policy& policy);

// The tenant of the Job under review: its namespace from the cluster view. nullopt
// when there is no Job, no cluster view, no such namespace or no tenant label.
std::optional<Tenant> job_tenant(const Context& ctx);

// Every tenant of the cluster and what it owns, indexed by schema and database name.
// Built from all namespaces once per state of them (ClusterView::namespaces_version)
// and per schema/database template, then shared by every review of that state: at
// 5,000 tenant namespaces a review must not visit each of them.
class TenantDirectory {
 public:
  TenantDirectory(const ClusterView& cluster, const Policy& policy);
  // The tenant other than `self_id` that owns the schema (the database when
  // `database`); the first by namespace name when several claim it.
  const Tenant* owner(std::string_view name, bool database, std::string_view self_id) const;
  std::size_t size() const { return tenants_.size(); }

 private:
  std::vector<Tenant> tenants_;  // by namespace name
  std::map<std::string, std::vector<std::size_t>, std::less<>> schemas_, databases_;
};

// The directory for the context's cluster and policy (null without either). Cached
// for non-zero namespaces_version(); rebuilt on every call otherwise.
std::shared_ptr<const TenantDirectory> tenant_directory(const Context& ctx);

// Which tenant other than `self` owns a schema (a database when `database`).
std::optional<Tenant> other_owner(const Context& ctx, const Tenant& self, std::string_view name,
                                  bool database);

bool is_shared_schema(const Policy& policy, std::string_view schema);
// pg_catalog, information_schema and pg_temp: readable by everyone.
bool is_system_schema(std::string_view schema);

}  // namespace schemagate::gates
