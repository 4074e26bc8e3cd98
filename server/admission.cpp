#include "server/admission.hpp"

#include <algorithm>

#include "gates/common/json_fields.hpp"

namespace schemagate::server {
namespace {

using json_fields::field;
using json_fields::string_field;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

// Newlines make the apiserver drop a warning; tabs and other controls read badly.
std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  return out;
}

// Longest prefix of `s` no longer than `max` bytes that does not split a UTF-8 sequence.
std::size_t utf8_cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return n;
}

// `s` cut to at most `max` bytes, ending in "…": at the end of a clause when one
// ends in the second half, else at a word boundary, else mid-word (UTF-8 safe).
std::string shorten(std::string_view s, std::size_t max) {
  static constexpr std::string_view kEllipsis = "…";  // 3 bytes
  if (s.size() <= max) return std::string(s);
  if (max <= kEllipsis.size()) return std::string(s.substr(0, utf8_cut(s, max)));
  std::size_t n = utf8_cut(s, max - kEllipsis.size());
  std::string_view window = s.substr(0, n + 1);  // a separator right at the cut counts
  std::size_t clause = 0;
  for (std::string_view sep : {", ", ": ", "; ", ". "}) {
    std::size_t at = window.rfind(sep);
    if (at != std::string_view::npos && at > clause) clause = at;
  }
  std::size_t space = window.rfind(' ');
  if (clause > n / 2)
    n = clause;
  else if (space != std::string_view::npos && space > n / 2)
    n = space;
  std::string_view head = s.substr(0, n);
  while (!head.empty() &&
         (head.back() == ' ' || head.back() == ',' || head.back() == ':' || head.back() == ';'))
    head.remove_suffix(1);
  return std::string(head) + std::string(kEllipsis);
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

DecodeResult decode_admission_review(std::string_view body) {
  DecodeResult r;
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) {
    r.error = "request body is not valid JSON";
    return r;
  }
  if (!doc.is_object()) {
    r.error = "request body is not a JSON object";
    return r;
  }
  if (std::string v = string_field(doc, "apiVersion"); v != "admission.k8s.io/v1") {
    r.error = "unsupported apiVersion '" + one_line(v) + "' (schemagate speaks admission.k8s.io/v1)";
    return r;
  }
  if (std::string k = string_field(doc, "kind"); k != "AdmissionReview") {
    r.error = "kind is '" + one_line(k) + "', expected AdmissionReview";
    return r;
  }
  const json& req = field(doc, "request");
  if (!req.is_object()) {
    r.error = "AdmissionReview has no request";
    return r;
  }
  AdmissionRequest out;
  out.uid = string_field(req, "uid");
  if (out.uid.empty()) {
    r.error = "AdmissionReview request has no uid";
    return r;
  }
  const json& kind = field(req, "kind");
  out.kind = {string_field(kind, "group"), string_field(kind, "version"), string_field(kind, "kind")};
  out.name = string_field(req, "name");
  out.namespace_name = string_field(req, "namespace");
  out.operation = string_field(req, "operation");
  out.dry_run = field(req, "dryRun").is_boolean() && field(req, "dryRun").get<bool>();
  // Moved, not copied, out of the parsed document: the Job can be tens of KB of JSON.
  json& request = doc["request"];
  if (auto it = request.find("object"); it != request.end()) out.object = std::move(*it);
  if (auto it = request.find("oldObject"); it != request.end()) out.old_object = std::move(*it);
  r.request = std::move(out);
  return r;
}

