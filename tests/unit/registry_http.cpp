// The libcurl transport against the in-process HTTPS test server: TLS trust modes, size caps,
// truncation, timeouts, connection reuse, parallel requests.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "registry/http.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::HttpRequest;
using dct::test::Reply;
using dct::test::TestPki;
using dct::test::TestServer;

namespace {

TlsOptions trusting_test_ca() {
  TlsOptions tls;
  tls.ca_files.push_back(TestPki::get().ca_cert);
  return tls;
}

Request get(const TestServer& server, std::string path, std::size_t max_body = 8 * kMiB) {
  Request r;
  r.url = server.url(path);
  r.tls = trusting_test_ca();
  r.max_body = max_body;
  return r;
}

Reply echo(const HttpRequest& req) {
  Reply r;
  r.headers.emplace_back("X-Path", req.path());
  r.headers.emplace_back("X-Method", req.method);
  r.body = req.method + " " + req.target + " " + req.body;
  return r;
}

}  // namespace

TEST_CASE("http: a GET returns status, case-insensitive headers and body") {
  TestServer server([](const HttpRequest& req) {
    Reply r = echo(req);
    r.headers.emplace_back("Docker-Content-Digest", "sha256:abc");
    r.headers.emplace_back("X-UA", req.header("User-Agent").value_or(""));
    return r;
  });
  Transport transport;
  Response resp = transport.perform(get(server, "/v2/"));
  CHECK(resp.ok());
  CHECK(resp.status == 200);
  CHECK(resp.body == "GET /v2/ ");
  CHECK(resp.headers.get("docker-content-digest") == "sha256:abc");
  CHECK(resp.headers.get("X-PATH") == "/v2/");
  CHECK(resp.headers.get("x-ua").value_or("").rfind("docker-dct/", 0) == 0);
  CHECK_FALSE(resp.headers.get("missing").has_value());
}

TEST_CASE("http: methods and bodies") {
  TestServer server([](const HttpRequest& req) {
    Reply r = echo(req);
    r.headers.emplace_back("X-CT", req.header("Content-Type").value_or("-"));
    r.headers.emplace_back("X-Expect", req.header("Expect").value_or("-"));
    return r;
  });
  Transport transport;
  Request post = get(server, "/upload");
  post.method = Method::post;
  post.body = Body{std::string(5000, 'x'), "multipart/form-data; boundary=b"};
  Response resp = transport.perform(post);
  CHECK(resp.status == 200);
  CHECK(resp.body == "POST /upload " + std::string(5000, 'x'));
  CHECK(resp.headers.get("X-CT") == "multipart/form-data; boundary=b");
  CHECK(resp.headers.get("X-Expect") == "-");

  Request del = get(server, "/gone");
  del.method = Method::delete_;
  CHECK(transport.perform(del).body == "DELETE /gone ");

  Request head = get(server, "/h");
  head.method = Method::head;
  Response h = transport.perform(head);
  CHECK(h.status == 200);
  CHECK(h.body.empty());
  CHECK(h.headers.get("X-Method") == "HEAD");
}

TEST_CASE("http: TLS is verified; extra CAs add to the system store, exclusive CAs replace it") {
  TestServer server(echo);
  Transport transport;
  const TestPki& pki = TestPki::get();

  Request unknown;
  unknown.url = server.url("/v2/");
  Response r1 = transport.perform(unknown);
  CHECK(r1.error == TransferError::tls);
  CHECK_FALSE(r1.error_message.empty());

  Request added = unknown;
  added.tls.ca_files = {pki.ca_cert};
  CHECK(transport.perform(added).ok());

  Request exclusive = unknown;
  exclusive.tls.roots = TlsOptions::Roots::exclusive;
  exclusive.tls.ca_files = {pki.ca_cert};
  CHECK(transport.perform(exclusive).ok());

  Request wrong = unknown;
  wrong.tls.roots = TlsOptions::Roots::exclusive;
  wrong.tls.ca_files = {pki.other_ca_cert};
  CHECK(transport.perform(wrong).error == TransferError::tls);

  Request missing = unknown;
  missing.tls.ca_files = {"/nonexistent/ca.crt"};
  Response r5 = transport.perform(missing);
  CHECK(r5.error == TransferError::tls);
  CHECK(r5.error_message.find("/nonexistent/ca.crt") != std::string::npos);

  // Host name checks stay on: the certificate has no SAN for this name.
  Request other_name = added;
  other_name.url = "https://127.0.0.2:" + std::to_string(server.port()) + "/v2/";
  Response r6 = transport.perform(other_name);
  CHECK_FALSE(r6.ok());
}

