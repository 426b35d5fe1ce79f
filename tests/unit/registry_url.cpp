// URLs as libcurl reads them (url.h, origin.h) and the decisions taken on them: which server URL
// is accepted, which TLS directory a host has, and where the registry's credentials may go.
#include <doctest/doctest.h>

#include <string>

#include "registry/credential_routing.h"
#include "registry/endpoints.h"
#include "registry/origin.h"
#include "registry/registry_realm.h"
#include "registry/url.h"
#include "registry_test_server.h"

using namespace dct::registry;
using namespace dct::test;

namespace {

const std::string kUrlTestRegistryKey = "registry.example";

// A router for a notary server's challenges, with the registry at `registry_url` whose own
// /v2/ ping names `registry_realm` (no realm when empty). No network: the ping is answered here.
struct UrlRouting {
  std::string registry_url = "https://registry.example";
  std::string registry_realm;
  std::vector<Origin> allowed;
  DockerConfig config;

  CredentialGrant grant(CredentialUse use, const std::string& url) const {
    NotaryCredentialOptions o;
    o.registry_url = registry_url;
    o.registry_key = kUrlTestRegistryKey;
    o.allowed = allowed;
    o.load_config = [c = config] {
      DockerConfig out = c;
      out.auths[kUrlTestRegistryKey].credential = Credential{"alice", "pw", ""};
      return out;
    };
    RegistryRealm realm(registry_url, {}, [r = registry_realm] {
      PingResult p;
      p.status = PingResult::Status::no_auth;
      if (!r.empty()) {
        p.status = PingResult::Status::challenged;
        p.challenges = parse_www_authenticate(R"(Bearer realm=")" + r + R"(",service="x")");
      }
      return p;
    });
    NotaryCredentialRouter router(std::move(o), std::move(realm));
    return router.grant(use, url);
  }
  // The registry's credentials go there.
  bool registry_gets(CredentialUse use, const std::string& url) const {
    const CredentialGrant g = grant(use, url);
    return g.credential && g.credential->username == "alice" && g.withheld.empty();
  }
  bool withheld(CredentialUse use, const std::string& url) const {
    const CredentialGrant g = grant(use, url);
    return !g.credential && !g.withheld.empty();
  }
};

}  // namespace

TEST_CASE("url: split as libcurl reads it") {
  auto v6 = parse_url("https://[::1]:5000/v2/");
  REQUIRE(v6);
  CHECK(v6->host == "[::1]");
  CHECK(v6->port == "5000");
  CHECK(v6->port_number == 5000);
  CHECK(v6->authority() == "[::1]:5000");
  CHECK(v6->path == "/v2/");

  auto zone = parse_url("https://[fe80::1%25eth0]/");
  REQUIRE(zone);
  CHECK(zone->host == "[fe80::1%25eth0]");
  CHECK(parse_origin("https://[fe80::1%25Eth0]/")->host == "[fe80::1%25Eth0]");
  CHECK_FALSE(same_origin("https://[fe80::1%25eth0]/", "https://[fe80::1%25eth1]/"));

  auto upper = parse_url("HTTPS://Notary.Example.COM:443");
  REQUIRE(upper);
  CHECK(upper->scheme == "https");
  CHECK(upper->authority() == "Notary.Example.COM:443");  // as written: docker's TLS dir name
  CHECK(upper->path == "/");
  CHECK(parse_origin("HTTPS://Notary.Example.COM:443")->host_port() == "notary.example.com");
  CHECK(same_origin("https://h/", "https://h:443/x"));
  CHECK(same_origin("http://h/", "http://h:80"));
  CHECK_FALSE(same_origin("https://h:80/", "http://h/"));
  CHECK(parse_url("https://h")->port_number == 443);
  CHECK(parse_url("https://h")->port.empty());

  auto info = parse_url("https://registry.example:5000@evil.example/token");
  REQUIRE(info);
  CHECK(info->userinfo);
  CHECK(info->host == "evil.example");
  CHECK(info->authority() == "evil.example");
  CHECK_FALSE(parse_url("https://h/x")->userinfo);

  CHECK(parse_url("https://h/a/b//")->path == "/a/b//");
  CHECK(parse_url("https://h/t?x=1")->query);
  CHECK(parse_url("https://h/t#f")->fragment);
  CHECK_FALSE(parse_url("https://h:99999/"));
  CHECK_FALSE(parse_url("https://h/a b"));
  CHECK_FALSE(parse_url("localhost:5000"));
  CHECK(parse_url("localhost:5000", true)->authority() == "localhost:5000");
  CHECK(parse_url("localhost:5000", true)->scheme == "https");
  CHECK(url_authority("https://[::1]:4443/x") == "[::1]:4443");
  CHECK(url_authority("no url") == "");
}

TEST_CASE("url: query strings joined by libcurl") {
  const QueryParams q{{"service", "a b"}, {"scope", "repository:x/y:pull"}};
  CHECK(append_query("https://auth.example/token", q) ==
        "https://auth.example/token?service=a%20b&scope=repository%3Ax%2Fy%3Apull");
  CHECK(append_query("https://auth.example/token?x=1#frag", q) ==
        "https://auth.example/token?x=1&service=a%20b&scope=repository%3Ax%2Fy%3Apull");
  CHECK(append_query("https://auth.example/token", {}) == "https://auth.example/token");
  CHECK(append_query("https://auth.example/t?a=%3A&", {{"b", ":"}}) ==
        "https://auth.example/t?a=%3A&b=%3A");
  CHECK(append_query("not a url", q).empty());
  // The host the query goes to is the one the realm named.
  CHECK(same_origin(append_query("https://u@auth.example:8443/t", q), "https://auth.example:8443"));

  CHECK(resolve_location("https://[::1]:5000/v2/x", "/v2/y") == "https://[::1]:5000/v2/y");
  CHECK(resolve_location("https://a.example/v2/x", "y") == "https://a.example/v2/y");
  CHECK_FALSE(resolve_location("https://a.example/", ""));
}

