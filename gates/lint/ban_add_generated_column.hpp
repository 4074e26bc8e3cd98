#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// Adding a stored generated, identity or serial column to an existing table rewrites it under an ACCESS
// EXCLUSIVE lock.
class BanAddGeneratedColumn final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
