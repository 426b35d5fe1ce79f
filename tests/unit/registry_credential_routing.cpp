// Where a notary server's challenges may take the registry's credentials (credential_routing.h),
// and client certificates that stay with their host: in-process servers on 127.0.0.1, each
// port another host.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/auth.h"
#include "registry/credential_routing.h"
#include "registry/origin.h"
#include "registry/registry_realm.h"
#include "registry/url.h"
#include "registry_auth_fakes.h"
#include "registry_test_server.h"

using namespace dct::registry;
using namespace dct::test;

namespace {

const std::string kRegistryKey = "registry.example";

Credential alice() { return Credential{"alice", "pw", ""}; }

// A registry whose /v2/ names a token realm (or asks for nothing when `realm` is empty).
struct RealmRegistry {
  std::string realm;
  std::atomic<int> pings{0};
  std::atomic<std::int64_t> pinged_at{0};  // steady_clock ticks of the last ping
  TestServer server{[this](const HttpRequest& req) {
    if (req.path() == "/v2/") {
      ++pings;
      pinged_at = std::chrono::steady_clock::now().time_since_epoch().count();
    }
    if (realm.empty()) return Reply::json(200, "{}");
    return unauthorized(R"(Bearer realm=")" + realm + R"(",service="registry")");
  }};
};

// Everything one notary Authorizer needs, with the registry's credentials under kRegistryKey.
struct Setup {
  Transport transport;
  TempDir dir;
  RealmRegistry registry;
  std::string registry_url = registry.server.url();
  std::optional<Credential> registry_credential = alice();
  std::vector<Origin> allowed;
  DockerConfig extra;  // other entries of config.json
  std::shared_ptr<Authorizer> registry_auth;
  std::string realm_name = "realm.json";    // the trust dir's file, per repository
  std::shared_ptr<TokenCache> token_cache;  // shared by the registry's and the notary's
  bool early_realm = false;  // the router learns the registry's realm beside the first requests

  std::filesystem::path realm_file() const { return dir / realm_name; }

  std::shared_ptr<Authorizer> notary(const std::string& url, TlsOptions tls = test_tls()) {
    AuthorizerOptions r;
    r.tls = test_tls();
    r.token_cache = token_cache;
    registry_auth = std::make_shared<Authorizer>(transport, registry_url, r);
    NotaryCredentialOptions o;
    o.registry_url = registry_url;
    o.registry_key = kRegistryKey;
    o.allowed = allowed;
    o.load_config = [this] {
      DockerConfig c = extra;
      if (registry_credential) c.auths[kRegistryKey].credential = *registry_credential;
      return c;
    };
    RegistryRealm realm(
        registry_url, realm_file(), [asked = registry_auth] { return asked->ping(); }, token_cache);
    AuthorizerOptions a;
    a.tls = std::move(tls);
    a.tls_for_host = [](const std::string&) { return test_tls(); };
    a.credentials_key = kRegistryKey;
    auto router = std::make_shared<NotaryCredentialRouter>(std::move(o), std::move(realm));
    if (early_realm) a.before_challenge = [router] { router->prepare(); };
    a.route = route_notary_credentials(std::move(router));
    return std::make_shared<Authorizer>(transport, url, std::move(a));
  }
};

bool any_authorization(const TestServer& s) {
  for (const auto& r : s.received())
    if (r.header("Authorization")) return true;
  return false;
}

bool carries_secret(const TestServer& s, const std::string& user, const std::string& secret) {
  const std::string b64 = dct::base64_encode(user + ":" + secret);
  for (const auto& r : s.received()) {
    const std::string all = r.target + r.body + r.header("Authorization").value_or("");
    if (all.find(secret) != std::string::npos || all.find(b64) != std::string::npos) return true;
  }
  return false;
}

dct::Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dct::Error& e) {
    return e;
  }
  FAIL("no error");
  return dct::Error(dct::ErrorCode::internal, "");
}

}  // namespace

