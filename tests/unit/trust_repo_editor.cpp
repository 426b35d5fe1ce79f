// The repository editor (trust/repo_editor.h): `notary init`'s files, publish's handling of
// staged changes, re-signing and the snapshot (protocol notes 4.4, 7.1, 7.3). Every set of
// files the editor produces is checked the way a client or the server would check it: roots by
// their own keys, roles by their parents' keys, snapshot entries against the files' bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/encoding.h"
#include "base/errors.h"
#include "error_code_of.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/private_key.h"
#include "trust/formats/canonical_json.h"
#include "trust/formats/metadata.h"
#include "trust/formats/time.h"
#include "trust/publish/changelist.h"
#include "trust/publish/repo_editor.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/updater.h"

using namespace dct;
using namespace dct::trust;
using namespace std::chrono_literals;
using dct::test::code_of;
using nlohmann::json;

namespace {

constexpr auto kDay = std::chrono::hours(24);

// Private keys by canonical ID, as the key store holds them.
struct MapKeys final : KeyProvider {
  std::map<std::string, const PrivateKey*> keys;
  std::vector<std::string> asked;  // roles named when a key was taken

  MapKeys() = default;
  MapKeys(std::initializer_list<const PrivateKey*> list) {
    for (const auto* k : list) add(*k);
  }
  void add(const PrivateKey& k) { keys[k.id()] = &k; }
  bool has(const std::string& id) override { return keys.count(id) > 0; }
  const PrivateKey& get(const std::string& id, const std::string& role) override {
    auto it = keys.find(id);
    if (it == keys.end()) throw Error(ErrorCode::no_signing_key, "no key " + id);
    asked.push_back(role);
    return *it->second;
  }
};

Change make_change(std::string action, std::string role, std::string type, std::string path,
                   std::optional<json> data) {
  Change c;
  c.action = std::move(action);
  c.role = std::move(role);
  c.type = std::move(type);
  c.path = std::move(path);
  if (data) c.data = data->dump();
  c.file = "00000000000000000001_test.change";
  return c;
}

// What `notary add` stages (stdlib order, sha256 only here).
json target_data(const std::string& content) {
  return json::parse("{\"length\":" + std::to_string(content.size()) +
                     ",\"hashes\":{\"sha256\":\"" + base64_encode(sha256(content)) + "\"}}");
}

Change add_target(const std::string& role, const std::string& name, const std::string& content) {
  return make_change("create", role, "target", name, target_data(content));
}

Change remove_target(const std::string& role, const std::string& name) {
  return make_change("delete", role, "target", name, std::nullopt);
}

Change delegation(const std::string& action, const std::string& role, std::optional<json> data) {
  return make_change(action, role, "delegation", "", std::move(data));
}

Change add_keys(const std::string& role, const std::vector<PublicKey>& keys) {
  json list = json::array();
  for (const auto& k : keys) list.push_back(k.to_json());
  return delegation("create", role, json{{"threshold", 1}, {"add_keys", list}});
}

Change add_paths(const std::string& role, const std::vector<std::string>& paths) {
  return delegation("create", role, json{{"add_paths", paths}});
}

std::vector<std::string> roles_of(const std::vector<RepoFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.role);
  return out;
}

const RepoFile& file_of(const std::vector<RepoFile>& files, const std::string& role) {
  auto it =
      std::find_if(files.begin(), files.end(), [&](const RepoFile& f) { return f.role == role; });
  REQUIRE_MESSAGE(it != files.end(), "no file for " << role);
  return *it;
}

// A repository: its keys and what the server holds (role -> bytes).
struct World {
  TimePoint now = *parse_rfc3339("2024-03-01T12:00:00.123456789Z");
  std::string gun = "example.com/app";
  PrivateKey root = PrivateKey::generate("ecdsa");
  PrivateKey targets = PrivateKey::generate("ecdsa");
  PrivateKey snapshot = PrivateKey::generate("ecdsa");
  PrivateKey timestamp = PrivateKey::generate("ecdsa");
  PrivateKey releases = PrivateKey::generate("ecdsa");
  PrivateKey qa = PrivateKey::generate("ed25519");
  PrivateKey other = PrivateKey::generate("ecdsa");
  InitKeys init;
  MapKeys all{&root, &targets, &snapshot, &releases, &qa, &other};
  std::map<std::string, std::string> server;

  World() {
    init.root = &root;
    init.root_certificate = root_certificate_key(root, gun, now);
    init.targets = targets.public_key();
    init.snapshot = snapshot.public_key();
    init.timestamp = timestamp.public_key();
  }

  void store(const std::vector<RepoFile>& files) {
    for (const auto& f : files) server[f.role] = f.bytes;
  }

  // notary init + the first publish: root v1, targets v2, snapshot v2 on the server.
  void publish_initial() {
    RepoEditor e = RepoEditor::initialize(gun, init, targets, &snapshot, now, nullptr);
    store(e.sign(all, now));
  }

  Root root_file() const { return Root::parse(SignedFile::parse(server.at("root"), "root")); }
  Snapshot snapshot_file() const {
    return Snapshot::parse(SignedFile::parse(server.at("snapshot"), "snapshot"));
  }
  Targets role_file(const std::string& role) const {
    return Targets::parse(SignedFile::parse(server.at(role), role), role);
  }

  // The verified trust data an update would hand the editor: every role the server holds.
  TrustedRepository trusted() const {
    TrustedRepository repo;
    repo.gun = gun;
    repo.root = root_file();
    repo.snapshot = snapshot_file();
    for (const auto& [name, bytes] : server) {
      if (name != "targets" && name.rfind("targets/", 0) != 0) continue;
      repo.roles.emplace(name, role_file(name));
      if (name == "targets") {
        repo.paths[name] = {""};
        continue;
      }
      const auto& parent_paths = repo.paths.at(parent_role(name));
      const DelegationRole* d = repo.roles.at(parent_role(name)).find_delegation(name);
      REQUIRE(d);
      std::vector<std::string> effective;
      for (const auto& p : d->paths)
        for (const auto& allowed : parent_paths)
          if (p.rfind(allowed, 0) == 0) {
            effective.push_back(p);
            break;
          }
      repo.paths[name] = effective;
    }
    return repo;
  }

