// GCC 12 reports -Wnull-dereference inside Asio's scheduler and shared_ptr code
// once inlined here (false positives in system headers); only this file's
// Asio instantiations are affected, so the warning is off for this file alone.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "server/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/decision_log.hpp"
#include "server/listener.hpp"
#include "server/metrics.hpp"
#include "server/routes.hpp"
#include "server/session.hpp"
#include "server/tls.hpp"

namespace schemagate::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

tcp::endpoint parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--listen must be host:port or :port, got " + listen);
  std::string host = listen.substr(0, colon);
  std::string port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) throw std::invalid_argument("port");
  } catch (const std::exception&) {
    throw std::runtime_error("--listen: bad port in " + listen);
  }
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("--listen: bad address " + host + " (use an IP address)");
  return {address, static_cast<unsigned short>(port)};
}

// The once-a-second chores: certificate/key reload and the reviewer's refresh.
class Housekeeping {
 public:
  Housekeeping(net::io_context& ioc, std::chrono::milliseconds interval, TlsReloader& tls, Reviewer& reviewer,
               Metrics& metrics, EventLog& log)
      : timer_(ioc), interval_(interval), tls_(tls), reviewer_(reviewer), metrics_(metrics), log_(log) {}

  void start() { arm(); }
  void stop() { timer_.cancel(); }

 private:
  void arm() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      tick();
      arm();
    });
  }
  void tick() {
    switch (tls_.poll()) {
      case TlsReloader::Poll::kUnchanged:
        break;
      case TlsReloader::Poll::kReloaded:
        metrics_.count_tls_reload(true);
        log_.event("info", "TLS certificate and key reloaded; new connections use them");
        break;
      case TlsReloader::Poll::kFailed:
        metrics_.count_tls_reload(false);
        log_.event("error", "TLS reload failed, keeping the previous certificate: " + tls_.last_error());
        break;
    }
    reviewer_.refresh();
  }

  net::steady_timer timer_;
  std::chrono::milliseconds interval_;
  TlsReloader& tls_;
  Reviewer& reviewer_;
  Metrics& metrics_;
  EventLog& log_;
};

// SIGTERM/SIGINT: stop accepting, drain, and let io_context::run return once no
// connection is left (or force it when the grace runs out; a second signal too).
class Shutdown {
 public:
  Shutdown(net::io_context& ioc, std::chrono::milliseconds grace, Listener& listener, Housekeeping& chores,
           SessionShared& shared, EventLog& log)
      : ioc_(ioc),
        signals_(ioc, SIGINT, SIGTERM),
        poll_(ioc),
        grace_(grace),
        listener_(listener),
        chores_(chores),
        shared_(shared),
        log_(log) {}

  void start() { wait_signal(); }

 private:
  // Draining connections are checked this often; the cost is one mutex lock.
  static constexpr std::chrono::milliseconds kPollInterval{20};

  void wait_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int signo) {
      if (ec) return;
      if (shared_.draining.exchange(true)) {
        log_.event("warning", "second signal: stopping now");
        ioc_.stop();
        return;
      }
      log_.event("info", std::string("received ") + (signo == SIGTERM ? "SIGTERM" : "SIGINT") +
                             ": no longer accepting, draining " + std::to_string(shared_.sessions.size()) +
                             " connection(s)");
      deadline_ = std::chrono::steady_clock::now() + grace_;
      listener_.stop();
      chores_.stop();
      shared_.sessions.for_each([](const std::shared_ptr<Session>& s) { s->drain(); });
      wait_signal();
      check();
    });
  }

  void check() {
    std::size_t left = shared_.sessions.size();
    if (left == 0) {
      log_.event("info", "all connections closed; exiting");
      signals_.cancel();
      return;  // nothing else holds the io_context: run() returns
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
      log_.event("warning", "shutdown grace over; closing " + std::to_string(left) + " connection(s)");
      ioc_.stop();
      return;
    }
    poll_.expires_after(kPollInterval);
    poll_.async_wait([this](boost::system::error_code ec) {
      if (!ec) check();
    });
  }

  net::io_context& ioc_;
  net::signal_set signals_;
  net::steady_timer poll_;
  std::chrono::milliseconds grace_;
  std::chrono::steady_clock::time_point deadline_{};
  Listener& listener_;
  Housekeeping& chores_;
  SessionShared& shared_;
  EventLog& log_;
};

}  // namespace

int serve_https(const ServerOptions& options, Reviewer& reviewer) {
  EventLog log(stderr);
  tcp::endpoint endpoint = parse_listen(options.listen);
  TlsReloader tls(options.cert_path, options.key_path);
  Metrics metrics;
  SessionShared shared;
  Router router(reviewer, metrics, &log, &shared.draining);
  shared.router = &router;
  shared.metrics = &metrics;
  shared.limits.handshake_timeout = options.handshake_timeout;
  shared.limits.read_timeout = options.read_timeout;
  shared.limits.idle_timeout = options.idle_timeout;
  shared.limits.max_body_bytes = options.max_body_bytes;

  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  {
    // Declared after `shared` and `router`: destroying the io_context destroys
    // the sessions its pending handlers still hold, and they use both.
    net::io_context ioc(static_cast<int>(threads));
    auto listener = std::make_shared<Listener>(ioc, endpoint, tls, shared, options.max_connections);
    Housekeeping chores(ioc, options.reload_interval, tls, reviewer, metrics, log);
    Shutdown shutdown(ioc, options.shutdown_grace, *listener, chores, shared, log);
    listener->run();
    chores.start();
    shutdown.start();
    auto bound = listener->local_endpoint();
    log.event("info", "listening on https://" + bound.address().to_string() + ":" +
                          std::to_string(bound.port()) + " with " + std::to_string(threads) + " thread(s)");

    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned i = 1; i < threads; ++i)
      pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool)
      t.join();
  }
  log.event("info", "stopped");
  return 0;
}

}  // namespace schemagate::server
