#include "k8s/informer.hpp"

#include <condition_variable>
#include <iostream>
#include <random>

namespace schemagate::k8s {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string rv_of(const nlohmann::json& object) {
  if (!object.is_object()) return {};
  auto m = object.find("metadata");
  if (m == object.end() || !m->is_object()) return {};
  auto rv = m->find("resourceVersion");
  return rv != m->end() && rv->is_string() ? rv->get<std::string>() : std::string();
}

int status_code_of(const nlohmann::json& status) {
  if (!status.is_object()) return 0;
  auto c = status.find("code");
  return c != status.end() && c->is_number_integer() ? c->get<int>() : 0;
}

void log(const std::string& resource, const std::string& message) {
  std::cerr << "schemagate: informer " << resource << ": " << message << "\n";
}

}  // namespace

Informer::Informer(const ApiClient& client, InformerOptions options, InformerSink& sink)
    : client_(client), options_(std::move(options)), sink_(sink) {}

Informer::~Informer() {
  stop();
}

void Informer::start() {
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void Informer::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

std::chrono::steady_clock::time_point Informer::last_contact() const {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(last_contact_ns_.load()));
}

std::string Informer::resource_version() const {
  std::lock_guard lock(rv_mu_);
  return rv_;
}

void Informer::touch() {
  last_contact_ns_.store(now_ns());
}

bool Informer::sleep_for(std::chrono::milliseconds d, const std::stop_token& stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

// A paged list at the current state; on success `rv` is the list's resourceVersion
// and the sink holds exactly the listed objects. A 410 on a continue token (the
// snapshot the pages come from was compacted) restarts the list from page one.
bool Informer::list(const std::stop_token& stop, std::string& rv) {
  for (int restart = 0; restart < 3 && !stop.stop_requested(); ++restart) {
    ListOptions lo;
    lo.label_selector = options_.label_selector;
    lo.limit = options_.page_size;
    sink_.begin_list();
    bool expired = false;
    // Bounded: each page advances the continue token; the apiserver ends the chain.
    for (int page = 0; page < 1'000'000; ++page) {
      if (stop.stop_requested()) return false;
      ApiResponse r = client_.list(options_.path, lo);
      if (r.status_code == 410) {
        expired = true;
        break;
      }
      if (!r.ok() || !r.body.is_object()) {
        log(options_.resource, "list failed: " + r.describe());
        return false;
      }
      touch();
      const nlohmann::json& items = r.body.contains("items") ? r.body["items"] : nlohmann::json();
      if (items.is_array())
        for (const auto& item : items)
          sink_.list_item(item);
      const nlohmann::json& meta = r.body.contains("metadata") ? r.body["metadata"] : nlohmann::json();
      std::string cont = meta.is_object() && meta.contains("continue") && meta["continue"].is_string()
                             ? meta["continue"].get<std::string>()
                             : std::string();
      if (cont.empty()) {
        rv = meta.is_object() && meta.contains("resourceVersion") && meta["resourceVersion"].is_string()
                 ? meta["resourceVersion"].get<std::string>()
                 : std::string();
        sink_.end_list();
        return true;
      }
      lo.continue_token = std::move(cont);
    }
    if (!expired) return false;
  }
  return false;
}

void Informer::run(const std::stop_token& stop) {
  std::mt19937_64 rng(std::random_device{}());
  std::chrono::milliseconds backoff = options_.backoff_initial;
  auto back_off = [&] {
    // Full jitter in [backoff/2, backoff): replicas that lost the apiserver together
    // do not come back in lockstep.
    std::uniform_int_distribution<long long> dist(backoff.count() / 2, backoff.count());
    bool go_on = sleep_for(std::chrono::milliseconds(dist(rng)), stop);
    backoff = std::min(backoff * 2, options_.backoff_max);
    return go_on;
  };
  bool need_list = true;
  bool first_list = true;
  std::string rv;
  while (!stop.stop_requested()) {
    if (need_list) {
      if (!list(stop, rv)) {
        if (!back_off()) break;
        continue;
      }
      if (!first_list) relists_.fetch_add(1);
      first_list = false;
      need_list = false;
      synced_.store(true);
      {
        std::lock_guard lock(rv_mu_);
        rv_ = rv;
      }
    }
    WatchOptions wo;
    wo.label_selector = options_.label_selector;
    wo.resource_version = rv;
    wo.allow_bookmarks = true;
    std::uniform_int_distribution<int> t(options_.min_watch_timeout_seconds,
                                         2 * options_.min_watch_timeout_seconds - 1);
    wo.timeout_seconds = options_.min_watch_timeout_seconds > 0 ? t(rng) : 0;
    bool expired = false;
    std::string event_error;
    WatchResult w = client_.watch(
        options_.path, wo,
        [&](WatchEvent&& ev) {
          touch();
          if (ev.type == "ERROR") {
            // 410 Gone/Expired: our RV was compacted away; anything else ends the watch.
            if (status_code_of(ev.object) == 410)
              expired = true;
            else
              event_error = ev.object.is_object() ? ev.object.value("message", "ERROR event") : "ERROR event";
            return false;
          }
          std::string new_rv = rv_of(ev.object);
          if (ev.type == "ADDED" || ev.type == "MODIFIED")
            sink_.upsert(ev.object);
          else if (ev.type == "DELETED")
            sink_.erase(ev.object);
          else if (ev.type != "BOOKMARK")
            return true;  // an unknown type: ignore, as client-go does
          if (!new_rv.empty()) {
            rv = std::move(new_rv);
            std::lock_guard lock(rv_mu_);
            rv_ = rv;
          }
          return true;
        },
        stop);
    if (stop.stop_requested()) break;
    if (expired || w.status_code == 410) {
      log(options_.resource, "resourceVersion " + rv + " expired (410): relisting");
      need_list = true;
      continue;  // relist at once: client-go does, and a list is what fixes a 410
    }
    watch_restarts_.fetch_add(1);
    if (w.status_code == 200 && w.error.empty() && event_error.empty()) {
      backoff = options_.backoff_initial;  // the server's timeoutSeconds ended it: re-watch now
      continue;
    }
    if (w.events > 0) backoff = options_.backoff_initial;  // it was healthy until it broke
    std::string why = !event_error.empty() ? event_error
                      : w.status_code != 0 ? ApiResponse{w.status_code, w.body, w.error}.describe()
                                           : w.error;
    log(options_.resource, "watch ended: " + why + "; re-watching from " + rv);
    if (!back_off()) break;
  }
}

}  // namespace schemagate::k8s
