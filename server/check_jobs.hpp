// `schemagate check -f job.yaml ...`: judges Job manifests the way the admission
// webhook would (same Context assembly), offline.
#pragma once

#include "gates/policy.hpp"
#include "gates/registry.hpp"
#include "server/flags.hpp"
#include "server/report.hpp"

namespace schemagate::server {

// SQL comes from the Jobs' ConfigMaps in --cluster-state, or from the PATH args
// when given (then every Job is judged against those files). Returns the exit code:
// 0 all admitted, 1 any denied, 2 unreadable input or a document that is not a Job.
int check_jobs(const Flags& flags, const gates::Policy& policy, ReportFormat format,
               const gates::Registry& registry);

}  // namespace schemagate::server
