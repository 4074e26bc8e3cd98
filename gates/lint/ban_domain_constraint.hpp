#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ALTER DOMAIN that checks existing data blocks writes to every table using the domain.
class BanDomainConstraint final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
