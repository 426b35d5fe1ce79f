// Mirroring verified trust data to another notary server: what is published (targets roles byte
// for byte, a new root for the new server's keys, a snapshot signed again over what is
// carried), and that clients of the new server, fresh or holding the old server's trust data,
// resolve every tag as on the old one.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/crypto/keys.h"
#include "trust/publish/mirror.h"
#include "trust/tuf/resolve.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using dct::test::code_of;
using dct::test::FixtureServer;
using dct::test::MiniRepo;

namespace {

class MirrorMemKeys final : public KeyProvider {
 public:
  // The keys stay the caller's (the test's repository holds them).
  void add(const PrivateKey& key) { keys_[key.id()] = &key; }
  bool has(const std::string& id) override { return keys_.count(id) > 0; }
  const PrivateKey& get(const std::string& id, const std::string&) override {
    return *keys_.at(id);
  }

 private:
  std::map<std::string, const PrivateKey*> keys_;
};

// A notary server in memory: it holds a timestamp and a snapshot key, stores what is
// published, signs a snapshot when none is uploaded and a new timestamp on every publish, and
// serves the result to an Updater.
class MirrorServer final : public MetadataFetcher, public PublishRemote {
 public:
  PrivateKey timestamp_key = PrivateKey::generate();
  PrivateKey snapshot_key = PrivateKey::generate();
  std::string gun;
  TimePoint now;
  std::map<std::string, std::string> stored;  // role -> current bytes
  std::vector<std::vector<RepoFile>> uploads;
  int key_requests = 0;
  long long timestamp_version = 0, snapshot_version = 0;

  PublicKey server_key(const std::string& role) override {
    ++key_requests;
    return (role == "timestamp" ? timestamp_key : snapshot_key).public_key();
  }

  void publish(const std::vector<RepoFile>& files) override {
    uploads.push_back(files);
    bool snapshot_uploaded = false;
    for (const auto& f : files) {
      stored[f.role] = f.bytes;
      if (f.role == "snapshot") {
        snapshot_uploaded = true;
        snapshot_version = SignedFile::parse(f.bytes, "snapshot").version;
      }
    }
    if (!snapshot_uploaded) {
      nlohmann::json meta = nlohmann::json::object();
      for (const auto& [role, bytes] : stored)
        if (role != "snapshot" && role != "timestamp") meta[role] = file_meta_of(bytes).to_json();
      stored["snapshot"] =
          sign_metadata({{"_type", "Snapshot"},
                         {"expires", format_rfc3339_nano(now + std::chrono::hours(24))},
                         {"meta", meta},
                         {"version", ++snapshot_version}},
                        {{snapshot_key.id(), &snapshot_key}});
    }
    nlohmann::json meta = {{"snapshot", file_meta_of(stored["snapshot"]).to_json()}};
    stored["timestamp"] =
        sign_metadata({{"_type", "Timestamp"},
                       {"expires", format_rfc3339_nano(now + std::chrono::hours(24))},
                       {"meta", meta},
                       {"version", ++timestamp_version}},
                      {{timestamp_key.id(), &timestamp_key}});
  }

  FetchResult fetch(const FetchRequest& request) override {
    FetchResult out;
    out.status = FetchResult::Status::not_found;
    out.http_status = 404;
    for (const auto& [role, bytes] : stored) {
      const std::string hex = to_hex(sha256(bytes));
      const long long version = SignedFile::parse(bytes, role).version;
      if (request.name == role + ".json" || request.name == role + "." + hex + ".json" ||
          (role == "root" && request.name == std::to_string(version) + ".root.json")) {
        out.status = FetchResult::Status::ok;
        out.http_status = 200;
        out.body = bytes;
      }
    }
    return out;
  }
};

struct MirrorCase {
  MiniRepo repo;
  FixtureServer source;
  MirrorServer destination;
  MirrorMemKeys keys;
  MemoryMetadataCache source_cache;
  FixedClock clock{std::chrono::system_clock::now()};

  MirrorCase() {
    repo.releases = MiniRepo::Releases::published;
    repo.targets_tags = {{"v1", "manifest one"}, {"v3", "manifest three"}};
    repo.releases_tags = {{"v1", "manifest one, released"}, {"v2", "manifest two"}};
    repo.root_version = 2;
    repo.timestamp_version = 7;
    repo.version = 4;
    repo.publish();
    repo.serve(source);
    destination.gun = repo.gun;
    destination.now = clock.now();
    keys.add(repo.root_key);
    keys.add(repo.keys.at("snapshot"));
  }

