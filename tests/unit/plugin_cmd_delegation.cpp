// `docker dct delegation add/list/remove` through their Context, against the in-process notary
// server and registry: the owner delegates targets/releases to a collaborator's key, signing
// moves there, and removing the delegation brings it back to targets.
#include <doctest/doctest.h>

#include "plugin_cmd_harness.h"

using dct::ErrorCode;
using dct::test::CommandEnv;
using dct::test::FakeNotaryRegistry;
using dct::test::run_dct;

namespace {

// The key ID `key list` shows for the key whose certificate is named `name`.
std::string delegation_cmd_key_id(const CommandEnv& env, const std::string& name) {
  auto r = run_dct(env, {"key", "list", "--format", "json"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  for (const auto& k : nlohmann::json::parse(r.out))
    if (k.at("certificate") == name) return k.at("id").get<std::string>();
  FAIL("no key for " << name);
  return {};
}

}  // namespace

TEST_CASE("delegation commands: add, list, sign into it, remove") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  const std::string gun = server.gun("team/app");
  server.add_manifest("team/app", "1.0", R"({"schemaVersion":2,"tag":"1.0"})");
  server.add_manifest("team/app", "2.0", R"({"schemaVersion":2,"tag":"2.0"})");
  auto r = run_dct(env, {"sign", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);

  r = run_dct(env, {"key", "generate", "alice", "--dir", env.scratch().string()});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  const std::string alice = delegation_cmd_key_id(env, "alice");

  r = run_dct(env, {"delegation", "add", "-p", gun, "targets/releases",
                    (env.scratch() / "alice.crt").string(), "--all-paths"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("Successfully published changes for repository " + gun) != std::string::npos);
  REQUIRE(server.publishes().size() == 2);
  CHECK(server.publishes()[1].count("targets") == 1);
  const auto roles = server.served("targets").at("delegations").at("roles");
  REQUIRE(roles.size() == 1);
  CHECK(roles[0].at("name") == "targets/releases");
  CHECK(roles[0].at("paths") == nlohmann::json::array({""}));
  REQUIRE(roles[0].at("keyids").size() == 1);
  // Nothing is left staged once published.
  const auto staged = env.trust_dir() / "tuf" / gun / "changelist";
  CHECK((!std::filesystem::exists(staged) || std::filesystem::is_empty(staged)));

  r = run_dct(env, {"delegation", "list", gun});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("targets/releases") != std::string::npos);
  CHECK(r.out.find(alice.substr(0, 12)) != std::string::npos);

  // The signing rule: with targets/releases present, new tags go there (alice's key is here).
  r = run_dct(env, {"sign", gun + ":2.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("into targets/releases\n") != std::string::npos);
  CHECK(server.served("targets/releases").at("targets").count("2.0") == 1);
  r = run_dct(env, {"resolve", "--format", "json", gun + ":2.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(nlohmann::json::parse(r.out).at("role") == "targets/releases");

  r = run_dct(env, {"delegation", "remove", "-y", "-p", gun, "targets/releases"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(server.served("targets").at("delegations").at("roles").empty());
  // 2.0 was only signed in the removed role; 1.0 is still signed in targets.
  r = run_dct(env, {"resolve", gun + ":2.0"});
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::tag_not_found);
  r = run_dct(env, {"resolve", "--format", "json", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(nlohmann::json::parse(r.out).at("role") == "targets");
}

TEST_CASE("delegation commands: a mistyped releases role is refused before anything is staged") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  const std::string gun = server.gun("team/app");
  auto r = run_dct(env, {"delegation", "add", gun, "targets/release", "--all-paths"});
  CHECK(r.status == 1);
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::invalid_role_name);
  CHECK(r.message.find("targets/releases") != std::string::npos);
  CHECK(!std::filesystem::exists(env.trust_dir() / "tuf"));
  CHECK(server.requests() == 0);
}
