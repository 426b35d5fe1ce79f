// The notary client config file.
#include <doctest/doctest.h>

#include <string>

#include "base/errors.h"
#include "registry/notary_config.h"
#include "registry_test_server.h"

using namespace dct::registry;
using dct::test::ScopedEnv;
using dct::test::TempDir;
using dct::test::write_file;

namespace {

dct::ErrorCode code_of(const std::string& json) {
  try {
    parse_notary_config(json, "/cfg/config.json");
  } catch (const dct::Error& e) {
    return e.code();
  }
  return dct::ErrorCode::internal;
}

}  // namespace

TEST_CASE("notary config: every field") {
  ScopedEnv home("HOME", "/home/u");
  const std::filesystem::path data = DCT_TEST_DATA_DIR "/registry/notary-config.json";
  NotaryConfig cfg = load_notary_config(data);
  CHECK(cfg.file == data);
  CHECK(cfg.trust_dir == "/home/u/.notary");
  CHECK(cfg.remote.url == "https://notary.example.com:4443");
  CHECK(cfg.remote.root_ca == data.parent_path() / "tls/root-ca.crt");
  CHECK(cfg.remote.tls_client_cert == data.parent_path() / "tls/client.cert");
  CHECK(cfg.remote.tls_client_key == "/abs/client.key");
  CHECK(cfg.trust_pinning.certs.at("docker.io/library/alpine") ==
        std::vector<std::string>{"0123456789abcdef"});
  CHECK(cfg.trust_pinning.certs.at("example.com/team/*").size() == 2);
  CHECK(cfg.trust_pinning.ca.at("example.com/") == "/etc/pki/example-root.pem");
  CHECK(cfg.trust_pinning.disable_tofu);
}

TEST_CASE("notary config: defaults, case-insensitive keys, relative paths") {
  NotaryConfig empty = parse_notary_config("{}", "/cfg/config.json");
  CHECK(empty.trust_dir.empty());
  CHECK(empty.remote.url.empty());
  CHECK_FALSE(empty.trust_pinning.disable_tofu);

  NotaryConfig c = parse_notary_config(
      R"({"Remote_Server": {"URL": "https://n:1", "Root_CA": "../ca.pem", "skipTLSVerify": false},
          "trust_pinning": {"disable_tofu": "false"}})",
      "/cfg/sub/config.json");
  CHECK(c.remote.url == "https://n:1");
  CHECK(c.remote.root_ca == "/cfg/ca.pem");
  CHECK_FALSE(c.trust_pinning.disable_tofu);

  NotaryConfig rel = parse_notary_config(R"({"trust_dir": "relative/dir"})", "/cfg/config.json");
  CHECK(rel.trust_dir == (std::filesystem::current_path() / "relative/dir").lexically_normal());
}

TEST_CASE("notary config: errors") {
  try {
    parse_notary_config(R"({"remote_server": {"skipTLSVerify": true}})", "/cfg/config.json");
    FAIL("no error");
  } catch (const dct::Error& e) {
    CHECK(e.code() == dct::ErrorCode::config_invalid);
    CHECK(std::string(e.what()).find("skipTLSVerify") != std::string::npos);
    CHECK(std::string(e.what()).find("/cfg/config.json") != std::string::npos);
    CHECK_FALSE(e.hint().empty());
  }
  CHECK(code_of(R"({"remote_server": {"skipTLSVerify": "true"}})") ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"remote_server": {"tls_client_cert": "c"}})") ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"remote_server": []})") == dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"remote_server": {"url": 5}})") == dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"trust_pinning": {"certs": {"g": "notalist"}}})") ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"trust_pinning": {"certs": {"g": [1]}}})") == dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"trust_pinning": {"ca": {"g": 1}}})") == dct::ErrorCode::config_invalid);
  CHECK(code_of(R"({"trust_pinning": {"disable_tofu": "maybe"}})") ==
        dct::ErrorCode::config_invalid);
  CHECK(code_of("{") == dct::ErrorCode::config_invalid);
  CHECK(code_of("[]") == dct::ErrorCode::config_invalid);
}

TEST_CASE("notary config: file selection") {
  TempDir dir;
  ScopedEnv home("HOME", dir.path().string());
  {
    ScopedEnv env("NOTARY_CONFIG", std::nullopt);
    CHECK(default_notary_config_path() == dir / ".notary/config.json");
    CHECK(load_notary_config().file.empty());  // the default file may be missing
    write_file(dir / ".notary/config.json", R"({"remote_server": {"url": "https://d"}})");
    CHECK(load_notary_config().remote.url == "https://d");
    CHECK_THROWS_AS(load_notary_config(dir / "missing.json"), dct::Error);  // explicit: must exist
  }
  write_file(dir / "other.json", R"({"remote_server": {"url": "https://o"}})");
  {
    ScopedEnv env("NOTARY_CONFIG", (dir / "other.json").string());
    CHECK(load_notary_config().remote.url == "https://o");
  }
  {
    ScopedEnv env("NOTARY_CONFIG", (dir / "nope.json").string());
    CHECK_THROWS_AS(load_notary_config(), dct::Error);
  }
  CHECK(expand_home("~") == dir.path());
  CHECK(expand_home("~/x") == dir / "x");
  CHECK(expand_home("~x") == "~x");
  CHECK(expand_home("/a/~") == "/a/~");
}
