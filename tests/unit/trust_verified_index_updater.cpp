// The verified index inside the update flow: a warm resolve of an unchanged repository reads
// its targets roles through their index, every change the timestamp and snapshot announce is
// still seen, and an index that was tampered with (with or without the seal key), is stale, was
// made by another client, or meets an expired or rolled-back file never changes the answer.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "base/encoding.h"
#include "base/errors.h"
#include "error_code_of.h"
#include "temp_dir.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using test::code_of;
using test::MiniRepo;

namespace verified_index_updater_test {

struct IndexFixture {
  test::FixtureServer server;
  MiniRepo repo;
  MemoryMetadataCache cache;
  FixedClock clock{repo.now};
  test::TempDir dir;
  // As each command does: the index store and its seal key read anew.
  VerifiedIndexStore store() const {
    return {dir / "dct-index", IndexSeal::key_file_in(dir.path())};
  }
  std::set<std::string> indexed;  // of the last resolve

  IndexFixture() {
    for (int i = 0; i < 50; ++i) repo.targets_tags[fmt::format("t{}", i)] = manifest(i);
  }
  static std::string manifest(int i) { return fmt::format("manifest {}", i); }
  void publish() {
    repo.publish();
    repo.serve(server);
  }
  void publish_next() {
    ++repo.version;
    ++repo.timestamp_version;
    publish();
  }
  ResolvedTag resolve(const std::string& tag) {
    StagedMetadataCache staged(cache);
    staged.hold();
    Updater u(repo.gun, server, staged, clock);
    const VerifiedIndexStore run = store();
    u.set_index_store(&run);
    auto options = resolve_update_options();
    options.indexed_tag = tag;
    auto r = u.update(options);
    indexed = r.indexed;
    ResolvedTag out = resolve_tag(u, r, tag);
    staged.commit();
    return out;
  }
  // A resolve of `tag` that verified the whole targets file and gave `manifest_text`'s digest.
  void check_full_verification(const std::string& tag, const std::string& manifest_text) {
    CHECK(resolve(tag).digest_hex == MiniRepo::digest_of(manifest_text));
    CHECK(indexed.empty());
  }
  // A resolve of `tag` that read targets through its index.
  void check_read_through_index(const std::string& tag) {
    resolve(tag);
    CHECK(indexed == std::set<std::string>{"targets"});
  }
  std::string index(const std::string& role = "targets") { return store().load(role).value_or(""); }
  void set_index(const std::string& text, const std::string& role = "targets") {
    store().store(role, text);
  }
  // The index with `tag`'s range replaced by `other`'s.
  std::string pointing(const std::string& tag, const std::string& other) {
    std::string text = index();
    auto line = [&](const std::string& t) {
      const std::size_t at = text.find("\n" + t + "\t") + 1;
      return std::make_pair(at, text.find('\n', at) - at);
    };
    auto [o_at, o_len] = line(other);
    const std::string range = text.substr(o_at + other.size(), o_len - other.size());
    auto [t_at, t_len] = line(tag);
    return text.replace(t_at, t_len, tag + range);
  }
  // `text` sealed again with this client's key: an edit only someone holding the key can make.
  std::string resealed(std::string text) {
    auto key = IndexSeal(IndexSeal::key_file_in(dir.path())).key();
    REQUIRE(key);
    text.resize(text.rfind("mac "));
    return text + "mac " + to_hex(hmac_sha256(*key, text)) + "\n";
  }
  // A server holding the snapshot key lists `targets` (an older file) in a new snapshot.
  void serve_targets(const std::string& targets) {
    repo.files["targets"] = targets;
    nlohmann::json snapshot = {{"_type", "Snapshot"},
                               {"expires", repo.expiry_of("snapshot")},
                               {"meta", nlohmann::json::object()},
                               {"version", ++repo.version}};
    snapshot["meta"]["root"] = MiniRepo::file_meta(repo.files.at("root"));
    snapshot["meta"]["targets"] = MiniRepo::file_meta(targets);
    repo.files["snapshot"] = repo.sign_as("snapshot", snapshot);
    nlohmann::json timestamp = {{"_type", "Timestamp"},
                                {"expires", repo.expiry_of("timestamp")},
                                {"meta", nlohmann::json::object()},
                                {"version", ++repo.timestamp_version}};
    timestamp["meta"]["snapshot"] = MiniRepo::file_meta(repo.files.at("snapshot"));
    repo.files["timestamp"] = repo.sign_as("timestamp", timestamp);
    repo.serve(server);
  }
};

}  // namespace verified_index_updater_test