  RepoEditor editor() const { return RepoEditor(gun, trusted()); }

  // Checks the server's files as a client would: signatures by the right keys, and the
  // snapshot's entries against the bytes of every role file.
  void verify() const {
    const Root r = root_file();
    verify_signatures(r.file, r.keys, r.role("root"), "root");
    std::map<std::string, Targets> roles;
    for (const auto& [name, bytes] : server) {
      if (name != "targets" && name.rfind("targets/", 0) != 0) continue;
      CAPTURE(name);
      Targets t = role_file(name);
      if (name == "targets") {
        verify_signatures(t.file, r.keys, r.role("targets"), name);
      } else {
        REQUIRE(roles.count(parent_role(name)));
        const Targets& parent = roles.at(parent_role(name));
        const DelegationRole* d = parent.find_delegation(name);
        REQUIRE_MESSAGE(d, name << " is not declared by its parent");
        verify_signatures(t.file, parent.delegation_keys, RoleKeys{d->keyids, d->threshold}, name);
      }
      roles.emplace(name, std::move(t));
    }
    if (!server.count("snapshot")) return;
    const Snapshot s = snapshot_file();
    verify_signatures(s.file, r.keys, r.role("snapshot"), "snapshot");
    for (const auto& [name, meta] : s.meta) {
      CAPTURE(name);
      REQUIRE(server.count(name));
      check_file_meta(meta, server.at(name), name, "snapshot");
      CHECK(meta.hashes.count("sha256"));
      CHECK(meta.hashes.count("sha512"));
    }
    for (const auto& [name, t] : roles) {
      CAPTURE(name);
      CHECK(s.meta.count(name));
    }
  }
};

}  // namespace

TEST_CASE("RepoEditor::initialize makes root, targets and snapshot v1 as notary init does") {
  World w;
  std::vector<RepoFile> created;
  RepoEditor e = RepoEditor::initialize(w.gun, w.init, w.targets, &w.snapshot, w.now, &created);
  REQUIRE(roles_of(created) == std::vector<std::string>{"root", "targets", "snapshot"});

  const Root r = Root::parse(SignedFile::parse(created[0].bytes, "root"));
  const std::string cert_id = w.init.root_certificate.id();
  CHECK(r.file.version == 1);
  CHECK_FALSE(r.consistent_snapshot);
  CHECK(r.file.signed_json.at("consistent_snapshot") == false);
  CHECK(r.keys.size() == 4);
  CHECK(r.roles.size() == 4);
  for (const char* role : {"root", "targets", "snapshot", "timestamp"}) {
    CAPTURE(role);
    REQUIRE(r.roles.count(role));
    CHECK(r.roles.at(role).threshold == 1);
    CHECK(r.roles.at(role).keyids.size() == 1);
  }
  CHECK(r.roles.at("root").keyids[0] == cert_id);
  CHECK(r.roles.at("targets").keyids[0] == w.targets.id());
  CHECK(r.roles.at("snapshot").keyids[0] == w.snapshot.id());
  CHECK(r.roles.at("timestamp").keyids[0] == w.timestamp.id());
  CHECK(r.keys.at(cert_id).type == "ecdsa-x509");
  CHECK(canonical_key_id(r.keys.at(cert_id)) == w.root.id());
  CHECK(r.keys.at(w.timestamp.id()) == w.timestamp.public_key());
  // 10 x 365 days (two leap days short of ten calendar years), nanoseconds kept.
  CHECK(r.file.expires_text == "2034-02-27T12:00:00.123456789Z");
  CHECK(r.file.expires_text == format_rfc3339_nano(w.now + 3650 * kDay));
  REQUIRE(r.file.signatures.size() == 1);
  CHECK(r.file.signatures[0].keyid == cert_id);
  CHECK(r.file.signatures[0].method == "ecdsa");
  CHECK(verify_signatures(r.file, r.keys, r.role("root"), "root").valid == 1);
  CHECK(e.root().file.raw == created[0].bytes);

  const Targets t = Targets::parse(SignedFile::parse(created[1].bytes, "targets"), "targets");
  CHECK(t.file.version == 1);
  CHECK(t.file.expires_text == "2027-03-01T12:00:00.123456789Z");
  CHECK(t.targets.empty());
  CHECK(t.file.signed_json.at("targets") == json::object());
  CHECK(t.file.signed_json.at("delegations") == json::parse(R"({"keys":{},"roles":[]})"));
  REQUIRE(t.file.signatures.size() == 1);
  CHECK(t.file.signatures[0].keyid == w.targets.id());
  CHECK(verify_signatures(t.file, r.keys, r.role("targets"), "targets").valid == 1);

  const Snapshot s = Snapshot::parse(SignedFile::parse(created[2].bytes, "snapshot"));
  CHECK(s.file.version == 1);
  CHECK(s.file.expires_text == "2027-03-01T12:00:00.123456789Z");
  CHECK(s.meta.size() == 2);
  CHECK(s.meta.at("root").to_json() == file_meta_of(created[0].bytes).to_json());
  CHECK(s.meta.at("targets").to_json() == file_meta_of(created[1].bytes).to_json());
  CHECK(s.meta.at("root").length == static_cast<long long>(created[0].bytes.size()));
  CHECK(s.meta.at("root").hashes.at("sha512") == sha512(created[0].bytes));
  check_file_meta(s.meta.at("targets"), created[1].bytes, "targets", "snapshot");
  CHECK(verify_signatures(s.file, r.keys, r.role("snapshot"), "snapshot").valid == 1);

  CHECK(e.initial_publish());
  CHECK(e.has_changes());
  REQUIRE(e.role("targets"));
  CHECK(e.role("targets")->version == 1);
  CHECK(e.gun() == w.gun);
}

