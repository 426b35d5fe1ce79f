// The repository editor: what `dct init`, `dct sign` and `dct publish` produce must verify with
// our verifier, follow notary's versions and expiries, and refuse changes it cannot sign.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/errors.h"
#include "error_code_of.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/signer.h"
#include "trust/formats/canonical_json.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/checks.h"

using namespace dct::trust;
using dct::ErrorCode;
using dct::test::code_of;
using nlohmann::json;

namespace {

const std::string kGun = "example.com/team/app";

class MemKeys final : public KeyProvider {
 public:
  void add(PrivateKey key) {
    const std::string id = key.id();
    keys_.emplace(id, std::move(key));
  }
  void drop(const std::string& id) { keys_.erase(id); }
  bool has(const std::string& id) override { return keys_.count(id) > 0; }
  const PrivateKey& get(const std::string& id, const std::string&) override {
    ++loads;
    return keys_.at(id);
  }
  int loads = 0;

 private:
  std::map<std::string, PrivateKey> keys_;
};

struct NewRepo {
  MemKeys keys;
  std::vector<RepoFile> created;
  std::string root_id, targets_id, snapshot_id;
  TimePoint now = std::chrono::system_clock::now();
};

RepoEditor make_repo(NewRepo& r, bool local_snapshot = true) {
  PrivateKey root = PrivateKey::generate();
  PrivateKey targets = PrivateKey::generate();
  PrivateKey snapshot = PrivateKey::generate();
  PrivateKey timestamp = PrivateKey::generate();
  InitKeys init;
  init.root = &root;
  init.root_certificate = root_certificate_key(root, kGun, r.now);
  init.targets = targets.public_key();
  init.snapshot = snapshot.public_key();
  init.timestamp = timestamp.public_key();
  RepoEditor e = RepoEditor::initialize(kGun, init, targets, local_snapshot ? &snapshot : nullptr,
                                        r.now, &r.created);
  r.root_id = root.id();
  r.targets_id = targets.id();
  r.snapshot_id = snapshot.id();
  r.keys.add(std::move(root));
  r.keys.add(std::move(targets));
  if (local_snapshot) r.keys.add(std::move(snapshot));
  return e;
}

const RepoFile* file(const std::vector<RepoFile>& files, const std::string& role) {
  for (const auto& f : files)
    if (f.role == role) return &f;
  return nullptr;
}

// Trust data as the updater would hand it over after the files were published.
TrustedRepository published(const std::vector<RepoFile>& files, const TrustedRepository* before) {
  TrustedRepository repo;
  if (before) repo = *before;
  repo.gun = kGun;
  for (const auto& f : files) {
    if (f.role == "root")
      repo.root = Root::parse(SignedFile::parse(f.bytes, "root"));
    else if (f.role == "snapshot")
      repo.snapshot = Snapshot::parse(SignedFile::parse(f.bytes, "snapshot"));
    else
      repo.roles.insert_or_assign(f.role,
                                  Targets::parse(SignedFile::parse(f.bytes, f.role), f.role));
  }
  repo.paths["targets"] = {""};
  return repo;
}

Change target(const std::string& role, const std::string& tag, const std::string& content,
              const std::string& action = "create") {
  Change c{action, role, "target", tag, std::nullopt, "test.change"};
  if (action != "delete")
    c.data = json{{"length", content.size()},
                  {"hashes", {{"sha256", dct::base64_encode(dct::sha256(content))}}}}
                 .dump();
  return c;
}

}  // namespace

TEST_CASE("initialize makes notary's root, targets and snapshot, all verifying") {
  NewRepo r;
  RepoEditor e = make_repo(r);
  REQUIRE(r.created.size() == 3);
  Root root = Root::parse(SignedFile::parse(file(r.created, "root")->bytes, "root"));
  CHECK(root.file.version == 1);
  CHECK(root.keys.size() == 4);
  CHECK_FALSE(root.consistent_snapshot);
  for (const char* role : {"root", "targets", "snapshot", "timestamp"}) {
    CHECK(root.role(role).threshold == 1);
    CHECK(root.role(role).keyids.size() == 1);
  }
  // The root role lists the certificate key; its canonical ID is the private key file's.
  const PublicKey& cert = root.keys.at(root.role("root").keyids[0]);
  CHECK(cert.type == "ecdsa-x509");
  CHECK(canonical_key_id(cert) == r.root_id);
  CHECK(verify_signatures(root.file, root.keys, root.role("root"), "root").valid == 1);
  const auto years = std::chrono::duration_cast<std::chrono::hours>(root.file.expires - r.now);
  CHECK(years.count() / 24 >= 3649);
  CHECK(years.count() / 24 <= 3650);

  Snapshot snap =
      Snapshot::parse(SignedFile::parse(file(r.created, "snapshot")->bytes, "snapshot"));
  CHECK(snap.meta.at("root").to_json() == file_meta_of(file(r.created, "root")->bytes).to_json());
  CHECK(snap.meta.at("targets").to_json() ==
        file_meta_of(file(r.created, "targets")->bytes).to_json());
  CHECK(verify_signatures(snap.file, root.keys, root.role("snapshot"), "snapshot").valid == 1);
}

