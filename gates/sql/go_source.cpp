#include "gates/sql/go_source.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>

#include "gates/common/text.hpp"

namespace schemagate::sql {
namespace {

enum class Tok : std::uint8_t { kIdent, kString, kChar, kNumber, kPunct };

struct Token {
  Tok kind = Tok::kPunct;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string_view text;
  bool newline_before = false;  // Go inserts a semicolon here when the line ends a statement
  GoString str;                 // kString: the decoded value, mapped to the file
};

bool ident_start(unsigned char c) {
  return std::isalpha(c) || c == '_' || c >= 0x80;
}
bool ident_char(unsigned char c) {
  return ident_start(c) || std::isdigit(c);
}
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : t_(text) {}

  std::vector<Token> run(std::vector<GoComment>& comments) {
    std::vector<Token> out;
    bool newline = false;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '\n') {
        newline = true;
        ++i_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (c == '/' && peek(1) == '/') {
        std::size_t eol = t_.find('\n', i_);
        if (eol == std::string_view::npos) eol = t_.size();
        comments.push_back({u32(i_), std::string(t_.substr(i_ + 2, eol - i_ - 2))});
        i_ = eol;
      } else if (c == '/' && peek(1) == '*') {
        std::size_t close = t_.find("*/", i_ + 2);
        std::size_t stop = close == std::string_view::npos ? t_.size() : close;
        std::string_view body = t_.substr(i_ + 2, stop - i_ - 2);
        if (body.find('\n') != std::string_view::npos) newline = true;
        comments.push_back({u32(i_), std::string(body)});
        i_ = close == std::string_view::npos ? t_.size() : close + 2;
      } else {
        Token tok = next_token();
        tok.newline_before = newline;
        newline = false;
        out.push_back(std::move(tok));
      }
    }
    return out;
  }

 private:
  char peek(std::size_t k) const { return i_ + k < t_.size() ? t_[i_ + k] : '\0'; }
  static std::uint32_t u32(std::size_t v) { return static_cast<std::uint32_t>(v); }

  Token next_token() {
    Token tok;
    tok.begin = u32(i_);
    auto c = static_cast<unsigned char>(t_[i_]);
    if (ident_start(c)) {
      tok.kind = Tok::kIdent;
      while (i_ < t_.size() && ident_char(static_cast<unsigned char>(t_[i_])))
        ++i_;
    } else if (std::isdigit(c) || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
      tok.kind = Tok::kNumber;
      while (i_ < t_.size()) {
        char d = t_[i_];
        bool exp_sign = (d == '+' || d == '-') && i_ > tok.begin &&
                        (t_[i_ - 1] == 'e' || t_[i_ - 1] == 'E' || t_[i_ - 1] == 'p' || t_[i_ - 1] == 'P');
        if (!(ident_char(static_cast<unsigned char>(d)) || d == '.' || exp_sign)) break;
        ++i_;
      }
    } else if (c == '"') {
      tok.kind = Tok::kString;
      interpreted(tok.str);
    } else if (c == '`') {
      tok.kind = Tok::kString;
      raw(tok.str);
    } else if (c == '\'') {
      tok.kind = Tok::kChar;
      ++i_;
      while (i_ < t_.size() && t_[i_] != '\'' && t_[i_] != '\n')
        i_ += t_[i_] == '\\' ? 2 : 1;
      if (i_ < t_.size() && t_[i_] == '\'') ++i_;
    } else {
      tok.kind = Tok::kPunct;
      ++i_;
    }
    i_ = std::min(i_, t_.size());
    tok.end = u32(i_);
    tok.text = t_.substr(tok.begin, tok.end - tok.begin);
    return tok;
  }

