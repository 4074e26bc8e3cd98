#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A Job that looks like a database migration must carry the label schemagate.io/migration: "true".
class RequireMigrationLabel final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
