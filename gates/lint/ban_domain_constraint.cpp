#include "gates/lint/ban_domain_constraint.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanDomainConstraint::info() const {
  static const GateInfo kInfo{
      "lint.ban-domain-constraint",
      "ALTER DOMAIN that checks existing data blocks writes to every table using the domain.",
      Category::kLint,
      Severity::kWarning,
      {}};
  return kInfo;
}

void BanDomainConstraint::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                Reporter& out) const {
  if (st.tag() != "AlterDomainStmt") return;
  sql::Node s = st.body();
  std::string_view sub = s["subtype"].str();  // AlterDomainStmt.subtype (parsenodes.h)
  std::string domain = display_relation(sql::qualified_name(s["typeName"]));
  // validateDomainConstraint / validateDomainNotNullConstraint (typecmds.c) open
  // every table with a column of the domain in SHARE mode and read all its rows.
  // Unlike a table's VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE), a domain's
  // VALIDATE takes that same SHARE lock, so NOT VALID only moves the scan.
  std::string what;
  std::string help;
  if (sub == "C") {
    if (s["def"].body()["skip_validation"].boolean()) return;  // NOT VALID: new values only
    what = "ALTER DOMAIN " + domain + " ADD CONSTRAINT";
    help =
        "Add the constraint NOT VALID (new values are checked at once), and validate existing data only "
        "in a maintenance window.";
  } else if (sub == "V") {
    what = "ALTER DOMAIN " + domain + " VALIDATE CONSTRAINT " + quote_ident(s["name"].str());
    help =
        "Validate domain constraints in a maintenance window, or check each table with a NOT VALID CHECK "
        "constraint validated table by table.";
  } else if (sub == "O") {  // SET NOT NULL ("N" is DROP NOT NULL)
    what = "ALTER DOMAIN " + domain + " SET NOT NULL";
    help =
        "Run it in a maintenance window, or enforce NOT NULL on each column with a NOT VALID CHECK "
        "constraint validated table by table.";
  } else {
    return;
  }
  Finding& f =
      out.report(script, st,
                 what + " reads every row of every table with a column of domain " + domain +
                     ", holding a SHARE lock on each: it " +
                     std::string(sql::lock_mode_blocks(sql::LockMode::kShare)) + " on them until it ends.",
                 help);
  f.steps = {"Find the tables that use " + domain +
                 " (SELECT attrelid::regclass FROM pg_attribute WHERE atttypid = '" + domain +
                 "'::regtype) and how large they are.",
             "If any is large, take the check off the domain: per column, ALTER TABLE <table> ADD CONSTRAINT "
             "<name> CHECK (...) NOT VALID; then VALIDATE CONSTRAINT it in a separate migration.",
             "Otherwise run " + what + " in a maintenance window, after SET lock_timeout."};
}

}  // namespace schemagate::gates::lint
