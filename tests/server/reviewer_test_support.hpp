// Shared helpers of the reviewer tests: temp files, Jobs and AdmissionReviews.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace schemagate::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("schemagate-test-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p.string();
  }
  std::filesystem::path path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A migration Job mounting ConfigMap `cm` (volume 0), batch/v1 as the API sends it.
inline nlohmann::json migration_job(const std::string& name, const std::string& ns, const std::string& cm) {
  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"schemagate.io/migration", "true"}}}}},
      {"spec",
       {{"backoffLimit", 0},
        {"template",
         {{"spec",
           {{"restartPolicy", "Never"},
            {"containers",
             {{{"name", "migrate"},
               {"image", "migrate/migrate:v4"},
               {"env", {{{"name", "PGOPTIONS"}, {"value", "-c lock_timeout=5s"}}}},
               {"volumeMounts", {{{"name", "migrations"}, {"mountPath", "/migrations"}}}}}}},
            {"volumes", {{{"name", "migrations"}, {"configMap", {{"name", cm}}}}}}}}}}}}};
}

inline nlohmann::json admission_review(const std::string& uid, const nlohmann::json& object,
                                       const std::string& operation = "CREATE",
                                       const nlohmann::json& old_object = nullptr, bool dry_run = false) {
  std::string kind = object.value("kind", "");
  bool job = kind == "Job";
  return {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", uid},
        {"kind", {{"group", job ? "batch" : ""}, {"version", "v1"}, {"kind", kind}}},
        {"resource", {{"group", job ? "batch" : ""}, {"version", "v1"}, {"resource", job ? "jobs" : "pods"}}},
        {"name", object["metadata"]["name"]},
        {"namespace", object["metadata"]["namespace"]},
        {"operation", operation},
        {"object", object},
        {"oldObject", old_object},
        {"dryRun", dry_run}}}};
}

}  // namespace schemagate::testing