TEST_CASE("RepoEditor::initialize without a snapshot key makes no snapshot file") {
  World w;
  std::vector<RepoFile> created;
  RepoEditor e = RepoEditor::initialize(w.gun, w.init, w.targets, nullptr, w.now, &created);
  CHECK(roles_of(created) == std::vector<std::string>{"root", "targets"});
  const Root r = Root::parse(SignedFile::parse(created[0].bytes, "root"));
  // The server's snapshot key is still listed.
  CHECK(r.roles.at("snapshot").keyids == std::vector<std::string>{w.snapshot.id()});
  CHECK(r.keys.count(w.snapshot.id()));

  // Publishing without the snapshot key: root and targets only, the server makes the snapshot.
  MapKeys keys{&w.root, &w.targets};
  CHECK_FALSE(e.snapshot_signed_locally(keys));
  const auto files = e.sign(keys, w.now + 1h);
  CHECK(roles_of(files) == std::vector<std::string>{"root", "targets"});
  CHECK(files[0].bytes == created[0].bytes);
  const Targets t = Targets::parse(SignedFile::parse(files[1].bytes, "targets"), "targets");
  CHECK(t.file.version == 2);
  CHECK(verify_signatures(t.file, r.keys, r.role("targets"), "targets").valid == 1);
}

TEST_CASE("the first publish uploads root as created and re-signs targets and snapshot at v2") {
  World w;
  std::vector<RepoFile> created;
  RepoEditor e = RepoEditor::initialize(w.gun, w.init, w.targets, &w.snapshot, w.now, &created);
  const TimePoint later = w.now + 90 * kDay + 1ns;
  const auto files = e.sign(w.all, later);
  REQUIRE(roles_of(files) == std::vector<std::string>{"root", "targets", "snapshot"});
  CHECK(files[0].bytes == created[0].bytes);

  const Root r = Root::parse(SignedFile::parse(files[0].bytes, "root"));
  CHECK(r.file.version == 1);
  const Targets t = Targets::parse(SignedFile::parse(files[1].bytes, "targets"), "targets");
  CHECK(t.file.version == 2);
  CHECK(t.file.expires_text == format_rfc3339_nano(later + 3 * 365 * kDay));
  CHECK(t.file.raw != created[1].bytes);
  const Snapshot s = Snapshot::parse(SignedFile::parse(files[2].bytes, "snapshot"));
  CHECK(s.file.version == 2);
  CHECK(s.file.expires_text == format_rfc3339_nano(later + 3 * 365 * kDay));
  CHECK(s.meta.size() == 2);
  CHECK(s.meta.at("root").to_json() == file_meta_of(created[0].bytes).to_json());
  CHECK(s.meta.at("targets").to_json() == file_meta_of(files[1].bytes).to_json());

  w.store(files);
  w.verify();
  CHECK_FALSE(e.initial_publish());
  CHECK_FALSE(e.has_changes());
  CHECK(e.role("targets")->version == 2);

  // The published state loads back into an editor with nothing to do.
  RepoEditor again = w.editor();
  CHECK_FALSE(again.has_changes());
  CHECK_FALSE(again.initial_publish());
  CHECK(again.role("targets")->version == 2);
}

TEST_CASE("the first publish needs the targets key") {
  World w;
  RepoEditor e = RepoEditor::initialize(w.gun, w.init, w.targets, &w.snapshot, w.now, nullptr);
  MapKeys keys{&w.root, &w.snapshot};
  CHECK(code_of([&] { e.sign(keys, w.now); }) == ErrorCode::no_signing_key);
}

