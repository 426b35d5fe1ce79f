// Token auth against in-process fake servers: ping, challenges, token requests (anonymous,
// Basic, identity token), caching, the one retry on 401, Basic challenges.
#include <doctest/doctest.h>

#include <atomic>
#include <string>

#include "registry/auth.h"
#include "registry/token.h"
#include "registry_auth_fakes.h"
#include "registry_test_server.h"
#include "trust/encoding.h"
#include "trust/errors.h"

using namespace dct::registry;
using dct::test::bearer_challenge;
using dct::test::FakeService;
using dct::test::FakeTokenServer;
using dct::test::HttpRequest;
using dct::test::Reply;
using dct::test::service_get;
using dct::test::test_tls;
using dct::test::TestPki;
using dct::test::TestServer;

namespace {

AuthorizerOptions options_with(std::optional<Credential> cred, int* asked = nullptr) {
  AuthorizerOptions o;
  o.tls = test_tls();
  o.tls_for_host = [](const std::string&) { return test_tls(); };
  o.credentials_key = "svc.example";
  o.credentials = [cred, asked]() {
    if (asked) ++*asked;
    return cred;
  };
  return o;
}

}  // namespace

TEST_CASE("auth: a server without auth gets no Authorization and no credential lookup") {
  FakeService svc;
  Transport transport;
  int asked = 0;
  Authorizer auth(transport, svc.server.url(), options_with(Credential{"alice", "pw", ""}, &asked));
  PingResult p = auth.ping();
  CHECK(p.status == PingResult::Status::no_auth);
  Response r = auth.perform(service_get(svc, "/v2/repo/x"), "repository:repo:pull");
  CHECK(r.status == 200);
  CHECK(asked == 0);
  CHECK_FALSE(auth.used_credentials());
  REQUIRE(svc.server.received().size() == 2);
  CHECK_FALSE(svc.server.received()[1].header("Authorization").has_value());
}

TEST_CASE("auth: anonymous Bearer token flow") {
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts, R"(,scope="registry:catalog:*")");
  Transport transport;
  Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
  const std::string scope = repository_scope("localhost:5000/test/app", kPull);
  CHECK(scope == "repository:localhost:5000/test/app:pull");

  Response r1 = auth.perform(service_get(svc, "/v2/repo/a"), scope);
  CHECK(r1.status == 200);
  CHECK(r1.body == R"({"auth":"Bearer tok-1"})");
  Response r2 = auth.perform(service_get(svc, "/v2/repo/b"), scope);
  CHECK(r2.body == R"({"auth":"Bearer tok-1"})");  // cached
  CHECK(svc.pings == 0);                     // the first 401 brought the challenge; no /v2/ ping
  CHECK(svc.server.received().size() == 3);  // a unauthenticated, a with the token, b
  CHECK(ts.issued == 1);

  auto asked = ts.server.received();
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].method == "GET");
  CHECK(asked[0].query("service") == "svc");
  CHECK(asked[0].query("scope") == scope);  // our scope, not the challenge's
  CHECK_FALSE(asked[0].query("account").has_value());
  CHECK_FALSE(asked[0].header("Authorization").has_value());
  CHECK_FALSE(auth.used_credentials());

  // Another scope is another token.
  auth.perform(service_get(svc, "/v2/repo/c"), repository_scope("x/y", kPushPull));
  CHECK(ts.issued == 2);
  CHECK(ts.server.received()[1].query("scope") == "repository:x/y:push,pull");
}

TEST_CASE("auth: Basic credentials go to the token server with account") {
  FakeTokenServer ts;
  ts.require_user = "alice";
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  Transport transport;
  int asked = 0;
  Authorizer auth(transport, svc.server.url(), options_with(Credential{"alice", "pw", ""}, &asked));
  Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 200);
  CHECK(auth.used_credentials());
  CHECK(asked == 1);
  auth.perform(service_get(svc, "/v2/repo/b"), "repository:repo:push,pull");
  CHECK(asked == 1);  // asked once per Authorizer
  CHECK(ts.server.received()[0].query("account") == "alice");
}

TEST_CASE("auth: identity tokens use the OAuth POST, falling back to GET on 404") {
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  Transport transport;
  SUBCASE("POST") {
    Authorizer auth(transport, svc.server.url(), options_with(Credential{"", "", "idtok"}));
    Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
    CHECK(r.body == R"({"auth":"Bearer oauth-1"})");
    auto seen = ts.server.received();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "POST");
    CHECK(seen[0].header("Content-Type") == "application/x-www-form-urlencoded");
    CHECK(seen[0].body.find("service=svc") != std::string::npos);
    CHECK(seen[0].body.find("scope=repository%3Arepo%3Apull") != std::string::npos);
    CHECK(auth.used_credentials());
  }
  SUBCASE("404 falls back to GET") {
    ts.oauth = false;
    Authorizer auth(transport, svc.server.url(), options_with(Credential{"", "", "idtok"}));
    Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
    CHECK(r.body == R"({"auth":"Bearer tok-1"})");
    auto seen = ts.server.received();
    REQUIRE(seen.size() == 2);
    CHECK(seen[1].method == "GET");
  }
}

TEST_CASE("auth: a 401 re-reads the challenge and retries once") {
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  svc.reject_token = "tok-1";
  Transport transport;
  Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
  Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"auth":"Bearer tok-2"})");
  CHECK(ts.issued == 2);
}

