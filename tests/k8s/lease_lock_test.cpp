// The Lease lock's decisions against a small in-memory API (tests/e2e/concurrency_test.sh
// runs the same algorithm against the Python fake apiserver, over HTTP).
#include "k8s/lease_lock.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "k8s/static_cluster_view.hpp"

namespace lease_lock_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;
using k8s::LeaseOutcome;
using nlohmann::json;
using Clock = std::chrono::system_clock;

namespace {

// Objects by path, one resourceVersion counter, 409 on create of an existing path
// and on update with a stale resourceVersion: what the apiserver guarantees.
class MemoryApi final : public k8s::ApiClient {
 public:
  mutable std::mutex mu;
  mutable std::map<std::string, json> objects;
  mutable int rv = 100;
  mutable std::vector<std::string> calls;  // "POST path", "GET path", "PUT path"
  // Injected answers: method -> status (0 = transport failure), consumed once.
  mutable std::map<std::string, int> fail_next;
  // Every GET of a Job answers this code when not 0.
  int fail_jobs = 0;
  // Runs before an update is applied (another replica sneaking in).
  std::function<void()> before_update;

  k8s::ApiResponse answer(int code, json body = json()) const {
    k8s::ApiResponse r;
    r.status_code = code;
    r.body = std::move(body);
    if (code == 0) r.error = "connection reset";
    if (code >= 400)
      r.body = json{{"kind", "Status"}, {"code", code}, {"reason", reason(code)}, {"message", "injected"}};
    return r;
  }
  static std::string reason(int code) {
    return code == 404 ? "NotFound" : code == 409 ? "Conflict" : "InternalError";
  }
  bool injected(const std::string& method, k8s::ApiResponse& out) const {
    auto it = fail_next.find(method);
    if (it == fail_next.end()) return false;
    out = answer(it->second);
    fail_next.erase(it);
    return true;
  }

  k8s::ApiResponse get(std::string_view path) const override {
    std::lock_guard lock(mu);
    calls.push_back("GET " + std::string(path));
    k8s::ApiResponse r;
    if (injected("GET", r)) return r;
    if (fail_jobs != 0 && path.find("/jobs/") != std::string_view::npos) return answer(fail_jobs);
    auto it = objects.find(std::string(path));
    return it == objects.end() ? answer(404) : answer(200, it->second);
  }
  k8s::ApiResponse list(std::string_view, const k8s::ListOptions&) const override { return answer(405); }
  k8s::ApiResponse create(std::string_view path, const json& object) const override {
    std::lock_guard lock(mu);
    calls.push_back("POST " + std::string(path));
    k8s::ApiResponse r;
    if (injected("POST", r)) return r;
    std::string key = std::string(path) + "/" + object["metadata"]["name"].get<std::string>();
    if (objects.count(key)) return answer(409);
    json stored = object;
    stored["metadata"]["resourceVersion"] = std::to_string(++rv);
    objects[key] = stored;
    return answer(201, stored);
  }
  k8s::ApiResponse update(std::string_view path, const json& object) const override {
    if (before_update) before_update();
    std::lock_guard lock(mu);
    calls.push_back("PUT " + std::string(path));
    k8s::ApiResponse r;
    if (injected("PUT", r)) return r;
    auto it = objects.find(std::string(path));
    if (it == objects.end()) return answer(404);
    if (it->second["metadata"]["resourceVersion"] != object["metadata"]["resourceVersion"])
      return answer(409);
    json stored = object;
    stored["metadata"]["resourceVersion"] = std::to_string(++rv);
    it->second = stored;
    return answer(200, stored);
  }
  k8s::ApiResponse remove(std::string_view, const json&) const override { return answer(405); }
  k8s::WatchResult watch(std::string_view, const k8s::WatchOptions&,
                         const std::function<bool(k8s::WatchEvent&&)>&, std::stop_token) const override {
    return {};
  }
  const std::string& default_namespace() const override { return ns_; }
  const std::string& server() const override { return server_; }

  void put_job(const std::string& ns, const std::string& name, const std::string& condition = "") {
    json job{
        {"apiVersion", "batch/v1"},
        {"kind", "Job"},
        {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"schemagate.io/migration", "true"}}}}}};
    if (!condition.empty())
      job["status"]["conditions"] = json::array({{{"type", condition}, {"status", "True"}}});
    objects["/apis/batch/v1/namespaces/" + ns + "/jobs/" + name] = job;
  }
  json lease(const std::string& name) const {
    std::lock_guard lock(mu);
    return objects.at("/apis/coordination.k8s.io/v1/namespaces/schemagate/leases/" + name);
  }
  std::size_t count_calls(const std::string& prefix) const {
    std::lock_guard lock(mu);
    std::size_t n = 0;
    for (const auto& c : calls)
      n += c.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }

 private:
  std::string ns_ = "schemagate";
  std::string server_ = "memory://";
};