TEST_CASE("target changes: create, unchanged without a key, update, delete") {
  World w;
  w.publish_initial();
  MapKeys none;

  RepoEditor e = w.editor();
  e.apply(add_target("targets", "v1", "hello"), w.all);
  e.apply(add_target("targets", "v2", "second"), w.all);
  CHECK(e.has_changes());
  auto files = e.sign(w.all, w.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets", "snapshot"});
  w.store(files);
  w.verify();
  Targets t = w.role_file("targets");
  CHECK(t.file.version == 3);
  REQUIRE(t.targets.count("v1"));
  CHECK(t.targets.at("v1").length == 5);
  CHECK(t.targets.at("v1").hashes.size() == 1);
  CHECK(t.targets.at("v1").hashes.at("sha256") == sha256("hello"));
  CHECK(canonical_json(t.file.signed_json.at("targets").at("v1")) ==
        R"({"hashes":{"sha256":")" + base64_encode(sha256("hello")) + R"("},"length":5})");

  SUBCASE("an unchanged target needs no key") {
    RepoEditor e2 = w.editor();
    e2.apply(add_target("targets", "v1", "hello"), none);
    e2.apply(make_change("update", "targets", "target", "v2", target_data("second")), none);
    CHECK_FALSE(e2.has_changes());
  }
  SUBCASE("a changed target needs the role's key") {
    RepoEditor e2 = w.editor();
    CHECK(code_of([&] { e2.apply(add_target("targets", "v1", "hello!"), none); }) ==
          ErrorCode::no_signing_key);
    RepoEditor e3 = w.editor();
    CHECK(code_of([&] { e3.apply(add_target("targets", "v3", "new"), none); }) ==
          ErrorCode::no_signing_key);
  }
  SUBCASE("update replaces the entry") {
    RepoEditor e2 = w.editor();
    e2.apply(make_change("update", "targets", "target", "v1", target_data("hello, world")), w.all);
    w.store(e2.sign(w.all, w.now));
    w.verify();
    const Targets t2 = w.role_file("targets");
    CHECK(t2.file.version == 4);
    CHECK(t2.targets.at("v1").length == 12);
    CHECK(t2.targets.at("v1").hashes.at("sha256") == sha256("hello, world"));
    CHECK(t2.targets.at("v2").length == 6);
  }
  SUBCASE("custom data is kept") {
    RepoEditor e2 = w.editor();
    json data = target_data("abc");
    data["custom"] = {{"b", 2}, {"a", "x"}};
    e2.apply(make_change("create", "targets", "target", "c", data), w.all);
    w.store(e2.sign(w.all, w.now));
    const Targets t2 = w.role_file("targets");
    REQUIRE(t2.targets.at("c").custom);
    CHECK(*t2.targets.at("c").custom == json{{"a", "x"}, {"b", 2}});
  }
  SUBCASE("delete") {
    RepoEditor e2 = w.editor();
    // Removing what is not there changes nothing and needs no key.
    e2.apply(remove_target("targets", "absent"), none);
    CHECK_FALSE(e2.has_changes());
    CHECK(code_of([&] { e2.apply(remove_target("targets", "v1"), none); }) ==
          ErrorCode::no_signing_key);

    RepoEditor e3 = w.editor();
    e3.apply(remove_target("targets", "v1"), w.all);
    CHECK(e3.has_changes());
    CHECK_FALSE(e3.role("targets")->targets.count("v1"));
    w.store(e3.sign(w.all, w.now));
    w.verify();
    const Targets t2 = w.role_file("targets");
    CHECK(t2.file.version == 4);
    CHECK_FALSE(t2.targets.count("v1"));
    CHECK(t2.targets.count("v2"));
  }
}

TEST_CASE("target changes into missing roles, wrong scopes or outside a role's paths fail") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {"release/", "stable"}), w.all);
  w.store(setup.sign(w.all, w.now));
  w.verify();

  auto fails = [&](const Change& c) {
    RepoEditor e = w.editor();
    return code_of([&] { e.apply(c, w.all); });
  };
  CHECK(fails(add_target("targets/nonexistent", "x", "1")) == ErrorCode::invalid_argument);
  CHECK(fails(add_target("targets/releases/nested", "release/x", "1")) ==
        ErrorCode::invalid_argument);
  CHECK(fails(add_target("root", "x", "1")) == ErrorCode::invalid_argument);
  CHECK(fails(add_target("snapshot", "x", "1")) == ErrorCode::invalid_argument);
  CHECK(fails(add_target("targets/Releases", "release/x", "1")) == ErrorCode::invalid_argument);
  CHECK(fails(add_target("targets/releases", "other/x", "1")) == ErrorCode::invalid_argument);
  CHECK(fails(add_target("targets/releases", "relea", "1")) == ErrorCode::invalid_argument);
  CHECK(fails(make_change("create", "targets", "target", "x", std::nullopt)) ==
        ErrorCode::invalid_argument);
  CHECK(fails(make_change("create", "targets", "target", "x", json::array())) ==
        ErrorCode::invalid_argument);
  CHECK(fails(make_change("create", "targets", "target", "x", json{{"length", 1}})) ==
        ErrorCode::invalid_argument);
  CHECK(fails(make_change("create", "targets", "target", "x",
                          json{{"length", 1}, {"hashes", {{"sha256", "not base64!"}}}})) ==
        ErrorCode::invalid_argument);
  CHECK(fails(make_change("rename", "targets", "target", "x", target_data("1"))) ==
        ErrorCode::invalid_argument);
  CHECK(fails(make_change("create", "targets", "bogus", "x", target_data("1"))) ==
        ErrorCode::invalid_argument);
  {
    Change c = make_change("create", "targets", "target", "x", std::nullopt);
    c.data = "not json";
    CHECK(fails(c) == ErrorCode::invalid_argument);
  }

  // Allowed paths sign fine (a prefix match, as notary's paths are prefixes).
  RepoEditor e = w.editor();
  CHECK(e.path_allowed("targets/releases", "release/1.0"));
  CHECK(e.path_allowed("targets/releases", "stable-2"));
  CHECK_FALSE(e.path_allowed("targets/releases", "other"));
  e.apply(add_target("targets/releases", "release/1.0", "1"), w.all);
  e.apply(add_target("targets/releases", "stable-2", "2"), w.all);
  w.store(e.sign(w.all, w.now));
  w.verify();
  CHECK(w.role_file("targets/releases").targets.size() == 2);
}

TEST_CASE("delegation create adds keys and paths to the parent; removed keys are pruned") {
  World w;
  w.publish_initial();
  RepoEditor e = w.editor();
  e.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  e.apply(add_paths("targets/releases", {"release/", "stable/"}), w.all);

  const EditableTargets* t = e.role("targets");
  REQUIRE(t);
  REQUIRE(t->delegations.size() == 1);
  const DelegationRole& d = t->delegations[0];
  CHECK(d.name == "targets/releases");
  CHECK(d.keyids == std::vector<std::string>{w.releases.id()});
  CHECK(d.threshold == 1);
  CHECK(d.paths == std::vector<std::string>{"release/", "stable/"});
  CHECK(t->keys.size() == 1);
  CHECK(t->keys.at(w.releases.id()) == w.releases.public_key());
  CHECK(e.has_role("targets/releases"));
  CHECK(e.role("targets/releases") == nullptr);
  CHECK(e.paths("targets/releases") == std::vector<std::string>{"release/", "stable/"});
  CHECK(e.signers("targets/releases").keys.size() == 1);
  CHECK(e.can_sign("targets/releases", w.all));

  auto files = e.sign(w.all, w.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets", "snapshot"});
  w.store(files);
  w.verify();
  Targets parsed = w.role_file("targets");
  CHECK(parsed.file.version == 3);
  CHECK(canonical_json(parsed.file.signed_json.at("delegations").at("roles")) ==
        R"([{"keyids":[")" + w.releases.id() +
            R"("],"name":"targets/releases","paths":["release/","stable/"],"threshold":1}])");
  CHECK(parsed.delegation_keys.at(w.releases.id()) == w.releases.public_key());
  CHECK_FALSE(w.snapshot_file().meta.count("targets/releases"));

  // A second key, then the first one removed, some paths removed, then all cleared.
  RepoEditor e2 = w.editor();
  e2.apply(add_keys("targets/releases", {w.qa.public_key()}), w.all);
  CHECK(e2.role("targets")->delegations[0].keyids ==
        std::vector<std::string>{w.releases.id(), w.qa.id()});
  CHECK(e2.role("targets")->keys.size() == 2);
  e2.apply(delegation("update", "targets/releases",
                      json{{"remove_keys", {w.releases.id()}}, {"remove_paths", {"stable/"}}}),
           w.all);
  const EditableTargets* t2 = e2.role("targets");
  CHECK(t2->delegations[0].keyids == std::vector<std::string>{w.qa.id()});
  CHECK(t2->keys.size() == 1);
  CHECK(t2->keys.count(w.qa.id()));
  CHECK(t2->delegations[0].paths == std::vector<std::string>{"release/"});
  e2.apply(delegation("update", "targets/releases", json{{"clear_paths", true}}), w.all);
  CHECK(e2.role("targets")->delegations[0].paths.empty());
  CHECK(e2.paths("targets/releases").empty());
  w.store(e2.sign(w.all, w.now));
  w.verify();
  parsed = w.role_file("targets");
  const json role = parsed.file.signed_json.at("delegations").at("roles").at(0);
  CHECK_FALSE(role.contains("paths"));  // omitempty
  CHECK(role.at("keyids") == json::array({w.qa.id()}));
  CHECK(parsed.delegation_keys.size() == 1);

  // A change's threshold only applies to a new role: an existing one keeps its own, as in
  // notary (`delegation add` always sends 1, which must not lower a threshold of 2).
  RepoEditor e3 = w.editor();
  e3.apply(delegation("update", "targets/releases", json{{"threshold", 2}}), w.all);
  CHECK(e3.role("targets")->delegations[0].threshold == 1);
  CHECK(e3.role("targets")->delegations[0].keyids == std::vector<std::string>{w.qa.id()});
  e3.apply(delegation("create", "targets/two",
                      json{{"threshold", 2},
                           {"add_keys", json::array({w.releases.public_key().to_json(),
                                                     w.other.public_key().to_json()})}}),
           w.all);
  e3.apply(add_paths("targets/two", {""}), w.all);
  w.store(e3.sign(w.all, w.now));
  w.verify();
  RepoEditor e4 = w.editor();
  e4.apply(add_keys("targets/two", {w.qa.public_key()}), w.all);
  const auto two = e4.delegations_of("targets");
  auto it = std::find_if(two.begin(), two.end(),
                         [](const DelegationRole& r) { return r.name == "targets/two"; });
  REQUIRE(it != two.end());
  CHECK(it->threshold == 2);
  CHECK(it->keyids.size() == 3);
  w.store(e4.sign(w.all, w.now));
  w.verify();
  CHECK(w.role_file("targets").find_delegation("targets/two")->threshold == 2);
}

