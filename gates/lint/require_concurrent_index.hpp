#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// CREATE INDEX without CONCURRENTLY blocks writes to an existing table for the whole build.
class RequireConcurrentIndex final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;

 private:
  void partitioned(const sql::Script& script, const sql::Statement& st, const sql::RelationName& table,
                   const std::string& index, Reporter& out) const;
};

}  // namespace schemagate::gates::lint
