// The gate registry. Built-in gates are listed once, in builtin.cpp: one line per
// gate, no static self-registration.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "gates/gate.hpp"

namespace schemagate::gates {

class Registry {
 public:
  void add(std::unique_ptr<Gate> gate);
  const Gate* find(std::string_view id) const;
  const std::vector<std::unique_ptr<Gate>>& gates() const { return gates_; }

 private:
  std::vector<std::unique_ptr<Gate>> gates_;
};

// Adds every built-in gate (builtin.cpp).
void register_builtin_gates(Registry& registry);
// The built-in registry, built once on first use.
const Registry& builtin_registry();

}  // namespace schemagate::gates