TEST_CASE("the first publish uploads root as made and re-signs targets and snapshot as v2") {
  NewRepo r;
  RepoEditor e = make_repo(r);
  CHECK(e.initial_publish());
  auto files = e.sign(r.keys, r.now);
  REQUIRE(file(files, "root"));
  CHECK(file(files, "root")->bytes == file(r.created, "root")->bytes);
  TrustedRepository repo = published(files, nullptr);
  CHECK(repo.roles.at("targets").file.version == 2);
  CHECK(repo.snapshot.file.version == 2);
  CHECK(verify_signatures(repo.roles.at("targets").file, repo.root.keys, repo.root.role("targets"),
                          "targets")
            .valid == 1);
  CHECK(repo.snapshot.meta.at("targets").to_json() ==
        file_meta_of(file(files, "targets")->bytes).to_json());
  // Written bytes are a fixed point of parse and canonical re-encoding (what Go's client hashes).
  for (const auto& f : files) {
    SignedFile parsed = SignedFile::parse(f.bytes, f.role);
    CHECK(canonical_json(parsed.signed_json) == parsed.canonical);
    CHECK(f.bytes.find('\n') == std::string::npos);
  }
}

TEST_CASE("signing targets: versions bump, unchanged entries need no key, missing keys refuse") {
  NewRepo r;
  RepoEditor first = make_repo(r);
  TrustedRepository repo = published(first.sign(r.keys, r.now), nullptr);

  RepoEditor e(kGun, repo);
  e.apply(target("targets", "v1", "manifest one <&>"), r.keys);
  auto files = e.sign(r.keys, r.now);
  CHECK(files.size() == 2);  // targets and snapshot; root unchanged
  CHECK_FALSE(file(files, "root"));
  repo = published(files, &repo);
  CHECK(repo.roles.at("targets").file.version == 3);
  CHECK(repo.roles.at("targets").targets.count("v1") == 1);
  CHECK(repo.snapshot.file.version == 3);

  // The same target again changes nothing and needs no key at all.
  MemKeys none;
  RepoEditor same(kGun, repo);
  same.apply(target("targets", "v1", "manifest one <&>"), none);
  CHECK_FALSE(same.has_changes());

  RepoEditor other(kGun, repo);
  CHECK(code_of([&] { other.apply(target("targets", "v2", "x"), none); }) ==
        ErrorCode::no_signing_key);
  CHECK(code_of([&] { other.apply(target("targets/nope", "v2", "x"), r.keys); }) ==
        ErrorCode::invalid_argument);
}