const Clock::time_point kNow = *k8s::parse_rfc3339("2024-05-01T10:00:00Z");

k8s::LeaseClaim claim(const std::string& holder, const std::string& db = "acme") {
  k8s::LeaseClaim c;
  c.tenant = "acme";
  c.database = db;
  c.holder = holder;
  c.duration_seconds = 900;
  c.creation_grace_seconds = 60;
  return c;
}

// A view with migration Jobs as listed: "ns/name" -> condition ("" = running).
k8s::ClusterSnapshot view_with(const std::map<std::string, std::string>& jobs) {
  k8s::ClusterSnapshot s;
  for (const auto& [id, condition] : jobs) {
    gates::Job j;
    j.meta.namespace_name = id.substr(0, id.find('/'));
    j.meta.name = id.substr(id.find('/') + 1);
    j.meta.labels.emplace("schemagate.io/migration", "true");
    j.condition_complete = condition == "Complete";
    j.condition_failed = condition == "Failed";
    s.jobs.push_back(j);
  }
  return s;
}

}  // namespace

TEST_CASE("lease_name is a DNS-1123 subdomain, with a hash when sanitizing or length changed it") {
  CHECK(k8s::lease_name("acme", "acme") == "schemagate-db-acme-acme");
  CHECK(k8s::lease_name("globex", "globex.main") == "schemagate-db-globex-globex.main");
  std::string upper = k8s::lease_name("Acme", "Orders_DB");
  CHECK(upper.rfind("schemagate-db-acme-orders-db-", 0) == 0);
  CHECK(upper.size() == std::string("schemagate-db-acme-orders-db-").size() + 10);
  // Two targets that sanitize alike still get two Leases.
  CHECK(k8s::lease_name("acme", "orders_db") != k8s::lease_name("acme", "orders-db"));
  CHECK(k8s::lease_name("acme", "orders_db") == k8s::lease_name("acme", "orders_db"));
  const std::regex subdomain("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  for (const auto& [t, d] : std::vector<std::pair<std::string, std::string>>{{"acme", std::string(400, 'x')},
                                                                             {"a", "b._c"},
                                                                             {"a", "db."},
                                                                             {"T", "x-"},
                                                                             {"a", "é"},
                                                                             {"a", ".."}}) {
    std::string n = k8s::lease_name(t, d);
    INFO(n);
    CHECK(n.size() <= 253);
    CHECK(std::regex_match(n, subdomain));
  }
}

TEST_CASE("lease times read and write RFC 3339 MicroTime") {
  auto t = k8s::parse_rfc3339("2024-05-01T10:00:00.123456Z");
  REQUIRE(t);
  CHECK(k8s::format_micro_time(*t) == "2024-05-01T10:00:00.123456Z");
  CHECK(k8s::parse_rfc3339("2024-05-01T12:00:00+02:00") == kNow);
  CHECK(k8s::parse_rfc3339("2024-05-01T10:00:00.5Z") == kNow + std::chrono::milliseconds(500));
  CHECK_FALSE(k8s::parse_rfc3339("2024-05-01 10:00:00"));
  CHECK_FALSE(k8s::parse_rfc3339("2024-13-01T10:00:00Z"));
  CHECK_FALSE(k8s::parse_rfc3339(""));
}

TEST_CASE("the first claim creates the Lease with holder, duration and times") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  auto r = lock.acquire(claim("acme/migrate-1"), nullptr, kNow);
  CHECK(r.outcome == LeaseOutcome::kWon);
  CHECK(r.detail == "created");
  CHECK(r.lease == "schemagate-db-acme-acme");
  json lease = api.lease("schemagate-db-acme-acme");
  CHECK(lease["spec"]["holderIdentity"] == "acme/migrate-1");
  CHECK(lease["spec"]["leaseDurationSeconds"] == 900);
  CHECK(lease["spec"]["renewTime"] == "2024-05-01T10:00:00.000000Z");
  CHECK(lease["metadata"]["annotations"]["schemagate.io/database"] == "acme");
  CHECK(api.count_calls("POST") == 1);
  CHECK(lock.won() == 1);
}

