#include "gates/job/require_migration_sql.hpp"

#include <catch2/catch.hpp>

#include "gates/engine.hpp"
#include "gates/registry.hpp"
#include "support/gate_test.hpp"

namespace require_migration_sql_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;

static const std::string kGate = "job.require-migration-sql";

namespace {

gates::Job migration_job() {
  gates::Job job;
  job.meta.name = "orders-migrate";
  job.meta.namespace_name = "tenant-acme";
  job.meta.labels.emplace("schemagate.io/migration", "true");
  return job;
}

std::vector<gates::Finding> run(const gates::Context& ctx) {
  gates::Verdict v = gates::Engine(gates::builtin_registry()).evaluate(ctx);
  std::vector<gates::Finding> out;
  for (auto& f : v.findings) {
    if (f.gate_id == kGate) out.push_back(f);
  }
  return out;
}

}  // namespace

TEST_CASE("require-migration-sql reports each unresolved reference at its Job field") {
  gates::Job job = migration_job();
  gates::Context ctx;
  ctx.job = &job;
  ctx.input_errors = {
      gates::job::input_error("spec.template.spec.volumes[1].configMap.name",
                              "ConfigMap orders-migrations does not exist in namespace tenant-acme."),
      gates::job::input_error("metadata.annotations[schemagate.io/migrations]",
                              "ConfigMap extra does not exist in namespace tenant-acme.")};
  auto found = run(ctx);
  REQUIRE(found.size() == 2);
  // Findings are sorted by location.
  CHECK(found[0].location.source == "metadata.annotations[schemagate.io/migrations]");
  CHECK(found[1].location.source == "spec.template.spec.volumes[1].configMap.name");
  CHECK(found[1].message == "ConfigMap orders-migrations does not exist in namespace tenant-acme.");
  CHECK(found[1].help ==
        "Create the ConfigMap holding the migration's .sql files in the Job's namespace before the Job, or "
        "correct the reference.");
  CHECK(found[1].severity == gates::Severity::kError);
}

TEST_CASE("require-migration-sql fires on a labelled Job that names no SQL at all") {
  gates::Job job = migration_job();
  gates::Context ctx;
  ctx.job = &job;
  auto found = run(ctx);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.labels[schemagate.io/migration]");
  CHECK(found[0].message ==
        "Job orders-migrate is labelled as a migration but mounts no ConfigMap with its SQL, so its "
        "statements cannot be reviewed.");
}

TEST_CASE("require-migration-sql is silent when the SQL was found") {
  auto r = testing::run_sql("SELECT 1;");
  CHECK(r.of(kGate).empty());
  gates::Job job = migration_job();
  gates::Context ctx;
  ctx.job = &job;
  ctx.migrations = r.set.get();
  CHECK(run(ctx).empty());
}

TEST_CASE("require-migration-sql is silent for Jobs that are not migrations") {
  gates::Job job = migration_job();
  job.meta.labels.clear();
  gates::Context ctx;
  ctx.job = &job;
  CHECK(run(ctx).empty());
}

TEST_CASE("require-migration-sql can be approved on the Job, and its severity follows the policy") {
  gates::Job job = migration_job();
  gates::Context ctx;
  ctx.job = &job;
  ctx.approval = gates::parse_approval("job.require-migration-sql: SQL reviewed in PR 12, baked in image");
  gates::Verdict v = gates::Engine(gates::builtin_registry()).evaluate(ctx);
  CHECK(v.approved_gates == std::vector<std::string>{kGate});
  for (const auto& f : v.findings) {
    if (f.gate_id != kGate) continue;  // other Job gates judge this bare Job too
    CHECK(f.severity == gates::Severity::kWarning);
    CHECK(f.approval == "SQL reviewed in PR 12, baked in image");
  }

  gates::Policy policy;
  policy.gates[kGate].severity = gates::Severity::kWarning;
  gates::Context warn;
  warn.job = &job;
  warn.policy = &policy;
  auto found = run(warn);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == gates::Severity::kWarning);
}

}  // namespace require_migration_sql_test
