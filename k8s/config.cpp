#include "k8s/config.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace schemagate::k8s {
namespace {

// A stat is cheap, but a token is read on every request: bound it anyway.
constexpr std::chrono::seconds kTokenRecheck{10};

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  out = ss.str();
  return true;
}

std::string trim(std::string s) {
  auto not_space = [](char c) { return c != ' ' && c != '\n' && c != '\r' && c != '\t'; };
  while (!s.empty() && !not_space(s.back()))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && !not_space(s[i]))
    ++i;
  return s.substr(i);
}

bool stat_id(const std::string& path, std::int64_t& mtime_ns, std::int64_t& size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  size = static_cast<std::int64_t>(st.st_size);
  return true;
}

bool base64_decode(const std::string& in, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  out.clear();
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    int v = value(c);
    if (v < 0) return false;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return true;
}

[[noreturn]] void fail(const std::string& source, const std::string& field, const std::string& problem) {
  throw std::runtime_error(source + ": " + field + ": " + problem);
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return base_dir + "/" + p;
}

// The entry of `list` (a sequence of {name, <kind>: {...}}) named `name`.
YAML::Node find_named(const YAML::Node& root, const char* list, const char* kind, const std::string& name,
                      const std::string& source) {
  YAML::Node seq = root[list];
  if (!seq || !seq.IsSequence()) fail(source, list, "missing or not a list");
  for (const YAML::Node& entry : seq) {
    if (entry["name"] && entry["name"].as<std::string>() == name) {
      YAML::Node body = entry[kind];
      if (!body || !body.IsMap()) fail(source, std::string(list) + "[" + name + "]." + kind, "missing");
      return body;
    }
  }
  fail(source, list, "no entry named '" + name + "'");
}

std::string str(const YAML::Node& n, const char* key) {
  YAML::Node v = n[key];
  if (!v || v.IsNull()) return {};
  return v.as<std::string>();
}

// `<key>-data` (base64 PEM) or `<key>` (a file): the PEM text, or empty.
std::string pem_from(const YAML::Node& n, const std::string& key, const std::string& field_prefix,
                     const std::string& base_dir, const std::string& source) {
  std::string data = str(n, (key + "-data").c_str());
  if (!data.empty()) {
    std::string pem;
    if (!base64_decode(data, pem) || pem.empty())
      fail(source, field_prefix + "." + key + "-data", "not valid base64");
    return pem;
  }
  std::string file = str(n, key.c_str());
  if (file.empty()) return {};
  std::string path = resolve(base_dir, file);
  std::string pem;
  if (!read_file(path, pem)) fail(source, field_prefix + "." + key, "cannot read '" + path + "'");
  return pem;
}

}  // namespace

std::shared_ptr<BearerToken> BearerToken::inline_token(std::string token) {
  auto t = std::make_shared<BearerToken>();
  t->token_ = trim(std::move(token));
  return t;
}

std::shared_ptr<BearerToken> BearerToken::from_file(std::string path, const std::string& field) {
  auto t = std::make_shared<BearerToken>();
  std::string text;
  if (!read_file(path, text)) throw std::runtime_error(field + ": cannot read token file '" + path + "'");
  t->token_ = trim(text);
  stat_id(path, t->mtime_ns_, t->size_);
  t->path_ = std::move(path);
  t->checked_ = std::chrono::steady_clock::now();
  return t;
}

std::string BearerToken::current() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return token_;
  auto now = std::chrono::steady_clock::now();
  if (now - checked_ < kTokenRecheck) return token_;
  checked_ = now;
  std::int64_t mtime = 0, size = 0;
  if (!stat_id(path_, mtime, size) || (mtime == mtime_ns_ && size == size_)) return token_;
  std::string text;
  // The kubelet swaps the projected file atomically (a ..data symlink), so a read
  // sees the old or the new token, never half; an empty read is a race: keep the old.
  if (read_file(path_, text) && !trim(text).empty()) {
    token_ = trim(text);
    mtime_ns_ = mtime;
    size_ = size;
  }
  return token_;
}

