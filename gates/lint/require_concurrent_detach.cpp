#include "gates/lint/require_concurrent_detach.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireConcurrentDetach::info() const {
  static const GateInfo kInfo{
      "lint.require-concurrent-detach",
      "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned table.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireConcurrentDetach::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                                    Reporter& out) const {
  sql::RelationName parent = alter_table_relation(st);
  for (sql::Node cmd : alter_table_commands(st)) {
    if (cmd["subtype"].str() != "AT_DetachPartition") continue;
    sql::Node part = cmd["def"].body();
    if (part["concurrent"].boolean()) continue;
    const sql::RelationLock* lock = existing_lock(st, parent);
    if (lock == nullptr) continue;  // created earlier in this script
    std::string p = display_relation(parent);
    std::string child = display_relation(sql::range_var(part["name"]));
    // Plain DETACH PARTITION takes ACCESS EXCLUSIVE on the parent; CONCURRENTLY
    // (PostgreSQL 14+) takes SHARE UPDATE EXCLUSIVE (PostgreSQL docs, ALTER TABLE,
    // DETACH PARTITION; §5.11.2.2 "Partition Maintenance").
    std::string message = "DETACH PARTITION " + child + " holds " + a_lock(lock->mode) + " on " + p +
                          ": it " + std::string(sql::lock_mode_blocks(lock->mode)) + " on " + p +
                          " and all its partitions until it ends.";
    if (ctx.pg_major() >= 14) {
      Finding& f = out.report(script, st, message,
                              "Detach " + child +
                                  " with DETACH PARTITION ... CONCURRENTLY, in a migration of its "
                                  "own that runs outside a transaction.");
      f.steps = {
          "Move the statement to its own migration file (no other statements, no transaction; goose: "
          "-- +goose NO TRANSACTION).",
          "Write it as ALTER TABLE " + p + " DETACH PARTITION " + child + " CONCURRENTLY;",
          "If it is interrupted, finish it with ALTER TABLE " + p + " DETACH PARTITION " + child +
              " FINALIZE;"};
    } else {
      Finding& f = out.report(script, st, message,
                              "Before PostgreSQL 14 a partition cannot be detached concurrently: detach " +
                                  child + " in a maintenance window with a short lock_timeout.");
      f.steps = {
          "SET lock_timeout so the detach gives up instead of queueing every query on " + p + " behind it.",
          "ALTER TABLE " + p + " DETACH PARTITION " + child + "; in a maintenance window."};
    }
  }
}

}  // namespace schemagate::gates::lint
