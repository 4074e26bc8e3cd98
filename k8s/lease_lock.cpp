#include "k8s/lease_lock.hpp"

#include <charconv>
#include <cstdlib>
#include <ctime>

#include "gates/common/json_fields.hpp"

namespace schemagate::k8s {
namespace {

using json_fields::field;
using nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr std::size_t kMaxSubdomain = 253;

// FNV-1a, 64 bits: a stable, dependency-free suffix. A collision only makes two
// databases share one Lease (they then migrate one after the other): safe.
std::string hash_hex(std::string_view s, std::size_t digits) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < digits; ++i)
    out += kHex[(h >> (60 - 4 * i)) & 0xf];
  return out;
}

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

template <typename T>
bool number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The Lease's last sign of life: renewTime, else acquireTime.
std::optional<Clock::time_point> last_renewal(const gates::Lease& lease) {
  if (auto t = parse_rfc3339(lease.renew_time)) return t;
  return parse_rfc3339(lease.acquire_time);
}

bool expired(const gates::Lease& lease, std::int64_t fallback_duration, Clock::time_point now) {
  std::optional<Clock::time_point> renewed = last_renewal(lease);
  if (!renewed) return true;  // a Lease without times protects nothing
  std::int64_t duration = lease.lease_duration_seconds > 0 ? lease.lease_duration_seconds : fallback_duration;
  return *renewed + std::chrono::seconds(duration) < now;
}

}  // namespace

std::string lease_name(std::string_view tenant, std::string_view database) {
  std::string raw = "schemagate-db-" + std::string(tenant) + "-" + std::string(database);
  std::string name;
  for (char c : raw) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    name += (alnum(l) || l == '-' || l == '.') ? l : '-';
  }
  bool changed = name != raw;
  // Every label of a subdomain starts and ends alphanumeric: no "..", ".-" or "-.".
  for (std::size_t i = 0; i + 1 < name.size(); ++i) {
    if ((name[i] == '.' || name[i] == '-') && (name[i + 1] == '.' || name[i + 1] == '-') &&
        !(name[i] == '-' && name[i + 1] == '-')) {
      name[i] = '-';
      name[i + 1] = '-';
      changed = true;
    }
  }
  while (!name.empty() && !alnum(name.back())) {
    name.pop_back();
    changed = true;
  }
  if (!changed && name.size() <= kMaxSubdomain) return name;
  std::string suffix = "-" + hash_hex(std::string(tenant) + "/" + std::string(database), 10);
  if (name.size() > kMaxSubdomain - suffix.size()) name.resize(kMaxSubdomain - suffix.size());
  while (!name.empty() && !alnum(name.back()))
    name.pop_back();
  return name + suffix;
}

std::string default_lease_namespace(std::string_view fallback) {
  const char* ns = std::getenv("POD_NAMESPACE");
  if (ns != nullptr && *ns != '\0') return ns;
  return fallback.empty() ? std::string("schemagate") : std::string(fallback);
}

std::optional<Clock::time_point> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':')
    return std::nullopt;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(s.substr(0, 4), year) || !number(s.substr(5, 2), month) || !number(s.substr(8, 2), day) ||
      !number(s.substr(11, 2), hour) || !number(s.substr(14, 2), minute) || !number(s.substr(17, 2), second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::size_t i = 19;
  std::int64_t micros = 0;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    if (i == start) return std::nullopt;
    std::string_view frac = s.substr(start, std::min<std::size_t>(i - start, 6));
    std::int64_t v = 0;
    if (!number(frac, v)) return std::nullopt;
    for (std::size_t k = frac.size(); k < 6; ++k)
      v *= 10;
    micros = v;
  }
  std::int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!number(s.substr(i + 1, 2), oh) || !number(s.substr(i + 4, 2), om)) return std::nullopt;
    offset = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = ::timegm(&tm);
  return Clock::time_point(std::chrono::seconds(t - offset)) + std::chrono::microseconds(micros);
}