TEST_CASE("http: client certificates") {
  dct::test::ServerOptions opts;
  opts.require_client_cert = true;
  TestServer server(echo, opts);
  Transport transport;
  const TestPki& pki = TestPki::get();

  Request with = get(server, "/v2/");
  with.tls.client_cert = pki.client_cert;
  with.tls.client_key = pki.client_key;
  CHECK(transport.perform(with).ok());

  Request without = get(server, "/v2/");
  Response r = transport.perform(without);
  CHECK_FALSE(r.ok());
  CHECK(r.error == TransferError::tls);
  CHECK(r.error_message.find("certificate") != std::string::npos);

  Request half = get(server, "/v2/");
  half.tls.client_cert = pki.client_cert;
  CHECK(transport.perform(half).error == TransferError::tls);
}

TEST_CASE("http: only https URLs are accepted") {
  Transport transport;
  Request r;
  r.url = "http://127.0.0.1:1/v2/";
  Response resp = transport.perform(r);
  CHECK(resp.error == TransferError::network);
  CHECK(resp.error_message.find("https") != std::string::npos);
  // libcurl would guess http:// for a URL without a scheme: the same parser refuses it first.
  for (const char* url :
       {"127.0.0.1:1/v2/", "HTTP://127.0.0.1:1/v2/", "https://127.0.0.1:99999/"}) {
    CAPTURE(url);
    r.url = url;
    resp = transport.perform(r);
    CHECK(resp.error == TransferError::network);
    CHECK(resp.error_message.find("refusing") == 0);
    CHECK(resp.status == 0);
  }
}

TEST_CASE("http: body size cap") {
  TestServer server([](const HttpRequest& req) {
    Reply r;
    r.body = std::string(10000, 'a');
    if (req.path() == "/stream") r.omit_content_length = true;
    return r;
  });
  Transport transport;
  SUBCASE("Content-Length above the cap") {
    Response r = transport.perform(get(server, "/cl", 1000));
    CHECK(r.error == TransferError::too_large);
    CHECK(r.status == 200);
    CHECK(r.body.empty());
  }
  SUBCASE("no Content-Length: reading stops at the cap") {
    Response r = transport.perform(get(server, "/stream", 1000));
    CHECK(r.error == TransferError::too_large);
  }
  SUBCASE("exactly at the cap is fine") {
    Response r = transport.perform(get(server, "/cl", 10000));
    CHECK(r.ok());
    CHECK(r.body.size() == 10000);
    Response s = transport.perform(get(server, "/stream", 10000));
    CHECK(s.ok());
    CHECK(s.body.size() == 10000);
  }
}

TEST_CASE("http: a truncated body is a network error") {
  TestServer server([](const HttpRequest&) {
    Reply r;
    r.body = "only part";
    r.content_length = 100;
    return r;
  });
  Transport transport;
  Response r = transport.perform(get(server, "/x"));
  CHECK(r.error == TransferError::network);
  CHECK(r.error_message.find("truncated") != std::string::npos);
}

TEST_CASE("http: a server that closes without answering is a network error") {
  TestServer server([](const HttpRequest&) {
    Reply r;
    r.no_reply = true;
    return r;
  });
  Transport transport;
  Response r = transport.perform(get(server, "/x"));
  CHECK(r.error == TransferError::network);
}

TEST_CASE("http: stalled responses time out") {
  TestServer server([](const HttpRequest&) {
    Reply r;
    r.delay = std::chrono::seconds(5);
    return r;
  });
  Transport transport;
  SUBCASE("low-speed timeout") {
    Request req = get(server, "/slow");
    req.timeouts = Timeouts{std::chrono::seconds(5), std::chrono::seconds(1), {}};
    const auto start = std::chrono::steady_clock::now();
    Response r = transport.perform(req);
    CHECK(r.error == TransferError::timeout);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
  }
  SUBCASE("overall timeout") {
    Request req = get(server, "/slow");
    req.timeouts =
        Timeouts{std::chrono::seconds(5), std::chrono::seconds(30), std::chrono::milliseconds(300)};
    CHECK(transport.perform(req).error == TransferError::timeout);
  }
  SUBCASE("DCT_HTTP_TIMEOUT") {
    dct::test::ScopedEnv env("DCT_HTTP_TIMEOUT", "1");
    const Timeouts t = Timeouts::defaults();
    CHECK(t.connect == std::chrono::milliseconds(1000));
    CHECK(t.low_speed == std::chrono::seconds(1));
    Transport quick;
    const auto start = std::chrono::steady_clock::now();
    CHECK(quick.perform(get(server, "/slow")).error == TransferError::timeout);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
  }
}

