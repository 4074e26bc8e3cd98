#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "k8s/informer.hpp"

namespace object_store_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::gates::Job;
using schemagate::k8s::ObjectStore;
using schemagate::k8s::TeeSink;

static nlohmann::json job(const std::string& name, bool complete, bool suspend = false) {
  nlohmann::json j = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", name}, {"namespace", "acme"}, {"labels", {{"schemagate.io/migration", "true"}}}}},
      {"spec", {{"suspend", suspend}}}};
  if (complete) j["status"] = {{"conditions", {{{"type", "Complete"}, {"status", "True"}}}}};
  return j;
}

static bool active(const Job& j) {
  return !j.finished() && !j.suspended;
}

static std::vector<std::string> names(const ObjectStore<Job>& store) {
  std::vector<std::string> out;
  store.snapshot()->for_each([&](const Job& j) { out.push_back(j.meta.name); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("an object store with a keep predicate holds only what it accepts, through list and watch") {
  ObjectStore<Job> all(schemagate::gates::job_from_json);
  ObjectStore<Job> running(schemagate::gates::job_from_json, active);
  TeeSink tee(all, running);
  tee.begin_list();
  tee.list_item(job("a", false));
  tee.list_item(job("b", true));
  tee.list_item(job("c", false, true));
  tee.end_list();
  CHECK(names(all) == std::vector<std::string>{"a", "b", "c"});
  CHECK(names(running) == std::vector<std::string>{"a"});

  tee.upsert(job("c", false, false));  // resumed
  CHECK(names(running) == std::vector<std::string>{"a", "c"});
  tee.upsert(job("a", true));  // completed: leaves the index, stays in the store
  CHECK(names(running) == std::vector<std::string>{"c"});
  CHECK(names(all) == std::vector<std::string>{"a", "b", "c"});
  CHECK(running.snapshot()->size == 1);
  tee.erase(job("c", false));
  CHECK(names(running).empty());
  CHECK(names(all) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("every change publishes a new snapshot version; a no-op erase publishes nothing") {
  ObjectStore<Job> store(schemagate::gates::job_from_json, active);
  auto v0 = store.snapshot()->version;
  store.upsert(job("a", false));
  auto v1 = store.snapshot()->version;
  CHECK(v1 != v0);
  store.upsert(job("b", true));  // not kept, and not there: nothing to erase
  CHECK(store.snapshot()->version == v1);
  store.erase(job("zz", false));
  CHECK(store.snapshot()->version == v1);
  store.upsert(job("a", true));
  CHECK(store.snapshot()->version != v1);
  CHECK(store.snapshot()->size == 0);
}

}  // namespace object_store_test
