#include "gates/sql/do_block.hpp"

#include <pg_query.h>

#include <cctype>

#include "gates/sql/ast.hpp"

namespace schemagate::sql {

namespace {

struct PlpgsqlResultOwner {
  PgQueryPlpgsqlParseResult r;
  explicit PlpgsqlResultOwner(const char* sql) : r(pg_query_parse_plpgsql(sql)) {}
  ~PlpgsqlResultOwner() { pg_query_free_plpgsql_parse_result(r); }
  PlpgsqlResultOwner(const PlpgsqlResultOwner&) = delete;
  PlpgsqlResultOwner& operator=(const PlpgsqlResultOwner&) = delete;
};

// libpg_query parses PL/pgSQL as the body of a CREATE FUNCTION; a DO body is one
// (PostgreSQL compiles it as an anonymous function: plpgsql_compile_inline). The body
// starts right after the opening quote, so its line 1 is the wrapper's line 1.
constexpr std::string_view kQuote = "$schemagate_do$";
constexpr std::string_view kWrapperHead =
    "CREATE FUNCTION schemagate_do() RETURNS void LANGUAGE plpgsql AS $schemagate_do$";

// The source offset where the body's text starts, when the literal holding it shows
// the body verbatim: dollar quoting, or plain quotes with nothing escaped inside.
// std::string_view::npos otherwise (E'...' strings, doubled quotes).
std::size_t verbatim_body(std::string_view text, std::size_t literal, std::string_view body) {
  if (literal >= text.size()) return std::string_view::npos;
  std::string_view rest = text.substr(literal);
  std::size_t open = 0;
  if (rest.front() == '$') {
    std::size_t close = rest.find('$', 1);
    if (close == std::string_view::npos) return std::string_view::npos;
    open = close + 1;
  } else if (rest.front() == '\'') {
    open = 1;
  } else {
    return std::string_view::npos;
  }
  if (rest.substr(open, body.size()) != body) return std::string_view::npos;
  return literal + open;
}

// The contents of a constant string expression ('...' without escapes, or $q$...$q$),
// with its offset inside `expr`; npos when the expression is anything else.
std::pair<std::size_t, std::size_t> string_constant(std::string_view expr) {
  constexpr std::pair<std::size_t, std::size_t> kNone{std::string_view::npos, 0};
  if (expr.size() < 2) return kNone;
  if (expr.front() == '\'') {
    std::string_view inner = expr.substr(1, expr.size() - 2);
    if (expr.back() != '\'' || inner.find('\'') != std::string_view::npos) return kNone;
    return {1, inner.size()};
  }
  if (expr.front() == '$') {
    std::size_t close = expr.find('$', 1);
    if (close == std::string_view::npos) return kNone;
    std::string_view tag = expr.substr(0, close + 1);
    if (expr.size() < 2 * tag.size() || expr.substr(expr.size() - tag.size()) != tag) return kNone;
    std::string_view inner = expr.substr(tag.size(), expr.size() - 2 * tag.size());
    if (inner.find(tag) != std::string_view::npos) return kNone;
    return {tag.size(), inner.size()};
  }
  return kNone;
}

// A complaint of the PL/pgSQL or SQL grammar, which PostgreSQL makes with its catalog
// too ("syntax error at or near ...", "syntax error at end of input"); the others
// ('variable "c" must be of type cursor or refcursor') may come from the missing catalog.
bool is_grammar_error(const char* message) {
  return message != nullptr && std::string_view(message).find("syntax error") != std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

bool starts_with_word(std::string_view s, std::string_view word) {
  s = trim(s);
  if (s.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(s[i])) != word[i]) return false;
  }
  return s.size() == word.size() || !std::isalnum(static_cast<unsigned char>(s[word.size()]));
}

class BodyReader {
 public:
  BodyReader(std::string_view body, std::size_t body_offset, DoBlockSql& out)
      : body_(body), base_(body_offset), out_(out) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  // A static SQL statement (PLpgSQL_stmt_execsql). PL/pgSQL keeps its text as
  // written, less an INTO target: at the end (INSERT ... RETURNING id INTO v) the rest
  // is still the file's text; in the middle (SELECT a INTO v FROM t) it is not. Such
  // a SELECT only reads; anything else that cannot be found is reported.
  void static_sql(std::string_view query, std::int64_t lineno) {
    std::size_t at = locate(query, lineno);
    if (at != std::string_view::npos) {
      add(at, query.size());
    } else if (!starts_with_word(query, "SELECT") && !starts_with_word(query, "WITH")) {
      dynamic(line_offset(lineno),
              "PL/pgSQL took an INTO target out of a statement, so its text is not the "
              "one in the file");
    }
  }

  // EXECUTE <expr> (PLpgSQL_stmt_dynexecute): a constant string is read as SQL.
  void execute(std::string_view expr, std::int64_t lineno) {
    std::string_view constant = trim(expr);
    std::size_t at = locate(constant, lineno);
    auto [inner, length] = string_constant(constant);
    if (at != std::string_view::npos && inner != std::string_view::npos) {
      add(at + inner, length);
      return;
    }
    dynamic(at != std::string_view::npos ? at : line_offset(lineno),
            "EXECUTE runs a string built at run time");
  }

