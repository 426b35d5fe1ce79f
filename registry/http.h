#pragma once
// The one HTTPS transport of the process (libcurl). Connections, DNS answers and TLS sessions are
// kept between requests, so a run makes one TLS handshake per host as long as requests to that
// host are sequential; perform_all() runs requests in parallel over the same pool. Several
// threads may use the transport at once: each batch runs on a connection pool of its own
// (kept for the next batch), and all share DNS answers and TLS sessions.
//
// TLS is always verified. There is no option to turn verification off.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/headers.h"

namespace dct::registry {

enum class Method { get, head, post, put, delete_ };
std::string_view method_name(Method m) noexcept;  // "GET", ...

inline constexpr std::size_t kKiB = 1024;
inline constexpr std::size_t kMiB = 1024 * kKiB;

struct Timeouts {
  std::chrono::milliseconds connect{std::chrono::seconds(10)};  // DNS + TCP + TLS handshake
  std::chrono::seconds low_speed{30};  // abort when less than 1 byte/s moves for this long
  std::chrono::milliseconds total{0};  // the whole request; 0 = no overall limit
  // The values above, with the environment override DCT_HTTP_TIMEOUT=<seconds> (for tests)
  // applied to the connect and low-speed timeouts.
  static Timeouts defaults();
};

struct TlsOptions {
  enum class Roots {
    system_plus_extra,  // the system CA store plus ca_files (docker's certs directories)
    exclusive,          // only ca_files (notary's remote_server.root_ca)
  };
  Roots roots = Roots::system_plus_extra;
  std::vector<std::filesystem::path> ca_files;  // PEM bundles
  std::filesystem::path client_cert;            // PEM; set together with client_key
  std::filesystem::path client_key;             // PEM, unencrypted
  bool operator==(const TlsOptions&) const = default;
};

// A prepared request body, e.g. a JSON document or a multipart form.
struct Body {
  std::string data;
  std::string content_type;
};

struct Request {
  Method method = Method::get;
  std::string url;  // https only
  Headers headers;
  std::optional<Body> body;
  std::size_t max_body = 8 * kMiB;   // response body cap; see Response::error
  std::optional<Timeouts> timeouts;  // unset: the transport's defaults
  TlsOptions tls;
  // Applies to GET and HEAD only; https targets only. A redirect to another host gets neither
  // the client certificate nor the Authorization header.
  bool follow_redirects = true;
};

enum class TransferError {
  none,
  network,    // DNS, connect, reset, truncated body (Content-Length not reached), bad URL
  timeout,    // connect timeout, low-speed timeout or overall timeout
  tls,        // handshake failed, certificate not trusted, bad client certificate...
  too_large,  // Content-Length above max_body, or the body passed it: reading stopped there
};

struct Response {
  int status = 0;  // 0 when no response line was received
  Headers headers;
  std::string body;  // at most Request::max_body bytes
  TransferError error = TransferError::none;
  std::string error_message;    // detail for error != none
  bool new_connection = false;  // this request opened a connection (no reuse)
  bool completed() const noexcept { return error == TransferError::none; }
  bool ok() const noexcept { return completed() && status >= 200 && status < 300; }
};

// What the debug hook sees: never headers, never bodies.
struct DebugEvent {
  std::string_view method;
  std::string url;  // query values of token/secret-like parameters are masked
  int status = 0;
  TransferError error = TransferError::none;
  std::string_view error_message;
  double seconds = 0;
  bool new_connection = false;
};
using DebugHook = std::function<void(const DebugEvent&)>;

struct TransportOptions {
  std::string user_agent;  // empty: "docker-dct/<version>"
  Timeouts timeouts = Timeouts::defaults();
  // Connections per host in perform_all. One by default: notary-server speaks HTTP/1.1 only, and
  // a new TLS handshake costs more than queueing a small request on the open connection.
  long max_host_connections = 1;
  std::size_t max_in_flight = 32;  // requests handed to libcurl at once
  // Batches smaller than this run one request at a time over one reused connection: a new
  // TLS connection costs more round trips than it saves for two or three small requests.
  std::size_t parallel_threshold = 4;
  // A larger batch, too, starts one request at a time, and goes out at once on parallel
  // connections as soon as one of its requests is unanswered after widen_after. A server that
  // answers within it is near (loopback, a LAN), where a new TLS handshake costs more than the
  // wait it saves; across a WAN the parallel connections open this much later than they could,
  // and every later batch of the transport goes out in parallel at once. A request whose TCP
  // connection was made within a millisecond (a near network; the TLS handshake and the first
  // answer still to come) has widen_after_near.
  std::chrono::milliseconds widen_after{4};
  std::chrono::milliseconds widen_after_near{12};
  bool http2 = false;  // offer HTTP/2 by ALPN; parallel requests then share one connection
};

struct TransportStats {
  // Transfers started. Redirects libcurl follows are not counted separately; those of requests
  // with a client certificate (followed by the Transport) are.
  std::uint64_t requests = 0;
  std::uint64_t connections = 0;  // new connections opened (sum of CURLINFO_NUM_CONNECTS)
};

std::string default_user_agent();  // "docker-dct/<version>"

class Transport {
 public:
  explicit Transport(TransportOptions options = {});
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The process-wide transport. Lives until exit.
  static Transport& shared();

  Response perform(const Request& request);
  // Runs the requests in parallel; the responses are in request order. Never throws for
  // transfer failures: each response carries its own error.
  std::vector<Response> perform_all(const std::vector<Request>& requests);

  // The hook is called once per finished request, from the calling thread, while the transport
  // is busy: it must not call back into the transport.
  void set_debug_hook(DebugHook hook);
  TransportStats stats() const;
  const TransportOptions& options() const noexcept { return options_; }

 private:
  std::vector<Response> run(const std::vector<const Request*>& requests);
  std::vector<Response> run_following(const std::vector<const Request*>& requests);

  struct Impl;
  TransportOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dct::registry