TEST_CASE("origin: parsed as libcurl connects, compared by scheme, host and port") {
  auto o = parse_origin("https://Notary.Example.COM/v2/x?y#z");
  REQUIRE(o);
  CHECK(o->scheme == "https");
  CHECK(o->host == "notary.example.com");
  CHECK(o->port == 443);
  CHECK(o->host_port() == "notary.example.com");
  CHECK(parse_origin("https://h:8443/")->host_port() == "h:8443");
  CHECK(parse_origin("https://[::1]:5000/t")->host == "[::1]");
  CHECK(same_origin("https://auth.example.com/token", "HTTPS://AUTH.example.com:443/other"));
  CHECK_FALSE(same_origin("https://auth.example.com/", "https://auth.example.com:8443/"));
  CHECK_FALSE(same_origin("https://auth.example.com/", "http://auth.example.com/"));
  CHECK_FALSE(same_origin("https://auth.example.com/", "https://auth.example.com.evil/"));
  // User info is not the host: the request goes to what follows the '@'.
  CHECK(parse_origin("https://registry.example@evil.example/token")->host == "evil.example");
  CHECK(parse_origin("https://registry.example:5000@evil.example/")->host == "evil.example");
  CHECK_FALSE(same_origin("https://registry.example@evil.example/", "https://registry.example/"));
  CHECK_FALSE(parse_origin("not a url"));
  CHECK_FALSE(parse_origin("https://"));
  CHECK_FALSE(parse_origin(std::string("https://a\0b/", 12)));
  CHECK_FALSE(same_origin("garbage", "garbage"));

  CHECK(resolve_location("https://a.example/v2/x", "/v2/y") == "https://a.example/v2/y");
  CHECK(resolve_location("https://a.example/v2/x", "https://b.example/z") == "https://b.example/z");
  CHECK(resolve_location("https://a.example/v2/x", "//c.example/w") == "https://c.example/w");
}

