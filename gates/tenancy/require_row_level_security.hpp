#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::tenancy {

// In shared-schema tenancy, a new table without row-level security and a policy is denied.
class RequireRowLevelSecurity final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
