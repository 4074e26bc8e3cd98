// The AdmissionReview v1 wire contract (ARCHITECTURE.md §6), pinned byte for byte.
#include <catch2/catch.hpp>

#include "server/admission.hpp"

namespace admission_codec_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;
using server::AdmissionResponse;
using server::decode_admission_review;
using server::encode_admission_review;
using server::response_for_verdict;

namespace {

gates::Finding finding(std::string gate, gates::Severity sev, std::string source, std::uint32_t line,
                       std::uint32_t col, std::string message, std::string help) {
  gates::Finding f;
  f.gate_id = std::move(gate);
  f.severity = sev;
  f.location.source = std::move(source);
  f.location.line = line;
  f.location.column = col;
  f.message = std::move(message);
  f.help = std::move(help);
  return f;
}

const server::ReplyContext kRc{"705ab4f5-6393-11e8-b7cc-42010a800002", "tenant-globex/billing-migrate-v7"};

std::string body(const AdmissionResponse& r) {
  return encode_admission_review(r);
}

}  // namespace

TEST_CASE("codec: decodes a v1 AdmissionReview request") {
  auto d = decode_admission_review(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
    "request":{"uid":"u-1","kind":{"group":"batch","version":"v1","kind":"Job"},"name":"j","namespace":"ns",
    "operation":"CREATE","dryRun":true,"object":{"kind":"Job"},"oldObject":null}})");
  REQUIRE(d.request);
  CHECK(d.request->uid == "u-1");
  CHECK(d.request->kind.group == "batch");
  CHECK(d.request->kind.kind == "Job");
  CHECK(d.request->operation == "CREATE");
  CHECK(d.request->dry_run);
  CHECK(d.request->object["kind"] == "Job");
  CHECK(d.request->old_object.is_null());
}

TEST_CASE("codec: malformed requests are errors without a uid (HTTP 400)") {
  CHECK(decode_admission_review("{not json").error == "request body is not valid JSON");
  CHECK(decode_admission_review("[1]").error == "request body is not a JSON object");
  CHECK(decode_admission_review(R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"})")
            .error ==
        "unsupported apiVersion 'admission.k8s.io/v1beta1' (schemagate speaks admission.k8s.io/v1)");
  CHECK(decode_admission_review(R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod"})").error ==
        "kind is 'Pod', expected AdmissionReview");
  CHECK(decode_admission_review(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})").error ==
        "AdmissionReview has no request");
  CHECK(decode_admission_review(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
    "request":{"uid":""}})")
            .error == "AdmissionReview request has no uid");
  CHECK(
      server::encode_bad_request("AdmissionReview request has no uid") ==
      R"({"apiVersion":"v1","kind":"Status","status":"Failure","message":"AdmissionReview request has no uid",)"
      R"("reason":"BadRequest","code":400})");
}

TEST_CASE("codec: an allowed Job with no findings") {
  gates::Verdict v;
  v.migration_hash = "ab12";
  CHECK(body(response_for_verdict(kRc, v)) ==
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{)"
        R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true,)"
        R"("auditAnnotations":{"decision":"allow","migration-hash":"ab12"}}})");
}

