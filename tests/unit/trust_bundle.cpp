// Offline bundles: the tar they travel in, and verification from them with the Updater's rules.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/errors.h"
#include "base/tar.h"
#include "error_code_of.h"
#include "trust/tuf/bundle.h"
#include "trust/tuf/resolve.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using test::code_of;

namespace {

BundleRepository bundle_of(const test::MiniRepo& repo) { return {repo.gun, repo.files}; }

ResolvedTag resolve_from(const BundleRepository& files, MetadataCache& cache, TimePoint now,
                         const std::string& tag) {
  BundleFetcher fetcher(files);
  FixedClock clock(now);
  Updater u(files.gun, fetcher, cache, clock);
  auto repo = u.update(resolve_update_options());
  return resolve_tag(u, repo, tag);
}

test::MiniRepo released_repo() {
  test::MiniRepo repo;
  repo.gun = "registry.example.com:5000/a/rather/long/repository/name/that/needs/the/ustar/prefix";
  repo.root_cert = root_certificate_key(repo.root_key, repo.gun, repo.now - std::chrono::hours(1));
  repo.releases = test::MiniRepo::Releases::published;
  repo.releases_tags["1.0"] = "manifest one";
  repo.targets_tags["1.0"] = "manifest from targets";
  repo.publish();
  return repo;
}

}  // namespace

TEST_CASE("tar archives round-trip, long names included, and damage is detected") {
  const std::string long_name = "tuf/" + std::string(120, 'a') + "/metadata/targets/releases.json";
  std::string archive =
      tar_write({{"a.json", "x", 0644}, {long_name, std::string(700, 'y'), 0644}}, 1700000000);
  CHECK(archive.size() % 512 == 0);
  auto entries = tar_read(archive, "test", 1 << 20);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].name == long_name);
  CHECK(entries[1].bytes == std::string(700, 'y'));
  CHECK(entries[0].mode == 0644);

  std::string damaged = archive;
  damaged[10] ^= 1;  // the first header's name: its checksum no longer matches
  CHECK(code_of([&] { tar_read(damaged, "test", 1 << 20); }) == ErrorCode::malformed_metadata);
  CHECK(code_of([&] { tar_read(archive.substr(0, 1024), "test", 1 << 20); }) ==
        ErrorCode::malformed_metadata);
  CHECK(code_of([&] { tar_read(archive, "test", 100); }) == ErrorCode::oversized);
  CHECK(code_of([&] { tar_write({{"../x", "", 0644}}, 0); }) == ErrorCode::invalid_argument);
  CHECK(code_of([&] { tar_write({{"/etc/x", "", 0644}}, 0); }) == ErrorCode::invalid_argument);
}

TEST_CASE("a bundle keeps the trust-dir layout and refuses anything else") {
  auto repo = released_repo();
  Bundle b;
  b.add(bundle_of(repo));
  auto back = Bundle::parse(b.write(0), "b.tar");
  REQUIRE(back.find(repo.gun));
  CHECK(back.find(repo.gun)->files == repo.files);
  auto names = tar_read(b.write(0), "b", 1 << 20);
  bool has_releases = false;
  for (const auto& e : names)
    has_releases |= e.name == "tuf/" + repo.gun + "/metadata/targets/releases.json";
  CHECK(has_releases);

  CHECK(code_of([] {
          Bundle::parse(tar_write({{"private/key.key", "k", 0600}}, 0), "x");
        }) == ErrorCode::malformed_metadata);
  CHECK(code_of([] { Bundle::parse(tar_write({}, 0), "x"); }) == ErrorCode::malformed_metadata);
}

TEST_CASE("the fetcher serves names the Updater asks for, and nothing else") {
  auto repo = released_repo();
  BundleRepository files = bundle_of(repo);
  BundleFetcher f(files);
  CHECK(f.fetch({"timestamp.json", 1 << 20}).body == repo.files["timestamp"]);
  CHECK(f.fetch({"targets/releases." + std::string(64, 'a') + ".json", 1 << 20}).body ==
        repo.files["targets/releases"]);
  CHECK(f.fetch({"1.root.json", 1 << 20}).body == repo.files["root"]);
  CHECK(f.fetch({"2.root.json", 1 << 20}).status == FetchResult::Status::not_found);
  CHECK(f.fetch({"targets/other.json", 1 << 20}).status == FetchResult::Status::not_found);
  CHECK(f.fetch({"targets.json", 10}).status == FetchResult::Status::too_large);
}

TEST_CASE("a whole-bundle check finds damage a warm update would not read") {
  auto repo = released_repo();
  FixedClock clock(repo.now);
  BundleRepository files = bundle_of(repo);
  CHECK_NOTHROW(verify_bundle_repository(files, std::nullopt, clock, {}));
  CHECK_NOTHROW(verify_bundle_repository(files, repo.files["root"], clock, {}));
  files.files["targets/releases"][files.files["targets/releases"].size() / 2] ^= 0x01;
  CHECK(kind_of(code_of([&] { verify_bundle_repository(files, std::nullopt, clock, {}); })) ==
        ErrorKind::security);
  // A root the trust dir never chained to is refused.
  test::MiniRepo stranger;
  stranger.gun = repo.gun;
  stranger.root_cert =
      root_certificate_key(stranger.root_key, stranger.gun, stranger.now - std::chrono::hours(1));
  stranger.publish();
  CHECK(kind_of(code_of([&] {
          verify_bundle_repository(bundle_of(repo), stranger.files["root"], clock, {});
        })) == ErrorKind::security);
}

TEST_CASE("verifying from a bundle applies the online rules") {
  auto repo = released_repo();
  const BundleRepository good = bundle_of(repo);

  SUBCASE("a good bundle resolves under the trust rule") {
    MemoryMetadataCache cache;
    auto t = resolve_from(good, cache, repo.now, "1.0");
    CHECK(t.role == "targets/releases");
    CHECK(t.digest_hex == test::MiniRepo::digest_of("manifest one"));
  }
  SUBCASE("one byte of targets changed") {
    BundleRepository bad = good;
    bad.files["targets"][bad.files["targets"].size() / 2] ^= 0x01;
    MemoryMetadataCache cache;
    CHECK(code_of([&] { resolve_from(bad, cache, repo.now, "1.0"); }) != ErrorCode::internal);
    CHECK(kind_of(code_of([&] { resolve_from(bad, cache, repo.now, "1.0"); })) ==
          ErrorKind::security);
    CHECK(cache.files.count("targets") == 0);
  }
  SUBCASE("expired against the current clock") {
    MemoryMetadataCache cache;
    CHECK(code_of([&] { resolve_from(good, cache, repo.now + std::chrono::hours(48), "1.0"); }) ==
          ErrorCode::expired);
  }
  SUBCASE("older than the cache is a rollback, and the cache keeps the newer data") {
    MemoryMetadataCache cache;
    repo.version = 2;
    repo.timestamp_version = 2;
    repo.releases_tags["1.0"] = "manifest two";
    repo.publish();
    CHECK(resolve_from(bundle_of(repo), cache, repo.now, "1.0").digest_hex ==
          test::MiniRepo::digest_of("manifest two"));
    const auto before = cache.files;
    CHECK(code_of([&] { resolve_from(good, cache, repo.now, "1.0"); }) == ErrorCode::rollback);
    CHECK(cache.files == before);
  }
}