TEST_CASE("delegations: create with keys and paths, sign into the new role, remove it") {
  NewRepo r;
  RepoEditor first = make_repo(r);
  TrustedRepository repo = published(first.sign(r.keys, r.now), nullptr);
  PrivateKey jeff = PrivateKey::generate();
  const auto now = std::chrono::system_clock::now();
  PublicKey jeff_cert = certificate_key(
      jeff, create_certificate(jeff, "jeff", now, now + std::chrono::hours(24 * 365)));
  const std::string jeff_id = jeff.id();
  r.keys.add(std::move(jeff));

  RepoEditor e(kGun, repo);
  e.apply({"create", "targets/releases", "delegation", "",
           json{{"threshold", 1}, {"add_keys", {jeff_cert.to_json()}}}.dump(), "a"},
          r.keys);
  e.apply({"create", "targets/releases", "delegation", "", json{{"add_paths", {""}}}.dump(), "b"},
          r.keys);
  CHECK(e.has_role("targets/releases"));
  CHECK(e.signers("targets/releases").canonical_ids() == std::vector<std::string>{jeff_id});
  // A role declared but never signed into starts empty and becomes version 1.
  e.apply(target("targets/releases", "v1", "m1"), r.keys);
  auto files = e.sign(r.keys, r.now);
  REQUIRE(file(files, "targets/releases"));
  repo = published(files, &repo);
  const Targets& rel = repo.roles.at("targets/releases");
  CHECK(rel.file.version == 1);
  const Targets& parent = repo.roles.at("targets");
  CHECK(verify_signatures(rel.file, parent.delegation_keys,
                          RoleKeys{parent.find_delegation("targets/releases")->keyids, 1},
                          "targets/releases")
            .valid == 1);
  CHECK(repo.snapshot.meta.count("targets/releases") == 1);

  // Removing the role drops it from targets, from the keys and from the snapshot.
  RepoEditor d(kGun, repo);
  d.apply({"delete", "targets/releases", "delegation", "", std::nullopt, "c"}, r.keys);
  repo = published(d.sign(r.keys, r.now), &repo);
  CHECK(repo.roles.at("targets").delegations.empty());
  CHECK(repo.roles.at("targets").delegation_keys.empty());
  CHECK(repo.snapshot.meta.count("targets/releases") == 0);
}

TEST_CASE("remove_keys takes canonical IDs, paths must stay inside the parent's") {
  NewRepo r;
  RepoEditor first = make_repo(r);
  TrustedRepository repo = published(first.sign(r.keys, r.now), nullptr);
  PrivateKey a = PrivateKey::generate(), b = PrivateKey::generate();
  RepoEditor e(kGun, repo);
  e.apply({"create", "targets/qa", "delegation", "",
           json{{"threshold", 1},
                {"add_keys", {a.public_key().to_json(), b.public_key().to_json()}},
                {"add_paths", {"qa-"}}}
               .dump(),
           "a"},
          r.keys);
  CHECK(e.signers("targets/qa").keys.size() == 2);
  e.apply({"update", "targets/qa", "delegation", "", json{{"remove_keys", {a.id()}}}.dump(), "b"},
          r.keys);
  CHECK(e.signers("targets/qa").canonical_ids() == std::vector<std::string>{b.id()});
  CHECK(e.role("targets")->keys.size() == 1);  // a's key pruned
  // A tag outside the role's paths cannot be signed there.
  r.keys.add(std::move(b));
  CHECK(code_of([&] { e.apply(target("targets/qa", "prod-1", "x"), r.keys); }) ==
        ErrorCode::invalid_argument);
  e.apply(target("targets/qa", "qa-1", "x"), r.keys);
  auto files = e.sign(r.keys, r.now);
  CHECK(file(files, "targets/qa"));
}

TEST_CASE("key rotation: the root is re-signed by the root key, the snapshot goes to the server") {
  NewRepo r;
  RepoEditor first = make_repo(r);
  TrustedRepository repo = published(first.sign(r.keys, r.now), nullptr);
  RepoEditor e(kGun, repo);
  PrivateKey server_snapshot = PrivateKey::generate();
  e.rotate_base_key("snapshot", server_snapshot.public_key());
  CHECK_FALSE(e.snapshot_signed_locally(r.keys));
  auto files = e.sign(r.keys, r.now);
  REQUIRE(file(files, "root"));
  CHECK_FALSE(file(files, "snapshot"));  // the server makes it now
  Root root = Root::parse(SignedFile::parse(file(files, "root")->bytes, "root"));
  CHECK(root.file.version == 2);
  CHECK(root.role("snapshot").keyids ==
        std::vector<std::string>{server_snapshot.public_key().id()});
  CHECK(root.keys.count(r.snapshot_id) == 0);  // the old snapshot key left root
  CHECK(verify_signatures(root.file, repo.root.keys, repo.root.role("root"), "root").valid == 1);
  CHECK(code_of([&] { e.rotate_base_key("root", server_snapshot.public_key()); }) ==
        ErrorCode::invalid_argument);

  // Without the root key nothing can be rotated.
  MemKeys others;
  RepoEditor f(kGun, published(files, &repo));
  f.rotate_base_key("targets", PrivateKey::generate().public_key());
  CHECK(code_of([&] { f.sign(others, r.now); }) == ErrorCode::no_signing_key);
}