TEST_CASE("delegation changes that cannot apply") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {"release/"}), w.all);
  w.store(setup.sign(w.all, w.now));

  auto fails = [&](const Change& c, KeyProvider& keys) {
    RepoEditor e = w.editor();
    return code_of([&] { e.apply(c, keys); });
  };
  // A new role needs keys and a threshold: paths alone, or threshold 0, are refused.
  CHECK(fails(add_paths("targets/qa", {""}), w.all) == ErrorCode::invalid_argument);
  CHECK(fails(delegation(
                  "create", "targets/qa",
                  json{{"threshold", 0}, {"add_keys", json::array({w.qa.public_key().to_json()})}}),
              w.all) == ErrorCode::invalid_argument);
  CHECK(fails(delegation("update", "targets/qa", json{{"remove_keys", {w.qa.id()}}}), w.all) ==
        ErrorCode::invalid_argument);
  // Names and parents.
  CHECK(fails(add_keys("targets/QA", {w.qa.public_key()}), w.all) == ErrorCode::invalid_argument);
  CHECK(fails(add_keys("releases", {w.qa.public_key()}), w.all) == ErrorCode::invalid_argument);
  CHECK(fails(add_keys("targets/missing/child", {w.qa.public_key()}), w.all) ==
        ErrorCode::invalid_argument);
  // Paths a child may not have: outside its parent's paths.
  CHECK(fails(add_keys("targets/releases/sub", {w.qa.public_key()}), w.all) ==
        ErrorCode::internal);  // no throw: the key alone is fine
  {
    RepoEditor e = w.editor();
    e.apply(add_keys("targets/releases/sub", {w.qa.public_key()}), w.all);
    CHECK(code_of([&] { e.apply(add_paths("targets/releases/sub", {"other/"}), w.all); }) ==
          ErrorCode::invalid_argument);
    RepoEditor e2 = w.editor();
    e2.apply(add_keys("targets/releases/sub", {w.qa.public_key()}), w.all);
    e2.apply(add_paths("targets/releases/sub", {"release/sub/"}), w.all);
    CHECK(e2.paths("targets/releases/sub") == std::vector<std::string>{"release/sub/"});
  }
  // Bad data.
  CHECK(fails(delegation("create", "targets/qa", std::nullopt), w.all) ==
        ErrorCode::invalid_argument);
  CHECK(fails(delegation("create", "targets/qa", json{{"threshold", 1}, {"add_keys", "k"}}),
              w.all) == ErrorCode::invalid_argument);
  CHECK(fails(delegation(
                  "create", "targets/qa",
                  json{{"threshold", 1}, {"add_keys", json::array({json{{"keytype", "ecdsa"}}})}}),
              w.all) == ErrorCode::invalid_argument);
  CHECK(fails(delegation("update", "targets/releases", json{{"add_paths", "release/x"}}), w.all) ==
        ErrorCode::invalid_argument);
  // The parent's key is needed for any delegation change.
  MapKeys no_targets{&w.releases, &w.snapshot};
  CHECK(fails(add_keys("targets/qa", {w.qa.public_key()}), no_targets) ==
        ErrorCode::no_signing_key);
  CHECK(fails(delegation("delete", "targets/releases", std::nullopt), no_targets) ==
        ErrorCode::no_signing_key);
  CHECK(fails(add_keys("targets/releases/sub", {w.qa.public_key()}), no_targets) ==
        ErrorCode::internal);  // the parent is targets/releases, whose key we hold
  MapKeys only_targets{&w.targets};
  CHECK(fails(add_keys("targets/releases/sub", {w.qa.public_key()}), only_targets) ==
        ErrorCode::no_signing_key);
}