TEST_CASE("url: a notary server URL is accepted only as libcurl reads it") {
  CHECK(normalize_https_url("https://Notary.Example.COM:443/") == "https://Notary.Example.COM:443");
  CHECK(normalize_https_url("https://[::1]:4443/") == "https://[::1]:4443");
  CHECK(normalize_https_url("https://h:4443/notary//") == "https://h:4443/notary");
  CHECK_FALSE(normalize_https_url("https:/host"));
  CHECK_FALSE(normalize_https_url("https:///host"));
  CHECK_FALSE(normalize_https_url("https://h:/x"));
  CHECK_FALSE(normalize_https_url("https://h:04443"));
  CHECK_FALSE(normalize_https_url("https://%68"));
  CHECK_FALSE(normalize_https_url("https://[0:0::1]"));
  CHECK_FALSE(normalize_https_url("https://[fe80::1%25eth0]"));
  CHECK_FALSE(normalize_https_url("https://u@h"));
  CHECK_FALSE(normalize_https_url("https://h#f"));
  CHECK_FALSE(normalize_https_url("http://h"));
  CHECK_FALSE(normalize_https_url("h:4443"));
}

TEST_CASE("url: credentials follow the host libcurl connects to") {
  UrlRouting r;
  SUBCASE("the registry's own host, however it is written") {
    r.registry_url = "https://Registry.Example:443/";
    CHECK(r.registry_gets(CredentialUse::token, "https://registry.example/token"));
    CHECK(r.registry_gets(CredentialUse::basic, "https://REGISTRY.example:443/v2/"));
    CHECK(r.withheld(CredentialUse::basic, "https://registry.example:8443/v2/"));
    CHECK(r.withheld(CredentialUse::basic, "https://registry.example.evil/v2/"));
  }
  SUBCASE("IPv6 literal hosts compare with their port") {
    r.registry_url = "https://[::1]:5000";
    CHECK(r.registry_gets(CredentialUse::token, "https://[::1]:5000/auth"));
    CHECK(r.withheld(CredentialUse::token, "https://[::1]:5001/auth"));
    CHECK(r.withheld(CredentialUse::basic, "https://[::2]:5000/v2/"));
  }
  SUBCASE("user info is not the host") {
    CHECK(r.withheld(CredentialUse::token, "https://registry.example@evil.example/token"));
    CHECK(r.withheld(CredentialUse::basic, "https://registry.example:443@evil.example/"));
  }
  SUBCASE("nothing but https") {
    const CredentialGrant g = r.grant(CredentialUse::token, "http://registry.example/token");
    CHECK_FALSE(g.credential);
    CHECK(g.withheld.empty());
    CHECK_FALSE(r.grant(CredentialUse::token, "not a url").credential);
  }
  SUBCASE("a realm on another host: the registry's own realm, however it is written") {
    r.registry_realm = "https://AUTH.example.com:443/token";
    CHECK(r.registry_gets(CredentialUse::token, "https://auth.example.com/other"));
    CHECK(r.withheld(CredentialUse::token, "https://auth.example.com:8443/token"));
    CHECK(r.withheld(CredentialUse::basic, "https://auth.example.com/token"));
  }
  SUBCASE("a realm the user allowed, written as host:port") {
    NotaryConfig cfg;
    cfg.credential_realms = {"auth.example.com:8443", "[::1]:7000"};
    ScopedEnv no_env(std::string(kCredentialRealmsEnv), std::nullopt);
    r.allowed = allowed_credential_realms(cfg);
    REQUIRE(r.allowed.size() == 2);
    CHECK(r.allowed[0].str() == "https://auth.example.com:8443");
    CHECK(r.registry_gets(CredentialUse::token, "https://Auth.Example.com:8443/token"));
    CHECK(r.registry_gets(CredentialUse::token, "https://[::1]:7000/t"));
    CHECK(r.withheld(CredentialUse::token, "https://auth.example.com/token"));
    CHECK(r.withheld(CredentialUse::basic, "https://auth.example.com:8443/"));
  }
  SUBCASE("a host with its own config.json entry gets its own credentials") {
    r.config.auths["https://Notary.Example.com:4443/v1/"].credential = Credential{"bob", "x", ""};
    const CredentialGrant g = r.grant(CredentialUse::basic, "https://notary.example.com:4443/v2/");
    REQUIRE(g.credential);
    CHECK(g.credential->username == "bob");
    CHECK(g.owner == "https://Notary.Example.com:4443/v1/");
    CHECK(r.withheld(CredentialUse::basic, "https://notary.example.com/v2/"));
  }
}

TEST_CASE("url: an allowed realm that is not https is refused") {
  NotaryConfig cfg;
  cfg.credential_realms = {"http://auth.example.com"};
  ScopedEnv no_env(std::string(kCredentialRealmsEnv), std::nullopt);
  CHECK_THROWS_AS(allowed_credential_realms(cfg), dct::Error);
}
