// Root key rotation as the editor signs it: the new root carries signatures of the previous
// root keys (their threshold) and of the new ones (theirs), so a client that trusts the
// previous root accepts it, and one that never saw the new key does not need to.
#include <doctest/doctest.h>

#include <map>

#include "error_code_of.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/keys.h"
#include "trust/crypto/signer.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/root_trust.h"

using namespace dct::trust;
using dct::ErrorCode;
using dct::test::code_of;

namespace {

class RotationKeys final : public KeyProvider {
 public:
  std::map<std::string, const PrivateKey*> held;
  bool has(const std::string& id) override { return held.count(id) > 0; }
  const PrivateKey& get(const std::string& id, const std::string&) override { return *held.at(id); }
  void hold(const PrivateKey& k) { held[k.id()] = &k; }
};

struct RotationRepo {
  std::string gun = "example.com/rotate";
  TimePoint now = std::chrono::system_clock::now();
  PrivateKey root = PrivateKey::generate();
  PrivateKey targets = PrivateKey::generate();
  PrivateKey snapshot = PrivateKey::generate();
  PrivateKey timestamp = PrivateKey::generate();
  RotationKeys keys;
  std::optional<RepoEditor> editor;
  Root first;

  RotationRepo() {
    InitKeys init;
    init.root = &root;
    init.root_certificate = root_certificate_key(root, gun, now);
    init.targets = targets.public_key();
    init.snapshot = snapshot.public_key();
    init.timestamp = timestamp.public_key();
    std::vector<RepoFile> created;
    editor.emplace(RepoEditor::initialize(gun, init, targets, &snapshot, now, &created));
    first = editor->root();
    for (const PrivateKey* k : {&root, &targets, &snapshot}) keys.hold(*k);
  }
};

int signatures_by(const Root& r, const PublicKey& key) {
  int n = 0;
  for (const auto& s : r.file.signatures)
    if (s.keyid == key.id()) ++n;
  return n;
}

}  // namespace

TEST_CASE("a rotated root is signed by the previous and the new root key") {
  RotationRepo repo;
  const PrivateKey new_root = PrivateKey::generate();
  repo.keys.hold(new_root);
  const PublicKey new_cert = root_certificate_key(new_root, repo.gun, repo.now);
  const PublicKey old_cert = repo.first.keys.at(repo.first.role("root").keyids.front());
  repo.editor->rotate_root_key(new_cert);
  const auto files = repo.editor->sign(repo.keys, repo.now);
  REQUIRE(!files.empty());
  CHECK(files.front().role == "root");
  const Root rotated = Root::parse(SignedFile::parse(files.front().bytes, "root"));
  CHECK(rotated.file.version == repo.first.file.version + 1);
  CHECK(rotated.role("root").keyids == std::vector<std::string>{new_cert.id()});
  CHECK(rotated.keys.count(old_cert.id()) == 1);  // kept, as notary keeps it
  CHECK(signatures_by(rotated, old_cert) == 1);
  CHECK(signatures_by(rotated, new_cert) == 1);
  // What a client with the previous root checks, and a first-time client with the new one.
  CHECK_NOTHROW(verify_root(rotated, &repo.first, repo.gun, {}, repo.now, {}));
  CHECK_NOTHROW(verify_root(rotated, nullptr, repo.gun, {}, repo.now, {}));
  CHECK_NOTHROW(verify_signatures(rotated.file, repo.first.keys, repo.first.role("root"), "root"));

  SUBCASE("the next root change is signed by the new key alone") {
    const PrivateKey targets2 = PrivateKey::generate();
    repo.editor->rotate_base_key("targets", targets2.public_key());
    repo.keys.hold(targets2);
    repo.keys.held.erase(repo.root.id());  // the old root key may be gone by then
    const auto next = repo.editor->sign(repo.keys, repo.now);
    const Root r3 = Root::parse(SignedFile::parse(next.front().bytes, "root"));
    CHECK(signatures_by(r3, new_cert) == 1);
    CHECK(signatures_by(r3, old_cert) == 0);
    CHECK_NOTHROW(verify_root(r3, &rotated, repo.gun, {}, repo.now, {}));
  }
}

TEST_CASE("root rotation needs both keys, and refuses what is not a new root certificate") {
  RotationRepo repo;
  const PrivateKey new_root = PrivateKey::generate();
  const PublicKey new_cert = root_certificate_key(new_root, repo.gun, repo.now);

  SUBCASE("without the new private key") {
    repo.editor->rotate_root_key(new_cert);
    CHECK(code_of([&] { repo.editor->sign(repo.keys, repo.now); }) == ErrorCode::no_signing_key);
  }
  SUBCASE("without the previous root key: nothing vouches for the new one") {
    repo.keys.held.erase(repo.root.id());
    repo.keys.hold(new_root);
    repo.editor->rotate_root_key(new_cert);
    CHECK(code_of([&] { repo.editor->sign(repo.keys, repo.now); }) == ErrorCode::no_signing_key);
  }
  SUBCASE("a plain key, and the current root key") {
    CHECK(code_of([&] { repo.editor->rotate_root_key(new_root.public_key()); }) ==
          ErrorCode::invalid_argument);
    const PublicKey same = root_certificate_key(repo.root, repo.gun, repo.now);
    CHECK(code_of([&] { repo.editor->rotate_root_key(same); }) == ErrorCode::invalid_argument);
  }
}

TEST_CASE("a previous root with threshold 2 gets two old signatures") {
  RotationRepo repo;
  // A root role of two certificates, threshold 2 (as another tool may have made it).
  const PrivateKey second = PrivateKey::generate();
  const PublicKey c1 = repo.first.keys.at(repo.first.role("root").keyids.front());
  const PublicKey c2 = root_certificate_key(second, repo.gun, repo.now);
  Root two = repo.first;
  auto& sj = two.file.signed_json;
  sj["keys"][c2.id()] = c2.to_json();
  sj["roles"]["root"] = {{"keyids", {c1.id(), c2.id()}}, {"threshold", 2}};
  const std::string bytes = sign_metadata(sj, {{c1.id(), &repo.root}, {c2.id(), &second}});
  two = Root::parse(SignedFile::parse(bytes, "root"));
  TrustedRepository trusted;
  trusted.root = two;
  repo.keys.held.erase(repo.snapshot.id());  // the root alone is signed here
  RepoEditor editor(repo.gun, trusted);
  const PrivateKey new_root = PrivateKey::generate();
  const PublicKey new_cert = root_certificate_key(new_root, repo.gun, repo.now);
  editor.rotate_root_key(new_cert);
  repo.keys.hold(new_root);
  CHECK(code_of([&] { editor.sign(repo.keys, repo.now); }) == ErrorCode::no_signing_key);
  repo.keys.hold(second);
  RepoEditor again(repo.gun, trusted);
  again.rotate_root_key(new_cert);
  const auto files = again.sign(repo.keys, repo.now);
  const Root rotated = Root::parse(SignedFile::parse(files.front().bytes, "root"));
  CHECK(signatures_by(rotated, c1) == 1);
  CHECK(signatures_by(rotated, c2) == 1);
  CHECK(signatures_by(rotated, new_cert) == 1);
  CHECK_NOTHROW(verify_root(rotated, &two, repo.gun, {}, repo.now, {}));
}
