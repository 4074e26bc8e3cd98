// A private, throwaway PostgreSQL 15 server for tests, driven through psql.
//
// The server lives in a fresh temp dir (data dir, unix socket, logs, scripts),
// listens on no TCP address, runs with fsync off, and is stopped and removed when
// the PgServer is destroyed. When the tests run as root (CI), every PostgreSQL
// binary runs as the `postgres` OS user through `runuser`; otherwise as the
// current user. No libpq: each batch of SQL is one `psql -X -q -A -t` process.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace schemagate::pgtest {

struct ProcessResult {
  int exit_code = -1;  // -1 when the process did not exit normally
  std::string out;
  std::string err;
};

// A psql running in the background (a session that holds a lock, or one that
// blocks on it). Killed and reaped on destruction if still running.
class BackgroundPsql {
 public:
  BackgroundPsql(pid_t pid, std::string out_path, std::string err_path);
  BackgroundPsql(BackgroundPsql&& other) noexcept;
  BackgroundPsql& operator=(BackgroundPsql&&) = delete;
  BackgroundPsql(const BackgroundPsql&) = delete;
  BackgroundPsql& operator=(const BackgroundPsql&) = delete;
  ~BackgroundPsql();

  // Waits at most `timeout_ms`; then kills it. Returns its output and exit code.
  ProcessResult wait(int timeout_ms);

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
};

class PgServer {
 public:
  // initdb + pg_ctl start. Throws std::runtime_error with the tool's output when
  // PostgreSQL 15 is not installed or the server cannot start; nothing is left
  // behind in that case.
  PgServer();
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Runs `script` with `psql -X -q -A -t -v ON_ERROR_STOP=1` as application
  // `app`. Never throws on SQL errors: see exit_code and err.
  ProcessResult psql(std::string_view script, std::string_view app = "lt_check") const;
  // As psql(), but throws std::runtime_error (with psql's stderr) on failure.
  std::string psql_ok(std::string_view script, std::string_view app = "lt_check") const;
  // Starts psql on `script` without waiting for it.
  BackgroundPsql psql_background(std::string_view script, std::string_view app) const;

  const std::string& dir() const { return dir_; }
  int port() const { return port_; }

 private:
  std::vector<std::string> as_postgres(std::vector<std::string> argv) const;
  std::vector<std::string> psql_argv(std::string_view app, const std::string& file) const;
  std::string write_script(std::string_view script) const;
  void start_watchdog();
  void stop() noexcept;
  void remove_dir() noexcept;

  std::string bin_;
  std::string dir_;
  std::string data_;
  int port_ = 0;
  bool as_root_ = false;
  bool started_ = false;
  int watchdog_fd_ = -1;  // write end of the watchdog's pipe
  pid_t watchdog_pid_ = -1;
  mutable int script_counter_ = 0;
};

// Runs argv (argv[0] a path), in `cwd`, collecting stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd);

}  // namespace schemagate::pgtest