TEST_CASE("http: Timeouts::defaults ignores bad DCT_HTTP_TIMEOUT values") {
  for (const char* bad : {"", "abc", "-3", "0", "5s"}) {
    dct::test::ScopedEnv env("DCT_HTTP_TIMEOUT", bad);
    const Timeouts t = Timeouts::defaults();
    CHECK(t.connect == std::chrono::seconds(10));
    CHECK(t.low_speed == std::chrono::seconds(30));
  }
}

TEST_CASE("http: 5xx and 404 are responses, not transfer errors") {
  TestServer server([](const HttpRequest& req) {
    return Reply::json(req.path() == "/missing" ? 404 : 503, "{\"errors\":[]}");
  });
  Transport transport;
  Response a = transport.perform(get(server, "/missing"));
  CHECK(a.completed());
  CHECK_FALSE(a.ok());
  CHECK(a.status == 404);
  Response b = transport.perform(get(server, "/down"));
  CHECK(b.status == 503);
  CHECK(b.body == "{\"errors\":[]}");
}

TEST_CASE("http: sequential requests reuse one connection per host") {
  TestServer a(echo);
  TestServer b(echo);
  Transport transport;
  for (int i = 0; i < 10; ++i) {
    CHECK(transport.perform(get(a, "/a/" + std::to_string(i))).ok());
    CHECK(transport.perform(get(b, "/b/" + std::to_string(i))).ok());
  }
  CHECK(a.connections() == 1);
  CHECK(b.connections() == 1);
  CHECK(a.handshakes() == 1);
  CHECK(transport.stats().requests == 20);
  CHECK(transport.stats().connections == 2);
}

TEST_CASE("http: perform_all runs requests in parallel and keeps the order") {
  TestServer server([](const HttpRequest& req) {
    Reply r = echo(req);
    // Later requests answer faster, so completion order differs from request order.
    const int n = std::stoi(req.path().substr(1));
    r.delay = std::chrono::milliseconds(40 * (8 - n % 8));
    return r;
  });
  TransportOptions options;
  options.max_host_connections = 6;  // the default is one connection per host
  Transport transport(options);
  std::vector<Request> batch;
  for (int i = 0; i < 16; ++i) batch.push_back(get(server, "/" + std::to_string(i)));
  const auto start = std::chrono::steady_clock::now();
  std::vector<Response> out = transport.perform_all(batch);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(out.size() == 16);
  for (int i = 0; i < 16; ++i) {
    CHECK(out[static_cast<std::size_t>(i)].body == "GET /" + std::to_string(i) + " ");
  }
  // One after another this takes 2.9 s; six connections need about 1 s.
  CHECK(elapsed < std::chrono::milliseconds(2000));
  const int after_batch = server.connections();
  CHECK(after_batch >= 1);
  CHECK(after_batch <= 6);  // max_host_connections
  // A second batch reuses the pooled connections.
  transport.perform_all(batch);
  CHECK(server.connections() == after_batch);
  CHECK(transport.stats().connections == static_cast<std::uint64_t>(after_batch));
}

TEST_CASE("http: small batches run one after another on one connection") {
  TestServer server(echo);
  Transport transport;
  CHECK(transport.perform(get(server, "/first")).ok());
  auto out = transport.perform_all({get(server, "/a"), get(server, "/b"), get(server, "/c")});
  CHECK(out[0].body == "GET /a ");
  CHECK(out[2].body == "GET /c ");
  CHECK(server.connections() == 1);
}

TEST_CASE("http: a large batch to a server that answers at once stays on one connection") {
  TestServer server(echo);
  TransportOptions options;
  options.max_host_connections = 6;
  options.widen_after = std::chrono::seconds(5);  // "at once", even on a loaded machine
  options.widen_after_near = std::chrono::seconds(5);
  Transport transport(options);
  std::vector<Request> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(get(server, "/" + std::to_string(i)));
  auto out = transport.perform_all(batch);
  REQUIRE(out.size() == 8);
  for (int i = 0; i < 8; ++i)
    CHECK(out[static_cast<std::size_t>(i)].body == "GET /" + std::to_string(i) + " ");
  CHECK(server.connections() == 1);
}

