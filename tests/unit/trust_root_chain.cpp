// Root rotation under attack: the server's root.json names its version without any proof, so
// the chain is fetched and verified one link at a time, within a cap on links and bytes.
#include <doctest/doctest.h>

#include <algorithm>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using test::code_of;
using test::MiniRepo;

namespace {

struct Chain {
  test::FixtureServer server;
  MiniRepo repo;
  MemoryMetadataCache cache;
  FixedClock clock{repo.now};

  Chain() {
    repo.targets_tags["v1"] = "manifest";
    repo.publish();
    repo.serve(server);
    REQUIRE(resolve().role == "targets");
    server.requested.clear();
  }
  ResolvedTag resolve() {
    Updater u(repo.gun, server, cache, clock);
    auto r = u.update(resolve_update_options());
    return resolve_tag(u, r, "v1");
  }
  bool requested(const std::string& name) const {
    return std::find(server.requested.begin(), server.requested.end(), name) !=
           server.requested.end();
  }
  // A root that claims `version`, signed by a stranger, served as root.json.
  void claim_root_version(long long version) {
    MiniRepo forged;
    forged.gun = repo.gun;
    forged.root_version = version;
    forged.publish();
    server.put("root.json", forged.files.at("root"));
  }
  // A timestamp signed by a key the trusted root does not list: a verification failure that
  // makes the client look for a newer root.
  void rekey_timestamp() {
    PrivateKey k = PrivateKey::generate();
    nlohmann::json ts = nlohmann::json::parse(server.get("timestamp.json"))["signed"];
    ts["version"] = ts["version"].get<long long>() + 1;
    server.put("timestamp.json", sign_metadata(ts, {{k.id(), &k}}));
  }
};

}  // namespace

TEST_CASE("a bogus first link ends the walk before anything else is fetched") {
  Chain c;
  c.rekey_timestamp();
  c.claim_root_version(41);
  MiniRepo stranger;
  stranger.gun = c.repo.gun;
  for (long long v = 2; v <= 40; ++v) {
    stranger.root_version = v;
    stranger.publish();
    c.server.put(std::to_string(v) + ".root.json", stranger.files.at("root"));
  }
  auto root_before = c.cache.files.at("root");
  CHECK(code_of([&] { c.resolve(); }) == ErrorCode::root_rotation_failed);
  CHECK(c.requested("2.root.json"));
  CHECK_FALSE(c.requested("3.root.json"));
  CHECK(c.cache.files.at("root") == root_before);
}

TEST_CASE("a root chain with too many links is not followed") {
  Chain c;
  c.rekey_timestamp();
  c.claim_root_version(1 + kMaxRootLinks + 1);
  CHECK(code_of([&] { c.resolve(); }) == ErrorCode::root_rotation_failed);
  CHECK_FALSE(c.requested("2.root.json"));
}

TEST_CASE("a root chain larger than the byte cap is not followed") {
  Chain c;
  // Honest, properly signed links, but each too large for what is left of the budget.
  c.repo.root_padding = std::string(kMaxRootChainBytes / 2 + 1024, 'x');
  for (long long v = 2; v <= 3; ++v) {
    c.repo.root_version = v;
    c.repo.publish();
    c.repo.serve(c.server);
  }
  c.repo.root_padding.clear();
  c.repo.root_version = 4;
  c.repo.publish();
  c.repo.serve(c.server);
  c.rekey_timestamp();
  CHECK(code_of([&] { c.resolve(); }) == ErrorCode::oversized);
  CHECK(c.requested("2.root.json"));
  CHECK(c.requested("3.root.json"));
}

TEST_CASE("an honest rotation over several versions is followed") {
  Chain c;
  for (long long v = 2; v <= 5; ++v) {
    c.repo.root_version = v;
    c.repo.publish();
    c.repo.serve(c.server);
  }
  // The snapshot lists root version 5, so the client walks 2, 3, 4 and 5.
  CHECK(c.resolve().role == "targets");
  for (const char* link : {"2.root.json", "3.root.json", "4.root.json"}) CHECK(c.requested(link));
  CHECK(SignedFile::parse(c.cache.files.at("root"), "root").version == 5);
}