TEST_CASE("a Lease held by an active Job is lost, and names its holder") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  auto view = view_with({{"acme/migrate-1", ""}});
  auto r = lock.acquire(claim("acme/migrate-2"), &view, kNow + std::chrono::seconds(5));
  CHECK(r.outcome == LeaseOutcome::kLost);
  CHECK(r.holder == "acme/migrate-1");
  CHECK(r.detail == "held by an active Job");
  CHECK(api.count_calls("GET /apis/batch") == 0);  // the view knew the Job
  // Another database of the tenant is another Lease.
  CHECK(lock.acquire(claim("acme/migrate-2", "acme_audit"), &view, kNow).outcome == LeaseOutcome::kWon);
  CHECK(lock.lost() == 1);
}

TEST_CASE("a retry of the same Job keeps its Lease without a write") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  auto r = lock.acquire(claim("acme/migrate-1"), nullptr, kNow + std::chrono::seconds(1));
  CHECK(r.outcome == LeaseOutcome::kWon);
  CHECK(r.detail == "already held by this Job");
  CHECK(api.count_calls("PUT") == 0);
  // Past its duration the same holder renews it.
  auto late = lock.acquire(claim("acme/migrate-1"), nullptr, kNow + std::chrono::seconds(901));
  CHECK(late.outcome == LeaseOutcome::kWon);
  CHECK(late.detail == "renewed");
  CHECK(api.lease("schemagate-db-acme-acme")["spec"]["leaseTransitions"] == 0);
}

TEST_CASE("a Lease whose Job finished or failed is taken over with the resourceVersion read") {
  for (const std::string condition : {"Complete", "Failed"}) {
    INFO(condition);
    MemoryApi api;
    k8s::LeaseLock lock(api, "schemagate");
    REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
    auto view = view_with({{"acme/migrate-1", condition}});
    auto r = lock.acquire(claim("acme/migrate-2"), &view, kNow + std::chrono::seconds(30));
    CHECK(r.outcome == LeaseOutcome::kWon);
    CHECK(r.detail == "taken over from acme/migrate-1 (" +
                          std::string(condition == "Complete" ? "completed" : "failed") + ")");
    json lease = api.lease("schemagate-db-acme-acme");
    CHECK(lease["spec"]["holderIdentity"] == "acme/migrate-2");
    CHECK(lease["spec"]["leaseTransitions"] == 1);
    CHECK(lease["spec"]["acquireTime"] == "2024-05-01T10:00:30.000000Z");
  }
}

TEST_CASE("a holder Job the view lacks is fetched: active keeps the Lease, complete releases it") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  k8s::ClusterSnapshot empty;
  api.put_job("acme", "migrate-1");
  CHECK(lock.acquire(claim("acme/migrate-2"), &empty, kNow + std::chrono::seconds(600)).outcome ==
        LeaseOutcome::kLost);
  CHECK(api.count_calls("GET /apis/batch/v1/namespaces/acme/jobs/migrate-1") == 1);
  api.put_job("acme", "migrate-1", "Complete");
  CHECK(lock.acquire(claim("acme/migrate-2"), &empty, kNow + std::chrono::seconds(600)).outcome ==
        LeaseOutcome::kWon);
}

TEST_CASE("a holder Job that does not exist is on its way while the Lease is young, vanished after") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  // Admission runs before the apiserver stores the Job: a fresh Lease's Job is not there yet.
  auto young = lock.acquire(claim("acme/migrate-2"), nullptr, kNow + std::chrono::seconds(2));
  CHECK(young.outcome == LeaseOutcome::kLost);
  CHECK(young.detail == "held by a Job being created");
  auto old = lock.acquire(claim("acme/migrate-2"), nullptr, kNow + std::chrono::seconds(61));
  CHECK(old.outcome == LeaseOutcome::kWon);
  CHECK(old.detail == "taken over from acme/migrate-1 (Job not found)");
}

