// Everything a gate may read, handed in by the caller: the engine reads no clock,
// no file and no socket of its own (ARCHITECTURE.md §1).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gates/cluster_view.hpp"
#include "gates/finding_cache.hpp"
#include "gates/policy.hpp"
#include "gates/sql/migration.hpp"

namespace schemagate::gates {

// `schemagate.io/approve: "<gate-id>[,<gate-id>]: <reason>"`.
struct Approval {
  std::vector<std::string> gate_ids;
  std::string reason;
  bool valid = false;  // ids and a reason were given
};
Approval parse_approval(std::string_view annotation);

// Which suppressions were used, filled by the engine before the gates that report
// on suppressions run.
struct SuppressionUse {
  const sql::Script* script = nullptr;
  std::size_t index = 0;
  bool used = false;
};

class Context {
 public:
  const sql::MigrationSet* migrations = nullptr;  // null when the input has no SQL (a non-migration Job)
  const Policy* policy = nullptr;
  const Job* job = nullptr;              // the Job under review (admission, check -f)
  const ClusterView* cluster = nullptr;  // null offline without --cluster-state
  std::string namespace_name;            // the Job's namespace
  std::string operation = "CREATE";      // CREATE | UPDATE
  bool dry_run = false;
  Approval approval;
  // Session settings the Job's environment gives every connection (PGOPTIONS
  // "-c lock_timeout=5s"): name -> value.
  std::map<std::string, std::string> session_settings;
  // Problems met while assembling the input (a missing ConfigMap): reported by
  // gates, never swallowed.
  std::vector<std::string> input_errors;
  const std::vector<SuppressionUse>* suppression_uses = nullptr;
  // Memo of lint and rollback findings across requests (the reviewer owns one);
  // null: every gate runs (the CLI).
  FindingCache* finding_cache = nullptr;

  int pg_major() const { return policy ? policy->postgres_version : 15; }
  const std::vector<const sql::Script*>& scripts() const {
    static const std::vector<const sql::Script*> kNone;
    return migrations ? migrations->scripts() : kNone;
  }
};

}  // namespace schemagate::gates
