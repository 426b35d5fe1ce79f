// `docker dct key generate/list/rotate` through their Context, against the in-process notary
// server and registry.
#include <doctest/doctest.h>

#include <regex>

#include "plugin_cmd_harness.h"

using dct::ErrorCode;
using dct::test::CommandEnv;
using dct::test::FakeNotaryRegistry;
using dct::test::run_dct;

namespace {

nlohmann::json key_cmd_list(const CommandEnv& env) {
  auto r = run_dct(env, {"key", "list", "--format", "json"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("key commands: generate writes a certificate and an encrypted key that list shows") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  CHECK(key_cmd_list(env).empty());
  auto r = run_dct(env, {"key", "generate", "bob", "--dir", env.scratch().string()});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(std::filesystem::exists(env.scratch() / "bob.crt"));
  const auto keys = key_cmd_list(env);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].at("certificate") == "bob");
  // Times in RFC 3339, as every --format json output but inspect's prints them.
  const std::string expires = keys[0].at("expires").get<std::string>();
  CHECK(std::regex_match(expires, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")));
  r = run_dct(env, {"key", "list", "--format", "{{.Certificate}} {{.Expires}}"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out == "bob " + expires + "\n");
  const std::filesystem::path file = keys[0].at("location").get<std::string>();
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK(dct::test::read_all(file).find("ENCRYPTED PRIVATE KEY") != std::string::npos);
  CHECK(dct::test::private_key_ids(env.trust_dir()) ==
        std::vector<std::string>{keys[0].at("id").get<std::string>()});
}

TEST_CASE("key commands: rotate the targets key, publish a new root, and tags still resolve") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  const std::string gun = server.gun("team/app");
  const std::string manifest = R"({"schemaVersion":2,"tag":"1.0"})";
  server.add_manifest("team/app", "1.0", manifest);
  auto r = run_dct(env, {"sign", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  const auto old_ids = server.served("root").at("roles").at("targets").at("keyids");
  REQUIRE(old_ids.size() == 1);

  r = run_dct(env, {"key", "rotate", gun, "timestamp"});
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::invalid_argument);
  CHECK(server.publishes().size() == 1);

  r = run_dct(env, {"key", "rotate", gun, "targets"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("Successfully rotated targets key for repository " + gun) != std::string::npos);
  REQUIRE(server.publishes().size() == 2);
  CHECK(server.publishes()[1].count("root") == 1);
  CHECK(server.publishes()[1].count("targets") == 1);
  const auto root = server.served("root");
  CHECK(root.at("version") == 2);
  const auto new_ids = root.at("roles").at("targets").at("keyids");
  REQUIRE(new_ids.size() == 1);
  CHECK(new_ids != old_ids);
  bool listed = false;
  for (const auto& k : key_cmd_list(env))
    if (k.at("id") == new_ids[0]) listed = k.at("role") == "targets" && k.at("gun") == gun;
  CHECK(listed);

  r = run_dct(env, {"resolve", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out == gun + "@sha256:" + dct::to_hex(dct::sha256(manifest)) + "\n");
}