using namespace verified_index_updater_test;

TEST_CASE("verified index: written after the full verification, used by the next resolve") {
  IndexFixture f;
  f.publish();
  CHECK(f.resolve("t7").digest_hex == MiniRepo::digest_of(IndexFixture::manifest(7)));
  CHECK(f.indexed.empty());
  CHECK(f.index().find("\nt7\t") != std::string::npos);
  auto warm = f.resolve("t7");
  CHECK(f.indexed == std::set<std::string>{"targets"});
  CHECK(warm.digest_hex == MiniRepo::digest_of(IndexFixture::manifest(7)));
  CHECK(warm.role == "targets");
  CHECK(warm.size == static_cast<long long>(IndexFixture::manifest(7).size()));
  auto other = f.resolve("t42");
  CHECK(f.indexed == std::set<std::string>{"targets"});
  CHECK(other.digest_hex == MiniRepo::digest_of(IndexFixture::manifest(42)));
}

TEST_CASE("verified index: a moved tag and a new tag are seen at once") {
  IndexFixture f;
  f.publish();
  f.resolve("t1");
  f.resolve("t1");
  REQUIRE(f.indexed.count("targets"));
  f.repo.targets_tags["t1"] = "manifest moved";
  f.repo.targets_tags["new"] = "manifest new";
  f.publish_next();
  CHECK(f.resolve("t1").digest_hex == MiniRepo::digest_of("manifest moved"));
  CHECK(f.indexed.empty());
  CHECK(f.resolve("new").digest_hex == MiniRepo::digest_of("manifest new"));
  CHECK(f.indexed == std::set<std::string>{"targets"});
  // A tag removed is gone, index or not.
  f.repo.targets_tags.erase("t1");
  f.publish_next();
  CHECK(code_of([&] { f.resolve("t1"); }) == ErrorCode::tag_not_found);
}

TEST_CASE("verified index: pointing a tag at another tag's entry never changes the digest") {
  IndexFixture f;
  f.publish();
  f.resolve("t3");
  // Edited without the key (the seal breaks), and with it (the entry is t4's, not t3's).
  for (bool with_key : {false, true}) {
    CAPTURE(with_key);
    const std::string edited = f.pointing("t3", "t4");
    f.set_index(with_key ? f.resealed(edited) : edited);
    f.check_full_verification("t3", IndexFixture::manifest(3));
    // The full verification wrote a good index again.
    f.check_read_through_index("t3");
  }
}

TEST_CASE("verified index: an index made by another client, or without the key, is not used") {
  IndexFixture a;
  a.publish();
  a.resolve("t3");
  const std::string theirs = a.index();
  IndexFixture b;
  b.repo.gun = a.repo.gun;
  a.repo.serve(b.server);
  b.resolve("t3");
  b.set_index(theirs);  // copied from another trust dir: sealed with another key
  b.check_full_verification("t3", IndexFixture::manifest(3));
  CHECK(b.index() != theirs);
  // The key file gone: the index is not used, and the next full verification seals anew.
  std::filesystem::remove(IndexSeal::key_file_in(b.dir.path()));
  b.check_full_verification("t3", IndexFixture::manifest(3));
  b.check_read_through_index("t3");
}

TEST_CASE("verified index: a valid index for an older file than the cached one is no rollback") {
  IndexFixture f;
  f.publish();
  f.resolve("t1");
  const std::string old_index = f.index();
  const std::string old_targets = f.repo.files.at("targets");
  // Version 2 moves t1. The cache now holds it; the index for version 1 comes back (as when
  // another client updated the cache, or a run with DCT_VERIFIED_INDEX=0 did).
  f.repo.targets_tags["t1"] = "manifest moved";
  f.publish_next();
  CHECK(f.resolve("t1").digest_hex == MiniRepo::digest_of("manifest moved"));
  f.set_index(old_index);
  // A server holding the snapshot key lists version 1 again.
  f.serve_targets(old_targets);
  CHECK(code_of([&] { f.resolve("t1"); }) == ErrorCode::rollback);
  CHECK(f.indexed.empty());
}

