#include "gates/lint/ban_enum_add_value_unordered.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanEnumAddValueUnordered::info() const {
  static const GateInfo kInfo{
      "lint.ban-enum-add-value-unordered",
      "ALTER TYPE ... ADD VALUE without BEFORE or AFTER puts the value last in the enum's sort order.",
      Category::kLint,
      Severity::kWarning,
      {}};
  return kInfo;
}

void BanEnumAddValueUnordered::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                     Reporter& out) const {
  sql::Node b = st.body();
  // RENAME VALUE is an AlterEnumStmt too, with oldVal set.
  if (st.tag() != "AlterEnumStmt" || b["oldVal"] || !b["newValNeighbor"].str().empty()) return;
  std::string type = display_relation(sql::qualified_name(b["typeName"]));
  out.report(script, st,
             "ALTER TYPE " + type +
                 " ADD VALUE without BEFORE or AFTER puts the new value last in the sort order of " + type +
                 ", which ORDER BY, comparisons and min/max on " + type + " follow.",
             "State where the value belongs with BEFORE or AFTER an existing value of " + type +
                 " (or suppress with a reason if last is right).");
}

}  // namespace schemagate::gates::lint
