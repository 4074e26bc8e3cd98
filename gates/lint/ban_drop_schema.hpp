#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// DROP SCHEMA removes a schema that code may still use; with CASCADE, everything in it.
class BanDropSchema final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
