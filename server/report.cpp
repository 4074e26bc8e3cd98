#include "server/report.hpp"

#include <pg_query.h>

#include <nlohmann/json.hpp>
#include <set>

namespace schemagate::server {

using ojson = nlohmann::ordered_json;

bool parse_report_format(const std::string& s, ReportFormat& out) {
  if (s == "text")
    out = ReportFormat::kText;
  else if (s == "json")
    out = ReportFormat::kJson;
  else if (s == "sarif")
    out = ReportFormat::kSarif;
  else if (s == "github")
    out = ReportFormat::kGithub;
  else
    return false;
  return true;
}

std::string render_text(const gates::Verdict& v, const sql::MigrationSet* set) {
  std::string out;
  for (const gates::Finding& f : v.findings) {
    out += f.location.display() + ": " + std::string(gates::severity_name(f.severity)) + ": [" + f.gate_id +
           "] " + f.message + "\n";
    if (!f.help.empty()) out += "  help: " + f.help + "\n";
    for (std::size_t i = 0; i < f.steps.size(); ++i)
      out += "    " + std::to_string(i + 1) + ". " + f.steps[i] + "\n";
    if (!f.approval.empty()) out += "  approved: " + f.approval + "\n";
  }
  std::size_t errors = v.count(gates::Severity::kError);
  std::size_t warnings = v.count(gates::Severity::kWarning);
  std::size_t files = set ? set->sources.size() : 0;
  std::size_t statements = set ? set->statement_count() : 0;
  out += std::to_string(errors) + (errors == 1 ? " error, " : " errors, ") + std::to_string(warnings) +
         (warnings == 1 ? " warning" : " warnings") + " in " + std::to_string(files) +
         (files == 1 ? " file" : " files") + " (" + std::to_string(statements) +
         (statements == 1 ? " statement)" : " statements)");
  if (v.audit && v.would_deny) out += "; audit mode: not denied";
  out += "\n";
  return out;
}

namespace {

// SQL with constants replaced by $n: statements are shown, literals (which may be
// secrets) are not.
std::string normalized_sql(std::string_view sql) {
  std::string text(sql);
  PgQueryNormalizeResult r = pg_query_normalize(text.c_str());
  std::string out = r.error == nullptr && r.normalized_query ? r.normalized_query : text;
  pg_query_free_normalize_result(r);
  return out;
}

ojson finding_json(const gates::Finding& f) {
  ojson j;
  j["gate"] = f.gate_id;
  j["severity"] = gates::severity_name(f.severity);
  j["message"] = f.message;
  j["help"] = f.help;
  if (!f.steps.empty()) j["steps"] = f.steps;
  j["location"] = {{"source", f.location.source}, {"line", f.location.line}, {"column", f.location.column}};
  if (f.location.statement >= 0) j["location"]["statement"] = f.location.statement;
  if (!f.approval.empty()) j["approved"] = f.approval;
  return j;
}

}  // namespace

std::string render_json(const gates::Verdict& v, const sql::MigrationSet* set) {
  ojson j;
  j["decision"] = v.decision == gates::Decision::kDeny ? "deny" : "allow";
  if (v.audit) j["audit"] = true;
  ojson findings = ojson::array();
  for (const gates::Finding& f : v.findings)
    findings.push_back(finding_json(f));
  j["findings"] = std::move(findings);
  ojson statements = ojson::array();
  if (set) {
    for (const sql::Migration& m : set->migrations) {
      for (const auto* script : {m.up ? &*m.up : nullptr, m.down ? &*m.down : nullptr}) {
        if (script == nullptr) continue;
        for (const sql::Statement& st : script->statements) {
          // A DO block's row shows what its body does; the body's statements follow it.
          sql::StatementFacts facts = sql::effective_facts(*script, st);
          ojson s;
          s["file"] = script->source->name();
          s["line"] = st.position.line;
          s["column"] = st.position.column;
          s["kind"] = facts.kind;
          s["sql"] = normalized_sql(script->sql(st));
          ojson locks = ojson::array();
          for (const sql::RelationLock& l : facts.locks) {
            ojson lock = {{"relation", l.relation.display()}, {"mode", sql::lock_mode_name(l.mode)}};
            if (l.is_new) lock["new"] = true;
            locks.push_back(std::move(lock));
          }
          s["locks"] = std::move(locks);
          s["rewrite"] = facts.rewrite;
          s["scan"] = facts.scan;
          s["transactional"] = facts.transactional;
          s["in_transaction"] = st.in_transaction;
          if (st.parent >= 0) s["in_do_block"] = true;
          s["direction"] = sql::direction_name(script->direction);
          s["migration"] = m.version;
          statements.push_back(std::move(s));
        }
      }
    }
  }
  j["statements"] = std::move(statements);
  if (!v.migration_hash.empty()) j["migration_hash"] = v.migration_hash;
  return j.dump(2) + "\n";
}

std::string render_sarif(const gates::Verdict& v, const gates::Registry& registry) {
  auto level = [](gates::Severity s) {
    return s == gates::Severity::kError ? "error" : (s == gates::Severity::kWarning ? "warning" : "note");
  };
  ojson rules = ojson::array();
  std::set<std::string> fired;
  for (const auto& f : v.findings)
    fired.insert(f.gate_id);
  std::map<std::string, std::size_t> rule_index;
  for (const auto& g : registry.gates()) {
    const gates::GateInfo& info = g->info();
    if (!fired.count(info.id)) continue;
    rule_index[info.id] = rules.size();
    rules.push_back({{"id", info.id},
                     {"shortDescription", {{"text", info.summary}}},
                     {"defaultConfiguration", {{"level", level(info.default_severity)}}}});
  }
  ojson results = ojson::array();
  for (const auto& f : v.findings) {
    ojson r;
    r["ruleId"] = f.gate_id;
    if (auto it = rule_index.find(f.gate_id); it != rule_index.end()) r["ruleIndex"] = it->second;
    r["level"] = level(f.severity);
    r["message"] = {{"text", f.message + " " + f.help}};
    ojson phys = {{"artifactLocation", {{"uri", f.location.source}}}};
    if (f.location.line > 0)
      phys["region"] = {{"startLine", f.location.line}, {"startColumn", f.location.column}};
    r["locations"] = ojson::array({{{"physicalLocation", phys}}});
    results.push_back(std::move(r));
  }
  ojson doc;
  doc["version"] = "2.1.0";
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["runs"] = ojson::array({{{"tool",
                                {{"driver",
                                  {{"name", "schemagate"},
                                   {"version", SCHEMAGATE_VERSION},
                                   {"informationUri", "https://schemagate.io"},
                                   {"rules", rules}}}}},
                               {"results", results}}});
  return doc.dump(2) + "\n";
}

namespace {

// GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','.
std::string gh_escape(std::string_view s, bool property) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string render_github(const gates::Verdict& v) {
  std::string out;
  for (const auto& f : v.findings) {
    const char* cmd = f.severity == gates::Severity::kError
                          ? "error"
                          : (f.severity == gates::Severity::kWarning ? "warning" : "notice");
    out += "::" + std::string(cmd) + " file=" + gh_escape(f.location.source, true);
    if (f.location.line > 0) {
      out += ",line=" + std::to_string(f.location.line) + ",col=" + std::to_string(f.location.column);
    }
    out += ",title=" + gh_escape(f.gate_id, true) + "::" + gh_escape(f.message + "\n" + f.help, false) + "\n";
  }
  return out;
}

std::string render(ReportFormat f, const gates::Verdict& v, const sql::MigrationSet* set,
                   const gates::Registry& registry) {
  switch (f) {
    case ReportFormat::kText:
      return render_text(v, set);
    case ReportFormat::kJson:
      return render_json(v, set);
    case ReportFormat::kSarif:
      return render_sarif(v, registry);
    case ReportFormat::kGithub:
      return render_github(v);
  }
  return {};
}

}  // namespace schemagate::server
