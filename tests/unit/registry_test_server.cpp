// TEST ONLY: see registry_test_server.h.
#include "registry_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "base/ossl.h"

namespace dct::test {

namespace fs = std::filesystem;

// ---- small helpers ------------------------------------------------------------------------

ScopedEnv::ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) old_ = old;
  if (value) {
    setenv(name_.c_str(), value->c_str(), 1);
  } else {
    unsetenv(name_.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  if (old_) {
    setenv(name_.c_str(), old_->c_str(), 1);
  } else {
    unsetenv(name_.c_str());
  }
}

// ---- PKI -----------------------------------------------------------------------------------

namespace {

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using PKey = dct::trust::ossl::PKey;
using Cert = dct::trust::ossl::X509Ptr;
using Bio = dct::trust::ossl::Bio;
using Ext = dct::trust::ossl::X509Ext;
using Ssl = std::unique_ptr<SSL, SslFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

PKey make_key() {
  PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  Ext ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  check(ext != nullptr, "X509V3_EXT_nconf_nid");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

struct CertSpec {
  const char* common_name;
  bool ca = false;
  const char* san = nullptr;
  const char* eku = nullptr;
};

Cert make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new");
  X509* x = cert.get();
  check(X509_set_version(x, 2) == 1, "X509_set_version");
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
  check(X509_set_pubkey(x, key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  if (spec.ca) {
    add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
  }
  add_ext(x, &ctx, NID_subject_key_identifier, "hash");
  add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
  if (spec.san) add_ext(x, &ctx, NID_subject_alt_name, spec.san);
  if (spec.eku) add_ext(x, &ctx, NID_ext_key_usage, spec.eku);
  check(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string cert_pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return bio_string(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return bio_string(bio.get());
}

}  // namespace

const TestPki& TestPki::get() {
  static TempDir dir;
  static const TestPki pki = [] {
    TestPki p;
    PKey ca_key = make_key();
    Cert ca = make_cert({"dct test CA", true}, ca_key.get(), nullptr, nullptr);
    PKey other_key = make_key();
    Cert other = make_cert({"dct unrelated CA", true}, other_key.get(), nullptr, nullptr);
    PKey server_key = make_key();
    Cert server = make_cert({"localhost", false, "IP:127.0.0.1,DNS:localhost", "serverAuth"},
                            server_key.get(), ca.get(), ca_key.get());
    PKey client_key = make_key();
    Cert client = make_cert({"dct test client", false, nullptr, "clientAuth"}, client_key.get(),
                            ca.get(), ca_key.get());
    p.ca_cert = dir / "ca.crt";
    p.other_ca_cert = dir / "other-ca.crt";
    p.server_cert = dir / "server.crt";
    p.server_key = dir / "server.key";
    p.client_cert = dir / "client.cert";
    p.client_key = dir / "client.key";
    write_file(p.ca_cert, cert_pem(ca.get()));
    write_file(p.other_ca_cert, cert_pem(other.get()));
    write_file(p.server_cert, cert_pem(server.get()));
    write_file(p.server_key, key_pem(server_key.get()));
    write_file(p.client_cert, cert_pem(client.get()));
    write_file(p.client_key, key_pem(client_key.get()));
    return p;
  }();
  return pki;
}

// ---- requests and replies ------------------------------------------------------------------

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 302:
      return "Found";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (same(k, name)) return v;
  }
  return std::nullopt;
}

std::string HttpRequest::path() const { return target.substr(0, target.find('?')); }

std::vector<std::string> HttpRequest::query_all(std::string_view name) const {
  std::vector<std::string> out;
  const auto q = target.find('?');
  if (q == std::string::npos) return out;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (decode(pair.substr(0, eq)) != name) continue;
    out.push_back(eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1)));
  }
  return out;
}

std::optional<std::string> HttpRequest::query(std::string_view name) const {
  auto all = query_all(name);
  if (all.empty()) return std::nullopt;
  return all.front();
}

