#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::tenancy {

// A migration Job whose database or schema annotation names a target its namespace's tenant does not own is
// denied.
class RequireOwnedTarget final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
