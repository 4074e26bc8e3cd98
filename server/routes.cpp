#include "server/routes.hpp"

#include <cctype>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>

namespace schemagate::server {

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kText = "text/plain; charset=utf-8";
// Prometheus text exposition format 0.0.4.
constexpr std::string_view kPrometheus = "text/plain; version=0.0.4; charset=utf-8";

HttpResponse json_error(int status, std::string_view message, std::string_view uid = {}) {
  return HttpResponse{status, std::string(kJson), error_json(message, uid), {}};
}

HttpResponse method_not_allowed(std::string_view allow) {
  HttpResponse r = json_error(405, "method not allowed");
  r.allow = allow;
  return r;
}

// The uid of an AdmissionReview body, or empty; non-throwing parse.
std::string uid_of(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  auto req = doc.find("request");
  if (req == doc.end() || !req->is_object()) return {};
  auto uid = req->find("uid");
  if (uid == req->end() || !uid->is_string()) return {};
  return uid->get<std::string>();
}

}  // namespace

bool is_json_content_type(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t'))
    media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t'))
    media.remove_prefix(1);
  if (media.size() != kJson.size()) return false;
  for (std::size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

std::string error_json(std::string_view message, std::string_view uid) {
  nlohmann::ordered_json j;
  j["error"] = message;
  if (!uid.empty()) j["uid"] = uid;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse Router::handle(const HttpRequest& request) const {
  HttpResponse response;
  try {
    response = route(request);
  } catch (const std::exception& e) {
    // The reviewer promises not to throw; this is the one guard per request.
    response = json_error(500, std::string("internal error: ") + e.what(), uid_of(request.body));
    if (log_) log_->event("error", response.body);
  } catch (...) {
    response = json_error(500, "internal error", uid_of(request.body));
    if (log_) log_->event("error", response.body);
  }
  metrics_.count_http(response.status);
  return response;
}

HttpResponse Router::route(const HttpRequest& request) const {
  std::string_view path = request.target.substr(0, request.target.find('?'));
  const bool get = request.method == "GET";
  if (path == "/validate") {
    if (request.method != "POST") return method_not_allowed("POST");
    return validate(request);
  }
  if (path == "/healthz") {
    if (!get) return method_not_allowed("GET");
    return HttpResponse{200, std::string(kText), "ok\n", {}};
  }
  if (path == "/readyz") {
    if (!get) return method_not_allowed("GET");
    if (draining_ && draining_->load(std::memory_order_relaxed))
      return HttpResponse{503, std::string(kText), "shutting down\n", {}};
    if (!reviewer_.ready()) return HttpResponse{503, std::string(kText), "not ready\n", {}};
    return HttpResponse{200, std::string(kText), "ok\n", {}};
  }
  if (path == "/metrics") {
    if (!get) return method_not_allowed("GET");
    return metrics();
  }
  return json_error(404, "not found");
}

HttpResponse Router::validate(const HttpRequest& request) const {
  if (!is_json_content_type(request.content_type))
    return json_error(415, "Content-Type must be application/json");
  auto start = std::chrono::steady_clock::now();
  ReviewOutcome outcome = reviewer_.review(request.body);
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  metrics_.count_review(outcome.decision, outcome.finding_gates, took.count());
  if (log_) log_->decision(outcome, took.count() * 1000.0);
  return HttpResponse{outcome.http_status, std::string(kJson), std::move(outcome.body), {}};
}

HttpResponse Router::metrics() const {
  HttpResponse r{200, std::string(kPrometheus), {}, {}};
  r.body.reserve(4096);
  metrics_.render(r.body);
  reviewer_.append_metrics(r.body);
  return r;
}

}  // namespace schemagate::server
