// `docker dct sign` through its Context, against the in-process notary server and registry:
// a new repository is initialized and published, the signature resolves, and the signing rule
// (targets/releases when it exists, else targets) holds.
#include <doctest/doctest.h>

#include <set>

#include "plugin_cmd_harness.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"

using dct::ErrorCode;
using dct::test::CommandEnv;
using dct::test::FakeNotaryRegistry;
using dct::test::MiniRepo;
using dct::test::run_dct;

namespace {

std::string sign_cmd_sha256_b64(const std::string& body) {
  return dct::base64_encode(dct::sha256(body));
}

std::set<std::string> sign_cmd_roles_of(const std::map<std::string, std::string>& files) {
  std::set<std::string> out;
  for (const auto& [role, bytes] : files) out.insert(role);
  return out;
}

}  // namespace

TEST_CASE("sign command: initializes a new repository, publishes, and the tag resolves") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  const std::string gun = server.gun("team/app");
  const std::string v1 = R"({"schemaVersion":2,"tag":"1.0"})";
  server.add_manifest("team/app", "1.0", v1);

  auto r = run_dct(env, {"sign", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("Initializing trust data for " + gun) != std::string::npos);
  CHECK(r.out.find("Pushing changes to " + gun) != std::string::npos);
  CHECK(r.out.find("Successfully signed " + gun + ":1.0") != std::string::npos);
  auto publishes = server.publishes();
  REQUIRE(publishes.size() == 1);
  CHECK(sign_cmd_roles_of(publishes[0]) == std::set<std::string>{"root", "snapshot", "targets"});
  const auto target = server.served("targets").at("targets").at("1.0");
  CHECK(target.at("length") == v1.size());
  CHECK(target.at("hashes").at("sha256") == sign_cmd_sha256_b64(v1));
  // root, targets and snapshot keys, each encrypted in a private file; nothing staged is left.
  const auto ids = dct::test::private_key_ids(env.trust_dir());
  CHECK(ids.size() == 3);
  for (const auto& e : std::filesystem::recursive_directory_iterator(env.trust_dir() / "private"))
    if (e.is_regular_file()) {
      CHECK((e.status().permissions() & std::filesystem::perms::all) ==
            (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
      CHECK(dct::test::read_all(e.path()).find("ENCRYPTED PRIVATE KEY") != std::string::npos);
    }

  r = run_dct(env, {"resolve", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out == gun + "@sha256:" + dct::to_hex(dct::sha256(v1)) + "\n");

  // A second tag goes into the published repository: targets and snapshot, not root again.
  const std::string v2 = R"({"schemaVersion":2,"tag":"2.0"})";
  server.add_manifest("team/app", "2.0", v2);
  r = run_dct(env, {"sign", gun + ":2.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("Initializing") == std::string::npos);
  publishes = server.publishes();
  REQUIRE(publishes.size() == 2);
  CHECK(sign_cmd_roles_of(publishes[1]) == std::set<std::string>{"snapshot", "targets"});
  CHECK(server.served("targets").at("targets").size() == 2);
  CHECK(dct::test::private_key_ids(env.trust_dir()) == ids);
}

TEST_CASE("sign command: a tag the registry does not have is not signed, nothing is made") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  auto r = run_dct(env, {"sign", server.gun("team/app") + ":1.0"});
  CHECK(r.status == 1);
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::tag_not_found);
  CHECK(server.publishes().empty());
  CHECK(dct::test::private_key_ids(env.trust_dir()).empty());
}

TEST_CASE("sign command: with targets/releases, the tag goes there, and only with its key") {
  FakeNotaryRegistry server;
  CommandEnv env(server);
  MiniRepo repo;
  const std::string gun = server.gun("team/app");
  dct::test::set_gun(repo, gun);
  repo.releases = MiniRepo::Releases::published;
  repo.releases_tags["0.1"] = R"({"old":"0.1"})";
  repo.publish();
  server.serve(repo);
  const std::string v1 = R"({"schemaVersion":2,"tag":"1.0"})";
  server.add_manifest("team/app", "1.0", v1);
  // The owner's targets and snapshot keys are here, the releases key is not.
  dct::trust::FixedPassphrase passphrase("repository passphrase");
  dct::trust::KeyStore store(env.trust_dir());
  store.add(repo.keys.at("targets"), "targets", gun, passphrase);
  store.add(repo.keys.at("snapshot"), "snapshot", gun, passphrase);

  auto r = run_dct(env, {"sign", gun + ":1.0"});
  CHECK(r.status == 1);
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::no_signing_key);
  CHECK(r.message.find("targets/releases") != std::string::npos);
  CHECK(server.publishes().empty());

  store.add(repo.keys.at("targets/releases"), "targets/releases", "", passphrase);
  r = run_dct(env, {"sign", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out.find("into targets/releases\n") != std::string::npos);
  const auto publishes = server.publishes();
  REQUIRE(publishes.size() == 1);
  CHECK(sign_cmd_roles_of(publishes[0]) == std::set<std::string>{"snapshot", "targets/releases"});
  CHECK(server.served("targets/releases").at("targets").at("1.0").at("hashes").at("sha256") ==
        sign_cmd_sha256_b64(v1));
  CHECK(server.served("targets").at("targets").empty());

  r = run_dct(env, {"resolve", "--format", "json", gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(nlohmann::json::parse(r.out).at("role") == "targets/releases");
}