TEST_CASE("http: a large batch goes parallel once a request is overdue, and so do later ones") {
  TestServer server([](const HttpRequest& req) {
    Reply r = echo(req);
    r.delay = std::chrono::milliseconds(300);
    return r;
  });
  TransportOptions options;
  options.max_host_connections = 6;
  options.widen_after = std::chrono::milliseconds(200);
  options.widen_after_near = std::chrono::milliseconds(200);  // the test server is on loopback
  Transport transport(options);
  std::vector<Request> batch;
  for (int i = 0; i < 6; ++i) batch.push_back(get(server, "/" + std::to_string(i)));
  auto start = std::chrono::steady_clock::now();
  auto out = transport.perform_all(batch);
  // One after another: 1.8 s; the first alone, then five at once 0.2 s later: about 0.5 s.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200));
  REQUIRE(out.size() == 6);
  CHECK(out[5].body == "GET /5 ");
  const int opened = server.connections();
  CHECK(opened > 1);
  // The transport now knows the server is far: the next batch goes out at once (0.3 s, where
  // waiting to widen again would take 0.5 s).
  start = std::chrono::steady_clock::now();
  out = transport.perform_all(batch);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(420));
  CHECK(out[0].body == "GET /0 ");
}

TEST_CASE("http: perform_all reports failures per request") {
  TestServer server([](const HttpRequest& req) {
    if (req.path() == "/big") {
      Reply r;
      r.body = std::string(5000, 'b');
      return r;
    }
    return echo(req);
  });
  Transport transport;
  std::vector<Request> batch{get(server, "/ok"), get(server, "/big", 100), get(server, "/ok2")};
  batch.push_back(batch[0]);
  batch[3].url = "ftp://example.invalid/";
  auto out = transport.perform_all(batch);
  CHECK(out[0].ok());
  CHECK(out[1].error == TransferError::too_large);
  CHECK(out[2].ok());
  CHECK(out[3].error == TransferError::network);
  CHECK(transport.perform_all({}).empty());
}

TEST_CASE("http: the debug hook sees requests but never headers or bodies") {
  TestServer server(echo);
  Transport transport;
  std::vector<std::string> lines;
  transport.set_debug_hook([&](const DebugEvent& ev) {
    lines.push_back(std::string(ev.method) + " " + ev.url + " " + std::to_string(ev.status));
  });
  Request r = get(server, "/token?service=s&refresh_token=SECRET1&account=bob");
  r.headers.add("Authorization", "Bearer SECRET2");
  transport.perform(r);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("SECRET") == std::string::npos);
  CHECK(lines[0].find("account=bob") != std::string::npos);
  CHECK(lines[0].find("refresh_token=***") != std::string::npos);
  CHECK(lines[0].find(" 200") != std::string::npos);
}

TEST_CASE("http: redirects are followed for GET, to https only") {
  TestServer target(echo);
  TestServer server([&](const HttpRequest& req) {
    Reply r;
    r.status = 302;
    r.headers.emplace_back("Location",
                           req.path() == "/plain" ? "http://127.0.0.1:1/x" : target.url("/moved"));
    return r;
  });
  Transport transport;
  Request req = get(server, "/start");
  req.headers.add("Authorization", "Bearer must-not-leak");
  Response r = transport.perform(req);
  CHECK(r.status == 200);
  CHECK(r.body == "GET /moved ");
  // The Authorization header is not sent to another host.
  REQUIRE(target.received().size() == 1);
  CHECK_FALSE(target.received()[0].header("Authorization").has_value());

  Response plain = transport.perform(get(server, "/plain"));
  CHECK_FALSE(plain.ok());
}

TEST_CASE("http: by default a batch to one host shares one connection") {
  TestServer server([](const HttpRequest& req) { return echo(req); });
  Transport transport;
  std::vector<Request> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(get(server, "/" + std::to_string(i)));
  auto out = transport.perform_all(batch);
  REQUIRE(out.size() == 5);
  for (const auto& r : out) CHECK(r.ok());
  CHECK(server.connections() == 1);
  CHECK(transport.stats().connections == 1);
}

TEST_CASE("http: a thread gets its own connections back after another thread's batch") {
  TestServer notary(echo);
  TestServer registry([](const HttpRequest& req) {
    Reply r = echo(req);
    r.delay = std::chrono::milliseconds(300);  // gives its lane back last
    return r;
  });
  Transport transport;
  std::thread other([&] { CHECK(transport.perform(get(registry, "/slow")).ok()); });
  CHECK(transport.perform(get(notary, "/first")).ok());
  other.join();
  // The lane given back last is the other thread's; this thread's connection is still reused.
  Response again = transport.perform(get(notary, "/again"));
  CHECK(again.ok());
  CHECK_FALSE(again.new_connection);
  CHECK(notary.connections() == 1);
}
