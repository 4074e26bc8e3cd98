#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::tenancy {

// A foreign key from a tenant's schema into another tenant's schema is denied.
class CrossTenantForeignKey final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
