// Witnessing (notary's witness change): a role that expired, or that fell below its threshold
// when its signer's key was removed, is kept aside by the updater (never trusted) and signed
// again as it is by a holder of its keys; a role whose signature is bad is not.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/publish/changelist.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using test::code_of;
using test::MiniRepo;

namespace {

struct WitnessKeys final : KeyProvider {
  std::map<std::string, const PrivateKey*> held;
  void add(const PrivateKey& k) { held[k.id()] = &k; }
  bool has(const std::string& id) override { return held.count(id) > 0; }
  const PrivateKey& get(const std::string& id, const std::string&) override {
    auto it = held.find(id);
    if (it == held.end()) throw Error(ErrorCode::no_signing_key, "no key " + id);
    return *it->second;
  }
};

struct WitnessWorld {
  test::FixtureServer server;
  MiniRepo repo;
  MemoryMetadataCache cache;
  std::optional<FixedClock> clock;

  WitnessWorld() {
    repo.targets_tags["v1"] = "old manifest";
    repo.releases_tags["v2"] = "released manifest";
    repo.releases = MiniRepo::Releases::published;
  }
  TrustedRepository load() {
    repo.publish();
    repo.serve(server);
    clock.emplace(repo.now);
    Updater u(repo.gun, server, cache, *clock);
    TrustedRepository r = u.update();
    u.load_all(r);
    return r;
  }
};

Change witness_of(const std::string& role) {
  Change c;
  c.action = "update";
  c.role = role;
  c.type = "witness";
  c.path = "";
  return c;
}

const RepoFile* file_of(const std::vector<RepoFile>& files, const std::string& role) {
  for (const auto& f : files)
    if (f.role == role) return &f;
  return nullptr;
}

// The re-signed role as a client checks it: signed by the keys targets lists, not expired.
void check_valid_again(const RepoEditor& editor, const std::vector<RepoFile>& files, TimePoint now,
                       long long version_before) {
  const RepoFile* f = file_of(files, "targets/releases");
  REQUIRE(f != nullptr);
  Targets t = Targets::parse(SignedFile::parse(f->bytes, "targets/releases"), "targets/releases");
  const EditableTargets* parent = editor.role("targets");
  REQUIRE(parent != nullptr);
  const DelegationRole* d = nullptr;
  for (const auto& r : parent->delegations)
    if (r.name == "targets/releases") d = &r;
  REQUIRE(d != nullptr);
  CHECK_NOTHROW(verify_signatures(t.file, parent->keys, RoleKeys{d->keyids, d->threshold},
                                  "targets/releases"));
  CHECK_NOTHROW(check_not_expired(t.file, now, "targets/releases"));
  CHECK(t.file.version == version_before + 1);
  REQUIRE(t.targets.count("v2") == 1);
  CHECK(*t.targets.at("v2").sha256() == sha256("released manifest"));
  CHECK(file_of(files, "snapshot") != nullptr);
}

}  // namespace

TEST_CASE("witness: the change file is notary's, byte for byte") {
  CHECK(witness_of("targets/releases").to_file_bytes() ==
        R"({"action":"update","role":"targets/releases","type":"witness","path":"","data":null})");
}

TEST_CASE("witness: an expired delegation is signed again with a new expiry") {
  WitnessWorld w;
  w.repo.expires["targets/releases"] = w.repo.now - std::chrono::hours(1);
  TrustedRepository r = w.load();
  REQUIRE(r.failure("targets/releases") != nullptr);
  CHECK(code_of([&] { throw *r.failure("targets/releases"); }) == ErrorCode::expired);
  REQUIRE(r.unverified.count("targets/releases") == 1);
  CHECK(r.role("targets/releases") == nullptr);  // never trusted as it is

  RepoEditor editor(w.repo.gun, r);
  REQUIRE(editor.unverified("targets/releases") != nullptr);
  WitnessKeys keys;
  keys.add(w.repo.keys.at("targets/releases"));
  keys.add(w.repo.keys.at("snapshot"));
  editor.apply(witness_of("targets/releases"), keys);
  check_valid_again(editor, editor.sign(keys, w.repo.now), w.repo.now, w.repo.version);
}

