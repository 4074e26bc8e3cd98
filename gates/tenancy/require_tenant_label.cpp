#include "gates/tenancy/require_tenant_label.hpp"

#include "gates/common/tenancy.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& RequireTenantLabel::info() const {
  static const GateInfo kInfo{
      "tenancy.require-tenant-label",
      "A migration Job in a namespace that no tenant label claims is denied unless the policy allows it.",
      Category::kTenancy,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireTenantLabel::evaluate(const Context& ctx, Reporter& out) const {
  // Offline checks without cluster state have no namespaces to judge.
  if (ctx.job == nullptr || !ctx.job->is_migration() || ctx.cluster == nullptr || ctx.policy == nullptr)
    return;
  if (!ctx.policy->tenancy.deny_unlabeled_namespace) return;
  std::optional<Namespace> ns = ctx.cluster->get_namespace(ctx.namespace_name);
  const std::string& job = ctx.job->meta.name;
  if (!ns) {
    out.report(
        Location{"metadata.namespace", 0, 0, -1},
        "Namespace " + ctx.namespace_name + " of migration Job " + job +
            " is not in schemagate's view of the cluster, so its tenant is unknown.",
        "Create the namespace with the label schemagate.io/tenant before its migrations; if it exists, "
        "wait for schemagate's cache to see it and apply again.");
    return;
  }
  if (ns->tenant() != nullptr && !ns->tenant()->empty()) return;
  out.report(Location{"metadata.namespace", 0, 0, -1},
             "Migration Job " + job + " runs in namespace " + ctx.namespace_name +
                 ", which has no schemagate.io/tenant label: no tenant owns what it changes.",
             "Label the namespace with schemagate.io/tenant: <tenant-id> (and its schemas and databases "
             "annotations), or set tenancy.unlabeledNamespace: allow in the policy.");
}

}  // namespace schemagate::gates::tenancy
