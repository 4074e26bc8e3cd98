#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// json columns store raw text and cannot be compared or indexed; jsonb can.
class PreferJsonb final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
