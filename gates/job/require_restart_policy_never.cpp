#include "gates/job/require_restart_policy_never.hpp"

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {

const GateInfo& RequireRestartPolicyNever::info() const {
  static const GateInfo kInfo{
      "job.require-restart-policy-never",
      "A migration Job's pod must use restartPolicy Never so a failed migration is not rerun in place.",
      Category::kJob,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireRestartPolicyNever::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  if (job.restart_policy == "Never") return;
  std::string what = job.restart_policy.empty()
                         ? "sets no spec.template.spec.restartPolicy"
                         : "sets spec.template.spec.restartPolicy to " + job.restart_policy;
  out.report(at_field("spec.template.spec.restartPolicy"),
             job_title(job) + " " + what +
                 ": the kubelet would restart a failed migration container in place, rerunning a "
                 "half-applied migration.",
             "Set spec.template.spec.restartPolicy: Never (with spec.backoffLimit: 0) so a failed migration "
             "stops and waits for a person.");
}

}  // namespace schemagate::gates::job
