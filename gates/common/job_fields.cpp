#include "gates/common/job_fields.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace schemagate::gates::job {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view basename(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Executables that exist to apply schema migrations. Matched as whole words only:
// "migrate-logs" or "--migrate-only" are other programs and flags (false-positive
// guard, tested).
constexpr std::array<std::string_view, 9> kTools = {
    "migrate", "golang-migrate", "goose", "flyway", "atlas", "sqitch", "dbmate", "liquibase", "alembic"};

bool is_tool(std::string_view word) {
  return std::find(kTools.begin(), kTools.end(), word) != kTools.end();
}

// Words that only launch the next word: `exec migrate`, `env X=1 goose`, `npx prisma`.
bool is_wrapper(std::string_view w) {
  static constexpr std::array<std::string_view, 12> kWrappers = {
      "exec", "env", "sudo", "time", "nohup", "npx", "bunx", "yarn", "pnpm", "bundle", "run", "poetry"};
  return std::find(kWrappers.begin(), kWrappers.end(), w) != kWrappers.end() ||
         (w.find('=') != std::string_view::npos && w.front() != '-');
}

// A shell command line split into simple commands (on ; & | newlines and
// parentheses), each a list of words with quotes removed. Good enough to find the
// program a `sh -c` script runs; not a shell.
std::vector<std::vector<std::string>> shell_segments(std::string_view text) {
  std::vector<std::vector<std::string>> out(1);
  std::string word;
  char quote = 0;
  auto flush = [&] {
    if (!word.empty()) out.back().push_back(word);
    word.clear();
  };
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')') {
      flush();
      if (!out.back().empty()) out.emplace_back();
    } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  if (out.back().empty()) out.pop_back();
  return out;
}

bool has_word(const std::vector<std::string>& words, std::size_t from, std::string_view w) {
  return std::find(words.begin() + static_cast<std::ptrdiff_t>(std::min(from, words.size())), words.end(),
                   w) != words.end();
}

bool has_ddl(const std::vector<std::string>& words, std::size_t from) {
  for (std::size_t i = from; i < words.size(); ++i) {
    for (const auto& seg : shell_segments(words[i])) {
      for (const auto& w : seg) {
        std::string l = lower(w);
        if (l == "create" || l == "alter" || l == "drop" || l == "truncate") return true;
      }
    }
  }
  return false;
}

// Evidence from one simple command (argv, or one command of a shell script).
std::optional<std::string> command_evidence(const std::vector<std::string>& words) {
  std::size_t head = 0;
  while (head < words.size() && is_wrapper(words[head]))
    ++head;
  if (head == words.size()) return std::nullopt;
  std::string cmd(basename(words[head]));
  if (cmd.rfind("python", 0) == 0 && head + 1 < words.size()) {
    std::string script(basename(words[head + 1]));
    if (script == "manage.py" && has_word(words, head + 2, "migrate")) return "command manage.py migrate";
  }
  if (cmd == "manage.py" && has_word(words, head + 1, "migrate")) return "command manage.py migrate";
  if (cmd == "psql") {
    for (std::size_t i = head + 1; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "-f" || w == "--file" || w.rfind("--file=", 0) == 0 || (w.rfind("-f", 0) == 0 && w.size() > 2))
        return "command psql -f";
      if ((w == "-c" || w == "--command" || w.rfind("--command=", 0) == 0) && has_ddl(words, i))
        return "command psql -c with DDL";
    }
    return std::nullopt;
  }
  if (cmd == "pg_restore") {
    for (std::size_t i = head + 1; i < words.size(); ++i) {
      if (words[i] == "-d" || words[i].rfind("--dbname", 0) == 0 || (words[i].rfind("-d", 0) == 0))
        return "command pg_restore";
    }
    return std::nullopt;
  }
  if (cmd == "prisma" && has_word(words, head + 1, "migrate")) return "command prisma migrate";
  if (cmd == "knex") {
    for (std::size_t i = head + 1; i < words.size(); ++i) {
      if (words[i].rfind("migrate:", 0) == 0) return "command knex " + words[i];
    }
  }
  for (std::size_t i = head; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("db:migrate", 0) == 0 || w == "db:schema:load" || w == "db:rollback") return "command " + w;
  }
  for (std::size_t i = head; i < words.size(); ++i) {
    if (words[i].empty() || words[i].front() == '-') continue;
    std::string_view b = basename(words[i]);
    if (is_tool(b)) return "command " + std::string(b);
  }
  return std::nullopt;
}

std::optional<std::string> container_evidence(const Container& c) {
  ImageRef image = parse_image(c.image);
  if (is_tool(basename(image.repository))) return "image " + image.name();
  std::vector<std::string> argv = c.command;
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  if (auto e = command_evidence(argv)) return e;
  for (const auto& element : argv) {
    if (element.find_first_of(" \t\n;&|") == std::string::npos) continue;
    for (const auto& seg : shell_segments(element)) {
      if (auto e = command_evidence(seg)) return e;
    }
  }
  return std::nullopt;
}

bool looks_like_sql_file(std::string_view key) {
  std::string l = lower(key);
  return l.size() > 4 && l.compare(l.size() - 4, 4, ".sql") == 0;
}

}  // namespace

std::string job_title(const Job& job) {
  return job.meta.name.empty() ? std::string("The Job") : "Job " + job.meta.name;
}

std::string container_path(bool init, std::size_t index) {
  return std::string("spec.template.spec.") + (init ? "initContainers[" : "containers[") +
         std::to_string(index) + "]";
}

std::vector<ContainerRef> all_containers(const Job& job) {
  std::vector<ContainerRef> out;
  for (std::size_t i = 0; i < job.init_containers.size(); ++i)
    out.push_back(ContainerRef{&job.init_containers[i], true, i});
  for (std::size_t i = 0; i < job.containers.size(); ++i)
    out.push_back(ContainerRef{&job.containers[i], false, i});
  return out;
}

ImageRef parse_image(std::string_view image) {
  ImageRef r;
  std::string_view rest = image;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
  }
  // A registry is a first component with a dot or a port, or "localhost".
  if (std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
      r.registry = std::string(first);
      rest = rest.substr(slash + 1);
    }
  }
  if (std::size_t colon = rest.rfind(':');
      colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    r.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  r.repository = std::string(rest);
  return r;
}

std::optional<std::string> migration_evidence(const Job& job, const Context& ctx) {
  for (const auto& ref : all_containers(job)) {
    if (auto e = container_evidence(*ref.container)) return e;
  }
  const std::string& ns = ctx.namespace_name.empty() ? job.meta.namespace_name : ctx.namespace_name;
  for (const auto& volume : job.volumes) {
    for (const auto& name : volume.configmaps) {
      if (ctx.cluster != nullptr) {
        if (auto cm = ctx.cluster->configmap(ns, name)) {
          bool sql = std::any_of(cm->data.begin(), cm->data.end(),
                                 [](const auto& kv) { return looks_like_sql_file(kv.first); });
          if (sql) return "ConfigMap " + name + " with SQL files";
          continue;  // seen and not SQL: its name proves nothing
        }
      }
      // The ConfigMap is not visible (offline, or created after the Job): judge by name.
      if (lower(name).find("migration") != std::string::npos ||
          lower(volume.name).find("migration") != std::string::npos)
        return "mounted ConfigMap " + name;
    }
  }
  if (job.meta.annotation(keys::kMigrations) != nullptr)
    return "annotation " + std::string(keys::kMigrations);
  return std::nullopt;
}

}  // namespace schemagate::gates::job