  // "…": Go's escapes (https://go.dev/ref/spec#Rune_literals); every byte an escape
  // produces maps to its backslash.
  void interpreted(GoString& s) {
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"' && t_[i_] != '\n') {
      std::size_t at = i_;
      if (t_[i_] != '\\') {
        s.value += t_[i_++];
        s.offsets.push_back(u32(at));
        continue;
      }
      char e = peek(1);
      i_ += 2;
      std::size_t before = s.value.size();
      switch (e) {
        case 'a':
          s.value += '\a';
          break;
        case 'b':
          s.value += '\b';
          break;
        case 'f':
          s.value += '\f';
          break;
        case 'n':
          s.value += '\n';
          break;
        case 'r':
          s.value += '\r';
          break;
        case 't':
          s.value += '\t';
          break;
        case 'v':
          s.value += '\v';
          break;
        case '\\':
        case '\'':
        case '"':
          s.value += e;
          break;
        case 'x':
          s.value += static_cast<char>(digits(2, 16));
          break;
        case 'u':
          text::append_utf8(s.value, digits(4, 16));
          break;
        case 'U':
          text::append_utf8(s.value, digits(8, 16));
          break;
        default:
          if (e >= '0' && e <= '7') {
            --i_;
            s.value += static_cast<char>(digits(3, 8));
          }
          break;
      }
      s.offsets.insert(s.offsets.end(), s.value.size() - before, u32(at));
    }
    s.offsets.push_back(u32(i_));  // the closing quote: where the value ends
    if (i_ < t_.size() && t_[i_] == '"') ++i_;
  }

  std::uint32_t digits(int n, int base) {
    std::uint32_t v = 0;
    for (int k = 0; k < n && i_ < t_.size(); ++k) {
      int d = hex_value(t_[i_]);
      if (d < 0 || d >= base) break;
      v = v * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(d);
      ++i_;
    }
    return v;
  }

  // `…`: no escapes; carriage returns are dropped from the value (Go spec).
  void raw(GoString& s) {
    ++i_;
    while (i_ < t_.size() && t_[i_] != '`') {
      if (t_[i_] != '\r') {
        s.value += t_[i_];
        s.offsets.push_back(u32(i_));
      }
      ++i_;
    }
    s.offsets.push_back(u32(i_));
    if (i_ < t_.size()) ++i_;
  }

  std::string_view t_;
  std::size_t i_ = 0;
};

bool is(const Token& t, std::string_view text) {
  return t.text == text && t.kind != Tok::kString;
}

class Scanner {
 public:
  Scanner(std::vector<Token> toks, GoSource& out) : toks_(std::move(toks)), out_(out) {}

  void run() {
    find_constants();
    find_functions();
    find_calls();
  }

 private:
  const Token* at(std::size_t i) const { return i < toks_.size() ? &toks_[i] : nullptr; }
  bool at_is(std::size_t i, std::string_view text) const { return i < toks_.size() && is(toks_[i], text); }

