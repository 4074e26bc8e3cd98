// The outcome of one evaluation: the decision and every finding, ordered.
#pragma once

#include <string>
#include <vector>

#include "gates/gate.hpp"

namespace schemagate::gates {

enum class Decision : std::uint8_t { kAllow, kDeny };

struct Verdict {
  Decision decision = Decision::kAllow;
  bool audit = false;                       // policy mode audit: errors reported, never denied
  bool would_deny = false;                  // what enforce mode would have decided
  std::vector<Finding> findings;            // sorted by source, line, column, gate id
  std::vector<std::string> approved_gates;  // gates whose errors an approval covered
  std::string approval_reason;
  std::string migration_hash;

  std::size_t count(Severity s) const;
  // Gate ids that reported anything, sorted, unique.
  std::vector<std::string> fired_gates() const;
};

}  // namespace schemagate::gates
