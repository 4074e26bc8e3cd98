#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// SQL that PostgreSQL cannot parse is reported at its line and column, never skipped.
class SqlSyntaxError final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