bool in_cluster_env() {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  return host != nullptr && *host != '\0';
}

ClusterConfig load_in_cluster_config(const std::string& sa_dir) {
  ClusterConfig c;
  c.source = "in-cluster";
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0')
    throw std::runtime_error("in-cluster config: KUBERNETES_SERVICE_HOST is not set");
  if (port == nullptr || *port == '\0')
    throw std::runtime_error("in-cluster config: KUBERNETES_SERVICE_PORT is not set");
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 service IP
  c.server = "https://" + h + ":" + port;
  std::string ca_path = sa_dir + "/ca.crt";
  if (!read_file(ca_path, c.ca_pem) || c.ca_pem.empty())
    throw std::runtime_error("in-cluster config: cannot read the CA bundle '" + ca_path + "'");
  c.token = BearerToken::from_file(sa_dir + "/token", "in-cluster config");
  if (const char* ns = std::getenv("POD_NAMESPACE"); ns != nullptr && *ns != '\0') {
    c.namespace_name = ns;
  } else {
    std::string text;
    if (read_file(sa_dir + "/namespace", text) && !trim(text).empty()) c.namespace_name = trim(text);
  }
  return c;
}

ClusterConfig load_kubeconfig(const std::string& path, const std::string& context) {
  ClusterConfig c;
  c.source = path;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(path + ": cannot read the kubeconfig");
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap()) fail(path, "(document)", "not a mapping");
  std::string base_dir = dir_of(path);
  try {
    std::string ctx_name = context.empty() ? str(root, "current-context") : context;
    if (ctx_name.empty()) fail(path, "current-context", "not set (and no context was named)");
    YAML::Node ctx = find_named(root, "contexts", "context", ctx_name, path);
    std::string cluster_name = str(ctx, "cluster");
    std::string user_name = str(ctx, "user");
    if (cluster_name.empty()) fail(path, "contexts[" + ctx_name + "].context.cluster", "missing");
    if (std::string ns = str(ctx, "namespace"); !ns.empty()) c.namespace_name = ns;

    YAML::Node cluster = find_named(root, "clusters", "cluster", cluster_name, path);
    std::string prefix = "clusters[" + cluster_name + "].cluster";
    c.server = str(cluster, "server");
    if (c.server.empty()) fail(path, prefix + ".server", "missing");
    if (c.server.rfind("https://", 0) != 0 && c.server.rfind("http://", 0) != 0)
      fail(path, prefix + ".server", "must start with https:// or http://, got '" + c.server + "'");
    c.insecure_skip_tls_verify =
        cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
    c.tls_server_name = str(cluster, "tls-server-name");
    c.ca_pem = pem_from(cluster, "certificate-authority", prefix, base_dir, path);

    if (!user_name.empty()) {
      YAML::Node user = find_named(root, "users", "user", user_name, path);
      std::string uprefix = "users[" + user_name + "].user";
      if (user["exec"] || user["auth-provider"])
        fail(path, uprefix,
             "exec and auth-provider credentials are not supported; use a token or client certificate");
      if (std::string token = str(user, "token"); !token.empty()) {
        c.token = BearerToken::inline_token(token);
      } else if (std::string file = str(user, "tokenFile"); !file.empty()) {
        c.token = BearerToken::from_file(resolve(base_dir, file), path + ": " + uprefix + ".tokenFile");
      }
      c.client_cert_pem = pem_from(user, "client-certificate", uprefix, base_dir, path);
      c.client_key_pem = pem_from(user, "client-key", uprefix, base_dir, path);
      if (c.client_cert_pem.empty() != c.client_key_pem.empty())
        fail(path, uprefix, "client-certificate and client-key must be given together");
    }
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

}  // namespace schemagate::k8s
