// Docker config directory, config.json, DOCKER_AUTH_CONFIG and credential helpers (fake helper
// scripts on PATH).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/credentials.h"
#include "registry/docker_config.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::ScopedEnv;
using dct::test::TempDir;
using dct::test::write_file;

namespace {

std::string b64(const std::string& s) { return dct::base64_encode(s); }

// A directory on PATH holding fake docker-credential-* scripts.
class FakeHelpers {
 public:
  FakeHelpers() : path_("PATH", dir_.path().string() + ":" + std::getenv("PATH")) {}
  void add(const std::string& suffix, const std::string& body) {
    const auto file = dir_ / ("docker-credential-" + suffix);
    write_file(file, "#!/bin/sh\n" + body + "\n");
    chmod(file.c_str(), 0755);
  }
  std::filesystem::path dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  ScopedEnv path_;
};

DockerConfig config_from(const std::string& json) {
  return parse_docker_config(json, "config.json");
}

dct::ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const dct::Error& e) {
    return e.code();
  }
  return dct::ErrorCode::internal;
}

}  // namespace

TEST_CASE("credentials: config directory selection") {
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv dc("DOCKER_CONFIG", std::nullopt);
    CHECK(docker_config_dir() == "/home/someone/.docker");
    CHECK(docker_config_dir(std::filesystem::path("/x")) == "/x");
  }
  ScopedEnv dc("DOCKER_CONFIG", "/etc/dc");
  CHECK(docker_config_dir() == "/etc/dc");
  CHECK(docker_config_dir(std::filesystem::path("/explicit")) == "/explicit");
}

TEST_CASE("credentials: auths entries") {
  ScopedEnv env("DOCKER_AUTH_CONFIG", std::nullopt);
  const std::string json = R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": ")" +
                           b64("hubuser:hub:pass") + R"("},
      "myreg:5000": {"username": "plain", "password": "pw"},
      "https://legacy.example:5000/v1/": {"auth": ")" +
                           b64("old:secret") + R"("},
      "tok.example": {"identitytoken": "refresh-me"},
      "nul.example": {"auth": ")" +
                           b64(std::string("u:p\0\0", 5)) + R"("},
      "broken.example": {"auth": "!!!"},
      "nocolon.example": {"auth": ")" +
                           b64("nocolon") + R"("},
      "empty.example": {}
    },
    "HttpHeaders": {"X": "y"}
  })";
  DockerConfig cfg = config_from(json);

  auto hub = lookup_credentials(cfg, "https://index.docker.io/v1/");
  REQUIRE(hub);
  CHECK(hub->username == "hubuser");
  CHECK(hub->password == "hub:pass");  // split at the first ':'

  auto plain = lookup_credentials(cfg, "myreg:5000");
  REQUIRE(plain);
  CHECK(plain->username == "plain");
  CHECK(plain->password == "pw");

  auto legacy = lookup_credentials(cfg, "legacy.example:5000");
  REQUIRE(legacy);
  CHECK(legacy->username == "old");

  auto tok = lookup_credentials(cfg, "tok.example");
  REQUIRE(tok);
  CHECK(tok->identity_token == "refresh-me");
  CHECK(tok->has_identity_token());

  auto nul = lookup_credentials(cfg, "nul.example");
  REQUIRE(nul);
  CHECK(nul->password == "p");

  CHECK_FALSE(lookup_credentials(cfg, "empty.example"));
  CHECK_FALSE(lookup_credentials(cfg, "unknown.example"));
  CHECK(code_of([&] { lookup_credentials(cfg, "broken.example"); }) ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of([&] { lookup_credentials(cfg, "nocolon.example"); }) ==
        dct::ErrorCode::config_invalid);
}

TEST_CASE("credentials: malformed config.json is a config error") {
  CHECK(code_of([] { config_from("{"); }) == dct::ErrorCode::config_invalid);
  CHECK(code_of([] { config_from("[]"); }) == dct::ErrorCode::config_invalid);
  CHECK(code_of([] { config_from(R"({"auths": []})"); }) == dct::ErrorCode::config_invalid);
  CHECK(code_of([] { config_from(R"({"auths": {"a": {"auth": 5}}})"); }) ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of([] { config_from(R"({"credHelpers": {"a": 1}})"); }) ==
        dct::ErrorCode::config_invalid);
  CHECK(config_from("{}").auths.empty());
}

TEST_CASE("credentials: load_docker_config reads the directory and DOCKER_AUTH_CONFIG") {
  TempDir dir;
  ScopedEnv env("DOCKER_AUTH_CONFIG", std::nullopt);
  DockerConfig none = load_docker_config(dir.path());
  CHECK(none.auths.empty());
  CHECK(none.dir == dir.path());

  write_file(dir / "config.json", R"({"auths": {"r.example": {"auth": ")" + b64("file:pw") + R"("}},
                 "credsStore": "", "credHelpers": {}})");
  DockerConfig cfg = load_docker_config(dir.path());
  CHECK(lookup_credentials(cfg, "r.example")->username == "file");

  ScopedEnv env2("DOCKER_AUTH_CONFIG",
                 R"({"auths": {"r.example": {"auth": ")" + b64("env:pw") + R"("}}})");
  DockerConfig with_env = load_docker_config(dir.path());
  CHECK(lookup_credentials(with_env, "r.example")->username == "env");

  CHECK(code_of([] { parse_docker_auth_config_env(R"({"auths":{"a":{"username":"x"}}})"); }) ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of([] { parse_docker_auth_config_env(R"({"other":{}})"); }) ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of([] { parse_docker_auth_config_env("nope"); }) == dct::ErrorCode::config_invalid);

  write_file(dir / "config.json", "{not json");
  CHECK(code_of([&] { load_docker_config(dir.path()); }) == dct::ErrorCode::config_invalid);
}

