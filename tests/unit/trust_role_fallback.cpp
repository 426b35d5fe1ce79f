// The pull rule under a hostile server that holds the snapshot and timestamp keys: a tag that
// targets/releases may sign is never taken from targets because targets/releases was hidden
// from the snapshot or failed verification; falling back stays right where the owner-signed
// targets says so (no delegation, no keys) or the role was never published.
#include <doctest/doctest.h>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using test::code_of;
using test::MiniRepo;
using Releases = MiniRepo::Releases;

namespace {

const std::string kOld = "manifest signed in targets long ago";
const std::string kNew = "manifest signed in targets/releases";

struct Fixture {
  test::FixtureServer server;
  MiniRepo repo;
  MemoryMetadataCache cache;
  FixedClock clock{repo.now};

  Fixture() {
    repo.targets_tags["v1"] = kOld;
    repo.releases_tags["v1"] = kNew;
    repo.releases = Releases::published;
  }
  void publish() {
    repo.publish();
    repo.serve(server);
  }
  // The next publish, as a new version of every role.
  void publish_next() {
    ++repo.version;
    ++repo.timestamp_version;
    publish();
  }
  // As the commands do: what a failed resolve verified never reaches the cache.
  ResolvedTag resolve(const std::string& tag = "v1") {
    StagedMetadataCache staged(cache);
    staged.hold();
    Updater u(repo.gun, server, staged, clock);
    auto r = u.update(resolve_update_options());
    ResolvedTag out = resolve_tag(u, r, tag);
    staged.commit();
    return out;
  }
  std::string message(const std::string& tag = "v1") {
    try {
      resolve(tag);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace

TEST_CASE("control: targets/releases wins over targets") {
  Fixture f;
  f.publish();
  auto r = f.resolve();
  CHECK(r.role == "targets/releases");
  CHECK(r.digest_hex == MiniRepo::digest_of(kNew));
}

TEST_CASE("a role the trusted snapshot listed may not disappear while it is delegated to") {
  Fixture f;
  f.publish();
  REQUIRE(f.resolve().role == "targets/releases");

  f.repo.snapshot_lists_releases = false;
  f.publish_next();
  CHECK(code_of([&] { f.resolve(); }) == ErrorCode::rollback);
  CHECK(f.message().find("no longer lists targets/releases") != std::string::npos);
  // Also for tags targets/releases does not list: the snapshot itself is not to be trusted.
  f.repo.targets_tags["only-targets"] = kOld;
  f.publish_next();
  CHECK(code_of([&] { f.resolve("only-targets"); }) == ErrorCode::rollback);
}

TEST_CASE("first contact cannot tell a hidden targets/releases from one never published") {
  // Documented limit: with nothing cached, a snapshot without targets/releases looks exactly
  // like the state right after `delegation add`, where targets' signatures are the rule.
  Fixture f;
  f.repo.snapshot_lists_releases = false;
  f.publish();
  CHECK(f.resolve().role == "targets");
}

TEST_CASE("a targets/releases that fails verification is an error, never a fall-back") {
  Fixture f;
  f.publish();
  REQUIRE(f.resolve().role == "targets/releases");
  PrivateKey stranger = PrivateKey::generate();

  SUBCASE("unsigned") {
    // sign_metadata needs a key: sign with one the role does not list, then drop the signature.
    f.repo.releases_signers = std::vector<SigningKey>{{stranger.id(), &stranger}};
    f.publish_next();
    auto doc = nlohmann::json::parse(f.repo.files.at("targets/releases"));
    doc["signatures"] = nlohmann::json::array();
    f.repo.files["targets/releases"] = doc.dump();
    // Re-seal the snapshot and timestamp over the unsigned file, as the server would.
    nlohmann::json snap = nlohmann::json::parse(f.repo.files.at("snapshot"))["signed"];
    snap["meta"]["targets/releases"] = MiniRepo::file_meta(f.repo.files["targets/releases"]);
    f.repo.files["snapshot"] = f.repo.sign_as("snapshot", snap);
    nlohmann::json ts = nlohmann::json::parse(f.repo.files.at("timestamp"))["signed"];
    ts["meta"]["snapshot"] = MiniRepo::file_meta(f.repo.files["snapshot"]);
    f.repo.files["timestamp"] = f.repo.sign_as("timestamp", ts);
    f.repo.serve(f.server);
    CHECK(code_of([&] { f.resolve(); }) == ErrorCode::threshold_not_met);
    CHECK(f.message().find("targets/releases") != std::string::npos);
    CHECK(f.message().find("no signatures") != std::string::npos);
  }
  SUBCASE("signed by a key outside the role") {
    f.repo.releases_signers = std::vector<SigningKey>{{stranger.id(), &stranger}};
    f.publish_next();
    CHECK(code_of([&] { f.resolve(); }) == ErrorCode::threshold_not_met);
    CHECK(f.message().find("targets/releases of example.com/app failed verification") !=
          std::string::npos);
  }
  SUBCASE("expired") {
    f.repo.expires["targets/releases"] = f.repo.now - std::chrono::hours(1);
    f.publish_next();
    CHECK(code_of([&] { f.resolve(); }) == ErrorCode::expired);
  }
  SUBCASE("below its threshold") {
    PrivateKey second = PrivateKey::generate();
    f.repo.releases_keys = std::vector<PublicKey>{f.repo.keys.at("targets/releases").public_key(),
                                                  second.public_key()};
    f.repo.releases_threshold = 2;
    f.publish_next();
    CHECK(code_of([&] { f.resolve(); }) == ErrorCode::threshold_not_met);
  }
  SUBCASE("on first contact too") {
    f.cache.files.clear();
    f.repo.releases_signers = std::vector<SigningKey>{{stranger.id(), &stranger}};
    f.publish_next();
    CHECK(code_of([&] { f.resolve(); }) == ErrorCode::threshold_not_met);
  }
  SUBCASE("tags outside its paths still come from targets") {
    f.repo.releases_paths = {"release-"};
    f.repo.releases_signers = std::vector<SigningKey>{{stranger.id(), &stranger}};
    f.repo.targets_tags["v1"] = kOld;
    f.publish_next();
    auto r = f.resolve();
    CHECK(r.role == "targets");
    CHECK(r.digest_hex == MiniRepo::digest_of(kOld));
    CHECK(code_of([&] { f.resolve("release-1"); }) == ErrorCode::threshold_not_met);
  }
}

TEST_CASE("falling back to targets stays right where the owner's targets says so") {
  Fixture f;
  f.publish();
  REQUIRE(f.resolve().role == "targets/releases");

  SUBCASE("the owner removed the delegation (and the snapshot dropped it)") {
    f.repo.releases = Releases::absent;
    f.publish_next();
    auto r = f.resolve();
    CHECK(r.role == "targets");
    CHECK(r.digest_hex == MiniRepo::digest_of(kOld));
  }
  SUBCASE("the owner removed its last key") {
    f.repo.releases = Releases::keyless;
    f.publish_next();
    CHECK(f.resolve().role == "targets");
  }
  SUBCASE("a keyless role hidden from the snapshot vouches for nothing either way") {
    f.repo.releases = Releases::keyless;
    f.repo.snapshot_lists_releases = false;
    f.publish_next();
    CHECK(f.resolve().role == "targets");
  }
}

TEST_CASE("a delegation declared but never published falls back, warm or cold") {
  Fixture f;
  f.repo.releases = Releases::declared;
  f.publish();
  CHECK(f.resolve().role == "targets");
  f.publish_next();
  CHECK(f.resolve().role == "targets");
  // Then it is signed into: from now on it decides.
  f.repo.releases = Releases::published;
  f.publish_next();
  CHECK(f.resolve().role == "targets/releases");
}

TEST_CASE("the rule's candidates are the tags of targets/releases and targets, nothing else") {
  Fixture f;
  f.repo.targets_tags["legacy"] = kOld;
  f.repo.releases_tags["v2"] = kNew;
  f.publish();
  Updater u(f.repo.gun, f.server, f.cache, f.clock);
  auto r = u.update(resolve_update_options());
  CHECK(candidate_tags(r) == std::set<std::string>{"legacy", "v1", "v2"});
}