TEST_CASE(
    "witness: a delegation below its threshold after its signer left is signed by the "
    "key that stays") {
  WitnessWorld w;
  const PrivateKey stays = PrivateKey::generate();
  // targets now lists only the key that stays; the file is still signed by the one that left.
  w.repo.releases_keys = std::vector<PublicKey>{stays.public_key()};
  TrustedRepository r = w.load();
  REQUIRE(r.failure("targets/releases") != nullptr);
  CHECK(code_of([&] { throw *r.failure("targets/releases"); }) == ErrorCode::threshold_not_met);
  REQUIRE(r.unverified.count("targets/releases") == 1);

  SUBCASE("with the key that stays") {
    RepoEditor editor(w.repo.gun, r);
    WitnessKeys keys;
    keys.add(stays);
    keys.add(w.repo.keys.at("snapshot"));
    editor.apply(witness_of("targets/releases"), keys);
    check_valid_again(editor, editor.sign(keys, w.repo.now), w.repo.now, w.repo.version);
  }
  SUBCASE("only with the key that left: refused") {
    RepoEditor editor(w.repo.gun, r);
    WitnessKeys keys;
    keys.add(w.repo.keys.at("targets/releases"));
    CHECK(code_of([&] { editor.apply(witness_of("targets/releases"), keys); }) ==
          ErrorCode::no_signing_key);
  }
}

TEST_CASE("witness: a delegation with a bad signature by its own key is not signed again") {
  WitnessWorld w;
  const PrivateKey& own = w.repo.keys.at("targets/releases");
  const PrivateKey other = PrivateKey::generate();
  // Signed under the role's key ID by another key: an invalid signature, not a departed signer.
  w.repo.releases_signers = std::vector<SigningKey>{{own.id(), &other}};
  TrustedRepository r = w.load();
  REQUIRE(r.failure("targets/releases") != nullptr);
  CHECK(r.unverified.count("targets/releases") == 0);
  RepoEditor editor(w.repo.gun, r);
  WitnessKeys keys;
  keys.add(own);
  CHECK(code_of([&] { editor.apply(witness_of("targets/releases"), keys); }) ==
        ErrorCode::invalid_argument);
}

TEST_CASE("witness: a valid role is signed again as it is, with its version bumped") {
  WitnessWorld w;
  TrustedRepository r = w.load();
  REQUIRE(r.role("targets/releases") != nullptr);
  RepoEditor editor(w.repo.gun, r);
  WitnessKeys keys;
  keys.add(w.repo.keys.at("targets/releases"));
  keys.add(w.repo.keys.at("snapshot"));
  editor.apply(witness_of("targets/releases"), keys);
  check_valid_again(editor, editor.sign(keys, w.repo.now), w.repo.now, w.repo.version);
}

TEST_CASE(
    "witness: expired targets and snapshot are loaded only when renewing, and signed "
    "again") {
  WitnessWorld w;
  w.repo.expires["targets"] = w.repo.now - std::chrono::hours(1);
  w.repo.expires["snapshot"] = w.repo.now - std::chrono::hours(1);
  w.repo.publish();
  w.repo.serve(w.server);
  FixedClock clock(w.repo.now);
  {
    Updater u(w.repo.gun, w.server, w.cache, clock);
    CHECK(code_of([&] { u.update(); }) == ErrorCode::expired);
  }
  Updater u(w.repo.gun, w.server, w.cache, clock);
  UpdateOptions renew;
  renew.renew_expired = true;
  TrustedRepository r = u.update(renew);
  REQUIRE(r.role("targets") != nullptr);
  bool warned = false;
  for (const auto& msg : r.warnings) warned |= msg.find("targets expired") != std::string::npos;
  CHECK(warned);

  RepoEditor editor(w.repo.gun, r);
  WitnessKeys keys;
  keys.add(w.repo.keys.at("targets"));
  keys.add(w.repo.keys.at("snapshot"));
  editor.apply(witness_of("targets"), keys);
  const auto files = editor.sign(keys, w.repo.now);
  const RepoFile* t = file_of(files, "targets");
  const RepoFile* s = file_of(files, "snapshot");
  REQUIRE(t != nullptr);
  REQUIRE(s != nullptr);
  SignedFile tf = SignedFile::parse(t->bytes, "targets");
  CHECK_NOTHROW(verify_signatures(tf, r.root.keys, r.root.role("targets"), "targets"));
  CHECK_NOTHROW(check_not_expired(tf, w.repo.now, "targets"));
  CHECK(tf.version == w.repo.version + 1);
  CHECK(Targets::parse(tf, "targets").targets.count("v1") == 1);
  CHECK_NOTHROW(check_not_expired(SignedFile::parse(s->bytes, "snapshot"), w.repo.now, "snapshot"));
}
