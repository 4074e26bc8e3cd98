#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::tenancy {

// A tenant's migration that reads or changes a schema the tenant does not own is denied.
class CrossTenantSchema final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
