#include "gates/job/require_active_deadline.hpp"

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {

const GateInfo& RequireActiveDeadline::info() const {
  static const GateInfo kInfo{
      "job.require-active-deadline",
      "A migration Job must set spec.activeDeadlineSeconds so a stuck migration is stopped.",
      Category::kJob,
      Severity::kError,
      {{"max_seconds", OptionSpec::Type::kInt, "0",
        "The largest spec.activeDeadlineSeconds allowed; 0 accepts any value."}}};
  return kInfo;
}

void RequireActiveDeadline::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  const long long max = out.options().get_int("max_seconds");
  if (!job.active_deadline_seconds) {
    out.report(at_field("spec.activeDeadlineSeconds"),
               job_title(job) +
                   " has no spec.activeDeadlineSeconds: a migration stuck behind a lock can run, and hold "
                   "its own locks, indefinitely.",
               "Set spec.activeDeadlineSeconds (for example " + std::to_string(max > 0 ? max : 1800) +
                   ") so Kubernetes stops a migration that runs too long.");
    return;
  }
  if (max > 0 && *job.active_deadline_seconds > max) {
    out.report(at_field("spec.activeDeadlineSeconds"),
               job_title(job) + " sets spec.activeDeadlineSeconds to " +
                   std::to_string(*job.active_deadline_seconds) + ", above the policy's maximum of " +
                   std::to_string(max) + " seconds.",
               "Set spec.activeDeadlineSeconds to at most " + std::to_string(max) +
                   ", or split the migration into shorter ones.");
  }
}

}  // namespace schemagate::gates::job
