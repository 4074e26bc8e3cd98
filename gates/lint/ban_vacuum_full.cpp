#include "gates/lint/ban_vacuum_full.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanVacuumFull::info() const {
  static const GateInfo kInfo{
      "lint.ban-vacuum-full",
      "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock that blocks all reads and writes.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanVacuumFull::check(const Context&, const sql::Script& script, const sql::Statement& st,
                          Reporter& out) const {
  if (st.tag() != "VacuumStmt") return;
  sql::Node s = st.body();
  // VACUUM (FULL false), (FULL off) and (FULL 0) are plain VACUUM.
  if (!s["is_vacuumcmd"].boolean() || !sql::option_enabled(s["options"], "full")) return;
  const std::string help =
      "Reclaim the space online with pg_repack or pg_squeeze, or run plain VACUUM, which takes only a SHARE "
      "UPDATE EXCLUSIVE lock.";
  auto steps = [](const std::string& target) {
    return std::vector<std::string>{
        "Run plain VACUUM" + target + " to make dead rows reusable without blocking reads or writes.",
        "To give the space back to the operating system, run pg_repack" +
            (target.empty() ? std::string() : " --table" + target) +
            " (or pg_squeeze): it copies the table online and holds ACCESS EXCLUSIVE only briefly to swap "
            "it."};
  };
  if (s["rels"].size() == 0) {
    // Every table in the database the role may vacuum.
    Finding& f =
        out.report(script, st,
                   "VACUUM FULL without a table rewrites every table in the database, each under an "
                   "ACCESS EXCLUSIVE lock, which blocks all reads and writes until its rewrite ends.",
                   help);
    f.steps = steps("");
    return;
  }
  for (sql::Node vr : s["rels"]) {
    sql::RelationName table = sql::range_var(vr.body()["relation"]);
    const sql::RelationLock* lock = st.facts.find(table);
    if (lock == nullptr || lock->is_new) continue;  // created in this script: nothing to reclaim
    std::string t = display_relation(table);
    sql::LockMode mode = lock->mode;
    Finding& f =
        out.report(script, st,
                   "VACUUM FULL rewrites " + t + " under " + columns::a_lock_phrase(mode, table) +
                       ", which " + std::string(sql::lock_mode_blocks(mode)) + " until the rewrite ends.",
                   help);
    f.steps = steps(" " + t);
  }
}

}  // namespace schemagate::gates::lint
