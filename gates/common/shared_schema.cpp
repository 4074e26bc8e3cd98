#include "gates/common/shared_schema.hpp"

#include <algorithm>

namespace schemagate::gates::tenancy {

bool shared_schema_mode(const Context& ctx) {
  return ctx.policy != nullptr && ctx.policy->tenancy.model == TenancyModel::kSharedSchema;
}

bool is_exempt(const Options& options, const sql::RelationName& table) {
  std::vector<std::string> exempt = options.get_list("exempt_tables");
  return std::find(exempt.begin(), exempt.end(), table.name) != exempt.end() ||
         std::find(exempt.begin(), exempt.end(), table.display()) != exempt.end();
}

std::vector<std::string> table_columns(const sql::Statement& create) {
  std::vector<std::string> cols;
  for (sql::Node elt : create.body()["tableElts"]) {
    if (elt.tag() == "ColumnDef") cols.emplace_back(elt.body()["colname"].str());
  }
  return cols;
}

std::vector<std::string> name_list(sql::Node list) {
  std::vector<std::string> out;
  for (sql::Node n : list)
    out.emplace_back(sql::string_value(n));
  return out;
}

}  // namespace schemagate::gates::tenancy
