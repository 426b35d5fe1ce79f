// `docker dct resolve` through its Context, against the in-process notary server and registry.
#include <doctest/doctest.h>

#include "plugin_cmd_harness.h"

using dct::ErrorCode;
using dct::test::CommandEnv;
using dct::test::FakeNotaryRegistry;
using dct::test::MiniRepo;
using dct::test::run_dct;

namespace {

struct ResolveCmdFixture {
  FakeNotaryRegistry server;
  CommandEnv env{server};
  MiniRepo repo;
  std::string gun = server.gun("team/app");
  ResolveCmdFixture() {
    dct::test::set_gun(repo, gun);
    repo.releases = MiniRepo::Releases::published;
    repo.releases_tags["1.0"] = R"({"released":"1.0"})";
    repo.targets_tags["1.0"] = R"({"targets":"1.0"})";
    repo.targets_tags["0.9"] = R"({"targets":"0.9"})";
    repo.publish();
    server.serve(repo);
  }
};

}  // namespace

TEST_CASE("resolve command: prints the digest targets/releases signed, as GUN@sha256") {
  ResolveCmdFixture f;
  auto r = run_dct(f.env, {"resolve", f.gun + ":1.0"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out == f.gun + "@sha256:" + MiniRepo::digest_of(f.repo.releases_tags["1.0"]) + "\n");

  // A tag only targets signed falls back to targets, as Docker's pull rule says.
  r = run_dct(f.env, {"resolve", "--format", "json", f.gun + ":0.9"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.at("role") == "targets");
  CHECK(doc.dump().find(MiniRepo::digest_of(f.repo.targets_tags["0.9"])) != std::string::npos);

  // A template reads the same value; a bad one is a usage error before anything is fetched.
  r = run_dct(f.env, {"resolve", "--format", "{{.Role}} {{.Digest}}", f.gun + ":0.9"});
  REQUIRE_MESSAGE(r.status == 0, r.message);
  CHECK(r.out ==
        doc.at("role").get<std::string>() + " " + doc.at("digest").get<std::string>() + "\n");
  r = run_dct(f.env, {"resolve", "--format", "{{printf .Role}}", f.gun + ":0.9"});
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::invalid_argument);  // exit 125
  CHECK(r.message.find("unsupported function \"printf\" at column 3") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("resolve command: an unsigned tag and forged trust data fail, differently") {
  ResolveCmdFixture f;
  auto r = run_dct(f.env, {"resolve", f.gun + ":2.0"});
  CHECK(r.status == 1);
  REQUIRE(r.error);
  CHECK(*r.error == ErrorCode::tag_not_found);
  CHECK(r.out.empty());

  // Targets signed by a key the root does not list: a verification failure, never a digest.
  f.repo.keys.erase("targets");
  f.repo.keys.emplace("targets", dct::trust::PrivateKey::generate());
  const std::string trusted_root = f.repo.files.at("root");
  f.repo.targets_tags["1.0"] = R"({"forged":"1.0"})";
  f.repo.releases = MiniRepo::Releases::absent;
  f.repo.version = 2;
  f.repo.timestamp_version = 2;
  f.repo.publish();
  f.repo.files["root"] = trusted_root;
  f.server.serve(f.repo);
  r = run_dct(f.env, {"resolve", f.gun + ":1.0"});
  CHECK(r.status == 1);
  REQUIRE(r.error);
  CHECK(dct::kind_of(*r.error) == dct::ErrorKind::security);
  CHECK(r.out.empty());
}
