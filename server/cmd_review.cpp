// `schemagate review [--config F] [--cluster-state F] < admissionreview.json`: one
// AdmissionReview through the very Reviewer `serve` uses; prints the reply body.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "server/commands.hpp"
#include "server/flags.hpp"
#include "server/reviewer.hpp"

namespace schemagate::server {

int cmd_review(const Args& args) {
  Flags flags(args, {"--config", "--cluster-state"});
  if (!flags.positional().empty()) throw UsageError("review reads the AdmissionReview from stdin; no PATH");
  ReviewerConfig config;
  config.policy_path = flags.get_or("--config", "");
  config.cluster_state_path = flags.get_or("--cluster-state", "");
  std::unique_ptr<Reviewer> reviewer = make_admission_reviewer(config);

  std::string body;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0)
    body.append(buf, n);
  if (std::ferror(stdin)) {
    std::cerr << "schemagate review: cannot read stdin\n";
    return 2;
  }
  ReviewOutcome outcome = reviewer->review(body);
  std::cout << outcome.body << "\n";
  if (outcome.http_status != 200) return 2;
  // The answer itself says whether it admits (an internal error under failureMode
  // closed denies too).
  nlohmann::json reply = nlohmann::json::parse(outcome.body, nullptr, false);
  bool allowed = !reply.is_discarded() && reply["response"]["allowed"].is_boolean() &&
                 reply["response"]["allowed"].get<bool>();
  return allowed ? 0 : 1;
}

}  // namespace schemagate::server