TEST_CASE("allowed realms come from DCT_CREDENTIAL_REALMS and credential_realms") {
  NotaryConfig config;
  config.file = "/home/u/.notary/config.json";
  config.credential_realms = {"https://auth.example.com/token"};
  {
    ScopedEnv env("DCT_CREDENTIAL_REALMS", " https://a.example, b.example:8443\tc.example ");
    auto allowed = allowed_credential_realms(config);
    REQUIRE(allowed.size() == 4);
    CHECK(allowed[0].str() == "https://a.example");
    CHECK(allowed[1].str() == "https://b.example:8443");
    CHECK(allowed[2].str() == "https://c.example");
    CHECK(allowed[3].str() == "https://auth.example.com");
  }
  {
    ScopedEnv env("DCT_CREDENTIAL_REALMS", "http://plain.example");
    auto e = error_of([&] { allowed_credential_realms(config); });
    CHECK(e.code() == dct::ErrorCode::config_invalid);
    CHECK(std::string(e.what()).find("DCT_CREDENTIAL_REALMS") != std::string::npos);
    CHECK(std::string(e.what()).find("http://plain.example") != std::string::npos);
  }
  {
    ScopedEnv env("DCT_CREDENTIAL_REALMS", std::nullopt);
    config.credential_realms = {"ftp://x"};
    auto e = error_of([&] { allowed_credential_realms(config); });
    CHECK(std::string(e.what()).find("credential_realms") != std::string::npos);
  }
  CHECK(parse_notary_config(R"({"credential_realms": ["https://t.example"]})", "/c.json")
            .credential_realms == std::vector<std::string>{"https://t.example"});
  CHECK_THROWS_AS(parse_notary_config(R"({"credential_realms": "https://t.example"})", "/c.json"),
                  dct::Error);
}

TEST_CASE("notary credentials: a Basic challenge from a notary server on another host") {
  Setup s;
  FakeService notary;
  notary.challenge = R"(Basic realm="notary")";
  auto auth = s.notary(notary.server.url());
  Response r = auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 401);
  CHECK_FALSE(any_authorization(notary.server));  // neither the password nor anything else
  CHECK_FALSE(auth->used_credentials());
  CHECK(s.registry.pings == 0);  // a Basic challenge never makes the registry's realm count
  const dct::Error e = auth->unauthorized_error(r, "fetching x");
  CHECK(e.code() == dct::ErrorCode::credentials_withheld);
  const std::string msg = e.what();
  CHECK(msg.find("the credentials for " + kRegistryKey + " were not sent to the notary server " +
                 notary.server.host_port()) != std::string::npos);
  CHECK(e.hint().find("docker login " + notary.server.host_port()) != std::string::npos);
  CHECK(msg.find("pw") == std::string::npos);
}

TEST_CASE("notary credentials: Basic on the registry's own host gets the registry's") {
  Setup s;
  FakeService notary;  // notary server and registry on one host (Azure, Harbor's old setup)
  notary.challenge = R"(Basic realm="registry")";
  s.registry_url = notary.server.url();
  auto auth = s.notary(notary.server.url());
  Response r = auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull");
  CHECK(r.status == 200);
  CHECK(auth->used_credentials());
}

TEST_CASE("notary credentials: a Bearer realm on a host the notary server picked") {
  Setup s;
  FakeTokenServer registry_tokens;
  s.registry.realm = registry_tokens.realm();
  FakeTokenServer foreign;
  FakeService notary;
  notary.challenge = bearer_challenge(foreign);

  SUBCASE("password: asked anonymously, the token works for pulls") {
    auto auth = s.notary(notary.server.url());
    Response r = auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull");
    CHECK(r.status == 200);
    auto asked = foreign.server.received();
    REQUIRE(asked.size() == 1);
    CHECK_FALSE(asked[0].header("Authorization"));
    CHECK_FALSE(asked[0].query("account"));
    CHECK_FALSE(carries_secret(foreign.server, "alice", "pw"));
    CHECK_FALSE(auth->used_credentials());
    CHECK(s.registry.pings == 1);  // the registry was asked for its realm: another one
    CHECK_FALSE(std::filesystem::exists(s.realm_file()));  // nothing kept from a mismatch
  }
  SUBCASE("identity token: no refresh token reaches the realm") {
    s.registry_credential = Credential{"", "", "idtok"};
    auto auth = s.notary(notary.server.url());
    Response r = auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull");
    CHECK(r.status == 200);
    for (const auto& req : foreign.server.received()) {
      CHECK(req.method == "GET");
      CHECK(req.body.find("idtok") == std::string::npos);
      CHECK(req.target.find("idtok") == std::string::npos);
    }
  }
  SUBCASE("anonymous refused: the error names the realm and how to allow it") {
    foreign.require_user = "alice";
    auto auth = s.notary(notary.server.url());
    const dct::Error e =
        error_of([&] { auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull"); });
    CHECK(e.code() == dct::ErrorCode::credentials_withheld);
    const std::string msg = e.what();
    const std::string where = foreign.server.url();
    CHECK(msg.find("refused anonymous access") != std::string::npos);
    CHECK(msg.find("not sent to the notary server's token service " + where) != std::string::npos);
    CHECK(msg.find("the registry uses " + registry_tokens.server.url()) != std::string::npos);
    CHECK(e.hint().find("DCT_CREDENTIAL_REALMS=" + where) != std::string::npos);
    CHECK(e.hint().find("credential_realms") != std::string::npos);
    CHECK_FALSE(any_authorization(foreign.server));
  }
  SUBCASE("a token that is not enough: the 401 says what was kept back") {
    notary.always_401 = true;
    auto auth = s.notary(notary.server.url());
    Response r = auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:push,pull");
    CHECK(r.status == 401);
    const dct::Error e = auth->unauthorized_error(r, "publishing");
    CHECK(e.code() == dct::ErrorCode::credentials_withheld);
    CHECK(e.hint().find("DCT_CREDENTIAL_REALMS") != std::string::npos);
    CHECK_FALSE(any_authorization(foreign.server));
  }
  SUBCASE("without any credentials nothing is kept back and the registry is not asked") {
    s.registry_credential.reset();
    auto auth = s.notary(notary.server.url());
    CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "s").status == 200);
    CHECK(s.registry.pings == 0);
  }
  CHECK(registry_tokens.server.requests() == 0);
}

TEST_CASE("notary credentials: the registry's own realm, learnt once and kept") {
  Setup s;
  FakeTokenServer tokens;
  tokens.require_user = "alice";
  s.registry.realm = tokens.realm();
  FakeService notary;
  notary.challenge = bearer_challenge(tokens);  // Docker Hub's shape: one realm for both

  auto auth = s.notary(notary.server.url());
  CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull").status == 200);
  CHECK(auth->used_credentials());
  CHECK(tokens.server.received()[0].query("account") == "alice");
  CHECK(s.registry.pings == 1);
  REQUIRE(std::filesystem::exists(s.realm_file()));
  struct stat st {};
  REQUIRE(::stat(s.realm_file().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // A later run uses the kept realm without asking the registry again.
  auto again = s.notary(notary.server.url());
  CHECK(again->perform(service_get(notary, "/v2/repo/b"), "repository:repo:pull").status == 200);
  CHECK(again->used_credentials());
  CHECK(s.registry.pings == 1);

  // What a notary server names is never learnt: a kept realm for another registry is ignored.
  RegistryRealm other("https://other.example", s.realm_file(), {});
  CHECK_FALSE(other.cached());
}

TEST_CASE("notary credentials: the registry's realm from the token cache, for any trust dir") {
  Setup s;
  s.token_cache = std::make_shared<TokenCache>(s.dir / "dct" / "tokens.json");
  FakeTokenServer tokens;
  tokens.require_user = "alice";
  s.registry.realm = tokens.realm();
  FakeService notary;
  notary.challenge = bearer_challenge(tokens);

  auto auth = s.notary(notary.server.url());
  CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull").status == 200);
  CHECK(s.registry.pings == 1);
  REQUIRE(s.token_cache->realm_of(s.registry_url));  // the registry's own answer, kept

  // Another repository (another trust dir file): the token cache says what the registry named.
  s.realm_name = "other-realm.json";
  auto again = s.notary(notary.server.url());
  CHECK(again->perform(service_get(notary, "/v2/repo/b"), "repository:repo-b:pull").status == 200);
  CHECK(again->used_credentials());
  CHECK(s.registry.pings == 1);
  CHECK(std::filesystem::exists(s.realm_file()));
}

TEST_CASE("notary credentials: the registry is asked for its realm while the first request waits") {
  Setup s;
  s.early_realm = true;
  FakeTokenServer tokens;
  tokens.require_user = "alice";
  s.registry.realm = tokens.realm();
  const std::string challenge = bearer_challenge(tokens);
  std::atomic<std::int64_t> challenged_at{0};
  TestServer notary([&](const HttpRequest& req) {
    if (req.header("Authorization")) return Reply::json(200, "{}");
    challenged_at = std::chrono::steady_clock::now().time_since_epoch().count();
    Reply r = unauthorized(challenge);
    r.delay = std::chrono::milliseconds(400);
    return r;
  });
  Request get;
  get.url = notary.url("/v2/repo/a");
  get.tls = test_tls();
  auto auth = s.notary(notary.url());
  CHECK(auth->perform(get, "repository:repo:pull").status == 200);
  CHECK(auth->used_credentials());
  CHECK(tokens.server.received()[0].query("account") == "alice");
  CHECK(s.registry.pings == 1);
  // The ping came while the 401 was still on its way (it took 400 ms), not after it.
  const auto margin = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::milliseconds(300));
  CHECK(s.registry.pinged_at.load() > 0);
  CHECK(s.registry.pinged_at.load() < challenged_at.load() + margin.count());

  SUBCASE("no registry credentials: nothing to decide, nobody asked") {
    Setup t;
    t.early_realm = true;
    t.registry_credential.reset();
    t.registry.realm = tokens.realm();
    FakeTokenServer open;
    FakeService svc;
    svc.challenge = bearer_challenge(open);
    auto a = t.notary(svc.server.url());
    CHECK(a->perform(service_get(svc, "/v2/repo/a"), "repository:repo:pull").status == 200);
    CHECK(t.registry.pings == 0);
  }
}

TEST_CASE(
    "notary credentials: a realm the token cache keeps for the notary server is not the "
    "registry's") {
  Setup s;
  s.token_cache = std::make_shared<TokenCache>(s.dir / "dct" / "tokens.json");
  FakeTokenServer registry_tokens;
  s.registry.realm = registry_tokens.realm();
  FakeTokenServer foreign;
  FakeService notary;
  notary.challenge = bearer_challenge(foreign);
  s.token_cache->remember_realm(notary.server.url(), BearerRealm{foreign.realm(), "notary"});
  auto auth = s.notary(notary.server.url());
  CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull").status == 200);
  CHECK_FALSE(auth->used_credentials());
  CHECK_FALSE(carries_secret(foreign.server, "alice", "pw"));
  CHECK(s.registry.pings == 1);  // asked, and the registry named another realm
}

TEST_CASE("notary credentials: a realm the user allowed gets the registry's credentials") {
  Setup s;
  FakeTokenServer tokens;
  tokens.require_user = "alice";
  FakeService notary;
  notary.challenge = bearer_challenge(tokens);
  s.allowed.push_back(*parse_origin(tokens.realm()));
  auto auth = s.notary(notary.server.url());
  CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "repository:repo:pull").status == 200);
  CHECK(auth->used_credentials());
  CHECK(s.registry.pings == 0);

  SUBCASE("the allow-list is for token realms, not for Basic to a notary server") {
    FakeService basic;
    basic.challenge = R"(Basic realm="notary")";
    s.allowed.push_back(*parse_origin(basic.server.url()));
    auto b = s.notary(basic.server.url());
    CHECK(b->perform(service_get(basic, "/v2/repo/a"), "s").status == 401);
    CHECK_FALSE(any_authorization(basic.server));
  }
}

