// GCC 12 reports -Wnull-dereference inside Asio's scheduler and shared_ptr code
// once inlined here (false positives in system headers), as in server/listener.cpp.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "k8s/api_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

namespace schemagate::k8s {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::string ApiResponse::reason() const {
  if (body.is_object() && body.value("kind", "") == "Status") return body.value("reason", "");
  return {};
}

std::string ApiResponse::describe() const {
  if (status_code == 0) return "transport: " + error;
  std::string out = std::to_string(status_code);
  if (std::string r = reason(); !r.empty()) out += " " + r;
  if (body.is_object() && body.contains("message") && body["message"].is_string())
    out += ": " + body["message"].get<std::string>();
  else if (!error.empty())
    out += ": " + error;
  return out;
}

namespace {

constexpr std::chrono::milliseconds kStopSlice{250};

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

void add_param(std::string& target, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += key;
  target += '=';
  target += url_encode(value);
}

struct ServerUrl {
  bool tls = true;
  std::string host;  // without IPv6 brackets
  std::string port;
  std::string host_header;
  std::string prefix;  // path prefix ("" usually)
};

ServerUrl parse_server(const std::string& server) {
  ServerUrl u;
  std::string rest;
  if (server.rfind("https://", 0) == 0) {
    rest = server.substr(8);
  } else if (server.rfind("http://", 0) == 0) {
    u.tls = false;
    rest = server.substr(7);
  } else {
    throw std::runtime_error("server URL must start with https:// or http://: '" + server + "'");
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) u.prefix = rest.substr(slash);
  while (!u.prefix.empty() && u.prefix.back() == '/')
    u.prefix.pop_back();
  u.host_header = authority;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos)
      throw std::runtime_error("bad IPv6 address in server URL: '" + server + "'");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty()) throw std::runtime_error("server URL has no host: '" + server + "'");
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  return u;
}

// One keep-alive connection with its own io_context, driven by the calling thread:
// async operations under Beast's per-operation expiry, run to completion here, so a
// synchronous call gets real timeouts and a watch can notice its stop token.
struct Connection {
  net::io_context ioc{1};
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool reused = false;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }
};

// Runs `c`'s io_context until `done`, or until `stop` fires (then closes the
// connection and drains; returns false).
bool drive(Connection& c, const bool& done, const std::stop_token* stop) {
  c.ioc.restart();
  while (!done) {
    if (stop != nullptr && stop->stop_requested()) {
      c.close();
      c.ioc.restart();
      c.ioc.run();
      return false;
    }
    c.ioc.run_for(kStopSlice);
    if (c.ioc.stopped() && !done) c.ioc.restart();
  }
  c.ioc.run();  // drain the cancelled expiry timer
  return true;
}

template <class F>
auto with_stream(Connection& c, F&& f) {
  if (c.tls) return f(*c.tls);
  return f(*c.plain);
}

class BeastApiClient final : public ApiClient {
 public:
  BeastApiClient(const ClusterConfig& config, const ApiClientOptions& options)
      : config_(config), options_(options), url_(parse_server(config.server)) {
    if (url_.tls) ssl_ = make_tls_context();
    verify_name_ = config_.tls_server_name.empty() ? url_.host : config_.tls_server_name;
  }

  ApiResponse get(std::string_view path) const override { return call(http::verb::get, path, nullptr); }

  ApiResponse list(std::string_view path, const ListOptions& o) const override {
    std::string target(path);
    add_param(target, "labelSelector", o.label_selector);
    add_param(target, "fieldSelector", o.field_selector);
    add_param(target, "resourceVersion", o.resource_version);
    if (o.limit > 0) add_param(target, "limit", std::to_string(o.limit));
    add_param(target, "continue", o.continue_token);
    return call(http::verb::get, target, nullptr);
  }

