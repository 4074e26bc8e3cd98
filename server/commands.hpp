// Subcommands of the schemagate executable (ARCHITECTURE.md §7). Each returns the
// process exit code: 0 admitted/clean, 1 denied, 2 usage or unreadable input.
#pragma once

#include <string>
#include <vector>

namespace schemagate::server {

using Args = std::vector<std::string>;

int cmd_check(const Args& args);
int cmd_review(const Args& args);
int cmd_gates(const Args& args);
int cmd_explain(const Args& args);
int cmd_version(const Args& args);
int cmd_serve(const Args& args);
int cmd_plan(const Args& args);

// The documentation page of a gate (gates/<category>/<name>.md, embedded at build
// time); empty when the gate has none.
std::string gate_doc(const std::string& id);

}  // namespace schemagate::server
