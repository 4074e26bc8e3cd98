#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// timestamp without time zone stores wall-clock times that are ambiguous across time zones.
class PreferTimestamptz final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
