#include "gates/job/require_migration_sql.hpp"

#include "gates/context.hpp"

namespace schemagate::gates::job {

const GateInfo& RequireMigrationSql::info() const {
  static const GateInfo kInfo{"job.require-migration-sql",
                              "A migration Job whose SQL cannot be found or read is denied.",
                              Category::kJob,
                              Severity::kError,
                              {}};
  return kInfo;
}

std::string input_error(std::string_view location, std::string_view message) {
  std::string out(location);
  out += ": ";
  out += message;
  return out;
}

void RequireMigrationSql::evaluate(const Context& ctx, Reporter& out) const {
  static const std::string kHelp =
      "Create the ConfigMap holding the migration's .sql files in the Job's namespace before the Job, "
      "or correct the reference.";
  for (const std::string& e : ctx.input_errors) {
    std::size_t sep = e.find(": ");
    Location where;
    where.source = sep == std::string::npos ? std::string("spec.template.spec") : e.substr(0, sep);
    std::string message = sep == std::string::npos ? e : e.substr(sep + 2);
    out.report(std::move(where), std::move(message), kHelp);
  }
  if (!ctx.input_errors.empty() || ctx.migrations != nullptr) return;
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  // Labelled as a migration, yet no SQL reference at all: the SQL is baked into the
  // image or fetched at run time, where no gate can read it.
  Location where;
  where.source = "metadata.labels[schemagate.io/migration]";
  out.report(std::move(where),
             "Job " + ctx.job->meta.name +
                 " is labelled as a migration but mounts no ConfigMap with its SQL, so its statements cannot "
                 "be reviewed.",
             "Mount the migrations ConfigMap as a volume, or name it in the schemagate.io/migrations "
             "annotation.");
}

}  // namespace schemagate::gates::job