  void dynamic(std::size_t body_pos, std::string why) {
    out_.dynamic.push_back(DynamicSql{static_cast<std::uint32_t>(base_ + body_pos), std::move(why), -1});
  }

  std::size_t line_offset(std::int64_t lineno) const {
    if (lineno < 1 || static_cast<std::size_t>(lineno) > line_starts_.size()) return 0;
    return line_starts_[static_cast<std::size_t>(lineno) - 1];
  }

 private:
  // The text's position in the body: on its line or after, else anywhere.
  std::size_t locate(std::string_view text, std::int64_t lineno) const {
    if (text.empty()) return std::string_view::npos;
    std::size_t at = body_.find(text, line_offset(lineno));
    if (at == std::string_view::npos) at = body_.find(text);
    return at;
  }

  void add(std::size_t body_pos, std::size_t length) {
    auto begin = static_cast<std::uint32_t>(base_ + body_pos);
    out_.statements.emplace_back(begin, begin + static_cast<std::uint32_t>(length));
  }

  std::string_view body_;
  std::size_t base_;
  DoBlockSql& out_;
  std::vector<std::size_t> line_starts_;
};

}  // namespace

DoBlockSql do_block_sql(std::string_view text, std::uint32_t node_base, Node ast) {
  DoBlockSql out;
  std::string_view body;
  std::string_view language = "plpgsql";
  std::size_t literal = std::string_view::npos;
  for (Node arg : ast.body()["args"]) {
    Node d = arg.body();
    if (d["defname"].str() == "as") {
      body = string_value(d["arg"]);
      std::int64_t loc = d["location"].integer(-1);
      if (loc >= 0) literal = node_base + static_cast<std::size_t>(loc);
    } else if (d["defname"].str() == "language") {
      language = string_value(d["arg"]);
    }
  }
  std::size_t start = verbatim_body(text, literal, body);
  std::uint32_t at_body = literal == std::string_view::npos ? node_base : static_cast<std::uint32_t>(literal);
  if (language != "plpgsql") {
    out.dynamic.push_back(
        DynamicSql{at_body, "it is written in LANGUAGE " + std::string(language) + ", not PL/pgSQL", -1});
    return out;
  }
  if (start == std::string_view::npos) {
    out.dynamic.push_back(DynamicSql{at_body,
                                     "its body is a quoted string with escapes, so its statements cannot be "
                                     "located in the file (dollar quotes, $$ ... $$, keep them readable)",
                                     -1});
    return out;
  }
  if (body.find(kQuote) != std::string_view::npos) {
    out.dynamic.push_back(DynamicSql{at_body, "its body holds the text " + std::string(kQuote), -1});
    return out;
  }
  std::string wrapped;
  wrapped.reserve(kWrapperHead.size() + body.size() + kQuote.size());
  wrapped.append(kWrapperHead).append(body).append(kQuote);
  PlpgsqlResultOwner parsed(wrapped.c_str());
  if (parsed.r.error != nullptr && is_grammar_error(parsed.r.error->message)) {
    out.syntax_error = "PL/pgSQL: " + std::string(parsed.r.error->message);
    out.syntax_error_offset = static_cast<std::uint32_t>(start);
    return out;
  }
  if (parsed.r.error != nullptr) {
    // Not a syntax error: libpg_query compiles PL/pgSQL without a catalog, so some
    // valid bodies fail (OPEN/FETCH/CLOSE of a declared cursor: 'variable "c" must be
    // of type cursor or refcursor'). PostgreSQL would judge it; no gate can here.
    std::string message = parsed.r.error->message ? parsed.r.error->message : "unknown error";
    out.dynamic.push_back(
        DynamicSql{at_body, "the PL/pgSQL parser could not read its body (" + message + ")", -1});
    return out;
  }
  JsonDocument doc;
  if (!doc.parse(parsed.r.plpgsql_funcs ? std::string(parsed.r.plpgsql_funcs) : std::string("[]"))) {
    out.dynamic.push_back(DynamicSql{at_body, "the PL/pgSQL parse tree is unreadable: " + doc.error(), -1});
    return out;
  }
  BodyReader reader(body, start, out);
  walk(doc.root(), [&](std::string_view tag, Node n) {
    std::int64_t lineno = n["lineno"].integer(0);
    if (tag == "PLpgSQL_stmt_execsql") {
      reader.static_sql(n["sqlstmt"].body()["query"].str(), lineno);
    } else if (tag == "PLpgSQL_stmt_dynexecute") {
      reader.execute(n["query"].body()["query"].str(), lineno);
    } else if (tag == "PLpgSQL_stmt_dynfors") {
      reader.dynamic(reader.line_offset(lineno), "FOR ... IN EXECUTE runs a string built at run time");
    } else if (tag == "PLpgSQL_stmt_call") {
      reader.dynamic(reader.line_offset(lineno), "CALL runs a procedure whose body no gate reads here");
    }
  });
  return out;
}

std::string plpgsql_function_syntax_error(std::string_view create_function_sql) {
  std::string text(create_function_sql);
  PlpgsqlResultOwner parsed(text.c_str());
  if (parsed.r.error == nullptr || !is_grammar_error(parsed.r.error->message)) return {};
  return "PL/pgSQL: " + std::string(parsed.r.error->message);
}

}  // namespace schemagate::sql
