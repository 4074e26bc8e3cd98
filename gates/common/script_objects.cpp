#include "gates/common/script_objects.hpp"

#include <algorithm>
#include <vector>

namespace schemagate::gates::objects {

namespace {

bool renames_relation(std::string_view rename_type) {
  return rename_type == "OBJECT_TABLE" || rename_type == "OBJECT_FOREIGN_TABLE";
}

}  // namespace

bool table_created_earlier(const sql::Script& script, const sql::Statement& st,
                           const sql::RelationName& table) {
  std::vector<sql::RelationName> created;
  auto find = [&](const sql::RelationName& r) {
    return std::find_if(created.begin(), created.end(),
                        [&](const sql::RelationName& c) { return c.matches(r); });
  };
  for (const sql::Statement& s : script.statements) {
    if (s.index >= st.index) break;
    std::string_view tag = s.tag();
    sql::Node b = s.body();
    if (tag == "CreateStmt") {
      created.push_back(sql::range_var(b["relation"]));
    } else if (tag == "CreateTableAsStmt" && b["objtype"].str() != "OBJECT_MATVIEW") {
      created.push_back(sql::range_var(b["into"]["rel"]));  // a bare IntoClause, no {"IntoClause": } wrapper
    } else if (tag == "SelectStmt" && sql::select_into(b)) {
      created.push_back(sql::range_var(sql::select_into(b)["rel"]));
    } else if (tag == "RenameStmt" && renames_relation(b["renameType"].str())) {
      sql::RelationName old = sql::range_var(b["relation"]);
      if (auto it = find(old); it != created.end()) it->name = std::string(b["newname"].str());
    } else if (tag == "AlterObjectSchemaStmt" && renames_relation(b["objectType"].str())) {
      sql::RelationName old = sql::range_var(b["relation"]);
      if (auto it = find(old); it != created.end()) it->schema = std::string(b["newschema"].str());
    } else if (tag == "DropStmt" && b["removeType"].str() == "OBJECT_TABLE") {
      for (const sql::RelationName& r : s.facts.drops) {
        created.erase(std::remove_if(created.begin(), created.end(),
                                     [&](const sql::RelationName& c) { return c.matches(r); }),
                      created.end());
      }
    }
  }
  return find(table) != created.end();
}

bool schema_created_earlier(const sql::Script& script, const sql::Statement& st, std::string_view name) {
  for (const sql::Statement& s : script.statements) {
    if (s.index >= st.index) break;
    if (s.tag() == "CreateSchemaStmt" && s.body()["schemaname"].str() == name) return true;
  }
  return false;
}

std::uint32_t node_offset(const sql::Script&, const sql::Statement& st, sql::Node located) {
  return st.offset_of(located);
}

}  // namespace schemagate::gates::objects