TEST_CASE("notary credentials: a host with its own config.json entry gets its own") {
  Setup s;
  SUBCASE("token realm") {
    FakeTokenServer tokens;
    tokens.require_user = "bob";
    FakeService notary;
    notary.challenge = bearer_challenge(tokens);
    s.extra.auths[tokens.server.host_port()].credential = Credential{"bob", "pw", ""};
    auto auth = s.notary(notary.server.url());
    CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "s").status == 200);
    CHECK(tokens.server.received()[0].query("account") == "bob");
    CHECK(s.registry.pings == 0);
  }
  SUBCASE("Basic notary server with an entry in DOCKER_AUTH_CONFIG") {
    FakeService notary;
    notary.challenge = R"(Basic realm="notary")";
    s.extra.env_auths[notary.server.host_port()].credential = Credential{"alice", "pw", ""};
    s.registry_credential = Credential{"mallory", "registry-secret", ""};
    auto auth = s.notary(notary.server.url());
    CHECK(auth->perform(service_get(notary, "/v2/repo/a"), "s").status == 200);
    CHECK_FALSE(carries_secret(notary.server, "mallory", "registry-secret"));
  }
}

TEST_CASE("own entries: auths, credHelpers and DOCKER_AUTH_CONFIG; a credsStore alone is none") {
  DockerConfig c;
  c.creds_store = "desktop";
  CHECK_FALSE(own_entry_key(c, "auth.example.com"));
  c.cred_helpers["https://Auth.Example.com/v1/"] = "pass";
  CHECK(own_entry_key(c, "auth.example.com") == "https://Auth.Example.com/v1/");
  c.auths["notary.example:4443"] = {};
  CHECK(own_entry_key(c, "notary.example:4443") == "notary.example:4443");
  CHECK_FALSE(own_entry_key(c, "notary.example"));
  c.env_auths["ci.example"] = {};
  CHECK(own_entry_key(c, "ci.example") == "ci.example");
  CHECK_FALSE(own_entry_key(c, ""));
}