TEST_CASE("codec: a denial has a summary, one line and one cause per error, and warnings") {
  gates::Verdict v;
  v.decision = gates::Decision::kDeny;
  v.would_deny = true;
  v.migration_hash = "ab12";
  v.findings = {
      finding(
          "lint.require-concurrent-index", gates::Severity::kError,
          "configmap/billing-migrations-v7/1_x.up.sql", 5, 1,
          "CREATE INDEX on invoices holds a SHARE lock: writes to invoices block until the index build ends.",
          "Build it with CREATE INDEX CONCURRENTLY."),
      finding("lint.prefer-text", gates::Severity::kWarning, "configmap/billing-migrations-v7/1_x.up.sql", 8,
              24, "Column sku is varchar(64).", "Use text."),
      finding("job.require-migration-sql", gates::Severity::kError,
              "metadata.annotations[schemagate.io/migrations]", 0, 0,
              "ConfigMap extra does not exist in namespace tenant-globex.", "Create it."),
      finding("lint.info-only", gates::Severity::kInfo, "x", 1, 1, "not on the wire", ""),
  };
  CHECK(
      body(response_for_verdict(kRc, v)) ==
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{)"
      R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":false,)"
      R"("status":{"code":403,"reason":"Forbidden","message":)"
      R"("schemagate found 2 errors in Job tenant-globex/billing-migrate-v7)"
      R"(\n[lint.require-concurrent-index] configmap/billing-migrations-v7/1_x.up.sql:5:1: CREATE INDEX on )"
      R"(invoices holds a SHARE lock: writes to invoices block until the index build ends. — Build it with )"
      R"(CREATE INDEX CONCURRENTLY.)"
      R"(\n[job.require-migration-sql] metadata.annotations[schemagate.io/migrations]: ConfigMap extra does )"
      R"(not exist in namespace tenant-globex. — Create it.",)"
      R"("details":{"causes":[)"
      R"({"reason":"lint.require-concurrent-index","field":"configmap/billing-migrations-v7/1_x.up.sql:5:1",)"
      R"("message":"CREATE INDEX on invoices holds a SHARE lock: writes to invoices block until the index )"
      R"(build ends."},)"
      R"({"reason":"job.require-migration-sql","field":"metadata.annotations[schemagate.io/migrations]",)"
      R"("message":"ConfigMap extra does not exist in namespace tenant-globex."}]}},)"
      R"("warnings":["lint.prefer-text: configmap/billing-migrations-v7/1_x.up.sql:8:24: Column sku is )"
      R"(varchar(64)."],)"
      R"("auditAnnotations":{"decision":"deny","gates":"job.require-migration-sql,lint.info-only,)"
      R"(lint.prefer-text,lint.require-concurrent-index","migration-hash":"ab12"}}})");
}

TEST_CASE("codec: audit mode admits and turns errors into 'audit: would deny' warnings") {
  gates::Verdict v;
  v.audit = true;
  v.would_deny = true;
  v.findings = {finding("lint.ban-drop-column", gates::Severity::kError, "configmap/cm/1_x.up.sql", 3, 1,
                        "Dropping column legacy_ref breaks readers.", "Stop reading it first.")};
  CHECK(
      body(response_for_verdict(kRc, v)) ==
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{)"
      R"("uid":"705ab4f5-6393-11e8-b7cc-42010a800002","allowed":true,)"
      R"("warnings":["audit: would deny: lint.ban-drop-column: configmap/cm/1_x.up.sql:3:1: Dropping column )"
      R"(legacy_ref breaks readers."],)"
      R"("auditAnnotations":{"decision":"audit-deny","gates":"lint.ban-drop-column"}}})");
}

TEST_CASE("codec: an approval is a warning on the wire and an audit annotation") {
  gates::Verdict v;
  auto f = finding("lint.ban-drop-column", gates::Severity::kWarning, "configmap/cm/1_x.up.sql", 3, 1,
                   "Dropping column legacy_ref breaks readers.", "Stop reading it first.");
  f.approval = "unused since v41";
  v.findings = {f};
  v.approved_gates = {"lint.ban-drop-column"};
  v.approval_reason = "unused since v41";
  auto r = response_for_verdict(kRc, v);
  CHECK(r.allowed);
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0] ==
        "approved: lint.ban-drop-column: configmap/cm/1_x.up.sql:3:1: Dropping column legacy_ref breaks "
        "readers.");
  CHECK(r.audit_annotations.at("approval") == "lint.ban-drop-column: unused since v41");
}

TEST_CASE("codec: dry-run replies are the same answer (dry run writes nothing, judges everything)") {
  gates::Verdict v;
  v.decision = gates::Decision::kDeny;
  v.findings = {finding("g.x", gates::Severity::kError, "f", 1, 1, "m", "h")};
  // The reply does not depend on dryRun: the verdict is computed the same way.
  CHECK(body(response_for_verdict(kRc, v)).find(R"("allowed":false)") != std::string::npos);
}

