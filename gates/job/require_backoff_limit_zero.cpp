#include "gates/job/require_backoff_limit_zero.hpp"

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {

const GateInfo& RequireBackoffLimitZero::info() const {
  static const GateInfo kInfo{
      "job.require-backoff-limit-zero",
      "A migration Job must not be retried: spec.backoffLimit must be 0 (or the policy's maximum).",
      Category::kJob,
      Severity::kError,
      {{"max", OptionSpec::Type::kInt, "0", "The largest spec.backoffLimit allowed."}}};
  return kInfo;
}

void RequireBackoffLimitZero::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  const long long max = out.options().get_int("max");
  // Kubernetes defaults spec.backoffLimit to 6 when the field is absent (batch/v1 JobSpec).
  constexpr long long kKubernetesDefault = 6;
  const long long value = job.backoff_limit.value_or(kKubernetesDefault);
  if (value <= max) return;
  std::string what = job.backoff_limit ? "sets spec.backoffLimit to " + std::to_string(value)
                                       : "has no spec.backoffLimit, so Kubernetes retries it up to 6 times";
  out.report(at_field("spec.backoffLimit"),
             job_title(job) + " " + what +
                 ": a migration that fails half-applied would run again against a schema it already changed.",
             "Set spec.backoffLimit: " + std::to_string(max) +
                 " and rerun a failed migration by hand once you know what it left behind.");
}

}  // namespace schemagate::gates::job
