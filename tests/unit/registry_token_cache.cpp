// Bearer tokens kept between runs: the file (mode, format, damage), expiry (expires_in, the
// JWT's exp, the default), credential identity, and an Authorizer that sends a kept token with
// its first request and fetches a new one once when the server refuses it.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/encoding.h"
#include "registry/auth.h"
#include "registry/token_cache.h"
#include "registry_auth_fakes.h"
#include "registry_test_server.h"
#include "temp_dir.h"

using namespace dct::registry;
using dct::test::bearer_challenge;
using dct::test::FakeService;
using dct::test::FakeTokenServer;
using dct::test::service_get;
using dct::test::TempDir;
using dct::test::test_tls;

namespace {

std::string token_cache_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

unsigned token_cache_mode(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string b64url(std::string_view bytes) {
  std::string s = dct::base64_encode(bytes);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string fake_jwt(std::int64_t exp) {
  return b64url(R"({"alg":"ES256"})") + "." + b64url(R"({"exp":)" + std::to_string(exp) + "}") +
         ".c2ln";
}

AuthorizerOptions token_cache_options(std::shared_ptr<TokenCache> cache,
                                      std::optional<Credential> cred) {
  AuthorizerOptions o;
  o.tls = test_tls();
  o.tls_for_host = [](const std::string&) { return test_tls(); };
  o.credentials_key = "svc.example";
  o.credentials = [cred]() { return cred; };
  o.token_cache = std::move(cache);
  return o;
}

const TokenKey kKey{"https://auth.example/token", "svc", "repository:a/b:pull"};

}  // namespace

TEST_CASE("token cache: kept in a 0600 file in a 0700 dir, found again by another instance") {
  TempDir dir;
  const auto now = WallClock::now();
  const auto file = TokenCache::file_in(dir.path());
  CHECK(file == dir.path() / "dct" / "tokens.json");
  {
    TokenCache cache(file);
    cache.store(kKey, "id-1", "secret-token", now + std::chrono::minutes(5), now);
  }
  CHECK(token_cache_mode(file) == 0600);
  CHECK(token_cache_mode(file.parent_path()) == 0700);
  TokenCache again(file);
  auto hit = again.find(kKey, "id-1", now);
  REQUIRE(hit);
  CHECK(hit->token == "secret-token");
  CHECK(again.find(kKey, "id-1", now));
  CHECK_FALSE(
      again.find(TokenKey{kKey.realm, kKey.service, "repository:a/b:push,pull"}, "id-1", now));
  // Shortly before it expires it is no longer used.
  CHECK(again.find(kKey, "id-1", now + std::chrono::minutes(4)));
  CHECK_FALSE(again.find(kKey, "id-1", now + std::chrono::minutes(5) - kTokenCacheMargin));
}

TEST_CASE("token cache: other credentials wipe what the old ones got from that service") {
  TempDir dir;
  const auto now = WallClock::now();
  TokenCache cache(TokenCache::file_in(dir.path()));
  const TokenKey push{kKey.realm, kKey.service, "repository:a/b:push,pull"};
  const TokenKey elsewhere{"https://other.example/token", "svc", kKey.scope};
  cache.store(kKey, "alice", "tok-pull", now + std::chrono::minutes(5), now);
  cache.store(push, "alice", "tok-push", now + std::chrono::minutes(5), now);
  cache.store(elsewhere, "alice", "tok-other", now + std::chrono::minutes(5), now);
  CHECK_FALSE(cache.find(kKey, "anonymous", now));  // logged out: not used
  const std::string text = token_cache_text(cache.file());
  CHECK(text.find("tok-pull") == std::string::npos);
  CHECK(text.find("tok-push") == std::string::npos);   // the other scope went too
  CHECK(text.find("tok-other") != std::string::npos);  // another token service's stays
  CHECK_FALSE(TokenCache(cache.file()).find(push, "alice", now));
}

TEST_CASE("token cache: a new identity replaces the entry; drop removes it") {
  TempDir dir;
  const auto now = WallClock::now();
  TokenCache cache(TokenCache::file_in(dir.path()));
  cache.store(kKey, "alice", "tok-a", now + std::chrono::minutes(5), now);
  cache.store(kKey, "anon", "tok-b", now + std::chrono::minutes(5), now);
  CHECK(token_cache_text(cache.file()).find("tok-a") == std::string::npos);
  REQUIRE(cache.find(kKey, "anon", now));
  cache.drop(kKey);
  CHECK_FALSE(TokenCache(cache.file()).find(kKey, "anon", now));
  CHECK(token_cache_text(cache.file()).find("tok-b") == std::string::npos);
}

TEST_CASE("token cache: tokens about to expire are not kept; damaged files read as empty") {
  TempDir dir;
  const auto now = WallClock::now();
  TokenCache cache(TokenCache::file_in(dir.path()));
  cache.store(kKey, "id", "short", now + std::chrono::seconds(20), now);
  CHECK_FALSE(std::filesystem::exists(cache.file()));
  std::filesystem::create_directories(cache.file().parent_path());
  std::ofstream(cache.file()) << "{not json";
  TokenCache damaged(cache.file());
  CHECK_FALSE(damaged.find(kKey, "id", now));
  damaged.store(kKey, "id", "fresh", now + std::chrono::minutes(5), now);
  CHECK(TokenCache(cache.file()).find(kKey, "id", now)->token == "fresh");
}

TEST_CASE("token cache: expiry from expires_in, the JWT exp, or docker's default") {
  const auto now = WallClock::time_point(std::chrono::seconds(1'700'000'000));
  const std::int64_t t = 1'700'000'000;
  CHECK(jwt_expiry(fake_jwt(t + 120)) == now + std::chrono::seconds(120));
  CHECK_FALSE(jwt_expiry("opaque-token"));
  CHECK_FALSE(jwt_expiry("a.!!!.c"));
  CHECK(token_expiry("opaque", std::chrono::seconds(300), now) == now + std::chrono::seconds(300));
  CHECK(token_expiry(fake_jwt(t + 90), std::chrono::seconds(300), now) ==
        now + std::chrono::seconds(90));  // the earlier of the two
  CHECK(token_expiry(fake_jwt(t + 900), std::nullopt, now) == now + std::chrono::seconds(900));
  CHECK(token_expiry("opaque", std::nullopt, now) == now + kDefaultTokenLifetime);
}

TEST_CASE("token cache: the identity names who, never the secret") {
  const Credential alice{"alice", "pw-1", ""};
  const std::string id = credential_identity(alice, "reg.example");
  CHECK(id.size() == 64);
  CHECK(id == credential_identity(Credential{"alice", "pw-2", ""}, "reg.example"));
  CHECK(id != credential_identity(Credential{"bob", "pw-1", ""}, "reg.example"));
  CHECK(id != credential_identity(alice, "other.example"));
  CHECK(id != credential_identity(std::nullopt, "reg.example"));
  CHECK(id != credential_identity(Credential{"alice", "", "idtok"}, "reg.example"));
}

TEST_CASE("token cache: remembered realm sends the kept token with the first request") {
  TempDir dir;
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  Transport transport;
  auto cache = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
  const std::string scope = "repository:repo:pull";
  {
    Authorizer first(transport, svc.server.url(), token_cache_options(cache, std::nullopt));
    CHECK(first.perform(service_get(svc, "/v2/repo/a"), scope).status == 200);
  }
  CHECK(ts.issued == 1);
  CHECK(svc.server.received().size() == 2);  // 401, then with the token

  // A new run (new cache object and Authorizer): one request, no token request.
  auto next_run = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
  Authorizer second(transport, svc.server.url(), token_cache_options(next_run, std::nullopt));
  Response r = second.perform(service_get(svc, "/v2/repo/b"), scope);
  CHECK(r.body == R"({"auth":"Bearer tok-1"})");
  CHECK(ts.issued == 1);
  CHECK(svc.server.received().size() == 3);

  // Credentials appeared (a docker login): the anonymous token is not used.
  auto third_run = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
  Authorizer third(transport, svc.server.url(),
                   token_cache_options(third_run, Credential{"alice", "pw", ""}));
  CHECK(third.perform(service_get(svc, "/v2/repo/c"), scope).body == R"({"auth":"Bearer tok-2"})");
  CHECK(ts.issued == 2);
  CHECK(third.used_credentials());
}

TEST_CASE("token cache: a kept token the server refuses is dropped and fetched again once") {
  TempDir dir;
  FakeTokenServer ts;
  FakeService svc;
  svc.challenge = bearer_challenge(ts);
  Transport transport;
  const std::string scope = "repository:repo:pull";
  {
    auto cache = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
    Authorizer first(transport, svc.server.url(), token_cache_options(cache, std::nullopt));
    CHECK(first.perform(service_get(svc, "/v2/repo/a"), scope).status == 200);
  }
  svc.reject_token = "tok-1";  // e.g. the server's signing key changed
  auto cache = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
  Authorizer second(transport, svc.server.url(), token_cache_options(cache, std::nullopt));
  Response r = second.perform(service_get(svc, "/v2/repo/b"), scope);
  CHECK(r.body == R"({"auth":"Bearer tok-2"})");
  CHECK(ts.issued == 2);
  const std::string text = token_cache_text(cache->file());
  CHECK(text.find("tok-1") == std::string::npos);
  CHECK(text.find("tok-2") != std::string::npos);

  SUBCASE("refused every time: one refetch, and nothing kept") {
    svc.always_401 = true;
    auto c3 = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
    Authorizer third(transport, svc.server.url(), token_cache_options(c3, std::nullopt));
    CHECK(third.perform(service_get(svc, "/v2/repo/c"), scope).status == 401);
    CHECK(ts.issued == 3);
    const std::string after = token_cache_text(c3->file());
    CHECK(after.find("tok-2") == std::string::npos);
    CHECK(after.find("tok-3") == std::string::npos);
  }
}

TEST_CASE("token cache: a remembered realm that no longer answers is forgotten, not fatal") {
  TempDir dir;
  FakeService svc;  // no auth any more
  Transport transport;
  auto cache = std::make_shared<TokenCache>(TokenCache::file_in(dir.path()));
  std::string gone_realm;
  {
    FakeTokenServer gone;
    gone_realm = gone.realm();
  }
  cache->remember_realm(svc.server.url(), BearerRealm{gone_realm, "svc"});
  Authorizer auth(transport, svc.server.url(), token_cache_options(cache, std::nullopt));
  Response r = auth.perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 200);
  REQUIRE(svc.server.received().size() == 1);
  CHECK_FALSE(svc.server.received()[0].header("Authorization").has_value());
  CHECK_FALSE(TokenCache(cache->file()).realm_of(svc.server.url()));
}
