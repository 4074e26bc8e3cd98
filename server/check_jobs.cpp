#include "server/check_jobs.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "gates/engine.hpp"
#include "k8s/static_cluster_view.hpp"
#include "k8s/yaml_json.hpp"
#include "server/job_input.hpp"

namespace schemagate::server {
namespace {

struct JobDoc {
  std::string file;
  nlohmann::json object;
};

bool read_jobs(const std::string& path, std::vector<JobDoc>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<k8s::YamlDocument> docs;
  if (!k8s::parse_yaml_documents(text.str(), path, docs, error)) return false;
  for (auto& d : docs) {
    const auto& kind = d.object.is_object() ? d.object.value("kind", std::string()) : std::string();
    const auto& api = d.object.is_object() ? d.object.value("apiVersion", std::string()) : std::string();
    if (kind != "Job" || api != "batch/v1") {
      YAML::Mark m = d.node["kind"] ? d.node["kind"].Mark() : d.node.Mark();
      error = path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": expected a " +
              "batch/v1 Job, found " + (kind.empty() ? std::string("no kind") : api + " " + kind);
      return false;
    }
    out.push_back({path, std::move(d.object)});
  }
  return true;
}

}  // namespace

int check_jobs(const Flags& flags, const gates::Policy& policy, ReportFormat format,
               const gates::Registry& registry) {
  std::vector<JobDoc> jobs;
  std::string error;
  for (const std::string& path : flags.all("-f")) {
    if (!read_jobs(path, jobs, error)) {
      std::cerr << "schemagate: " << error << "\n";
      return 2;
    }
  }
  std::unique_ptr<k8s::StaticClusterView> view;
  std::shared_ptr<const k8s::ClusterSnapshot> snapshot;
  if (auto path = flags.get("--cluster-state")) {
    view = std::make_unique<k8s::StaticClusterView>(*path);  // throws: exit 2 in main
    snapshot = view->snapshot();
  }
  std::vector<sql::MigrationInput> files;
  if (!flags.positional().empty() && !sql::read_migration_paths(flags.positional(), files, error)) {
    std::cerr << "schemagate: " << error << "\n";
    return 2;
  }

  gates::Engine engine(registry);
  bool denied = false;
  for (const JobDoc& doc : jobs) {
    JobContextOptions options;
    options.policy = &policy;
    options.cluster = snapshot.get();
    if (!files.empty()) options.sql_override = &files;
    std::string ns = "default";  // where kubectl would create it without -n
    const auto& meta = doc.object.value("metadata", nlohmann::json::object());
    if (meta.is_object() && meta.contains("namespace") && meta["namespace"].is_string())
      ns = meta["namespace"].get<std::string>();
    std::unique_ptr<JobContext> jc = build_job_context(doc.object, ns, options);
    gates::Verdict verdict = engine.evaluate(jc->ctx);
    denied = denied || verdict.decision == gates::Decision::kDeny;
    if (format == ReportFormat::kText) {
      std::cout << "== " << doc.file << ": Job " << ns << "/" << jc->job.meta.name
                << (jc->job.is_migration() ? "" : " (not labelled as a migration)") << "\n";
    }
    std::cout << render(format, verdict, jc->migrations.get(), registry);
  }
  return denied ? 1 : 0;
}

}  // namespace schemagate::server
