#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// Two migrations with one version in one folder: the migration tool refuses to run them.
class DuplicateMigrationVersion final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