std::string format_micro_time(Clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
  long frac = static_cast<long>(micros % 1'000'000);
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

LeaseLock::LeaseLock(const ApiClient& api, std::string lease_namespace)
    : api_(api),
      namespace_(std::move(lease_namespace)),
      collection_("/apis/coordination.k8s.io/v1/namespaces/" + namespace_ + "/leases") {}

LeaseResult LeaseLock::acquire(const LeaseClaim& claim, const gates::ClusterView* view,
                               Clock::time_point now) const {
  return count(decide(claim, view, now));
}

LeaseResult LeaseLock::count(LeaseResult r) const {
  switch (r.outcome) {
    case LeaseOutcome::kWon:
      won_.fetch_add(1);
      break;
    case LeaseOutcome::kLost:
      lost_.fetch_add(1);
      break;
    case LeaseOutcome::kError:
      errors_.fetch_add(1);
      break;
  }
  return r;
}

json LeaseLock::new_lease(const LeaseClaim& claim, Clock::time_point now) const {
  std::string t = format_micro_time(now);
  return json{{"apiVersion", "coordination.k8s.io/v1"},
              {"kind", "Lease"},
              {"metadata",
               {{"name", lease_name(claim.tenant, claim.database)},
                {"namespace", namespace_},
                {"labels", {{"app.kubernetes.io/managed-by", "schemagate"}}},
                {"annotations",
                 {{"schemagate.io/tenant", claim.tenant}, {"schemagate.io/database", claim.database}}}}},
              {"spec",
               {{"holderIdentity", claim.holder},
                {"leaseDurationSeconds", claim.duration_seconds},
                {"acquireTime", t},
                {"renewTime", t},
                {"leaseTransitions", 0}}}};
}

LeaseResult LeaseLock::decide(const LeaseClaim& claim, const gates::ClusterView* view,
                              Clock::time_point now) const {
  LeaseResult r;
  r.lease = lease_name(claim.tenant, claim.database);
  const std::string path = collection_ + "/" + r.lease;
  // Create first: the common case (nobody migrates this database) is one POST. A
  // Lease deleted between our 409 and our GET sends us round again, twice at most.
  for (int attempt = 0; attempt < 3; ++attempt) {
    ApiResponse created = api_.create(collection_, new_lease(claim, now));
    if (created.status_code == 201) {
      r.outcome = LeaseOutcome::kWon;
      r.holder = claim.holder;
      r.detail = "created";
      return r;
    }
    if (created.status_code != 409) {
      r.detail = "create Lease " + namespace_ + "/" + r.lease + ": " + created.describe();
      return r;
    }
    ApiResponse got = api_.get(path);
    if (got.status_code == 404) continue;
    if (!got.ok()) {
      r.detail = "get Lease " + namespace_ + "/" + r.lease + ": " + got.describe();
      return r;
    }
    gates::Lease lease = gates::lease_from_json(got.body);
    r.holder = lease.holder_identity;
    bool stale = expired(lease, claim.duration_seconds, now);
    if (lease.holder_identity == claim.holder) {
      // A retry of the same review (the apiserver retries on timeouts): still ours.
      if (!stale) {
        r.outcome = LeaseOutcome::kWon;
        r.detail = "already held by this Job";
        return r;
      }
      return take_over(claim, std::move(got.body), lease.holder_identity, "renewed", now);
    }
    if (lease.holder_identity.empty()) {
      return take_over(claim, std::move(got.body), "nobody", "released", now);
    }
    std::string why;
    switch (holder_state(lease.holder_identity, view, why)) {
      case HolderState::kFinished:
        return take_over(claim, std::move(got.body), lease.holder_identity, why, now);
      case HolderState::kActive:
        r.outcome = LeaseOutcome::kLost;
        r.detail = "held by an active Job";
        return r;
      case HolderState::kMissing: {
        std::optional<Clock::time_point> renewed = last_renewal(lease);
        bool young = renewed && now - *renewed < std::chrono::seconds(claim.creation_grace_seconds);
        if (!young || stale) return take_over(claim, std::move(got.body), lease.holder_identity, why, now);
        r.outcome = LeaseOutcome::kLost;
        r.detail = "held by a Job being created";
        return r;
      }
      case HolderState::kUnknown:
        if (stale) return take_over(claim, std::move(got.body), lease.holder_identity, "expired", now);
        r.detail = why;
        return r;
    }
  }
  r.outcome = LeaseOutcome::kError;
  r.detail = "Lease " + namespace_ + "/" + r.lease + " kept vanishing between create and get";
  return r;
}

LeaseLock::HolderState LeaseLock::holder_state(std::string_view holder, const gates::ClusterView* view,
                                               std::string& why) const {
  std::size_t slash = holder.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == holder.size()) {
    why = "holder \"" + std::string(holder) + "\" is not <namespace>/<job>";
    return HolderState::kUnknown;
  }
  std::string_view ns = holder.substr(0, slash);
  std::string_view name = holder.substr(slash + 1);
  if (view != nullptr) {
    for (const gates::Job& j : view->migration_jobs(ns)) {
      if (j.meta.name != name) continue;
      // Finished is final (a Job never runs again), so the cache is trusted on it;
      // "active" from a stale cache only delays the next migration.
      if (j.finished()) {
        why = j.condition_failed ? "failed" : "completed";
        return HolderState::kFinished;
      }
      return HolderState::kActive;
    }
  }
  ApiResponse got = api_.get("/apis/batch/v1/namespaces/" + std::string(ns) + "/jobs/" + std::string(name));
  if (got.status_code == 404) {
    why = "Job not found";
    return HolderState::kMissing;
  }
  if (!got.ok()) {
    why = "get Job " + std::string(holder) + ": " + got.describe();
    return HolderState::kUnknown;
  }
  gates::Job job = gates::job_from_json(got.body);
  if (job.finished()) {
    why = job.condition_failed ? "failed" : "completed";
    return HolderState::kFinished;
  }
  return HolderState::kActive;
}

