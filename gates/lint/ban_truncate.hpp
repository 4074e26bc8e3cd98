#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock; with CASCADE, in referencing tables too.
class BanTruncate final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