TEST_CASE("auth: a 401 after fresh credentials is reported, naming the host") {
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  svc.always_401 = true;
  Transport transport;
  SUBCASE("with credentials") {
    Authorizer auth(transport, svc.server.url(), options_with(Credential{"alice", "pw", ""}));
    Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
    CHECK(r.status == 401);
    CHECK(ts.issued == 2);  // one retry, not more
    const dct::Error e = auth.unauthorized_error(r, "fetching x");
    CHECK(e.code() == dct::ErrorCode::unauthorized);
    const std::string msg = e.what();
    CHECK(msg.find(svc.server.host_port()) != std::string::npos);
    CHECK(msg.find("credentials for svc.example were sent") != std::string::npos);
    CHECK(msg.find("authentication required") != std::string::npos);
  }
  SUBCASE("without credentials") {
    Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
    Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
    CHECK(r.status == 401);
    const std::string msg = auth.unauthorized_error(r, "fetching x").what();
    CHECK(msg.find("no credentials were found for svc.example") != std::string::npos);
  }
}

TEST_CASE("auth: a server that starts asking for auth later is handled by the retry") {
  FakeTokenServer ts;
  FakeService svc;  // no challenge at ping time
  Transport transport;
  Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
  CHECK(auth.ping().status == PingResult::Status::no_auth);
  svc.challenge = bearer_challenge(ts);
  Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"auth":"Bearer tok-1"})");
}

TEST_CASE("auth: Basic challenges get Basic credentials directly") {
  FakeService svc;
  svc.challenge = R"(Basic realm="registry")";
  Transport transport;
  Authorizer auth(transport, svc.server.url(), options_with(Credential{"alice", "pw", ""}));
  CHECK(auth.ping().status == PingResult::Status::challenged);
  Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 200);
  CHECK(auth.used_credentials());

  Authorizer anon(transport, svc.server.url(), options_with(std::nullopt));
  CHECK(anon.perform(service_get(svc, "/v2/repo/a"), "s").status == 401);
}

TEST_CASE("auth: token server failures are errors") {
  FakeTokenServer ts;
  ts.require_user = "alice";
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  Transport transport;
  SUBCASE("wrong credentials") {
    Authorizer auth(transport, svc.server.url(), options_with(Credential{"mallory", "pw", ""}));
    try {
      auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
      FAIL("no error");
    } catch (const dct::Error& e) {
      CHECK(e.code() == dct::ErrorCode::credentials_invalid);
      CHECK(std::string(e.what()).find(ts.server.host_port()) != std::string::npos);
      CHECK(std::string(e.what()).find("pw") == std::string::npos);
    }
  }
  SUBCASE("anonymous refused") {
    Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
    CHECK_THROWS_WITH_AS(auth.perform(service_get(svc, "/v2/repo/a"), "s"),
                         doctest::Contains("refused anonymous access"), dct::Error);
  }
  SUBCASE("realm must be https") {
    svc.challenge = R"(Bearer realm="http://127.0.0.1:1/token",service="svc")";
    Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
    CHECK_THROWS_WITH_AS(auth.perform(service_get(svc, "/v2/repo/a"), "s"),
                         doctest::Contains("not an https URL"), dct::Error);
  }
  SUBCASE("no realm") {
    svc.challenge = R"(Bearer service="svc")";
    Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
    CHECK_THROWS_AS(auth.perform(service_get(svc, "/v2/repo/a"), "s"), dct::Error);
  }
}

TEST_CASE("auth: an unreachable server fails every request with a network error") {
  Transport transport;
  std::string url;
  {
    TestServer gone([](const HttpRequest&) { return Reply{}; });
    url = gone.url();
  }
  Authorizer auth(transport, url, options_with(std::nullopt));
  Request r;
  r.url = url + "/v2/x";
  r.tls = test_tls();
  auto out = auth.perform_all({r, r}, "s");
  REQUIRE(out.size() == 2);
  CHECK(out[0].error == TransferError::network);
  CHECK(out[1].error == TransferError::network);
  CHECK_THROWS_AS(auth.authorization("s"), dct::Error);  // its ping fails as well
}

TEST_CASE("auth: perform_all shares one token and keeps order") {
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  Transport transport;
  Authorizer auth(transport, svc.server.url(), options_with(std::nullopt));
  std::vector<Request> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(service_get(svc, "/v2/repo/" + std::to_string(i)));
  auto out = auth.perform_all(batch, "repository:repo:pull");
  REQUIRE(out.size() == 8);
  for (const auto& r : out) CHECK(r.status == 200);
  CHECK(ts.issued == 1);
}

TEST_CASE("auth: token responses") {
  CHECK(parse_token_response(R"({"token":"a"})").token == "a");
  CHECK(parse_token_response(R"({"token":"a","access_token":"b"})").token == "b");
  CHECK(parse_token_response(R"({"token":"a"})").expires_in == std::chrono::seconds(60));
  CHECK(parse_token_response(R"({"token":"a","expires_in":10})").expires_in ==
        std::chrono::seconds(60));
  CHECK(parse_token_response(R"({"token":"a","expires_in":3600})").expires_in ==
        std::chrono::seconds(3600));
  CHECK(parse_token_response(R"({"token":"a","expires_in":"x"})").expires_in ==
        std::chrono::seconds(60));
  CHECK_THROWS_AS(parse_token_response("{}"), dct::Error);
  CHECK_THROWS_AS(parse_token_response(R"({"token":""})"), dct::Error);
  CHECK_THROWS_AS(parse_token_response(R"({"token":5})"), dct::Error);
  CHECK_THROWS_AS(parse_token_response("[]"), dct::Error);
  CHECK_THROWS_AS(parse_token_response("garbage"), dct::Error);
}