TEST_CASE("when the holder's state cannot be read, only an expired Lease is taken over") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  api.fail_next = {{"GET", 0}};  // the Lease GET fails
  auto r = lock.acquire(claim("acme/migrate-2"), nullptr, kNow + std::chrono::seconds(10));
  CHECK(r.outcome == LeaseOutcome::kError);
  CHECK(r.detail == "get Lease schemagate/schemagate-db-acme-acme: transport: connection reset");
  // The Lease GET works, the Job GET fails: a fresh Lease cannot be judged.
  api.fail_next.clear();
  k8s::ClusterSnapshot empty;
  api.fail_jobs = 503;
  auto unknown = lock.acquire(claim("acme/migrate-2"), &empty, kNow + std::chrono::seconds(10));
  CHECK(unknown.outcome == LeaseOutcome::kError);
  CHECK(unknown.detail.rfind("get Job acme/migrate-1: 503", 0) == 0);
  api.fail_jobs = 0;
  // Unparsable holder identities have no Job to look up either.
  json lease = api.lease("schemagate-db-acme-acme");
  lease["spec"]["holderIdentity"] = "some-controller";
  api.objects["/apis/coordination.k8s.io/v1/namespaces/schemagate/leases/schemagate-db-acme-acme"] = lease;
  auto fresh = lock.acquire(claim("acme/migrate-2"), &empty, kNow + std::chrono::seconds(10));
  CHECK(fresh.outcome == LeaseOutcome::kError);
  CHECK(fresh.detail == "holder \"some-controller\" is not <namespace>/<job>");
  auto stale = lock.acquire(claim("acme/migrate-2"), &empty, kNow + std::chrono::seconds(901));
  CHECK(stale.outcome == LeaseOutcome::kWon);
  CHECK(stale.detail == "taken over from some-controller (expired)");
  CHECK(lock.errors() == 3);
}

TEST_CASE("an active holder keeps its database even after the Lease duration") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  auto view = view_with({{"acme/migrate-1", ""}});
  CHECK(lock.acquire(claim("acme/migrate-2"), &view, kNow + std::chrono::hours(2)).outcome ==
        LeaseOutcome::kLost);
}

TEST_CASE("a takeover that meets a newer resourceVersion is lost to the replica that wrote it") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  auto view = view_with({{"acme/migrate-1", "Complete"}});
  // Another replica takes the Lease over between our GET and our PUT.
  k8s::LeaseLock other(api, "schemagate");
  bool once = true;
  api.before_update = [&] {
    if (!once) return;
    once = false;
    CHECK(other.acquire(claim("globex/sneaky"), &view, kNow).outcome == LeaseOutcome::kWon);
  };
  auto r = lock.acquire(claim("acme/migrate-2"), &view, kNow);
  CHECK(r.outcome == LeaseOutcome::kLost);
  CHECK(r.detail == "lost the takeover race");
  CHECK(r.holder == "globex/sneaky");
  CHECK(api.lease("schemagate-db-acme-acme")["spec"]["holderIdentity"] == "globex/sneaky");
}

TEST_CASE("API failures are errors, never a silent win") {
  MemoryApi api;
  k8s::LeaseLock lock(api, "schemagate");
  api.fail_next = {{"POST", 500}};
  auto r = lock.acquire(claim("acme/migrate-1"), nullptr, kNow);
  CHECK(r.outcome == LeaseOutcome::kError);
  CHECK(r.detail.rfind("create Lease schemagate/schemagate-db-acme-acme: 500", 0) == 0);
  api.fail_next = {{"POST", 0}};
  CHECK(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kError);
  REQUIRE(lock.acquire(claim("acme/migrate-1"), nullptr, kNow).outcome == LeaseOutcome::kWon);
  auto view = view_with({{"acme/migrate-1", "Complete"}});
  api.fail_next = {{"PUT", 503}};
  auto put = lock.acquire(claim("acme/migrate-2"), &view, kNow);
  CHECK(put.outcome == LeaseOutcome::kError);
  CHECK(put.detail.rfind("update Lease schemagate/schemagate-db-acme-acme: 503", 0) == 0);
  std::string metrics;
  lock.append_metrics(metrics);
  CHECK(metrics.find("schemagate_leases_total{result=\"won\"} 1\n") != std::string::npos);
  CHECK(metrics.find("schemagate_leases_total{result=\"lost\"} 0\n") != std::string::npos);
  CHECK(metrics.find("schemagate_leases_total{result=\"error\"} 3\n") != std::string::npos);
}

TEST_CASE("replicas racing for one database: exactly one wins, every round") {
  MemoryApi api;
  k8s::LeaseLock a(api, "schemagate");
  k8s::LeaseLock b(api, "schemagate");
  for (int round = 0; round < 200; ++round) {
    std::string db = "db" + std::to_string(round);
    LeaseOutcome ra{}, rb{};
    std::thread ta([&] { ra = a.acquire(claim("acme/a-" + db, db), nullptr, kNow).outcome; });
    std::thread tb([&] { rb = b.acquire(claim("acme/b-" + db, db), nullptr, kNow).outcome; });
    ta.join();
    tb.join();
    INFO(round);
    CHECK((ra == LeaseOutcome::kWon) != (rb == LeaseOutcome::kWon));
    CHECK(ra != LeaseOutcome::kError);
    CHECK(rb != LeaseOutcome::kError);
  }
}

}  // namespace lease_lock_test