TEST_CASE(
    "verified index: garbage, a truncated index or a stale hash falls back to the full path") {
  IndexFixture f;
  f.publish();
  f.resolve("t9");
  const std::string good = f.index();
  std::string stale = good;
  stale.replace(stale.find("sha256 ") + 7, 8, "00000000");
  for (const std::string& bad :
       {std::string("garbage"), std::string(), good.substr(0, good.size() / 2), stale,
        good.substr(0, good.find("\nt9\t") + 5) + "999999\t12\n"}) {
    f.set_index(bad);
    auto r = f.resolve("t9");
    CHECK(r.digest_hex == MiniRepo::digest_of(IndexFixture::manifest(9)));
    CHECK(f.indexed.empty());
  }
}

TEST_CASE("verified index: a changed cached file is not read through an index made for it") {
  IndexFixture f;
  f.publish();
  f.resolve("t2");
  // The cache's targets file edited in place (a digest swapped): its hash no longer matches the
  // snapshot, so it is fetched again and the index is not used.
  std::string edited = f.cache.files.at("targets");
  const std::string want = MiniRepo::file_meta(IndexFixture::manifest(2))["hashes"]["sha256"];
  const std::string other = MiniRepo::file_meta(IndexFixture::manifest(5))["hashes"]["sha256"];
  edited.replace(edited.find(want), want.size(), other);
  f.cache.files["targets"] = edited;
  auto r = f.resolve("t2");
  CHECK(r.digest_hex == MiniRepo::digest_of(IndexFixture::manifest(2)));
  CHECK(f.indexed.empty());
}

TEST_CASE("verified index: an expired targets file is refused, index or not") {
  IndexFixture f;
  f.repo.expires["targets"] = f.repo.now + std::chrono::hours(2);
  f.publish();
  f.resolve("t0");
  f.resolve("t0");
  REQUIRE(f.indexed.count("targets"));
  f.clock.set(f.repo.now + std::chrono::hours(3));
  CHECK(code_of([&] { f.resolve("t0"); }) == ErrorCode::expired);
}

TEST_CASE("verified index: targets/releases read through its index, the pull rule unchanged") {
  IndexFixture f;
  f.repo.releases = MiniRepo::Releases::published;
  for (int i = 0; i < 50; ++i)
    f.repo.releases_tags[fmt::format("t{}", i)] = "released " + std::to_string(i);
  f.publish();
  f.resolve("t5");
  auto r = f.resolve("t5");
  CHECK(f.indexed.count("targets/releases"));
  CHECK(r.role == "targets/releases");
  CHECK(r.digest_hex == MiniRepo::digest_of("released 5"));
  // A tag only targets lists still comes from targets.
  f.repo.targets_tags["only-targets"] = "manifest only in targets";
  f.publish_next();
  f.resolve("only-targets");
  auto t = f.resolve("only-targets");
  CHECK(t.role == "targets");
  CHECK(t.digest_hex == MiniRepo::digest_of("manifest only in targets"));
  // The releases index pointed at another tag: still the releases digest of t5.
  f.resolve("t5");
  std::string text = f.index("targets/releases");
  const std::size_t a = text.find("\nt5\t") + 1, b = text.find("\nt6\t") + 1;
  const std::string range6 = text.substr(b + 2, text.find('\n', b) - b - 2);
  text.replace(a + 2, text.find('\n', a) - a - 2, range6);
  f.set_index(f.resealed(text), "targets/releases");
  auto again = f.resolve("t5");
  CHECK(again.digest_hex == MiniRepo::digest_of("released 5"));
  CHECK_FALSE(f.indexed.count("targets/releases"));
}

TEST_CASE("verified index: once the root names another targets key, the kept index is useless") {
  IndexFixture f;
  f.publish();
  f.resolve("t1");
  f.resolve("t1");
  REQUIRE(f.indexed.count("targets"));
  // The owner rotates the targets key (root version 2), and the client has the new root. A
  // server holding the snapshot key keeps listing the old targets file, which the cache and
  // the index still hold: its signature no longer counts.
  const std::string old_targets = f.repo.files.at("targets");
  f.repo.keys.erase("targets");
  f.repo.keys.emplace("targets", PrivateKey::generate());
  ++f.repo.root_version;
  f.publish_next();
  f.cache.files["root"] = f.repo.files.at("root");
  f.serve_targets(old_targets);
  f.indexed.clear();
  auto code = code_of([&] { f.resolve("t1"); });
  CHECK((code == ErrorCode::signature_invalid || code == ErrorCode::threshold_not_met));
  CHECK(f.indexed.empty());
}
