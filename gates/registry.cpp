#include "gates/registry.hpp"

#include <algorithm>

namespace schemagate::gates {

void Registry::add(std::unique_ptr<Gate> gate) {
  gates_.push_back(std::move(gate));
}

const Gate* Registry::find(std::string_view id) const {
  auto it = std::find_if(gates_.begin(), gates_.end(), [&](const auto& g) { return g->info().id == id; });
  return it == gates_.end() ? nullptr : it->get();
}

const Registry& builtin_registry() {
  static const Registry kRegistry = [] {
    Registry r;
    register_builtin_gates(r);
    return r;
  }();
  return kRegistry;
}

}  // namespace schemagate::gates
