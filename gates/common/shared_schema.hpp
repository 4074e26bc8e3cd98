// Helpers of the shared-schema tenancy gates (a tenant column in every table).
#pragma once

#include <string>
#include <vector>

#include "gates/context.hpp"
#include "gates/gate.hpp"

namespace schemagate::gates::tenancy {

bool shared_schema_mode(const Context& ctx);
// The table is listed in the gate's `exempt_tables` option (as name or schema.name).
bool is_exempt(const Options& options, const sql::RelationName& table);
// Column names CREATE TABLE defines (LIKE and INHERITS are not expanded).
std::vector<std::string> table_columns(const sql::Statement& create);
// A list of String nodes as names: ["tenant_id", "id"].
std::vector<std::string> name_list(sql::Node list);

}  // namespace schemagate::gates::tenancy
