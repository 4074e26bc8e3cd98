#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::tenancy {

// In shared-schema tenancy, a new table without the tenant column is denied.
class RequireTenantColumn final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::tenancy