std::string encode_admission_review(const AdmissionResponse& r) {
  ojson resp;
  resp["uid"] = r.uid;
  resp["allowed"] = r.allowed;
  if (r.status) {
    ojson status;
    status["code"] = r.status->code;
    status["reason"] = r.status->reason;
    status["message"] = r.status->message;
    if (!r.status->causes.empty()) {
      ojson causes = ojson::array();
      for (const StatusCause& c : r.status->causes)
        causes.push_back({{"reason", c.reason}, {"field", c.field}, {"message", c.message}});
      status["details"] = {{"causes", std::move(causes)}};
    }
    resp["status"] = std::move(status);
  }
  if (!r.warnings.empty()) resp["warnings"] = r.warnings;
  if (!r.audit_annotations.empty()) {
    ojson a = ojson::object();
    for (const auto& [k, v] : r.audit_annotations)
      a[k] = v;
    resp["auditAnnotations"] = std::move(a);
  }
  ojson doc;
  doc["apiVersion"] = "admission.k8s.io/v1";
  doc["kind"] = "AdmissionReview";
  doc["response"] = std::move(resp);
  // Replacement, not an exception, for invalid UTF-8 that came in with the request.
  return doc.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

std::string encode_bad_request(std::string_view message) {
  ojson doc;
  doc["apiVersion"] = "v1";
  doc["kind"] = "Status";
  doc["status"] = "Failure";
  doc["message"] = std::string(message);
  doc["reason"] = "BadRequest";
  doc["code"] = 400;
  return doc.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

std::string format_warning(std::string_view prefix, const gates::Finding& f) {
  std::string head = std::string(prefix) + f.gate_id + ": " + one_line(f.location.display()) + ": ";
  std::string message = one_line(f.message);
  if (head.size() + message.size() <= kWarningTarget) return head + message;
  // Keep the id and location whole; the message gives way first, but keeps at least
  // kMinMessage bytes so it still says something (locations of ConfigMap keys are long:
  // a readable warning beats the 120 target, never the apiserver's 256).
  constexpr std::size_t kMinMessage = 60;
  std::size_t budget = std::max(kWarningTarget > head.size() ? kWarningTarget - head.size() : 0, kMinMessage);
  if (head.size() + budget > kWarningMax) budget = kWarningMax > head.size() ? kWarningMax - head.size() : 0;
  if (budget >= 24) return head + shorten(message, budget);
  return shorten(head + message, kWarningMax);
}

std::vector<std::string> limit_warnings(std::vector<std::string> warnings) {
  std::size_t total = 0;
  for (const auto& w : warnings)
    total += w.size();
  if (total <= kWarningsTotal) return warnings;
  constexpr std::size_t kTrailer = 40;  // room for "… and N more warnings"
  std::vector<std::string> out;
  total = 0;
  for (auto& w : warnings) {
    if (total + w.size() + kTrailer > kWarningsTotal) break;
    total += w.size();
    out.push_back(std::move(w));
  }
  std::size_t dropped = warnings.size() - out.size();
  out.push_back("… and " + plural(dropped, "more warning"));
  return out;
}

AdmissionResponse response_for_verdict(const ReplyContext& rc, const gates::Verdict& v) {
  AdmissionResponse r;
  r.uid = rc.uid;
  r.allowed = v.decision == gates::Decision::kAllow;
  std::vector<std::string> warnings;
  std::string lines;
  std::vector<StatusCause> causes;
  for (const gates::Finding& f : v.findings) {
    if (f.severity == gates::Severity::kError) {
      if (v.decision == gates::Decision::kDeny) {
        lines += "\n[" + f.gate_id + "] " + f.location.display() + ": " + f.message;
        if (!f.help.empty()) lines += " — " + f.help;
        causes.push_back({f.gate_id, f.location.display(), f.message});
      } else {
        warnings.push_back(format_warning("audit: would deny: ", f));
      }
    } else if (f.severity == gates::Severity::kWarning) {
      warnings.push_back(format_warning(f.approval.empty() ? "" : "approved: ", f));
    }
    // info findings are for the decision log only
  }
  if (!r.allowed) {
    AdmissionStatus s;
    s.message = "schemagate found " + plural(causes.size(), "error") + " in Job " + rc.job + lines;
    s.causes = std::move(causes);
    r.status = std::move(s);
  }
  r.warnings = limit_warnings(std::move(warnings));
  r.audit_annotations["decision"] = !r.allowed ? "deny" : (v.audit && v.would_deny ? "audit-deny" : "allow");
  if (auto fired = v.fired_gates(); !fired.empty()) r.audit_annotations["gates"] = join(fired, ",");
  if (!v.migration_hash.empty()) r.audit_annotations["migration-hash"] = v.migration_hash;
  if (!v.approved_gates.empty()) {
    r.audit_annotations["approval"] = join(v.approved_gates, ",") + ": " + one_line(v.approval_reason);
  }
  return r;
}

AdmissionResponse response_skip(std::string uid) {
  AdmissionResponse r;
  r.uid = std::move(uid);
  r.allowed = true;
  r.audit_annotations["decision"] = "skip";
  return r;
}

AdmissionResponse response_internal_error(std::string uid, std::string_view what, bool fail_closed) {
  AdmissionResponse r;
  r.uid = std::move(uid);
  std::string text = "schemagate internal error: " + one_line(what);
  if (fail_closed) {
    r.allowed = false;
    AdmissionStatus s;
    s.code = 500;
    s.reason = "InternalError";
    s.message = text + "; failureMode closed";
    r.status = std::move(s);
  } else {
    r.allowed = true;
    r.warnings.push_back(shorten(text + "; failureMode open: admitted without review", kWarningMax));
  }
  r.audit_annotations["decision"] = "error";
  return r;
}

}  // namespace schemagate::server