TEST_CASE("remove_keys takes canonical IDs of certificate keys") {
  World w;
  w.publish_initial();
  const PublicKey cert = certificate_key(
      w.releases, create_certificate(w.releases, "targets/releases", w.now, w.now + 365 * kDay));
  REQUIRE(cert.id() != w.releases.id());
  REQUIRE(canonical_key_id(cert) == w.releases.id());

  RepoEditor e = w.editor();
  e.apply(add_keys("targets/releases", {cert, w.qa.public_key()}), w.all);
  e.apply(add_paths("targets/releases", {""}), w.all);
  CHECK(e.role("targets")->delegations[0].keyids == std::vector<std::string>{cert.id(), w.qa.id()});
  CHECK(e.signers("targets/releases").canonical_ids() ==
        std::vector<std::string>{w.releases.id(), w.qa.id()});
  // Signing into the role with the certificate's private key, found by canonical ID.
  MapKeys only_releases{&w.releases};
  e.apply(add_target("targets/releases", "v1", "1"), only_releases);
  w.store(e.sign(w.all, w.now));
  w.verify();
  const Targets rel = w.role_file("targets/releases");
  std::set<std::string> signed_by;
  for (const auto& s : rel.file.signatures) signed_by.insert(s.keyid);
  CHECK(signed_by == std::set<std::string>{cert.id(), w.qa.id()});

  RepoEditor e2 = w.editor();
  e2.apply(delegation("update", "targets/releases", json{{"remove_keys", {w.releases.id()}}}),
           w.all);
  CHECK(e2.role("targets")->delegations[0].keyids == std::vector<std::string>{w.qa.id()});
  CHECK_FALSE(e2.role("targets")->keys.count(cert.id()));
  // The TUF ID works as well; removing every key keeps the role.
  e2.apply(delegation("update", "targets/releases", json{{"remove_keys", {w.qa.id()}}}), w.all);
  CHECK(e2.role("targets")->delegations[0].keyids.empty());
  CHECK(e2.role("targets")->keys.empty());
  CHECK(e2.has_role("targets/releases"));
  w.store(e2.sign(w.all, w.now));
  const Targets t = w.role_file("targets");
  REQUIRE(t.delegations.size() == 1);
  CHECK(t.delegations[0].keyids.empty());
  CHECK(t.delegation_keys.empty());
}

TEST_CASE("delegation delete removes the role, its keys and its snapshot entry") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {""}), w.all);
  setup.apply(add_keys("targets/qa", {w.qa.public_key()}), w.all);
  setup.apply(add_paths("targets/qa", {""}), w.all);
  setup.apply(add_target("targets/releases", "v1", "1"), w.all);
  setup.apply(add_target("targets/qa", "v1", "1"), w.all);
  auto files = setup.sign(w.all, w.now);
  CHECK(roles_of(files) ==
        std::vector<std::string>{"targets", "targets/qa", "targets/releases", "snapshot"});
  w.store(files);
  w.verify();
  const Snapshot before = w.snapshot_file();
  CHECK(before.meta.count("targets/releases"));
  CHECK(w.role_file("targets/releases").file.version == 1);

  RepoEditor e = w.editor();
  e.apply(delegation("delete", "targets/releases", std::nullopt), w.all);
  CHECK_FALSE(e.has_role("targets/releases"));
  CHECK(e.role("targets/releases") == nullptr);
  const EditableTargets* t = e.role("targets");
  REQUIRE(t->delegations.size() == 1);
  CHECK(t->delegations[0].name == "targets/qa");
  CHECK(t->keys.size() == 1);
  CHECK(t->keys.count(w.qa.id()));
  CHECK(code_of([&] { e.apply(add_target("targets/releases", "v2", "2"), w.all); }) ==
        ErrorCode::invalid_argument);

  RepoEditor e2 = w.editor();
  e2.apply(delegation("delete", "targets/releases", std::nullopt), w.all);
  files = e2.sign(w.all, w.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets", "snapshot"});
  const Snapshot after =
      Snapshot::parse(SignedFile::parse(file_of(files, "snapshot").bytes, "snapshot"));
  CHECK(after.file.version == before.file.version + 1);
  CHECK_FALSE(after.meta.count("targets/releases"));
  CHECK(after.meta.at("targets/qa").to_json() == before.meta.at("targets/qa").to_json());
  CHECK(after.meta.at("root").to_json() == before.meta.at("root").to_json());
  w.store(files);
  w.server.erase("targets/releases");  // no longer reachable
  w.verify();
}

TEST_CASE("purge targets/* removes a key from every delegation whose parent can be signed") {
  World w;
  w.publish_initial();
  const PublicKey other_cert =
      certificate_key(w.other, create_certificate(w.other, "other", w.now, w.now + 365 * kDay));
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key(), w.other.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {""}), w.all);
  setup.apply(add_keys("targets/qa", {other_cert}), w.all);
  setup.apply(add_paths("targets/qa", {""}), w.all);
  setup.apply(add_keys("targets/releases/sub", {w.other.public_key()}), w.all);
  setup.apply(add_paths("targets/releases/sub", {""}), w.all);
  setup.apply(add_target("targets/releases", "v1", "1"), w.all);
  w.store(setup.sign(w.all, w.now));
  w.verify();
  REQUIRE(w.role_file("targets/releases").delegations.size() == 1);

  // The user holds the targets key but not the releases key: releases' own delegation stays.
  MapKeys keys{&w.targets, &w.snapshot};
  RepoEditor e = w.editor();
  e.apply(delegation("update", "targets/*", json{{"remove_keys", {w.other.id()}}}), keys);
  const EditableTargets* t = e.role("targets");
  REQUIRE(t->delegations.size() == 2);
  for (const auto& d : t->delegations) {
    CAPTURE(d.name);
    if (d.name == "targets/releases")
      CHECK(d.keyids == std::vector<std::string>{w.releases.id()});
    else
      CHECK(d.keyids.empty());
    CHECK(d.threshold == 1);
  }
  CHECK(t->keys.size() == 1);
  CHECK(t->keys.count(w.releases.id()));
  CHECK(e.role("targets/releases")->delegations.at(0).keyids ==
        std::vector<std::string>{w.other.id()});
  const auto files = e.sign(keys, w.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets", "snapshot"});
  w.store(files);
  w.verify();

  // With the releases key too, the nested delegation is purged as well.
  RepoEditor e2 = w.editor();
  e2.apply(delegation("update", "targets/*", json{{"remove_keys", {w.other.id()}}}), w.all);
  CHECK(e2.role("targets/releases")->delegations.at(0).keyids.empty());
  CHECK(e2.role("targets/releases")->keys.empty());
  w.store(e2.sign(w.all, w.now));
  w.verify();
  CHECK(w.role_file("targets/releases").file.version == 2);
}

