// schemagate: the admission webhook, the CI checker and the rollout planner share
// this one executable (ARCHITECTURE.md §7).
#include <exception>
#include <iostream>
#include <map>
#include <string>

#include "gates/sql/parser.hpp"
#include "server/commands.hpp"
#include "server/flags.hpp"

namespace {

constexpr const char* kUsage = R"(usage: schemagate <command> [flags]

commands:
  serve    --config F --tls-cert F --tls-key F [--listen :8443] [--cluster-state F] [--threads N]
           [--max-body-bytes N] [--max-connections N] [--shutdown-grace S] [--read-timeout S]
  check    [--config F] [--cluster-state F] [-f job.yaml ...] [--format text|json|sarif|github] PATH...
  review   [--config F] [--cluster-state F] < admissionreview.json: print the AdmissionReview reply
  plan     --job-template job.yaml --migrations DIR --cluster-state F [--waves canary=N,batch=N]
           [--canary t1,t2] [--config F] [--namespace-selector sel]: per-tenant rollout YAML on stdout
  gates    list every gate with its default severity and summary
  explain  <gate-id>: print the gate's documentation
  version  print the version

exit codes: 0 admitted/clean, 1 denied (an error finding), 2 usage or unreadable input
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace schemagate::server;
  schemagate::sql::tune_allocator_for_parsing();
  std::ios::sync_with_stdio(false);
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  Args args(argv + 2, argv + argc);
  static const std::map<std::string, int (*)(const Args&)> kCommands = {
      {"check", cmd_check},     {"review", cmd_review}, {"gates", cmd_gates}, {"explain", cmd_explain},
      {"version", cmd_version}, {"serve", cmd_serve},   {"plan", cmd_plan},
  };
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    std::cerr << "schemagate: unknown command '" << command << "'\n" << kUsage;
    return 2;
  }
  try {
    return it->second(args);
  } catch (const UsageError& e) {
    std::cerr << "schemagate " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "schemagate " << command << ": " << e.what() << "\n";
    return 2;
  }
}
