#pragma once
#include <string>
#include <string_view>

#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job whose SQL cannot be found or read is denied.
//
// Whoever assembles the Context (the admission reviewer, `check -f`) records each
// reference it could not resolve in Context::input_errors as "<field path>: <what>"
// (see input_error()); this gate reports each at that Job field. It also fires on a
// Job labelled as a migration that names no ConfigMap at all: its SQL would be
// invisible to every other gate.
class RequireMigrationSql final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

// "<location>: <message>", the form of Context::input_errors entries. Locations are
// Job field paths and hold no ": ".
std::string input_error(std::string_view location, std::string_view message);

}  // namespace schemagate::gates::job
