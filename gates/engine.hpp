// The engine: runs every enabled gate over a context and turns findings into a
// verdict. Pure and deterministic: same context, same verdict, byte for byte.
#pragma once

#include "gates/context.hpp"
#include "gates/registry.hpp"
#include "gates/verdict.hpp"

namespace schemagate::gates {

class Engine {
 public:
  explicit Engine(const Registry& registry) : registry_(registry) {}
  Verdict evaluate(const Context& ctx) const;

 private:
  const Registry& registry_;
};

// Gates that report on suppressions themselves run after all others.
inline constexpr std::string_view kUnusedSuppressionGate = "lint.unused-suppression";

}  // namespace schemagate::gates