  TrustedRepository verified() {
    Updater u(repo.gun, source, source_cache, clock);
    TrustedRepository t = u.update(resolve_update_options());
    u.load_all(t);
    return t;
  }

  MirrorReport mirror(bool dry_run = false, std::function<PublicKey()> source_key = {}) {
    MirrorOptions options;
    options.dry_run = dry_run;
    options.now = clock.now();
    options.source_snapshot_key = std::move(source_key);
    return mirror_repository(verified(), {destination, destination}, keys, options);
  }

  // Resolves `tag` on a server with `cache`.
  ResolvedTag resolve(MetadataFetcher& server, MetadataCache& cache, const std::string& tag) {
    Updater u(repo.gun, server, cache, clock);
    TrustedRepository t = u.update(resolve_update_options());
    return resolve_tag(u, t, tag);
  }
};

std::vector<std::string> mirror_roles_of(const std::vector<RepoFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.role);
  return out;
}

}  // namespace

TEST_CASE("mirror: targets roles byte for byte, a new root, the snapshot signed here") {
  MirrorCase c;
  const MirrorReport report = c.mirror();
  CHECK(report.status == MirrorReport::Status::published);
  REQUIRE(c.destination.uploads.size() == 1);
  CHECK(mirror_roles_of(c.destination.uploads[0]) ==
        std::vector<std::string>{"root", "targets", "targets/releases", "snapshot"});
  CHECK(c.destination.stored["targets"] == c.repo.files["targets"]);
  CHECK(c.destination.stored["targets/releases"] == c.repo.files["targets/releases"]);

  const Root root = Root::parse(SignedFile::parse(c.destination.stored["root"], "root"));
  CHECK(root.file.version == 3);
  CHECK(report.root_version == 3);
  CHECK(root.role("timestamp").keyids ==
        std::vector<std::string>{c.destination.timestamp_key.id()});
  CHECK(root.role("snapshot").keyids == std::vector<std::string>{c.repo.keys.at("snapshot").id()});
  CHECK(root.role("targets").keyids == std::vector<std::string>{c.repo.keys.at("targets").id()});
  CHECK(root.role("root").keyids == std::vector<std::string>{c.repo.root_cert.id()});
  // The old server's timestamp key is gone from the root.
  CHECK(root.keys.count(c.repo.keys.at("timestamp").id()) == 0);

  const Snapshot snap = Snapshot::parse(SignedFile::parse(c.destination.stored["snapshot"], "s"));
  CHECK(snap.file.version == 5);
  CHECK(report.snapshot_version == 5);
  CHECK(snap.meta.size() == 3);

  // A client that never saw the repository, and one that trusts the old server's data.
  MemoryMetadataCache fresh;
  for (const char* tag : {"v1", "v2", "v3"}) {
    MemoryMetadataCache old_cache;
    const ResolvedTag before = c.resolve(c.source, old_cache, tag);
    const ResolvedTag after = c.resolve(c.destination, fresh, tag);
    CHECK(after.digest_hex == before.digest_hex);
    CHECK(after.role == before.role);
    const ResolvedTag followed = c.resolve(c.destination, old_cache, tag);
    CHECK(followed.digest_hex == before.digest_hex);
  }
}

TEST_CASE("mirror: dry run asks for no key and publishes nothing; a second run is up to date") {
  MirrorCase c;
  const MirrorReport dry = c.mirror(true);
  CHECK(dry.status == MirrorReport::Status::would_publish);
  CHECK(dry.files == std::vector<std::string>{"root", "targets", "targets/releases", "snapshot"});
  CHECK(dry.root_version == 3);
  CHECK(c.destination.uploads.empty());
  CHECK(c.destination.key_requests == 0);

  c.mirror();
  REQUIRE(c.destination.uploads.size() == 1);
  const MirrorReport again = c.mirror();
  CHECK(again.status == MirrorReport::Status::up_to_date);
  CHECK(again.files.empty());
  CHECK(c.destination.uploads.size() == 1);
  // Up to date needs no key at all.
  MirrorMemKeys none;
  c.keys = none;
  CHECK(c.mirror().status == MirrorReport::Status::up_to_date);
  CHECK(c.destination.uploads.size() == 1);
}

