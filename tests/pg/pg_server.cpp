#include "pg/pg_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace schemagate::pgtest {

namespace {

constexpr std::string_view kDefaultBin = "/usr/lib/postgresql/15/bin";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// argv as the char* array execvp wants; `storage` keeps the strings alive.
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const std::string& a : argv)
    out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// In a forked child: never returns.
[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::string& cwd, int out_fd,
                             int err_fd) {
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  // A cwd the postgres user can enter: initdb and psql complain otherwise.
  if (::chdir(cwd.c_str()) != 0) ::_exit(126);
  std::vector<char*> args = c_argv(argv);
  ::execvp(args[0], args.data());
  ::dprintf(STDERR_FILENO, "cannot execute %s: %s\n", args[0], std::strerror(errno));
  ::_exit(127);
}

void sleep_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd) {
  ProcessResult r;
  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0 || ::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    r.err = "pipe: " + std::string(std::strerror(errno));
    return r;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    r.err = "fork: " + std::string(std::strerror(errno));
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      ::close(fd);
    return r;
  }
  if (pid == 0) exec_child(argv, cwd, out_pipe[1], err_pipe[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&r.out, &r.err};
  int open_fds = 2;
  std::array<char, 8192> buf{};
  while (open_fds > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n > 0) {
        sinks[i]->append(buf.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = exit_code_of(status);
  return r;
}

BackgroundPsql::BackgroundPsql(pid_t pid, std::string out_path, std::string err_path)
    : pid_(pid), out_path_(std::move(out_path)), err_path_(std::move(err_path)) {}

BackgroundPsql::BackgroundPsql(BackgroundPsql&& other) noexcept
    : pid_(other.pid_), out_path_(std::move(other.out_path_)), err_path_(std::move(other.err_path_)) {
  other.pid_ = -1;
}

BackgroundPsql::~BackgroundPsql() {
  if (pid_ > 0) wait(0);
}

ProcessResult BackgroundPsql::wait(int timeout_ms) {
  ProcessResult r;
  if (pid_ <= 0) return r;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool reaped = false;
  while (!reaped) {
    pid_t w = ::waitpid(pid_, &status, WNOHANG);
    if (w == pid_ || (w < 0 && errno != EINTR)) {
      reaped = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    sleep_ms(5);
  }
  if (!reaped) {
    // runuser passes SIGTERM on to psql; SIGKILL only if that does not work.
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 200 && !reaped; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) reaped = true;
      if (!reaped) sleep_ms(5);
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    status = -1;
  }
  pid_ = -1;
  r.exit_code = status == -1 ? -1 : exit_code_of(status);
  r.out = read_file(out_path_);
  r.err = read_file(err_path_);
  return r;
}

PgServer::PgServer() {
  const char* env_bin = std::getenv("SCHEMAGATE_PG_BIN");
  bin_ = env_bin != nullptr && *env_bin != '\0' ? env_bin : std::string(kDefaultBin);
  for (const char* tool : {"initdb", "pg_ctl", "postgres", "psql"}) {
    std::string path = bin_ + "/" + tool;
    if (::access(path.c_str(), X_OK) != 0) {
      throw std::runtime_error("PostgreSQL 15 is not installed: " + path +
                               " not found (install postgresql-15, or set SCHEMAGATE_PG_BIN to its bin "
                               "directory)");
    }
  }
  as_root_ = ::geteuid() == 0;
  uid_t owner_uid = ::geteuid();
  gid_t owner_gid = ::getegid();
  if (as_root_) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("running as root, but there is no `postgres` OS user");
    owner_uid = pw->pw_uid;
    owner_gid = pw->pw_gid;
  }

  std::string templ = (std::filesystem::temp_directory_path() / "schemagate-pg-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr)
    throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  dir_ = templ;
  data_ = dir_ + "/data";
  // From here on, failures must clean up: the destructor does not run for a
  // constructor that throws.
  try {
    start_watchdog();
    if (as_root_ && ::chown(dir_.c_str(), owner_uid, owner_gid) != 0)
      throw std::runtime_error("chown " + dir_ + ": " + std::strerror(errno));
    // A private port: the socket lives in our own dir, so it only has to be stable.
    port_ = 20000 + static_cast<int>(::getpid() % 20000);

    ProcessResult version = run_process(as_postgres({bin_ + "/postgres", "--version"}), dir_);
    if (version.exit_code != 0 || version.out.find(" 15.") == std::string::npos)
      throw std::runtime_error("expected PostgreSQL 15 in " + bin_ + ", found: " + version.out + version.err);

    ProcessResult init =
        run_process(as_postgres({bin_ + "/initdb", "-D", data_, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                 "--locale=C", "--no-sync", "--no-instructions"}),
                    dir_);
    if (init.exit_code != 0) throw std::runtime_error("initdb failed:\n" + init.out + init.err);

    std::string options = "-c listen_addresses='' -k " + dir_ + " -p " + std::to_string(port_) +
                          " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                          " -c autovacuum=off -c max_connections=20 -c shared_buffers=16MB";
    ProcessResult start = run_process(as_postgres({bin_ + "/pg_ctl", "-D", data_, "-l", dir_ + "/server.log",
                                                   "-o", options, "-w", "-t", "30", "start"}),
                                      dir_);
    started_ = true;  // pg_ctl may have started the postmaster even when it reports a failure
    if (start.exit_code != 0) {
      throw std::runtime_error("pg_ctl start failed:\n" + start.out + start.err + "\nserver.log:\n" +
                               read_file(dir_ + "/server.log"));
    }
  } catch (...) {
    stop();
    remove_dir();
    throw;
  }
}

PgServer::~PgServer() {
  stop();
  remove_dir();
}

// A forked helper that outlives a crashed test process: it waits for EOF on a pipe
// only this process holds (close-on-exec keeps psql children from inheriting it),
// which comes when the process exits by any means, even SIGKILL or an ASan abort.
// Then it stops the server and removes the dir. After a normal stop it finds
// nothing left to do.
void PgServer::start_watchdog() {
  std::array<int, 2> fds{-1, -1};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  std::vector<std::string> stop_argv =
      as_postgres({bin_ + "/pg_ctl", "-D", data_, "-m", "immediate", "-w", "-t", "30", "stop"});
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::close(fds[1]);
    ::setsid();  // not killed with the test's process group
    // Nor holding the test's output open (CTest reads it to EOF).
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(null_fd, STDERR_FILENO);
    }
    char byte = 0;
    while (::read(fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    if (std::filesystem::exists(data_ + "/postmaster.pid")) run_process(stop_argv, "/");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    ::_exit(0);
  }
  ::close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_pid_ = pid;
}

void PgServer::stop() noexcept {
  if (!started_) return;
  started_ = false;
  // Immediate: the fixture is throwaway, and open test sessions must not delay us.
  run_process(as_postgres({bin_ + "/pg_ctl", "-D", data_, "-m", "immediate", "-w", "-t", "30", "stop"}),
              dir_);
}

void PgServer::remove_dir() noexcept {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
  if (watchdog_fd_ >= 0) {
    ::close(watchdog_fd_);  // the watchdog wakes up, finds nothing to do, exits
    watchdog_fd_ = -1;
    while (::waitpid(watchdog_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

std::vector<std::string> PgServer::as_postgres(std::vector<std::string> argv) const {
  if (!as_root_) return argv;
  std::vector<std::string> out = {"runuser", "-u", "postgres", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::vector<std::string> PgServer::psql_argv(std::string_view app, const std::string& file) const {
  std::string conninfo = "host=" + dir_ + " port=" + std::to_string(port_) +
                         " user=postgres dbname=postgres application_name=" + std::string(app);
  return as_postgres(
      {bin_ + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-f", file});
}

std::string PgServer::write_script(std::string_view script) const {
  std::string path = dir_ + "/script-" + std::to_string(++script_counter_) + ".sql";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << script << '\n';
  }
  ::chmod(path.c_str(), 0644);
  return path;
}

ProcessResult PgServer::psql(std::string_view script, std::string_view app) const {
  return run_process(psql_argv(app, write_script(script)), dir_);
}

std::string PgServer::psql_ok(std::string_view script, std::string_view app) const {
  ProcessResult r = psql(script, app);
  if (r.exit_code != 0) {
    throw std::runtime_error("psql failed (exit " + std::to_string(r.exit_code) + "):\n" + r.err +
                             "\nscript:\n" + std::string(script));
  }
  return r.out;
}

BackgroundPsql PgServer::psql_background(std::string_view script, std::string_view app) const {
  std::string file = write_script(script);
  std::string out_path = file + ".out";
  std::string err_path = file + ".err";
  std::vector<std::string> argv = psql_argv(app, file);
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot create " + out_path);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) exec_child(argv, dir_, out_fd, err_fd);
  ::close(out_fd);
  ::close(err_fd);
  return BackgroundPsql(pid, out_path, err_path);
}

}  // namespace schemagate::pgtest
