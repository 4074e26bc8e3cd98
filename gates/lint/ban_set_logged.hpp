#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ALTER TABLE SET LOGGED or SET UNLOGGED rewrites the whole table under an ACCESS EXCLUSIVE lock.
class BanSetLogged final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