LeaseResult LeaseLock::take_over(const LeaseClaim& claim, json lease, const std::string& from,
                                 const std::string& why, Clock::time_point now) const {
  LeaseResult r;
  r.lease = lease_name(claim.tenant, claim.database);
  std::string t = format_micro_time(now);
  json& spec = lease["spec"];
  if (!spec.is_object()) spec = json::object();
  bool transition = field(spec, "holderIdentity") != json(claim.holder);
  spec["holderIdentity"] = claim.holder;
  spec["leaseDurationSeconds"] = claim.duration_seconds;
  spec["renewTime"] = t;
  if (transition) {
    spec["acquireTime"] = t;
    const json& n = field(spec, "leaseTransitions");
    spec["leaseTransitions"] = (n.is_number_integer() ? n.get<std::int64_t>() : 0) + 1;
  }
  // metadata.resourceVersion is the one we read: a PUT over a newer version is a 409.
  ApiResponse put = api_.update(collection_ + "/" + r.lease, lease);
  if (put.status_code == 200) {
    r.outcome = LeaseOutcome::kWon;
    r.holder = claim.holder;
    r.detail = why == "renewed" ? why : "taken over from " + from + " (" + why + ")";
    return r;
  }
  if (put.status_code == 409 || put.status_code == 404) {
    // Another replica took it (or released it) first: its Job won. Name it if we can.
    r.outcome = LeaseOutcome::kLost;
    r.detail = "lost the takeover race";
    ApiResponse got = api_.get(collection_ + "/" + r.lease);
    r.holder = got.ok() ? gates::lease_from_json(got.body).holder_identity : std::string();
    if (r.holder.empty()) r.holder = "another migration";
    return r;
  }
  r.outcome = LeaseOutcome::kError;
  r.holder = from;
  r.detail = "update Lease " + namespace_ + "/" + r.lease + ": " + put.describe();
  return r;
}

void LeaseLock::append_metrics(std::string& out) const {
  out += "# HELP schemagate_leases_total Database Lease acquisitions by result.\n";
  out += "# TYPE schemagate_leases_total counter\n";
  out += "schemagate_leases_total{result=\"won\"} " + std::to_string(won()) + "\n";
  out += "schemagate_leases_total{result=\"lost\"} " + std::to_string(lost()) + "\n";
  out += "schemagate_leases_total{result=\"error\"} " + std::to_string(errors()) + "\n";
}

}  // namespace schemagate::k8s