TEST_CASE("TLS client certificates stay with their host") {
  FakeTokenServer tokens(ServerOptions{false, true});
  FakeService svc(ServerOptions{true, false});  // requires the client certificate
  svc.challenge = bearer_challenge(tokens);
  TlsOptions with_cert = test_tls();
  with_cert.client_cert = TestPki::get().client_cert;
  with_cert.client_key = TestPki::get().client_key;
  Transport transport;

  SUBCASE("a registry's token server (docker's credentials rule, but not its certificate)") {
    AuthorizerOptions o;
    o.tls = with_cert;
    o.tls_for_host = [](const std::string&) { return test_tls(); };
    o.credentials = [] { return std::optional<Credential>(alice()); };
    Authorizer auth(transport, svc.server.url(), o);
    Request req = service_get(svc, "/v2/repo/a");
    req.tls = with_cert;
    CHECK(auth.perform(req, "s").status == 200);
    REQUIRE(tokens.server.received().size() == 1);
    CHECK_FALSE(tokens.server.received()[0].client_cert);
    CHECK(tokens.server.received()[0].query("account") == "alice");
  }
  SUBCASE("a notary server's token server") {
    Setup s;
    s.allowed.push_back(*parse_origin(tokens.realm()));
    auto auth = s.notary(svc.server.url(), with_cert);
    Request req = service_get(svc, "/v2/repo/a");
    req.tls = with_cert;
    CHECK(auth->perform(req, "s").status == 200);
    REQUIRE(tokens.server.received().size() == 1);
    CHECK_FALSE(tokens.server.received()[0].client_cert);
  }
}

