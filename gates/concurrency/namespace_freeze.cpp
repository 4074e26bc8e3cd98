#include "gates/concurrency/namespace_freeze.hpp"

#include "gates/context.hpp"

namespace schemagate::gates::concurrency {
namespace {

// The reason is operator text, shown inside one message line: control characters
// become spaces and a long reason is cut, so it cannot break the line-per-finding
// wire format (ARCHITECTURE.md §6).
std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  while (!out.empty() && out.front() == ' ')
    out.erase(0, 1);
  if (out.size() > max) {
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;  // do not split a UTF-8 sequence
    out = out.substr(0, cut) + "…";
  }
  return out;
}

}  // namespace

const GateInfo& NamespaceFreeze::info() const {
  static const GateInfo kInfo{
      "concurrency.namespace-freeze",
      "A migration Job is denied while its namespace carries the schemagate.io/freeze annotation.",
      Category::kConcurrency,
      Severity::kError,
      {}};
  return kInfo;
}

void NamespaceFreeze::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration() || ctx.cluster == nullptr) return;
  if (ctx.operation != "CREATE" && ctx.operation != "UPDATE") return;
  std::optional<Namespace> ns = ctx.cluster->get_namespace(ctx.namespace_name);
  if (!ns) return;
  const std::string* reason = ns->meta.annotation(keys::kFreeze);
  if (reason == nullptr) return;
  std::string why = one_line(*reason, 200);
  std::string name = ctx.job->meta.name.empty() ? std::string("this Job") : "Job " + ctx.job->meta.name;
  out.report(Location{"metadata.namespace", 0, 0, -1},
             "Namespace " + ctx.namespace_name + " is frozen for migrations (" +
                 (why.empty() ? std::string("no reason given") : "\"" + why + "\"") + "): " + name +
                 " is not admitted.",
             "Wait until the freeze is lifted (kubectl annotate namespace " + ctx.namespace_name +
                 " schemagate.io/freeze-), then create this Job again.");
}

}  // namespace schemagate::gates::concurrency
