#include "gates/job/require_migration_label.hpp"

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::job {

const GateInfo& RequireMigrationLabel::info() const {
  static const GateInfo kInfo{
      "job.require-migration-label",
      "A Job that looks like a database migration must carry the label schemagate.io/migration: \"true\".",
      Category::kJob,
      Severity::kError,
      {}};
  return kInfo;
}

// The one job.* gate that runs for Jobs that are not labelled as migrations: it is
// what makes dropping the label no way around the other gates (ARCHITECTURE.md §5).
void RequireMigrationLabel::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  std::optional<std::string> evidence = migration_evidence(job, ctx);
  if (!evidence) return;
  out.report(
      at_field("metadata.labels"),
      job_title(job) + " looks like a database migration (" + *evidence +
          ") but is not labelled schemagate.io/migration: \"true\"; unlabelled migrations would bypass "
          "review.",
      "Add the label schemagate.io/migration: \"true\" to the Job's metadata.labels so its SQL is "
      "reviewed.");
}

}  // namespace schemagate::gates::job
