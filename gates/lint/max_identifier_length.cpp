#include "gates/lint/max_identifier_length.hpp"

#include <cctype>
#include <vector>

namespace schemagate::gates::lint {

const GateInfo& MaxIdentifierLength::info() const {
  static const GateInfo kInfo{"lint.max-identifier-length",
                              "Names longer than 63 bytes are silently truncated by PostgreSQL.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

namespace {

// NAMEDATALEN - 1 (PostgreSQL docs §4.1.1 "Identifiers and Key Words").
constexpr std::size_t kMaxBytes = 63;

struct Named {
  std::string_view name;  // as the parser stored it: already truncated
  std::string_view kind;  // "table", "column", ...
};

std::string_view rename_kind(std::string_view type) {
  if (type == "OBJECT_TABLE" || type == "OBJECT_FOREIGN_TABLE") return "table";
  if (type == "OBJECT_COLUMN") return "column";
  if (type == "OBJECT_INDEX") return "index";
  if (type == "OBJECT_TABCONSTRAINT" || type == "OBJECT_DOMCONSTRAINT") return "constraint";
  if (type == "OBJECT_SEQUENCE") return "sequence";
  if (type == "OBJECT_SCHEMA") return "schema";
  if (type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW") return "view";
  if (type == "OBJECT_TYPE") return "type";
  return "object";
}

std::string_view last_name(sql::Node list) {
  return list.size() == 0 ? std::string_view{} : sql::string_value(list.at(list.size() - 1));
}

// The names a statement gives to objects it creates, or renames them to. The parse
// tree only has them truncated (the scanner truncates every identifier), so the
// full spelling is found in the SQL text below.
std::vector<Named> created_names(const sql::Statement& st) {
  std::vector<Named> out;
  sql::Node s = st.body();
  auto add = [&](std::string_view name, std::string_view kind) {
    if (name.size() >= kMaxBytes - 3) out.push_back({name, kind});  // a clipped multibyte name may be shorter
  };
  auto constraints = [&](sql::Node list) {
    for (sql::Node c : list)
      add(c.body()["conname"].str(), "constraint");
  };
  auto column = [&](sql::Node def) {
    add(def["colname"].str(), "column");
    constraints(def["constraints"]);
  };
  std::string_view tag = st.tag();
  if (tag == "CreateStmt") {
    add(s["relation"]["relname"].str(), "table");
    for (sql::Node elt : s["tableElts"]) {
      if (elt.tag() == "ColumnDef") column(elt.body());
      if (elt.tag() == "Constraint") add(elt.body()["conname"].str(), "constraint");
    }
  } else if (tag == "AlterTableStmt") {
    for (sql::Node cmd : s["cmds"]) {
      sql::Node c = cmd.body();
      std::string_view sub = c["subtype"].str();
      if (sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse") column(c["def"].body());
      if (sub == "AT_AddConstraint" || sub == "AT_AddConstraintRecurse")
        add(c["def"].body()["conname"].str(), "constraint");
    }
  } else if (tag == "IndexStmt") {
    add(s["idxname"].str(), "index");
  } else if (tag == "CreateSeqStmt") {
    add(s["sequence"]["relname"].str(), "sequence");
  } else if (tag == "CreateSchemaStmt") {
    add(s["schemaname"].str(), "schema");
  } else if (tag == "CreateTableAsStmt") {
    sql::Node into = s["into"];  // a bare IntoClause, no {"IntoClause": } wrapper
    add(into["rel"]["relname"].str(), s["objtype"].str() == "OBJECT_MATVIEW" ? "materialized view" : "table");
    for (sql::Node c : into["colNames"])
      add(sql::string_value(c), "column");
  } else if (tag == "SelectStmt" && sql::select_into(s)) {
    add(sql::select_into(s)["rel"]["relname"].str(), "table");
  } else if (tag == "ViewStmt") {
    add(s["view"]["relname"].str(), "view");
    for (sql::Node c : s["aliases"])
      add(sql::string_value(c), "column");
  } else if (tag == "RenameStmt") {
    add(s["newname"].str(), rename_kind(s["renameType"].str()));
  } else if (tag == "CreateEnumStmt" || tag == "CreateRangeStmt") {
    add(last_name(s["typeName"]), "type");
  } else if (tag == "CompositeTypeStmt") {
    add(s["typevar"]["relname"].str(), "type");
  } else if (tag == "CreateDomainStmt") {
    add(last_name(s["domainname"]), "domain");
    constraints(s["constraints"]);
  } else if (tag == "CreateTrigStmt") {
    add(s["trigname"].str(), "trigger");
  } else if (tag == "CreateFunctionStmt") {
    add(last_name(s["funcname"]), s["is_procedure"].boolean() ? "procedure" : "function");
  }
  return out;
}

struct Identifier {
  std::uint32_t offset = 0;  // in the statement text
  std::string value;         // folded (unquoted) or unescaped (quoted)
};

bool ident_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}
bool ident_char(char c) {
  return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// The identifiers in `sql` longer than kMaxBytes, skipping comments, string
// constants and dollar-quoted bodies.
std::vector<Identifier> long_identifiers(std::string_view sql) {
  std::vector<Identifier> out;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  auto skip_string = [&](bool backslash) {  // at the opening quote
    ++i;
    while (i < n) {
      if (backslash && sql[i] == '\\') {
        i += 2;
      } else if (sql[i] == '\'') {
        if (i + 1 < n && sql[i + 1] == '\'') {
          i += 2;
        } else {
          ++i;
          return;
        }
      } else {
        ++i;
      }
    }
  };
  while (i < n) {
    char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n')
        ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      i = sql::skip_block_comment(sql, i, n);
    } else if (c == '\'') {
      skip_string(false);
    } else if (c == '"') {
      Identifier id{static_cast<std::uint32_t>(i), {}};
      ++i;
      while (i < n) {
        if (sql[i] == '"') {
          if (i + 1 < n && sql[i + 1] == '"') {
            id.value += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        id.value += sql[i++];
      }
      if (id.value.size() > kMaxBytes) out.push_back(std::move(id));
    } else if (c == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
      std::size_t j = i + 1;
      bool param = j < n && std::isdigit(static_cast<unsigned char>(sql[j]));  // $1
      while (j < n && ident_char(sql[j]) && sql[j] != '$')
        ++j;
      if (!param && j < n && sql[j] == '$') {  // $tag$ ... $tag$
        std::string_view tag = sql.substr(i, j - i + 1);
        std::size_t close = sql.find(tag, j + 1);
        i = close == std::string_view::npos ? n : close + tag.size();
      } else {
        i = j;  // $1
      }
    } else if (ident_start(c)) {
      std::size_t start = i;
      while (i < n && ident_char(sql[i]))
        ++i;
      std::string_view word = sql.substr(start, i - start);
      if (i < n && sql[i] == '\'' && word.size() == 1) {  // E'...', B'...', X'...', N'...'
        skip_string(word == "e" || word == "E");
        continue;
      }
      if (word.size() > kMaxBytes) {
        Identifier id{static_cast<std::uint32_t>(start), std::string(word)};
        for (char& ch : id.value) {
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        }
        out.push_back(std::move(id));
      }
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < n && (ident_char(sql[i]) || sql[i] == '.'))
        ++i;
    } else {
      ++i;
    }
  }
  return out;
}

// What PostgreSQL keeps of a long identifier: at most 63 bytes, cut at a character
// boundary (truncate_identifier / pg_mbcliplen; UTF-8 assumed).
std::string_view truncated(std::string_view name) {
  std::size_t len = kMaxBytes;
  while (len > 0 && (static_cast<unsigned char>(name[len]) & 0xC0) == 0x80)
    --len;
  return name.substr(0, len);
}

}  // namespace

void MaxIdentifierLength::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                Reporter& out) const {
  std::vector<Named> names = created_names(st);
  if (names.empty()) return;
  std::vector<Identifier> longs = long_identifiers(script.sql(st));
  std::vector<bool> used(longs.size(), false);
  for (const Named& named : names) {
    for (std::size_t k = 0; k < longs.size(); ++k) {
      if (used[k] || truncated(longs[k].value) != named.name) continue;
      used[k] = true;
      std::string kind(named.kind);
      kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
      out.report_at(script, st, st.offset + longs[k].offset,
                    kind + " name " + quote_ident(longs[k].value) + " is " +
                        std::to_string(longs[k].value.size()) +
                        " bytes long: PostgreSQL silently truncates it to " + quote_ident(named.name) +
                        ", so code and tools that look it up by the name as written will not find it.",
                    "Choose a name of at most 63 bytes, so the name written is the name PostgreSQL stores.");
      break;
    }
  }
}

}  // namespace schemagate::gates::lint