TEST_CASE("mirror: a later change on the source carries only what changed") {
  MirrorCase c;
  c.mirror();
  c.repo.releases_tags["v4"] = "manifest four";
  c.repo.version = 5;
  c.repo.timestamp_version = 8;
  c.repo.publish();
  c.repo.serve(c.source);
  const MirrorReport report = c.mirror();
  CHECK(report.status == MirrorReport::Status::published);
  CHECK(report.root_version == 0);
  REQUIRE(c.destination.uploads.size() == 2);
  CHECK(mirror_roles_of(c.destination.uploads[1]) ==
        std::vector<std::string>{"targets", "targets/releases", "snapshot"});
  MemoryMetadataCache fresh;
  CHECK(c.resolve(c.destination, fresh, "v4").digest_hex == MiniRepo::digest_of("manifest four"));

  // The next change needs the snapshot key the destination's root lists.
  c.repo.releases_tags["v5"] = "manifest five";
  c.repo.version = 6;
  c.repo.publish();
  c.repo.serve(c.source);
  MirrorMemKeys root_only;
  root_only.add(c.repo.root_key);
  c.keys = root_only;
  CHECK(code_of([&] { c.mirror(); }) == ErrorCode::no_signing_key);
  CHECK(c.destination.uploads.size() == 2);
}

TEST_CASE("mirror: without the root key nothing is asked for or published, and the key is named") {
  MirrorCase c;
  MirrorMemKeys only_snapshot;
  only_snapshot.add(c.repo.keys.at("snapshot"));
  c.keys = only_snapshot;
  std::string message;
  try {
    c.mirror();
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::no_signing_key);
    message = e.what();
    CHECK(std::string(e.hint()).find("docker dct key import") != std::string::npos);
  }
  CHECK(message.find(c.repo.root_key.id()) != std::string::npos);
  CHECK(c.destination.uploads.empty());
  CHECK(c.destination.key_requests == 0);
  CHECK(code_of([&] { c.mirror(true); }) == ErrorCode::no_signing_key);
}

TEST_CASE("mirror: a snapshot the old server signed is signed by the new one") {
  MirrorCase c;
  MirrorMemKeys root_only;
  root_only.add(c.repo.root_key);
  c.keys = root_only;
  const PublicKey source_snapshot = c.repo.keys.at("snapshot").public_key();
  const MirrorReport report = c.mirror(false, [&] { return source_snapshot; });
  CHECK(report.snapshot_by_server);
  REQUIRE(c.destination.uploads.size() == 1);
  CHECK(mirror_roles_of(c.destination.uploads[0]) ==
        std::vector<std::string>{"root", "targets", "targets/releases"});
  const Root root = Root::parse(SignedFile::parse(c.destination.stored["root"], "root"));
  CHECK(root.role("snapshot").keyids == std::vector<std::string>{c.destination.snapshot_key.id()});
  MemoryMetadataCache old_cache, fresh;
  c.resolve(c.source, old_cache, "v2");
  CHECK(c.resolve(c.destination, old_cache, "v2").digest_hex ==
        MiniRepo::digest_of("manifest two"));
  CHECK(c.resolve(c.destination, fresh, "v1").role == "targets/releases");

  // A snapshot key held neither here nor by the old server is named.
  MirrorCase d;
  MirrorMemKeys root_of_d;
  root_of_d.add(d.repo.root_key);
  d.keys = root_of_d;
  const PublicKey other = PrivateKey::generate().public_key();
  std::string message;
  try {
    d.mirror(false, [&] { return other; });
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::no_signing_key);
    message = e.what();
  }
  CHECK(message.find(d.repo.keys.at("snapshot").id()) != std::string::npos);
  CHECK(d.destination.uploads.empty());
}

TEST_CASE("mirror: a delegation that failed verification stops the whole mirror") {
  MirrorCase c;
  const PrivateKey stranger = PrivateKey::generate();
  c.repo.releases_signers = std::vector<SigningKey>{{stranger.id(), &stranger}};
  c.repo.publish();
  c.repo.serve(c.source);
  const ErrorCode code = code_of([&] { c.mirror(); });
  CHECK(kind_of(code) == ErrorKind::security);
  CHECK(c.destination.uploads.empty());
  CHECK(c.destination.key_requests == 0);
}

TEST_CASE("mirror: a destination holding the repository under other keys is not overwritten") {
  MirrorCase c;
  MiniRepo other;
  other.gun = c.repo.gun;
  other.publish();
  c.destination.stored["root"] = other.files["root"];
  CHECK(code_of([&] { c.mirror(); }) == ErrorCode::publish_conflict);
  CHECK(c.destination.uploads.empty());
}