TEST_CASE("changes and signing without the needed key are no_signing_key") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {""}), w.all);
  setup.apply(add_target("targets/releases", "v1", "1"), w.all);
  w.store(setup.sign(w.all, w.now));

  MapKeys no_releases{&w.root, &w.targets, &w.snapshot};
  {
    RepoEditor e = w.editor();
    CHECK_FALSE(e.can_sign("targets/releases", no_releases));
    CHECK(e.can_sign("targets", no_releases));
    CHECK(code_of([&] { e.apply(add_target("targets/releases", "v2", "2"), no_releases); }) ==
          ErrorCode::no_signing_key);
  }
  {
    // A witness marks the role dirty; signing it then needs its key.
    RepoEditor e = w.editor();
    e.apply(make_change("update", "targets/releases", "witness", "", std::nullopt), no_releases);
    CHECK(e.has_changes());
    CHECK(code_of([&] { e.sign(no_releases, w.now); }) == ErrorCode::no_signing_key);
    RepoEditor e2 = w.editor();
    e2.apply(make_change("update", "targets/releases", "witness", "", std::nullopt), w.all);
    const auto files = e2.sign(w.all, w.now);
    CHECK(roles_of(files) == std::vector<std::string>{"targets/releases", "snapshot"});
    w.store(files);
    w.verify();
    CHECK(w.role_file("targets/releases").file.version == 2);
  }
  {
    // A witness for a role that is not loaded fails.
    RepoEditor e = w.editor();
    CHECK(code_of([&] {
            e.apply(make_change("update", "targets/nothing", "witness", "", std::nullopt), w.all);
          }) == ErrorCode::invalid_argument);
  }
}

TEST_CASE("signing into a declared but unpublished delegation creates it at version 1") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {"release/"}), w.all);
  w.store(setup.sign(w.all, w.now));
  w.verify();
  const Snapshot before = w.snapshot_file();
  REQUIRE_FALSE(before.meta.count("targets/releases"));
  REQUIRE_FALSE(w.server.count("targets/releases"));

  RepoEditor e = w.editor();
  CHECK(e.has_role("targets/releases"));
  CHECK(e.role("targets/releases") == nullptr);
  CHECK(e.path_allowed("targets/releases", "release/1"));
  CHECK(code_of([&] { e.apply(add_target("targets/releases", "other", "1"), w.all); }) ==
        ErrorCode::invalid_argument);

  RepoEditor e2 = w.editor();
  const TimePoint later = w.now + 10 * kDay;
  e2.apply(add_target("targets/releases", "release/1", "one"), w.all);
  REQUIRE(e2.role("targets/releases"));
  const auto files = e2.sign(w.all, later);
  CHECK(roles_of(files) == std::vector<std::string>{"targets/releases", "snapshot"});
  const Targets rel = Targets::parse(
      SignedFile::parse(file_of(files, "targets/releases").bytes, "targets/releases"),
      "targets/releases");
  CHECK(rel.file.version == 1);
  CHECK(rel.file.expires_text == format_rfc3339_nano(later + 3 * 365 * kDay));
  CHECK(rel.targets.size() == 1);
  CHECK(rel.targets.at("release/1").length == 3);
  CHECK(rel.file.signed_json.at("delegations") == json::parse(R"({"keys":{},"roles":[]})"));
  REQUIRE(rel.file.signatures.size() == 1);
  CHECK(rel.file.signatures[0].keyid == w.releases.id());

  const Snapshot after =
      Snapshot::parse(SignedFile::parse(file_of(files, "snapshot").bytes, "snapshot"));
  CHECK(after.meta.at("targets/releases").to_json() ==
        file_meta_of(file_of(files, "targets/releases").bytes).to_json());
  CHECK(after.meta.at("targets").to_json() == before.meta.at("targets").to_json());
  CHECK(after.meta.at("root").to_json() == before.meta.at("root").to_json());
  w.store(files);
  w.verify();

  // Once published it loads, and the next signature is version 2.
  RepoEditor e3 = w.editor();
  REQUIRE(e3.role("targets/releases"));
  CHECK(e3.role("targets/releases")->version == 1);
  e3.apply(add_target("targets/releases", "release/2", "two"), w.all);
  w.store(e3.sign(w.all, later));
  w.verify();
  CHECK(w.role_file("targets/releases").file.version == 2);
  CHECK(w.role_file("targets/releases").targets.size() == 2);
}

TEST_CASE("the snapshot lists an edited delegation's new file and keeps the other entries") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {""}), w.all);
  setup.apply(add_keys("targets/qa", {w.qa.public_key()}), w.all);
  setup.apply(add_paths("targets/qa", {""}), w.all);
  setup.apply(add_target("targets/releases", "v1", "1"), w.all);
  setup.apply(add_target("targets/qa", "v1", "1"), w.all);
  w.store(setup.sign(w.all, w.now));
  w.verify();
  const Snapshot before = w.snapshot_file();
  REQUIRE(before.meta.size() == 4);
  const std::string old_releases = w.server.at("targets/releases");

  SUBCASE("with the snapshot key") {
    RepoEditor e = w.editor();
    CHECK(e.snapshot_signed_locally(w.all));
    e.apply(add_target("targets/releases", "v2", "2"), w.all);
    const auto files = e.sign(w.all, w.now + 1h);
    CHECK(roles_of(files) == std::vector<std::string>{"targets/releases", "snapshot"});
    const std::string& rel = file_of(files, "targets/releases").bytes;
    const Snapshot after =
        Snapshot::parse(SignedFile::parse(file_of(files, "snapshot").bytes, "snapshot"));
    CHECK(after.file.version == before.file.version + 1);
    CHECK(after.file.expires_text == format_rfc3339_nano(w.now + 1h + 3 * 365 * kDay));
    CHECK(after.meta.size() == 4);
    CHECK(after.meta.at("targets/releases").to_json() == file_meta_of(rel).to_json());
    CHECK(after.meta.at("targets/releases").to_json() != file_meta_of(old_releases).to_json());
    for (const char* kept : {"root", "targets", "targets/qa"}) {
      CAPTURE(kept);
      CHECK(after.meta.at(kept).to_json() == before.meta.at(kept).to_json());
    }
    w.store(files);
    w.verify();
    CHECK(w.role_file("targets/releases").file.version == 2);
    CHECK(w.role_file("targets/releases").targets.size() == 2);
  }
  SUBCASE("without the snapshot key the server makes it") {
    MapKeys keys{&w.releases};
    RepoEditor e = w.editor();
    CHECK_FALSE(e.snapshot_signed_locally(keys));
    e.apply(add_target("targets/releases", "v2", "2"), keys);
    const auto files = e.sign(keys, w.now + 1h);
    CHECK(roles_of(files) == std::vector<std::string>{"targets/releases"});
    const Targets rel =
        Targets::parse(SignedFile::parse(files[0].bytes, "targets/releases"), "targets/releases");
    CHECK(rel.file.version == 2);
    const Targets parent = w.role_file("targets");
    const DelegationRole* d = parent.find_delegation("targets/releases");
    REQUIRE(d);
    CHECK(verify_signatures(rel.file, parent.delegation_keys, RoleKeys{d->keyids, d->threshold},
                            "targets/releases")
              .valid == 1);
  }
}

