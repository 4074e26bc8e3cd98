// The AdmissionReview v1 codec (ARCHITECTURE.md §6): request decoding that never
// throws, and replies shaped exactly as the apiserver and kubectl show them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/verdict.hpp"

namespace schemagate::server {

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
};

struct AdmissionRequest {
  std::string uid;
  GroupVersionKind kind;
  std::string name;
  std::string namespace_name;
  std::string operation;  // CREATE | UPDATE | DELETE | CONNECT
  bool dry_run = false;
  nlohmann::json object;      // null when absent (DELETE)
  nlohmann::json old_object;  // null unless UPDATE
};

// A request, or why there is none (an HTTP 400: without a uid there is nothing the
// apiserver could match a reply to).
struct DecodeResult {
  std::optional<AdmissionRequest> request;
  std::string error;
};
DecodeResult decode_admission_review(std::string_view body);

struct StatusCause {
  std::string reason;  // gate id
  std::string field;   // location
  std::string message;
};

struct AdmissionStatus {
  int code = 403;
  std::string reason = "Forbidden";
  std::string message;
  std::vector<StatusCause> causes;
};

struct AdmissionResponse {
  std::string uid;
  bool allowed = true;
  std::optional<AdmissionStatus> status;
  std::vector<std::string> warnings;
  std::map<std::string, std::string> audit_annotations;  // sorted keys: stable bytes
};

// {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{...}};
// keys in a fixed order, empty warnings/auditAnnotations omitted, never a patch.
std::string encode_admission_review(const AdmissionResponse& r);

// The body of an HTTP 400: a v1 Status, which is what the apiserver itself answers.
std::string encode_bad_request(std::string_view message);

// Warning limits: the apiserver may cut a warning over 256 characters, ignores
// warnings past 4096 characters in total, and drops any containing a newline.
inline constexpr std::size_t kWarningTarget = 120;
inline constexpr std::size_t kWarningMax = 256;
inline constexpr std::size_t kWarningsTotal = 4096;

// "<gate-id>: <location>: <message>" with `prefix` before it, newlines folded, the
// message shortened (at a clause or word, with "…") to fit kWarningTarget, but to no
// fewer than 60 bytes when the id and location are long; never over kWarningMax.
std::string format_warning(std::string_view prefix, const gates::Finding& f);
// Keeps warnings in order while they fit kWarningsTotal; the rest become one final
// "… and N more warnings".
std::vector<std::string> limit_warnings(std::vector<std::string> warnings);

// What the reviewer knows about the request, for the summary line and annotations.
struct ReplyContext {
  std::string uid;
  std::string job;  // "<namespace>/<name>"
};

// The reply for an evaluated Job: denied with one message line and one cause per
// error finding; warnings for warning findings (and, in audit mode, for the errors
// that would have denied: "audit: would deny: ..."); auditAnnotations decision,
// gates, migration-hash and approval.
AdmissionResponse response_for_verdict(const ReplyContext& rc, const gates::Verdict& v);

// The reply for a request not evaluated (not a Job, exempt namespace, UPDATE that
// changed nothing gated): allowed, auditAnnotation decision=skip.
AdmissionResponse response_skip(std::string uid);

// The reply when evaluation failed internally: failure mode closed denies with
// code 500, open admits with a warning; decision=error either way.
AdmissionResponse response_internal_error(std::string uid, std::string_view what, bool fail_closed);

}  // namespace schemagate::server
