#include <catch2/catch.hpp>

#include "gates/common/tenancy.hpp"
#include "k8s/static_cluster_view.hpp"
#include "support/tenant_test.hpp"

namespace tenant_directory_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::gates::Context;
using schemagate::gates::Namespace;
using schemagate::gates::Policy;
using schemagate::gates::Tenant;
using schemagate::gates::TenantDirectory;

static schemagate::k8s::ClusterSnapshot cluster_of(const std::string& yaml) {
  schemagate::k8s::ClusterSnapshot s;
  std::string error;
  REQUIRE(schemagate::k8s::parse_cluster_state(yaml, "cluster.yaml", s, error));
  return s;
}

static Namespace tenant_namespace(const std::string& name, const std::string& tenant) {
  Namespace ns;
  ns.meta.name = name;
  ns.meta.labels["schemagate.io/tenant"] = tenant;
  return ns;
}

TEST_CASE("the tenant directory finds the owner of a schema or database other than the asking tenant") {
  auto cluster = cluster_of(schemagate::testing::three_tenants_yaml());
  Policy policy;
  TenantDirectory dir(cluster, policy);
  CHECK(dir.size() == 3);  // tools has no tenant label
  const Tenant* t = dir.owner("globex_audit", false, "acme");
  REQUIRE(t != nullptr);
  CHECK(t->id == "globex");
  CHECK(t->namespace_name == "globex");
  REQUIRE(dir.owner("tenant_initech", false, "acme") != nullptr);  // from the schema template
  CHECK(dir.owner("tenant_initech", false, "acme")->id == "initech");
  CHECK(dir.owner("globex_db", true, "acme")->id == "globex");
  CHECK(dir.owner("globex_db", false, "acme") == nullptr);      // a database, not a schema
  CHECK(dir.owner("globex_main", false, "globex") == nullptr);  // its own
  CHECK(dir.owner("billing", false, "acme") == nullptr);
}

TEST_CASE("a schema claimed by two tenants answers the first other namespace by name") {
  schemagate::k8s::ClusterSnapshot cluster;
  for (const auto& [name, tenant] :
       {std::pair{"zeta", "z"}, std::pair{"alpha", "a"}, std::pair{"mid", "m"}}) {
    Namespace ns = tenant_namespace(name, tenant);
    ns.meta.annotations["schemagate.io/schemas"] = "shared_one";
    cluster.namespaces[name] = ns;
  }
  TenantDirectory dir(cluster, Policy{});
  CHECK(dir.owner("shared_one", false, "x")->namespace_name == "alpha");
  CHECK(dir.owner("shared_one", false, "a")->namespace_name == "mid");
}

TEST_CASE("the directory is shared while the namespaces' version stands and rebuilt when it changes") {
  schemagate::k8s::ClusterSnapshot cluster;
  cluster.namespaces["acme"] = tenant_namespace("acme", "acme");
  Policy policy;
  Context ctx;
  ctx.cluster = &cluster;
  ctx.policy = &policy;

  // Version 0 (a snapshot built by hand): built afresh, so an edit shows at once.
  auto first = schemagate::gates::tenant_directory(ctx);
  REQUIRE(first != nullptr);
  CHECK(first->owner("tenant_globex", false, "acme") == nullptr);
  cluster.namespaces["globex"] = tenant_namespace("globex", "globex");
  CHECK(schemagate::gates::tenant_directory(ctx)->owner("tenant_globex", false, "acme") != nullptr);

  // A published version: one directory for every review of that state...
  cluster.version = schemagate::gates::next_state_version();
  auto a = schemagate::gates::tenant_directory(ctx);
  CHECK(schemagate::gates::tenant_directory(ctx) == a);
  // ...but not across schema templates,
  Policy other = policy;
  other.tenancy.schema_template = "t_{tenant}";
  ctx.policy = &other;
  auto b = schemagate::gates::tenant_directory(ctx);
  CHECK(b != a);
  CHECK(b->owner("t_globex", false, "acme") != nullptr);
  ctx.policy = &policy;
  CHECK(schemagate::gates::tenant_directory(ctx) == a);
  // ...and a new state gets a new one.
  cluster.namespaces["initech"] = tenant_namespace("initech", "initech");
  cluster.version = schemagate::gates::next_state_version();
  auto c = schemagate::gates::tenant_directory(ctx);
  CHECK(c != a);
  CHECK(c->owner("tenant_initech", false, "acme") != nullptr);
}

}  // namespace tenant_directory_test