TEST_CASE("a delegation deleted and re-created in one publish drops its stale file") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {""}), w.all);
  setup.apply(add_target("targets/releases", "v1", "1"), w.all);
  w.store(setup.sign(w.all, w.now));
  w.verify();
  REQUIRE(w.snapshot_file().meta.count("targets/releases"));

  // `delegation remove --force` then `delegation add` with a new key, published together: the
  // old file (signed by the old key) must leave the snapshot, as notary's DeleteDelegation
  // drops it, or clients would find a role file its parent's keys do not sign.
  RepoEditor e = w.editor();
  e.apply(delegation("delete", "targets/releases", std::nullopt), w.all);
  e.apply(add_keys("targets/releases", {w.qa.public_key()}), w.all);
  e.apply(add_paths("targets/releases", {""}), w.all);
  auto files = e.sign(w.all, w.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets", "snapshot"});
  const Snapshot s =
      Snapshot::parse(SignedFile::parse(file_of(files, "snapshot").bytes, "snapshot"));
  CHECK_FALSE(s.meta.count("targets/releases"));
  w.store(files);
  if (!s.meta.count("targets/releases")) w.server.erase("targets/releases");
  w.verify();

  // Signing into the re-created role in the same publish starts it afresh (notary makes it
  // at version 1 too), signed by the new key and listed with the new file's hashes.
  World w2;
  w2.publish_initial();
  RepoEditor setup2 = w2.editor();
  setup2.apply(add_keys("targets/releases", {w2.releases.public_key()}), w2.all);
  setup2.apply(add_paths("targets/releases", {""}), w2.all);
  setup2.apply(add_target("targets/releases", "v1", "1"), w2.all);
  w2.store(setup2.sign(w2.all, w2.now));
  RepoEditor e2 = w2.editor();
  e2.apply(delegation("delete", "targets/releases", std::nullopt), w2.all);
  e2.apply(add_keys("targets/releases", {w2.qa.public_key()}), w2.all);
  e2.apply(add_paths("targets/releases", {""}), w2.all);
  e2.apply(add_target("targets/releases", "v2", "2"), w2.all);
  files = e2.sign(w2.all, w2.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets", "targets/releases", "snapshot"});
  const Targets rel = Targets::parse(
      SignedFile::parse(file_of(files, "targets/releases").bytes, "targets/releases"),
      "targets/releases");
  CHECK(rel.targets.size() == 1);
  CHECK(rel.targets.count("v2"));
  REQUIRE(rel.file.signatures.size() == 1);
  CHECK(rel.file.signatures[0].keyid == w2.qa.id());
  w2.store(files);
  w2.verify();
}

TEST_CASE("a purge scope covers the subtree below it only") {
  World w;
  w.publish_initial();
  RepoEditor setup = w.editor();
  setup.apply(add_keys("targets/releases", {w.releases.public_key(), w.other.public_key()}), w.all);
  setup.apply(add_paths("targets/releases", {""}), w.all);
  setup.apply(add_keys("targets/releases/sub", {w.other.public_key()}), w.all);
  setup.apply(add_paths("targets/releases/sub", {""}), w.all);
  setup.apply(add_target("targets/releases", "v1", "1"), w.all);
  w.store(setup.sign(w.all, w.now));

  // notary's PurgeDelegationKeys walks from the wildcard's parent: targets/releases/* edits
  // targets/releases (its delegations) and below, never targets.
  RepoEditor e = w.editor();
  e.apply(delegation("update", "targets/releases/*", json{{"remove_keys", {w.other.id()}}}), w.all);
  CHECK(e.role("targets")->delegations.at(0).keyids ==
        std::vector<std::string>{w.releases.id(), w.other.id()});
  CHECK(e.role("targets/releases")->delegations.at(0).keyids.empty());
  const auto files = e.sign(w.all, w.now);
  CHECK(roles_of(files) == std::vector<std::string>{"targets/releases", "snapshot"});

  // Not a wildcard of a targets role: refused, as notary refuses the scope.
  RepoEditor e2 = w.editor();
  CHECK(
      code_of([&] {
        e2.apply(delegation("update", "releases/*", json{{"remove_keys", {w.other.id()}}}), w.all);
      }) == ErrorCode::invalid_argument);
  CHECK(e2.role("targets")->delegations.at(0).keyids.size() == 2);
}

TEST_CASE("mistyped delegation data is an error naming the change") {
  World w;
  w.publish_initial();
  auto code = [&](const json& data) {
    RepoEditor e = w.editor();
    return code_of([&] { e.apply(delegation("create", "targets/qa", data), w.all); });
  };
  const json keys = json::array({w.qa.public_key().to_json()});
  CHECK(code(json{{"threshold", "1"}, {"add_keys", keys}}) == ErrorCode::invalid_argument);
  CHECK(code(json{{"threshold", 1.5}, {"add_keys", keys}}) == ErrorCode::invalid_argument);
  CHECK(code(json{{"threshold", 1}, {"add_keys", keys}, {"clear_paths", "yes"}}) ==
        ErrorCode::invalid_argument);
  CHECK(code(json{{"threshold", 1}, {"add_keys", keys}, {"add_paths", {1}}}) ==
        ErrorCode::invalid_argument);
  CHECK(code(json{{"threshold", 1}, {"add_keys", keys}}) == ErrorCode::internal);  // fine
}
