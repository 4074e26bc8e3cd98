#include <iomanip>
#include <iostream>

#include "gates/registry.hpp"
#include "server/commands.hpp"
#include "server/flags.hpp"

namespace schemagate::server {

int cmd_gates(const Args& args) {
  Flags flags(args, {"--format"});
  bool markdown = flags.get_or("--format", "text") == "markdown";
  const auto& gates = gates::builtin_registry().gates();
  if (markdown) {
    std::cout << "| gate | severity | summary |\n|---|---|---|\n";
  }
  for (const auto& g : gates) {
    const gates::GateInfo& info = g->info();
    if (markdown) {
      std::cout << "| `" << info.id << "` | " << gates::severity_name(info.default_severity) << " | "
                << info.summary << " |\n";
    } else {
      std::cout << std::left << std::setw(48) << info.id << std::setw(9)
                << gates::severity_name(info.default_severity) << info.summary << "\n";
    }
  }
  return 0;
}

int cmd_explain(const Args& args) {
  Flags flags(args, {});
  if (flags.positional().size() != 1) throw UsageError("explain needs exactly one gate id");
  const std::string& id = flags.positional()[0];
  const gates::Gate* gate = gates::builtin_registry().find(id);
  if (gate == nullptr) {
    std::cerr << "schemagate: unknown gate '" << id << "' (see `schemagate gates`)\n";
    return 2;
  }
  std::string doc = gate_doc(id);
  if (doc.empty()) doc = "# " + id + "\n\n" + gate->info().summary + "\n";
  std::cout << doc;
  const auto& options = gate->info().options;
  if (!options.empty() && doc.find("## Options") == std::string::npos) {
    std::cout << "\n## Options\n\n";
    for (const auto& o : options)
      std::cout << "- `" << o.name << "` (default `" << o.default_value << "`): " << o.description << "\n";
  }
  return 0;
}

int cmd_version(const Args&) {
  std::cout << "schemagate " << SCHEMAGATE_VERSION << "\n";
  return 0;
}

}  // namespace schemagate::server
