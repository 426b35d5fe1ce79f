#pragma once
// TEST ONLY. A tiny HTTPS/1.1 server on 127.0.0.1:<ephemeral port> for fault injection in the
// registry/ unit tests (truncated bodies, stalls, oversized bodies, auth challenges, connection
// counting), with a throwaway PKI generated at test time. Not a general HTTP server.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "temp_dir.h"

namespace dct::test {

// Sets an environment variable for the lifetime of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value);  // nullopt: unset
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// Throwaway certificates (EC P-256), generated once per test process.
struct TestPki {
  std::filesystem::path ca_cert;        // the CA that signed the server and client leaves
  std::filesystem::path other_ca_cert;  // an unrelated CA
  std::filesystem::path server_cert;    // SANs 127.0.0.1 and localhost
  std::filesystem::path server_key;
  std::filesystem::path client_cert;  // clientAuth leaf signed by ca_cert
  std::filesystem::path client_key;
  static const TestPki& get();
};

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool client_cert = false;  // the client presented a certificate (see ServerOptions)
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
  std::string path() const;                                        // target without the query
  std::optional<std::string> query(std::string_view name) const;   // first value, decoded
  std::vector<std::string> query_all(std::string_view name) const;
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<std::size_t> content_length;  // advertise this instead of body.size()
  bool omit_content_length = false;           // body ends when the connection closes
  std::chrono::milliseconds delay{0};         // wait this long before answering
  bool close = false;                         // close the connection after this reply
  bool no_reply = false;                      // close without answering at all
  static Reply json(int status, std::string body);
};

using Handler = std::function<Reply(const HttpRequest&)>;

struct ServerOptions {
  bool require_client_cert = false;  // verified against TestPki::ca_cert
  bool request_client_cert = false;  // asked for, not required: see HttpRequest::client_cert
};

class TestServer {
 public:
  explicit TestServer(Handler handler, ServerOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string host_port() const;                           // "127.0.0.1:<port>"
  std::string url(std::string_view path = "") const;       // "https://127.0.0.1:<port>" + path
  int connections() const { return connections_.load(); }  // accepted TCP connections
  int handshakes() const { return handshakes_.load(); }    // completed TLS handshakes
  int requests() const { return requests_.load(); }
  std::vector<HttpRequest> received() const;

 private:
  void accept_loop();
  void serve(int fd);
  bool wait_or_stop(std::chrono::milliseconds d);

  Handler handler_;
  ServerOptions options_;
  void* ctx_ = nullptr;  // SSL_CTX*, kept opaque so tests need no OpenSSL headers
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> handshakes_{0};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  std::vector<HttpRequest> received_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace dct::test
