#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::tenancy {

// GRANT or REVOKE to PUBLIC or to a role that is not the tenant's own is denied.
class CrossTenantGrant final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
