#include "server/job_input.hpp"

#include <catch2/catch.hpp>

#include "server/reviewer_test_support.hpp"

namespace job_input_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;
using server::parse_pgoptions;

TEST_CASE("job input: PGOPTIONS in both -c and --name forms, as libpq splits it") {
  auto s = parse_pgoptions(
      "-c lock_timeout=5s  -cstatement_timeout=15min --idle-in-transaction-session-timeout=1min");
  CHECK(s == std::map<std::string, std::string>{{"idle_in_transaction_session_timeout", "1min"},
                                                {"lock_timeout", "5s"},
                                                {"statement_timeout", "15min"}});
  CHECK(parse_pgoptions("-c search_path=a,\\ b -c Lock_Timeout=2s") ==
        std::map<std::string, std::string>{{"lock_timeout", "2s"}, {"search_path", "a, b"}});
  CHECK(parse_pgoptions("").empty());
  CHECK(parse_pgoptions("-c -c =x --").empty());
}

TEST_CASE("job input: session settings come from literal PGOPTIONS only, never from Secrets") {
  nlohmann::json job = testing::migration_job("j", "ns", "cm");
  auto& env = job["spec"]["template"]["spec"]["containers"][0]["env"];
  env.push_back({{"name", "PGOPTIONS"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}});
  server::JobContextOptions opts;
  auto jc = server::build_job_context(job, "ns", opts);
  CHECK(jc->ctx.session_settings == std::map<std::string, std::string>{{"lock_timeout", "5s"}});
}

TEST_CASE("job input: mounted configMap and projected volumes, then the annotation, each once") {
  nlohmann::json job = testing::migration_job("j", "ns", "a");
  auto& pod = job["spec"]["template"]["spec"];
  pod["volumes"].push_back({{"name", "unmounted"}, {"configMap", {{"name", "ignored"}}}});
  pod["volumes"].push_back(
      {{"name", "proj"},
       {"projected",
        {{"sources",
          {{{"secret", {{"name", "creds"}}}},
           {{"configMap",
             {{"name", "b"}, {"items", {{{"key", "1_x.up.sql"}, {"path", "1_x.up.sql"}}}}}}}}}}}});
  pod["initContainers"] = {{{"name", "init"}, {"volumeMounts", {{{"name", "proj"}, {"mountPath", "/m"}}}}}};
  job["metadata"]["annotations"] = {{"schemagate.io/migrations", " c ,a,"}};
  auto sources = server::migration_sources(job, gates::job_from_json(job));
  REQUIRE(sources.size() == 3);
  CHECK(sources[0].configmap == "a");
  CHECK(sources[0].location == "spec.template.spec.volumes[0].configMap.name");
  CHECK(sources[1].configmap == "b");
  CHECK(sources[1].location == "spec.template.spec.volumes[2].projected.sources[1].configMap.name");
  CHECK(sources[1].keys == std::vector<std::string>{"1_x.up.sql"});
  CHECK(sources[2].configmap == "c");
  CHECK(sources[2].location == "metadata.annotations[schemagate.io/migrations]");
}

TEST_CASE("job input: a Job that is not a migration reads no SQL") {
  nlohmann::json job = testing::migration_job("j", "ns", "missing");
  job["metadata"]["labels"] = nlohmann::json::object();
  server::JobContextOptions opts;
  auto jc = server::build_job_context(job, "ns", opts);
  CHECK(jc->ctx.migrations == nullptr);
  CHECK(jc->ctx.input_errors.empty());
  CHECK(jc->ctx.job == &jc->job);
}

TEST_CASE("job input: an unknown format annotation is an input error") {
  nlohmann::json job = testing::migration_job("j", "ns", "cm");
  job["metadata"]["annotations"] = {{"schemagate.io/format", "liquibase"}};
  server::JobContextOptions opts;
  auto jc = server::build_job_context(job, "ns", opts);
  REQUIRE(jc->ctx.input_errors.size() == 2);  // the format, and no cluster state to read cm from
  CHECK(jc->ctx.input_errors[0] ==
        "metadata.annotations[schemagate.io/format]: Unknown migration format 'liquibase' (expected "
        "golang-migrate, goose, flyway or plain).");
}

}  // namespace job_input_test
