// Notary server and trust directory selection.
#include <doctest/doctest.h>

#include <string>

#include "base/errors.h"
#include "registry/endpoints.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::ScopedEnv;

TEST_CASE("endpoints: notary server precedence") {
  ScopedEnv env("DOCKER_CONTENT_TRUST_SERVER", std::nullopt);
  NotaryConfig cfg;
  cfg.remote.url = "https://from-config:4443/";

  NotaryServer hub = select_notary_server("docker.io");
  CHECK(hub.url == "https://notary.docker.io");
  CHECK(hub.source == NotaryServer::Source::docker_hub);
  CHECK(select_notary_server("index.docker.io").url == "https://notary.docker.io");
  NotaryServer reg = select_notary_server("myreg.example:5000");
  CHECK(reg.url == "https://myreg.example:5000");
  CHECK(reg.source == NotaryServer::Source::registry);

  NotaryServer c = select_notary_server("docker.io", std::nullopt, &cfg);
  CHECK(c.url == "https://from-config:4443");
  CHECK(c.source == NotaryServer::Source::notary_config);

  {
    ScopedEnv set("DOCKER_CONTENT_TRUST_SERVER", "https://from-env:4443");
    NotaryServer e = select_notary_server("docker.io", std::nullopt, &cfg);
    CHECK(e.url == "https://from-env:4443");
    CHECK(e.source == NotaryServer::Source::environment);
    NotaryServer f = select_notary_server("docker.io", std::string("https://flag/sub/"), &cfg);
    CHECK(f.url == "https://flag/sub");
    CHECK(f.source == NotaryServer::Source::flag);
    CHECK(source_name(f.source) == "--server");
  }
}

TEST_CASE("endpoints: server URLs must be https, with docker's message") {
  ScopedEnv env("DOCKER_CONTENT_TRUST_SERVER", "http://insecure:4443");
  try {
    select_notary_server("docker.io");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(std::string(e.what()) ==
          "valid https URL required for trust server, got http://insecure:4443");
    CHECK(e.code() == dct::ErrorCode::config_invalid);
  }
  try {
    select_notary_server("docker.io", std::string("notary.example"));
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::invalid_argument);
  }
  ScopedEnv ok("DOCKER_CONTENT_TRUST_SERVER", std::nullopt);
  NotaryConfig cfg;
  cfg.remote.url = "ftp://x";
  CHECK_THROWS_AS(select_notary_server("docker.io", std::nullopt, &cfg), dct::Error);

  CHECK(normalize_https_url("https://a.b:1/") == "https://a.b:1");
  CHECK(normalize_https_url("HTTPS://a") == "https://a");
  CHECK(normalize_https_url("https://[::1]:4443") == "https://[::1]:4443");
  CHECK_FALSE(normalize_https_url("https://"));
  CHECK_FALSE(normalize_https_url("https://user:pw@host"));
  CHECK_FALSE(normalize_https_url("https://host?x=1"));
  CHECK_FALSE(normalize_https_url("https://ho st"));
  CHECK_FALSE(normalize_https_url(""));
}

TEST_CASE("endpoints: trust directory precedence") {
  ScopedEnv home("HOME", "/home/u");
  NotaryConfig cfg;
  CHECK(select_trust_dir(std::nullopt, nullptr, "/home/u/.docker") == "/home/u/.docker/trust");
  CHECK(select_trust_dir(std::nullopt, &cfg, "/d") == "/d/trust");
  cfg.trust_dir = "/from/config";
  CHECK(select_trust_dir(std::nullopt, &cfg, "/d") == "/from/config");
  CHECK(select_trust_dir(std::filesystem::path("/flag"), &cfg, "/d") == "/flag");
  CHECK(select_trust_dir(std::filesystem::path("~/t"), &cfg, "/d") == "/home/u/t");
}