TEST_CASE("credentials: credential helpers") {
  ScopedEnv env("DOCKER_AUTH_CONFIG", std::nullopt);
  FakeHelpers helpers;
  TempDir scratch;
  const auto got_stdin = scratch / "stdin";
  // Records its stdin and answers like a real helper.
  helpers.add("ok", "cat > '" + got_stdin.string() + "'\n" +
                        R"(echo '{"ServerURL":"x","Username":"alice","Secret":"s3cret"}')");
  helpers.add("tok", R"(echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh"}')");
  helpers.add("none", "echo 'credentials not found in native keychain'; exit 1");
  helpers.add("bad", "echo 'error getting credentials - err: exit status 2, out: boom'; exit 1");
  helpers.add("garbage", "echo 'not json'");
  helpers.add("hang", "exec sleep 30");

  DockerConfig cfg = config_from(R"({
    "auths": {"file.example": {"auth": ")" +
                                 b64("file:pw") + R"("},
              "https://index.docker.io/v1/": {}},
    "credsStore": "ok",
    "credHelpers": {"tok.example": "tok", "none.example": "none", "bad.example": "bad",
                    "garbage.example": "garbage", "hang.example": "hang",
                    "missing.example": "doesnotexist"}
  })");

  SUBCASE("credsStore: stdin is the key without a newline") {
    auto c = lookup_credentials(cfg, "https://index.docker.io/v1/");
    REQUIRE(c);
    CHECK(c->username == "alice");
    CHECK(c->password == "s3cret");
    std::ifstream in(got_stdin);
    std::stringstream seen;
    seen << in.rdbuf();
    CHECK(seen.str() == "https://index.docker.io/v1/");
    // The helper answers for every key, including ones that also have an auths entry.
    CHECK(lookup_credentials(cfg, "file.example")->username == "alice");
  }
  SUBCASE("identity tokens") {
    auto c = lookup_credentials(cfg, "tok.example");
    REQUIRE(c);
    CHECK(c->identity_token == "refresh");
    CHECK(c->username.empty());
  }
  SUBCASE("not found means anonymous") { CHECK_FALSE(lookup_credentials(cfg, "none.example")); }
  SUBCASE("failures name the helper") {
    try {
      lookup_credentials(cfg, "bad.example");
      FAIL("no error");
    } catch (const dct::Error& e) {
      CHECK(e.code() == dct::ErrorCode::credential_helper_failed);
      CHECK(std::string(e.what()).find("docker-credential-bad") != std::string::npos);
      CHECK(std::string(e.what()).find("boom") != std::string::npos);
    }
    CHECK(code_of([&] { lookup_credentials(cfg, "garbage.example"); }) ==
          dct::ErrorCode::credential_helper_failed);
    try {
      lookup_credentials(cfg, "missing.example");
      FAIL("no error");
    } catch (const dct::Error& e) {
      CHECK(e.code() == dct::ErrorCode::credential_helper_failed);
      CHECK(std::string(e.what()).find("docker-credential-doesnotexist") != std::string::npos);
    }
  }
  SUBCASE("a hanging helper is killed after the timeout") {
    CredentialLookupOptions opts;
    opts.helper_timeout = std::chrono::milliseconds(300);
    const auto start = std::chrono::steady_clock::now();
    try {
      lookup_credentials(cfg, "hang.example", opts);
      FAIL("no error");
    } catch (const dct::Error& e) {
      CHECK(e.code() == dct::ErrorCode::credential_helper_failed);
      CHECK(std::string(e.what()).find("did not answer within 0.3 s") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  SUBCASE("timeout from the environment") {
    ScopedEnv t("DCT_CREDENTIAL_HELPER_TIMEOUT", "0.25");
    CHECK(CredentialLookupOptions::default_helper_timeout() == std::chrono::milliseconds(250));
    CHECK(CredentialLookupOptions().helper_timeout == std::chrono::milliseconds(250));
  }
}

TEST_CASE("credentials: never printed") {
  Credential c{"alice", "pa55word", "refresh-tok"};
  std::ostringstream out;
  out << c;
  const std::string shown = out.str() + fmt::format("{}", c) + c.redacted();
  CHECK(shown.find("alice") != std::string::npos);
  CHECK(shown.find("pa55word") == std::string::npos);
  CHECK(shown.find("refresh-tok") == std::string::npos);
  CHECK(shown.find("<redacted>") != std::string::npos);
}

TEST_CASE("credentials: convert_to_hostname") {
  CHECK(convert_to_hostname("https://index.docker.io/v1/") == "index.docker.io");
  CHECK(convert_to_hostname("http://myreg:5000/v2") == "myreg:5000");
  CHECK(convert_to_hostname("myreg:5000") == "myreg:5000");
  CHECK(convert_to_hostname("") == "");
}
