// The memo of lint/rollback findings must never change a verdict: a cache hit, a
// miss and no cache at all give the same findings, also when namespaces override
// severities and suppressions apply.
#include "gates/finding_cache.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gates/engine.hpp"
#include "gates/registry.hpp"
#include "server/report.hpp"

namespace finding_cache_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;

namespace {

std::string verdict_json(const gates::Context& ctx) {
  gates::Verdict v = gates::Engine(gates::builtin_registry()).evaluate(ctx);
  return server::render_json(v, ctx.migrations);
}

}  // namespace

TEST_CASE("memoized findings give the same verdict as running every gate") {
  auto set = sql::build_migration_set(
      {{"1_orders.up.sql",
        "CREATE INDEX i ON orders (a);\n"
        "-- schemagate:ignore lint.ban-drop-column column unused since v3\n"
        "ALTER TABLE orders DROP COLUMN legacy;\n"
        "ALTER TABLE orders ADD COLUMN c int NOT NULL;\n"},
       {"1_orders.down.sql", "DROP INDEX i;\n"},
       {"2_more.up.sql", "-- schemagate:ignore lint.require-concurrent-index not needed\nSELECT 1;\n"}},
      {});
  gates::Policy policy;
  std::string error;
  REQUIRE(gates::parse_policy(
      "gates:\n  lint.require-concurrent-index: warning\nnamespaces:\n  quiet:\n    gates:\n"
      "      lint.require-default-for-not-null: off\n      lint.ban-drop-column: error\n",
      "p.yaml", gates::builtin_registry(), policy, error));
  gates::FindingCache cache;
  for (const char* ns : {"shop", "quiet", "shop", "quiet"}) {
    gates::Context plain;
    plain.migrations = set.get();
    plain.policy = &policy;
    plain.namespace_name = ns;
    gates::Context memo = plain;
    memo.finding_cache = &cache;
    INFO(ns);
    CHECK(verdict_json(memo) == verdict_json(plain));
  }
  CHECK(cache.misses() == 1);  // one key: no namespace overrides options
  CHECK(cache.hits() == 3);
  // The verdicts differ between namespaces, so severities really are per request.
  gates::Context a;
  a.migrations = set.get();
  a.policy = &policy;
  a.namespace_name = "shop";
  gates::Context b = a;
  b.namespace_name = "quiet";
  CHECK(verdict_json(a) != verdict_json(b));
}

TEST_CASE("memoizable gates (lint, rollback) do not read the Job, the cluster or the namespace") {
  namespace fs = std::filesystem;
  const fs::path root = SCHEMAGATE_SOURCE_DIR;
  for (const char* dir : {"gates/lint", "gates/rollback"}) {
    for (const auto& e : fs::directory_iterator(root / dir)) {
      if (e.path().extension() != ".cpp") continue;
      std::ifstream in(e.path());
      std::stringstream text;
      text << in.rdbuf();
      INFO(e.path());
      for (const char* field : {"ctx.job", "ctx.cluster", "ctx.namespace_name", "ctx.approval", "ctx.dry_run",
                                "ctx.operation", "ctx.input_errors"}) {
        INFO(field);
        CHECK(text.str().find(field) == std::string::npos);
      }
    }
  }
}

}  // namespace finding_cache_test