TEST_CASE("codec: the uid is echoed exactly, whatever it holds") {
  server::ReplyContext rc{"weird \"uid\" \u00e9\\", "ns/j"};
  auto text = body(response_for_verdict(rc, gates::Verdict{}));
  auto j = nlohmann::json::parse(text);
  CHECK(j["response"]["uid"] == "weird \"uid\" \u00e9\\");
  CHECK(!j["response"].contains("patch"));
  CHECK(!j["response"].contains("patchType"));
}

TEST_CASE("codec: warnings fit 120 characters by shortening the message, never the id and location") {
  auto f =
      finding("lint.prefer-timestamptz", gates::Severity::kWarning, "configmap/inv/1_x.up.sql", 7, 5,
              "Column moved_at is timestamp without time zone: it stores a wall-clock time with no zone, so "
              "the same instant written from two servers differs.",
              "");
  std::string w = server::format_warning("", f);
  CHECK(w ==
        "lint.prefer-timestamptz: configmap/inv/1_x.up.sql:7:5: Column moved_at is timestamp without time "
        "zone…");
  CHECK(w.size() <= 120);

  // A long location (a ConfigMap key) still leaves the message 60 bytes, cut at a clause.
  f.location.source = "configmap/inventory-migrations-v2/20240515140000_create_stock_moves.up.sql";
  f.message =
      "Column tenant_initech.stock_moves.id is serial, which stops at 2147483647: once an id reaches it "
      "inserts fail.";
  CHECK(server::format_warning("", f) ==
        "lint.prefer-timestamptz: "
        "configmap/inventory-migrations-v2/20240515140000_create_stock_moves.up.sql:7:5: "
        "Column tenant_initech.stock_moves.id is serial…");

  f.message = "line one\nline two";
  CHECK(server::format_warning("", f).find('\n') == std::string::npos);

  // A location too long even for that keeps the warning whole up to the apiserver's 256.
  f.location.source = std::string(150, 'a');
  f.message = std::string(300, 'b');
  std::string long_w = server::format_warning("", f);
  CHECK(long_w.size() <= 256);
  CHECK(long_w.find(std::string(150, 'a')) != std::string::npos);
  f.location.source = std::string(400, 'a');
  CHECK(server::format_warning("", f).size() <= 256);
}

TEST_CASE("codec: warnings stop at 4 KiB in total with a final count") {
  std::vector<std::string> many;
  many.reserve(60);
  for (int i = 0; i < 60; ++i)
    many.push_back(std::string(100, 'w') + std::to_string(i));
  auto kept = server::limit_warnings(many);
  std::size_t total = 0;
  for (const auto& w : kept)
    total += w.size();
  CHECK(total <= 4096);
  REQUIRE(kept.size() > 30);
  std::size_t dropped = many.size() - (kept.size() - 1);
  CHECK(kept.back() == "… and " + std::to_string(dropped) + " more warnings");
  CHECK(server::limit_warnings({"a", "b"}) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("codec: internal errors answer per the failure mode, keeping the uid") {
  CHECK(
      body(server::response_internal_error("u-9", "boom", true)) ==
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u-9","allowed":false,)"
      R"("status":{"code":500,"reason":"InternalError","message":"schemagate internal error: boom; failureMode )"
      R"(closed"},"auditAnnotations":{"decision":"error"}}})");
  CHECK(
      body(server::response_internal_error("u-9", "boom", false)) ==
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u-9","allowed":true,)"
      R"("warnings":["schemagate internal error: boom; failureMode open: admitted without review"],)"
      R"("auditAnnotations":{"decision":"error"}}})");
  CHECK(
      body(server::response_skip("u-1")) ==
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u-1","allowed":true,)"
      R"("auditAnnotations":{"decision":"skip"}}})");
}

}  // namespace admission_codec_test
