// Goose migrations written in Go (NNN_name.go): a small Go lexer that finds the
// functions registered with goose.AddMigration* and the SQL they run through
// Exec/Query calls, with every byte of that SQL mapped back to the .go file so
// findings point at the line and column the user wrote.
//
// Only what the compiler knows is analysed: string literals ("…" with escapes, raw
// `…`), concatenations of them with +, constants bound to such expressions, and
// local variables that hold one for their whole life (declared once from it,
// never assigned again nor addressed). Anything else (fmt.Sprintf, variables
// assigned more than once, function results) is recorded as unanalysable with
// the reason, never silently skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::sql {

// A string value with the .go byte offset of each of its bytes (plus one entry
// for its end): escapes and concatenations shift positions, so they are mapped.
struct GoString {
  std::string value;
  std::vector<std::uint32_t> offsets;
};

// A call that runs SQL: tx.Exec(…), db.QueryContext(ctx, …).
struct GoSqlCall {
  std::string receiver;      // "tx"
  std::string method;        // "ExecContext"
  std::uint32_t offset = 0;  // of the receiver: where the call starts
  std::uint32_t end = 0;     // after the closing parenthesis
  bool literal = false;      // the SQL argument is known at compile time
  GoString sql;              // when literal
  std::string why;           // when not: "it is built with fmt.Sprintf"
};

// A function body: a declaration (named) or a func literal (name empty).
struct GoFunction {
  std::string name;
  std::uint32_t begin = 0;  // the `func` keyword
  std::uint32_t body_begin = 0;
  std::uint32_t end = 0;             // after the closing brace
  std::vector<std::string> callees;  // names called in the body: helper(…)
};

// goose.AddMigration(up, down) and its Context / NoTx / Named variants.
struct GoRegistration {
  std::string call;  // "goose.AddMigrationNoTxContext"
  std::uint32_t offset = 0;
  bool no_transaction = false;
  // The functions passed as up and down: index into GoSource::functions, or
  // nothing for nil (or an argument that names no function of this file).
  std::optional<std::size_t> up;
  std::optional<std::size_t> down;
  std::string up_name;  // as written: "upAddUsers", "nil", "func literal"
  std::string down_name;
};

struct GoComment {
  std::uint32_t offset = 0;
  std::string text;  // without the comment markers
};

struct GoSource {
  std::vector<GoFunction> functions;
  std::vector<GoSqlCall> calls;
  std::vector<GoRegistration> registrations;
  std::vector<GoComment> comments;
};

// Scans a Go source file. Never throws; malformed Go yields what could be read.
GoSource scan_go_source(std::string_view text);

// Calls that run inside function `fn`, and inside the functions of this file it
// calls (transitively), in source order of the function then its helpers.
std::vector<const GoSqlCall*> go_calls_reached(const GoSource& go, std::size_t fn);

}  // namespace schemagate::sql