  // Index of the token closing the bracket opened at `open` (or the last token).
  std::size_t matching(std::size_t open) const {
    int depth = 0;
    for (std::size_t i = open; i < toks_.size(); ++i) {
      const Token& t = toks_[i];
      if (t.kind != Tok::kPunct) continue;
      char c = t.text[0];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') {
        if (--depth == 0) return i;
      }
    }
    return toks_.empty() ? 0 : toks_.size() - 1;
  }

  // Arguments of the call whose '(' is at `open`: token ranges [first, last).
  std::vector<std::pair<std::size_t, std::size_t>> arguments(std::size_t open) const {
    std::vector<std::pair<std::size_t, std::size_t>> args;
    std::size_t close = matching(open);
    std::size_t start = open + 1;
    int depth = 0;
    for (std::size_t i = open + 1; i < close; ++i) {
      const Token& t = toks_[i];
      if (t.kind != Tok::kPunct) continue;
      char c = t.text[0];
      if (c == '(' || c == '[' || c == '{') ++depth;
      if (c == ')' || c == ']' || c == '}') --depth;
      if (c == ',' && depth == 0) {
        args.emplace_back(start, i);
        start = i + 1;
      }
    }
    if (start < close) args.emplace_back(start, close);
    return args;
  }

  // A local variable that holds one compile-time string for its whole life (see locals_of).
  struct Local {
    std::size_t declared = 0;  // token index of its name in the declaration
    GoString value;
  };
  using Locals = std::map<std::string, Local>;

  // A compile-time string: literals and constants joined by +; with `scopes`, also the locals of
  // those functions declared before token `at`.
  std::optional<GoString> constant_string(std::size_t first, std::size_t last,
                                          const std::vector<const Locals*>& scopes = {},
                                          std::size_t at = 0) const {
    if (first >= last) return std::nullopt;
    GoString s;
    for (std::size_t i = first; i < last; ++i) {
      const Token& t = toks_[i];
      bool operand = (i - first) % 2 == 0;
      if (!operand) {
        if (!is(t, "+")) return std::nullopt;
        continue;
      }
      const GoString* piece = nullptr;
      if (t.kind == Tok::kString) {
        piece = &t.str;
      } else if (t.kind == Tok::kIdent) {
        std::string name(t.text);
        for (const Locals* scope : scopes) {
          auto local = scope->find(name);
          if (local != scope->end() && local->second.declared < at) {
            piece = &local->second.value;
            break;
          }
        }
        if (piece == nullptr) {
          auto it = constants_.find(name);
          if (it == constants_.end()) return std::nullopt;
          piece = &it->second;
        }
      } else {
        return std::nullopt;
      }
      s.value += piece->value;
      if (!s.offsets.empty()) s.offsets.pop_back();  // the previous piece's end
      s.offsets.insert(s.offsets.end(), piece->offsets.begin(), piece->offsets.end());
    }
    if ((last - first) % 2 == 0) return std::nullopt;  // ends with '+'
    return s;
  }

  // const X = "…" and const ( X = "…" … ), at any level.
  void find_constants() {
    for (std::size_t i = 0; i < toks_.size(); ++i) {
      if (!is(toks_[i], "const")) continue;
      if (at_is(i + 1, "(")) {
        std::size_t close = matching(i + 1);
        std::size_t spec = i + 2;
        while (spec < close) {
          std::size_t end = spec + 1;
          while (end < close && !toks_[end].newline_before && !is(toks_[end], ";"))
            ++end;
          constant_spec(spec, end);
          spec = end < close && is(toks_[end], ";") ? end + 1 : end;
        }
      } else {
        std::size_t end = i + 2;
        while (end < toks_.size() && !toks_[end].newline_before && !is(toks_[end], ";"))
          ++end;
        constant_spec(i + 1, end);
      }
    }
  }

  void constant_spec(std::size_t first, std::size_t last) {
    if (first >= last || toks_[first].kind != Tok::kIdent) return;
    std::size_t eq = first + 1;
    while (eq < last && !is(toks_[eq], "="))
      ++eq;
    if (eq >= last) return;
    if (auto s = constant_string(eq + 1, last)) constants_[std::string(toks_[first].text)] = std::move(*s);
  }

  void find_functions() {
    int depth = 0;
    for (std::size_t i = 0; i < toks_.size(); ++i) {
      const Token& t = toks_[i];
      if (is(t, "{")) ++depth;
      if (is(t, "}")) --depth;
      if (!is(t, "func")) continue;
      std::size_t j = i + 1;
      std::string name;
      if (depth == 0 && at_is(j, "(")) j = matching(j) + 1;  // a method's receiver
      if (at(j) != nullptr && toks_[j].kind == Tok::kIdent) name = std::string(toks_[j++].text);
      if (!at_is(j, "(")) continue;
      j = matching(j) + 1;
      // The body's brace is on the line of the signature (Go's semicolon rule), so a
      // func type (`type Fn func() error`) without a body is not mistaken for one.
      std::optional<std::size_t> body;
      while (j < toks_.size() && !toks_[j].newline_before) {
        if (is(toks_[j], "(") || is(toks_[j], "[")) {
          j = matching(j) + 1;
        } else if (is(toks_[j], "{")) {
          if (j > 0 && (is(toks_[j - 1], "interface") || is(toks_[j - 1], "struct"))) {
            j = matching(j) + 1;
            continue;
          }
          body = j;
          break;
        } else if (is(toks_[j], ",") || is(toks_[j], ")") || is(toks_[j], ";")) {
          break;
        } else {
          ++j;
        }
      }
      if (!body) continue;
      std::size_t close = matching(*body);
      fn_tokens_.emplace_back(*body, close);
      fn_keyword_.push_back(i);
      GoFunction fn;
      fn.name = name;
      fn.begin = t.begin;
      fn.body_begin = toks_[*body].begin;
      fn.end = toks_[close].end;
      for (std::size_t k = *body + 1; k + 1 < close; ++k) {
        if (toks_[k].kind == Tok::kIdent && is(toks_[k + 1], "(") && !is(toks_[k - 1], "."))
          fn.callees.emplace_back(toks_[k].text);
      }
      out_.functions.push_back(std::move(fn));
    }
  }

  bool adjacent(std::size_t a, std::size_t b) const { return toks_[a].end == toks_[b].begin; }

  // Where the expression starting at `first` ends: at a new line (unless the line ends with an
  // operator or an opening bracket, which Go continues), a ';' or a closing brace.
  std::size_t expression_end(std::size_t first, std::size_t close) const {
    std::size_t e = first;
    int depth = 0;
    while (e < close) {
      const Token& t = toks_[e];
      if (e > first && t.newline_before && depth == 0 && !is(toks_[e - 1], "+") && !is(toks_[e - 1], "("))
        break;
      if (depth == 0 && (is(t, ";") || is(t, "}"))) break;
      if (is(t, "(") || is(t, "[") || is(t, "{")) ++depth;
      if (is(t, ")") || is(t, "]") || is(t, "}")) --depth;
      if (depth < 0) break;
      ++e;
    }
    return e;
  }

  // Whether the name at token k is assigned here: `q = …`, `q += …`, `a, q = …`, `q, err := …`,
  // or has its address taken (`&q`), which lets anything change it.
  bool written_at(std::size_t k, std::size_t close) const {
    if (k > 0 && is(toks_[k - 1], "&")) return true;
    std::size_t j = k + 1;
    while (j + 1 < close && is(toks_[j], ",") && toks_[j + 1].kind == Tok::kIdent)
      j += 2;
    if (j + 1 >= close) return false;
    if (is(toks_[j], ":") && is(toks_[j + 1], "=") && adjacent(j, j + 1)) return true;
    if (is(toks_[j], "=")) return !(is(toks_[j + 1], "=") && adjacent(j, j + 1));  // not ==
    static constexpr std::string_view kCompound = "+-*/%&|^";
    return toks_[j].kind == Tok::kPunct && kCompound.find(toks_[j].text) != std::string_view::npos &&
           is(toks_[j + 1], "=") && adjacent(j, j + 1);
  }

  // Locals of function `f` that hold one compile-time string for their whole life: declared once
  // (`q := "…"`, `var q = "…"`, `var q string = "…"`) and never assigned again nor addressed in
  // its body, func literals inside it included. Go runs them like constants (hatchet's
  // `verifyQuery := \`SELECT …\`` passed to QueryRowContext).
  const Locals& locals_of(std::size_t f) {
    auto cached = locals_.find(f);
    if (cached != locals_.end()) return cached->second;
    auto [open, close] = fn_tokens_[f];
    struct Seen {
      int declarations = 0;
      bool written = false;
      std::size_t at = 0;
      std::pair<std::size_t, std::size_t> value{0, 0};
    };
    std::map<std::string, Seen> seen;
    for (std::size_t k = open + 1; k < close; ++k) {
      if (toks_[k].kind != Tok::kIdent || is(toks_[k - 1], ".")) continue;
      Seen& s = seen[std::string(toks_[k].text)];
      bool single = !is(toks_[k - 1], ",") && !(k + 1 < close && is(toks_[k + 1], ","));
      if (is(toks_[k - 1], "var")) {
        std::size_t eq = k + 1;
        while (eq < close && !is(toks_[eq], "=") && !toks_[eq].newline_before && !is(toks_[eq], ";"))
          ++eq;
        ++s.declarations;
        s.at = k;
        if (eq < close && is(toks_[eq], "=") && single) {
          s.value = {eq + 1, expression_end(eq + 1, close)};
        } else {
          s.written = true;  // no initializer, or several names
        }
        continue;
      }
      if (single && k + 2 < close && is(toks_[k + 1], ":") && is(toks_[k + 2], "=") &&
          adjacent(k + 1, k + 2)) {
        ++s.declarations;
        s.at = k;
        s.value = {k + 3, expression_end(k + 3, close)};
        continue;
      }
      if (written_at(k, close)) s.written = true;
    }
    // A func literal's parameters shadow the locals they are named after, inside it.
    for (std::size_t g = 0; g < fn_tokens_.size(); ++g) {
      if (fn_keyword_[g] <= open || fn_keyword_[g] >= close) continue;
      for (std::size_t k = fn_keyword_[g] + 1; k < fn_tokens_[g].first; ++k) {
        if (toks_[k].kind == Tok::kIdent) ++seen[std::string(toks_[k].text)].declarations;
      }
    }
    std::vector<std::pair<std::size_t, std::string>> order;  // resolved in declaration order
    for (const auto& [name, s] : seen) {
      if (s.declarations == 1 && !s.written) order.emplace_back(s.at, name);
    }
    std::sort(order.begin(), order.end());
    Locals& out = locals_[f];
    for (const auto& [at, name] : order) {
      const Seen& s = seen[name];
      std::vector<const Locals*> self{&out};
      if (auto value = constant_string(s.value.first, s.value.second, self, at))
        out[name] = {at, std::move(*value)};
    }
    return out;
  }

  // The locals visible at token i: of the innermost function around it, then of those around that.
  std::vector<const Locals*> scopes_at(std::size_t i) {
    std::vector<std::pair<std::size_t, std::size_t>> around;  // (open, function index)
    for (std::size_t f = 0; f < fn_tokens_.size(); ++f) {
      if (fn_tokens_[f].first < i && i < fn_tokens_[f].second) around.emplace_back(fn_tokens_[f].first, f);
    }
    std::sort(around.rbegin(), around.rend());
    std::vector<const Locals*> scopes;
    scopes.reserve(around.size());
    for (const auto& entry : around)
      scopes.push_back(&locals_of(entry.second));
    return scopes;
  }

  std::string why_not_constant(std::size_t first, std::size_t last) const {
    if (first >= last) return "it has no SQL argument";
    const Token& a = toks_[first];
    if (a.kind == Tok::kIdent && at_is(first + 1, ".") && at(first + 2) != nullptr &&
        toks_[first + 2].kind == Tok::kIdent && at_is(first + 3, "(")) {
      return "its SQL is built at run time with " + std::string(a.text) + "." +
             std::string(toks_[first + 2].text);
    }
    if (a.kind == Tok::kIdent && first + 1 == last)
      return "its SQL comes from " + std::string(a.text) + ", a value known only at run time";
    for (std::size_t i = first; i < last; ++i) {
      if (is(toks_[i], "+")) return "its SQL is concatenated with a value known only at run time";
    }
    return "its SQL is an expression known only at run time";
  }

  void find_calls() {
    static constexpr std::array<std::string_view, 6> kMethods = {
        "Exec", "ExecContext", "Query", "QueryContext", "QueryRow", "QueryRowContext"};
    static constexpr std::array<std::string_view, 8> kRegister = {
        "AddMigration",          "AddMigrationContext",
        "AddMigrationNoTx",      "AddMigrationNoTxContext",
        "AddNamedMigration",     "AddNamedMigrationContext",
        "AddNamedMigrationNoTx", "AddNamedMigrationNoTxContext"};
    for (std::size_t i = 2; i + 1 < toks_.size(); ++i) {
      const Token& m = toks_[i];
      if (m.kind != Tok::kIdent || !is(toks_[i - 1], ".") || !is(toks_[i + 1], "(")) continue;
      std::size_t start = i;
      while (start >= 2 && is(toks_[start - 1], ".") && toks_[start - 2].kind == Tok::kIdent)
        start -= 2;
      auto args = arguments(i + 1);
      if (std::find(kMethods.begin(), kMethods.end(), m.text) != kMethods.end()) {
        GoSqlCall call;
        call.receiver = std::string(toks_[i - 2].text);
        call.method = std::string(m.text);
        call.offset = toks_[start].begin;
        call.end = toks_[matching(i + 1)].end;
        std::size_t which = m.text.ends_with("Context") ? 1 : 0;
        auto [first, last] = which < args.size() ? args[which] : std::pair<std::size_t, std::size_t>{0, 0};
        if (auto s = constant_string(first, last, scopes_at(i), first)) {
          call.literal = true;
          call.sql = std::move(*s);
        } else {
          call.why = why_not_constant(first, last);
        }
        out_.calls.push_back(std::move(call));
      } else if (std::find(kRegister.begin(), kRegister.end(), m.text) != kRegister.end()) {
        GoRegistration reg;
        reg.call = std::string(toks_[i - 2].text) + "." + std::string(m.text);
        reg.offset = toks_[start].begin;
        reg.no_transaction = m.text.find("NoTx") != std::string_view::npos;
        std::size_t skip = m.text.starts_with("AddNamed") ? 1 : 0;
        if (args.size() >= skip + 1) function_argument(args[skip], reg.up, reg.up_name);
        if (args.size() >= skip + 2) function_argument(args[skip + 1], reg.down, reg.down_name);
        out_.registrations.push_back(std::move(reg));
      }
    }
  }

  void function_argument(std::pair<std::size_t, std::size_t> arg, std::optional<std::size_t>& fn,
                         std::string& name) const {
    auto [first, last] = arg;
    if (first >= last) return;
    const Token& t = toks_[first];
    if (is(t, "func")) {
      name = "func literal";
      for (std::size_t k = 0; k < out_.functions.size(); ++k) {
        if (out_.functions[k].begin == t.begin) fn = k;
      }
      return;
    }
    name = std::string(t.text);
    if (first + 1 != last || t.kind != Tok::kIdent) return;
    for (std::size_t k = 0; k < out_.functions.size(); ++k) {
      if (out_.functions[k].name == name) fn = k;
    }
  }

  std::vector<Token> toks_;
  GoSource& out_;
  std::map<std::string, GoString> constants_;
  std::vector<std::pair<std::size_t, std::size_t>> fn_tokens_;  // each function's body braces
  std::vector<std::size_t> fn_keyword_;                         // and its `func` keyword
  std::map<std::size_t, Locals> locals_;                        // by function, when asked for
};

}  // namespace

GoSource scan_go_source(std::string_view text) {
  GoSource out;
  std::vector<Token> toks = Lexer(text).run(out.comments);
  Scanner(std::move(toks), out).run();
  return out;
}

std::vector<const GoSqlCall*> go_calls_reached(const GoSource& go, std::size_t fn) {
  std::vector<std::size_t> order{fn};
  std::set<std::size_t> seen{fn};
  for (std::size_t k = 0; k < order.size(); ++k) {
    for (const std::string& callee : go.functions[order[k]].callees) {
      for (std::size_t f = 0; f < go.functions.size(); ++f) {
        if (go.functions[f].name == callee && seen.insert(f).second) order.push_back(f);
      }
    }
  }
  std::vector<const GoSqlCall*> out;
  for (std::size_t f : order) {
    const GoFunction& g = go.functions[f];
    for (const GoSqlCall& c : go.calls) {
      if (c.offset >= g.body_begin && c.offset < g.end &&
          std::find(out.begin(), out.end(), &c) == out.end()) {
        out.push_back(&c);
      }
    }
  }
  return out;
}

}  // namespace schemagate::sql