Reply Reply::json(int status, std::string body) {
  Reply r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

// ---- server --------------------------------------------------------------------------------

TestServer::TestServer(Handler handler, ServerOptions options)
    : handler_(std::move(handler)), options_(options) {
  std::signal(SIGPIPE, SIG_IGN);  // writes to clients that gave up must not kill the test
  const TestPki& pki = TestPki::get();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  check(ctx != nullptr, "SSL_CTX_new");
  ctx_ = ctx;
  check(SSL_CTX_use_certificate_file(ctx, pki.server_cert.c_str(), SSL_FILETYPE_PEM) == 1,
        "server certificate");
  check(SSL_CTX_use_PrivateKey_file(ctx, pki.server_key.c_str(), SSL_FILETYPE_PEM) == 1,
        "server key");
  if (options_.require_client_cert || options_.request_client_cert) {
    check(SSL_CTX_load_verify_locations(ctx, pki.ca_cert.c_str(), nullptr) == 1, "client CA");
    SSL_CTX_set_verify(ctx,
                       options_.require_client_cert
                           ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                           : SSL_VERIFY_PEER,
                       nullptr);
  }

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(listen_fd_ >= 0, "socket");
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  check(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "bind");
  check(::listen(listen_fd_, 64) == 0, "listen");
  socklen_t len = sizeof addr;
  check(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0, "getsockname");
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestServer::~TestServer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::string TestServer::host_port() const { return "127.0.0.1:" + std::to_string(port_); }

std::string TestServer::url(std::string_view path) const {
  return "https://" + host_port() + std::string(path);
}

std::vector<HttpRequest> TestServer::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

bool TestServer::wait_or_stop(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !stop_cv_.wait_for(lock, d, [this] { return stop_.load(); });
}

void TestServer::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

namespace {

// Reads more bytes into `buf`; false on EOF, error or stop.
bool read_some(SSL* ssl, int fd, std::string& buf, const std::atomic<bool>& stop) {
  while (SSL_pending(ssl) == 0) {
    if (stop) return false;
    pollfd p{fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, 50);
    if (rc < 0) return false;
    if (rc > 0) break;
  }
  char tmp[16384];
  const int n = SSL_read(ssl, tmp, sizeof tmp);
  if (n <= 0) return false;
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}

bool write_all(SSL* ssl, std::string_view data) {
  while (!data.empty()) {
    const int n =
        SSL_write(ssl, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<HttpRequest> parse_head(std::string_view head) {
  HttpRequest req;
  auto eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return std::nullopt;
  req.method = std::string(line.substr(0, sp1));
  req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return req;
}

}  // namespace

void TestServer::serve(int fd) {
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  Ssl ssl(SSL_new(static_cast<SSL_CTX*>(ctx_)));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1 || SSL_accept(ssl.get()) <= 0) {
    ERR_clear_error();
    // Let the client read our alert: closing with its request unread would reset the
    // connection, and the client would see a network error instead of the TLS one.
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    for (int i = 0; i < 20 && !stop_; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0 && ::read(fd, sink, sizeof sink) <= 0) break;
    }
    ::close(fd);
    return;
  }
  ++handshakes_;
  const bool client_cert = [&] {
    const Cert peer(SSL_get1_peer_certificate(ssl.get()));
    return peer != nullptr;
  }();
  std::string buf;
  while (!stop_) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!read_some(ssl.get(), fd, buf, stop_)) goto done;
    }
    auto req = parse_head(std::string_view(buf).substr(0, end));
    if (!req) break;
    buf.erase(0, end + 4);
    std::size_t length = 0;
    if (auto cl = req->header("Content-Length")) length = std::stoul(*cl);
    while (buf.size() < length) {
      if (!read_some(ssl.get(), fd, buf, stop_)) goto done;
    }
    req->body = buf.substr(0, length);
    req->client_cert = client_cert;
    buf.erase(0, length);
    ++requests_;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(*req);
    }
    Reply reply = handler_(*req);
    if (reply.delay.count() > 0 && !wait_or_stop(reply.delay)) break;
    if (reply.no_reply) break;
    std::string out =
        "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) + "\r\n";
    for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
    const bool close = reply.close || reply.omit_content_length;
    if (!reply.omit_content_length) {
      out += "Content-Length: " + std::to_string(reply.content_length.value_or(reply.body.size())) +
             "\r\n";
    }
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
    if (req->method != "HEAD") out += reply.body;
    if (!write_all(ssl.get(), out)) break;
    if (close || reply.content_length) break;
  }
done:
  SSL_shutdown(ssl.get());
  ERR_clear_error();
  ::close(fd);
}

}  // namespace dct::test