  ApiResponse create(std::string_view path, const nlohmann::json& object) const override {
    return call(http::verb::post, path, &object);
  }
  ApiResponse update(std::string_view path, const nlohmann::json& object) const override {
    return call(http::verb::put, path, &object);
  }
  ApiResponse remove(std::string_view path, const nlohmann::json& preconditions) const override {
    if (preconditions.is_null()) return call(http::verb::delete_, path, nullptr);
    nlohmann::json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"preconditions", preconditions}};
    return call(http::verb::delete_, path, &body);
  }

  WatchResult watch(std::string_view path, const WatchOptions& o,
                    const std::function<bool(WatchEvent&&)>& on_event, std::stop_token stop) const override;

  const std::string& default_namespace() const override { return config_.namespace_name; }
  const std::string& server() const override { return config_.server; }

 private:
  std::shared_ptr<ssl::context> make_tls_context() const {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(ctx->native_handle(), kAlpn, sizeof(kAlpn));
    try {
      if (!config_.ca_pem.empty())
        ctx->add_certificate_authority(net::buffer(config_.ca_pem));
      else
        ctx->set_default_verify_paths();
      if (!config_.client_cert_pem.empty()) {
        ctx->use_certificate_chain(net::buffer(config_.client_cert_pem));
        ctx->use_private_key(net::buffer(config_.client_key_pem), ssl::context::pem);
      }
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(config_.source + ": bad CA, client certificate or key: " + e.what());
    }
    ctx->set_verify_mode(config_.insecure_skip_tls_verify ? ssl::verify_none : ssl::verify_peer);
    return ctx;
  }

  // A fresh connection: resolve, connect, TLS handshake with SNI and name check.
  std::unique_ptr<Connection> connect(std::string& error) const {
    auto c = std::make_unique<Connection>();
    if (url_.tls)
      c->tls.emplace(c->ioc, *ssl_);
    else
      c->plain.emplace(c->ioc);
    beast::error_code ec;
    tcp::resolver resolver(c->ioc);
    auto results = resolver.resolve(url_.host, url_.port, ec);  // numeric or /etc/hosts in practice
    if (ec) {
      error = "resolve " + url_.host + ": " + ec.message();
      return nullptr;
    }
    bool done = false;
    c->lowest().expires_after(options_.connect_timeout);
    c->lowest().async_connect(results, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    drive(*c, done, nullptr);
    if (ec) {
      error = "connect " + url_.host_header + ": " + ec.message();
      return nullptr;
    }
    // Asio's SSL stream writes a request's header and body as separate records: with
    // Nagle on, the body waits for the peer's delayed ACK (40 ms on Linux) per call.
    c->lowest().socket().set_option(tcp::no_delay(true), ec);
    if (!url_.tls) return c;
    SSL* ssl = c->tls->native_handle();
    beast::error_code addr_ec;
    net::ip::make_address(verify_name_, addr_ec);  // an IP literal?
    if (!config_.insecure_skip_tls_verify) {
      // IP literals are checked against IP SANs; names against DNS SANs (no SNI for IPs, RFC 6066 §3).
      if (!addr_ec)
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), verify_name_.c_str());
      else
        SSL_set1_host(ssl, verify_name_.c_str());
    }
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    if (addr_ec)
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               static_cast<void*>(const_cast<char*>(verify_name_.c_str())));
    done = false;
    c->lowest().expires_after(options_.handshake_timeout);
    c->tls->async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    drive(*c, done, nullptr);
    if (ec) {
      error = "TLS handshake with " + url_.host_header + ": " + ec.message();
      if (long v = SSL_get_verify_result(ssl); v != X509_V_OK)
        error += " (" + std::string(X509_verify_cert_error_string(v)) + ")";
      return nullptr;
    }
    return c;
  }

  std::unique_ptr<Connection> take(std::string& error) const {
    {
      std::lock_guard lock(pool_mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        c->reused = true;
        return c;
      }
    }
    return connect(error);
  }

  void give_back(std::unique_ptr<Connection> c) const {
    std::lock_guard lock(pool_mu_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(c));
  }

  http::request<http::string_body> make_request(http::verb verb, std::string_view path,
                                                const nlohmann::json* body) const {
    http::request<http::string_body> req{verb, url_.prefix + std::string(path), 11};
    req.set(http::field::host, url_.host_header);
    req.set(http::field::user_agent, options_.user_agent);
    req.set(http::field::accept, "application/json");
    if (config_.token) {
      if (std::string t = config_.token->current(); !t.empty())
        req.set(http::field::authorization, "Bearer " + t);
    }
    if (body != nullptr) {
      req.set(http::field::content_type, "application/json");
      req.body() = body->dump();
    }
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  // One exchange on `c`. Returns false on a transport error (in `error`).
  bool exchange(Connection& c, const http::request<http::string_body>& req, ApiResponse& out,
                bool& nothing_read, std::string& error) const {
    beast::error_code ec;
    bool done = false;
    c.lowest().expires_after(options_.request_timeout);
    with_stream(c, [&](auto& s) {
      http::async_write(s, req, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
    });
    drive(c, done, nullptr);
    if (ec) {
      error = "write: " + ec.message();
      return false;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_body_bytes);
    done = false;
    std::size_t read = 0;
    c.lowest().expires_after(options_.request_timeout);
    with_stream(c, [&](auto& s) {
      http::async_read(s, c.buffer, parser, [&](beast::error_code e, std::size_t n) {
        ec = e;
        read = n;
        done = true;
      });
    });
    drive(c, done, nullptr);
    if (ec) {
      nothing_read = read == 0 && !parser.got_some();
      error = "read: " + ec.message();
      return false;
    }
    auto& res = parser.get();
    out.status_code = static_cast<int>(res.result_int());
    const std::string& text = res.body();
    if (!text.empty()) {
      out.body = nlohmann::json::parse(text, nullptr, false);
      if (out.body.is_discarded()) {
        out.body = nullptr;
        out.error = "answer is not JSON (" + std::to_string(text.size()) + " bytes)";
      }
    }
    if (!res.keep_alive()) c.close();
    return res.keep_alive();
  }

  ApiResponse call(http::verb verb, std::string_view path, const nlohmann::json* body) const {
    ApiResponse out;
    auto req = make_request(verb, path, body);
    // A pooled connection the server closed while idle fails before any answer
    // byte: retry once on a fresh one (as Go's http.Transport does). A request
    // that the server may have processed is never retried.
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::string error;
      auto c = take(error);
      if (!c) {
        out.error = error;
        return out;
      }
      bool nothing_read = false;
      bool keep = exchange(*c, req, out, nothing_read, error);
      if (out.status_code != 0) {
        if (keep) give_back(std::move(c));
        return out;
      }
      out.error = error;
      bool idle_close = c->reused && (error.rfind("write:", 0) == 0 || nothing_read);
      if (!idle_close) return out;
    }
    return out;
  }

  ClusterConfig config_;
  ApiClientOptions options_;
  ServerUrl url_;
  std::string verify_name_;
  std::shared_ptr<ssl::context> ssl_;
  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_;
};

