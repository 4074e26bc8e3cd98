#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::tenancy {

// A migration Job in a namespace that no tenant label claims is denied unless the policy allows it.
class RequireTenantLabel final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