TEST_CASE("redirects: neither the client certificate nor Authorization leave their host") {
  TestServer elsewhere([](const HttpRequest&) { return Reply::json(200, R"({"at":"elsewhere"})"); },
                       ServerOptions{false, true});
  TestServer home(
      [&](const HttpRequest& req) {
        Reply r;
        r.status = 302;
        if (req.path() == "/same") {
          r.headers.emplace_back("Location", "/landing");
        } else if (req.path() == "/away") {
          r.headers.emplace_back("Location", elsewhere.url("/landing"));
        } else if (req.path() == "/loop") {
          r.headers.emplace_back("Location", "/loop");
        } else if (req.path() == "/plain") {
          r.headers.emplace_back("Location", "http://127.0.0.1:1/x");
        } else {
          r = Reply::json(200, R"({"at":"home"})");
        }
        return r;
      },
      ServerOptions{true, false});
  Transport transport;
  Request req;
  req.tls = test_tls();
  req.tls.client_cert = TestPki::get().client_cert;
  req.tls.client_key = TestPki::get().client_key;
  req.headers.set("Authorization", "Bearer secret-token");

  req.url = home.url("/same");
  Response same = transport.perform(req);
  CHECK(same.status == 200);
  CHECK(same.body == R"({"at":"home"})");  // the certificate went along: home requires it
  auto home_seen = home.received();
  REQUIRE(home_seen.size() == 2);
  CHECK(home_seen[1].header("Authorization") == "Bearer secret-token");

  req.url = home.url("/away");
  Response away = transport.perform(req);
  CHECK(away.status == 200);
  CHECK(away.body == R"({"at":"elsewhere"})");
  REQUIRE(elsewhere.received().size() == 1);
  CHECK_FALSE(elsewhere.received()[0].client_cert);
  CHECK_FALSE(elsewhere.received()[0].header("Authorization"));

  req.url = home.url("/loop");
  Response loop = transport.perform(req);
  CHECK(loop.error == TransferError::network);
  CHECK(loop.error_message.find("redirects") != std::string::npos);

  req.url = home.url("/plain");
  Response plain = transport.perform(req);
  CHECK(plain.error == TransferError::network);
  CHECK(plain.error_message.find("not https") != std::string::npos);

  SUBCASE("without a client certificate libcurl follows, and drops Authorization too") {
    TestServer open_home([&](const HttpRequest&) {
      Reply r;
      r.status = 302;
      r.headers.emplace_back("Location", elsewhere.url("/landing"));
      return r;
    });
    Request plain_req;
    plain_req.tls = test_tls();
    plain_req.headers.set("Authorization", "Bearer secret-token");
    plain_req.url = open_home.url("/x");
    const std::size_t before = elsewhere.received().size();
    CHECK(transport.perform(plain_req).status == 200);
    REQUIRE(elsewhere.received().size() == before + 1);
    CHECK_FALSE(elsewhere.received().back().header("Authorization"));
  }
}