WatchResult BeastApiClient::watch(std::string_view path, const WatchOptions& o,
                                  const std::function<bool(WatchEvent&&)>& on_event,
                                  std::stop_token stop) const {
  WatchResult out;
  std::string target(path);
  add_param(target, "watch", "true");
  add_param(target, "labelSelector", o.label_selector);
  add_param(target, "fieldSelector", o.field_selector);
  add_param(target, "resourceVersion", o.resource_version);
  if (o.allow_bookmarks) add_param(target, "allowWatchBookmarks", "true");
  if (o.timeout_seconds > 0) add_param(target, "timeoutSeconds", std::to_string(o.timeout_seconds));
  auto req = make_request(http::verb::get, target, nullptr);
  // Watches get their own connection: the stream holds it for minutes.
  std::unique_ptr<Connection> c = connect(out.error);
  if (!c) return out;
  beast::error_code ec;
  bool done = false;
  c->lowest().expires_after(options_.request_timeout);
  with_stream(*c, [&](auto& s) {
    // The analyzer assumes Boost.Asio's any_executor may hold no executor (object_fns_
    // null) inside async_write: a known false positive (chriskohlhoff/asio#1572).
    // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
    http::async_write(s, req, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
  });
  if (!drive(*c, done, &stop)) {
    out.stopped = true;
    return out;
  }
  if (ec) {
    out.error = "write: " + ec.message();
    return out;
  }
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // an endless stream; each line is bounded below
  done = false;
  c->lowest().expires_after(options_.request_timeout);
  with_stream(*c, [&](auto& s) {
    http::async_read_header(s, c->buffer, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
  });
  if (!drive(*c, done, &stop)) {
    out.stopped = true;
    return out;
  }
  if (ec) {
    out.error = "read header: " + ec.message();
    return out;
  }
  int status = static_cast<int>(parser.get().result_int());
  std::string pending;  // bytes of the current, unfinished line
  std::vector<char> chunk(64 * 1024);
  bool stopped = false;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    done = false;
    c->lowest().expires_after(options_.watch_idle_timeout);
    with_stream(*c, [&](auto& s) {
      http::async_read_some(s, c->buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
    });
    if (!drive(*c, done, &stop)) {
      out.stopped = true;
      break;
    }
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      out.error = "watch stream: " + ec.message();
      break;
    }
    pending.append(chunk.data(), chunk.size() - parser.get().body().size);
    if (status != 200) {
      if (pending.size() > options_.max_body_bytes) break;
      continue;
    }
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string()) {
        out.error = "watch stream: an event line is not JSON";
        stopped = true;
        break;
      }
      WatchEvent ev{j["type"].get<std::string>(), std::move(j["object"])};
      ++out.events;
      if (!on_event(std::move(ev))) {
        out.stopped = true;
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    pending.erase(0, start);
    if (pending.size() > options_.max_event_bytes) {
      out.error = "watch stream: an event exceeds " + std::to_string(options_.max_event_bytes) + " bytes";
      break;
    }
  }
  out.status_code = status;
  if (status != 200) {
    out.body = nlohmann::json::parse(pending, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
  } else if (!out.error.empty()) {
    out.status_code = 0;  // the stream broke: resume from the last RV
  }
  c->close();
  return out;
}

}  // namespace

std::unique_ptr<ApiClient> make_api_client(const ClusterConfig& config, const ApiClientOptions& options) {
  return std::make_unique<BeastApiClient>(config, options);
}

}  // namespace schemagate::k8s
