// What `check` reports about expiry: every role's and certificate's expiry from verified
// metadata, which tags lose trust with each, server-renewed roles, delegations that cannot
// meet their threshold, and delegations that already expired.
#include <doctest/doctest.h>

#include <algorithm>

#include "trust/crypto/certificate.h"
#include "trust/tuf/expiry.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
// Named one by one: a unity batch may put this file next to one with a global `Clock`.
using test::MiniRepo;
using trust::analyse_expiry;
using trust::certificate_key;
using trust::create_certificate;
using trust::ExpiryFacts;
using trust::ExpiryItem;
using trust::ExpiryReport;
using trust::ExpiryStatus;
using trust::FixedClock;
using trust::MemoryMetadataCache;
using trust::parse_rfc3339;
using trust::PrivateKey;
using trust::PublicKey;
using trust::resolve_update_options;
using trust::SigningKey;
using trust::Updater;
using Releases = MiniRepo::Releases;
using std::chrono::hours;

namespace {

constexpr auto kOneDay = hours(24);

struct ExpiryFixture {
  test::FixtureServer server;
  MiniRepo repo;
  MemoryMetadataCache cache;
  FixedClock clock{repo.now};

  ExpiryFixture() {
    repo.targets_tags["v0"] = "manifest signed in targets";
    repo.releases_tags["v1"] = "manifest v1";
    repo.releases_tags["v2"] = "manifest v2";
    repo.releases = Releases::published;
    for (const char* role : {"root", "targets", "snapshot", "timestamp", "targets/releases"})
      repo.expires[role] = repo.now + 365 * kOneDay;
    repo.expires["timestamp"] = repo.now + 14 * kOneDay;
  }
  ExpiryReport analyse(ExpiryFacts facts = {}) {
    repo.publish();
    repo.serve(server);
    Updater u(repo.gun, server, cache, clock);
    auto r = u.update(resolve_update_options());
    u.load_all(r);
    return analyse_expiry(r, facts);
  }
};

const ExpiryItem& item_of(const ExpiryReport& r, const std::string& kind, const std::string& role) {
  auto it = std::find_if(r.items.begin(), r.items.end(),
                         [&](const auto& i) { return i.kind == kind && i.role == role; });
  REQUIRE(it != r.items.end());
  return *it;
}

}  // namespace

TEST_CASE("every role and the root certificate are reported, soonest expiry first") {
  ExpiryFixture f;
  f.repo.expires["targets/releases"] = f.repo.now + 5 * kOneDay;
  auto r = f.analyse();
  std::vector<std::string> order;
  for (const auto& i : r.items) order.push_back(i.kind + ":" + i.role);
  // timestamp (14 days) after targets/releases (5 days); the root certificate lasts 10 years.
  CHECK(order == std::vector<std::string>{"role:targets/releases", "role:timestamp", "role:root",
                                          "role:targets", "role:snapshot", "certificate:root"});
  CHECK(*item_of(r, "role", "targets/releases").expires ==
        parse_rfc3339(f.repo.expiry_of("targets/releases")));
  const auto& cert = item_of(r, "certificate", "root");
  CHECK(cert.key_id == f.repo.root_cert.id());
  CHECK(*cert.expires > f.repo.now + 9 * 365 * kOneDay);
  CHECK(r.trusted_tags == std::vector<std::string>{"v0", "v1", "v2"});
}

TEST_CASE("the window decides: expiring and expired fail, server-renewed roles never do") {
  ExpiryFixture f;
  f.repo.expires["targets/releases"] = f.repo.now + 5 * kOneDay;
  auto r = f.analyse();
  const auto now = f.repo.now;
  const auto& releases = item_of(r, "role", "targets/releases");
  CHECK(releases.status(now, 30 * kOneDay) == ExpiryStatus::expiring);
  CHECK(releases.fails(now, 30 * kOneDay));
  CHECK(releases.status(now, 4 * kOneDay) == ExpiryStatus::valid);
  CHECK_FALSE(releases.fails(now, 4 * kOneDay));
  CHECK(releases.status(now + 6 * kOneDay, 1 * kOneDay) == ExpiryStatus::expired);

  const auto& timestamp = item_of(r, "role", "timestamp");
  CHECK(timestamp.server_managed);
  CHECK(timestamp.status(now, 30 * kOneDay) == ExpiryStatus::expiring);
  CHECK_FALSE(timestamp.fails(now, 30 * kOneDay));
  CHECK_FALSE(timestamp.fails(now + 20 * kOneDay, 0 * kOneDay));
}

TEST_CASE("the snapshot counts when a local key signs it, and is the server's otherwise") {
  ExpiryFixture f;
  f.repo.expires["snapshot"] = f.repo.now + 2 * kOneDay;
  CHECK_FALSE(item_of(f.analyse({.snapshot_key_local = false}), "role", "snapshot")
                  .fails(f.repo.now, 30 * kOneDay));
  CHECK(item_of(f.analyse({.snapshot_key_local = true}), "role", "snapshot")
            .fails(f.repo.now, 30 * kOneDay));
}

TEST_CASE("tags at risk: all for base roles, what targets/releases may sign for it") {
  ExpiryFixture f;
  SUBCASE("targets/releases covers every path, including tags only targets signs") {
    auto r = f.analyse();
    CHECK(item_of(r, "role", "targets/releases").tags == r.trusted_tags);
    for (const char* role : {"root", "targets", "snapshot", "timestamp"})
      CHECK(item_of(r, "role", role).tags == r.trusted_tags);
  }
  SUBCASE("targets/releases restricted to some paths") {
    f.repo.releases_paths = {"v"};
    f.repo.targets_tags["latest"] = "manifest latest";
    auto r = f.analyse();
    CHECK(r.trusted_tags == std::vector<std::string>{"latest", "v0", "v1", "v2"});
    CHECK(item_of(r, "role", "targets/releases").tags ==
          std::vector<std::string>{"v0", "v1", "v2"});
  }
}

TEST_CASE("an expired delegation is reported by name, with nothing left to lose") {
  ExpiryFixture f;
  f.repo.expires["targets/releases"] = f.repo.now - hours(1);
  auto r = f.analyse();
  const auto& releases = item_of(r, "role", "targets/releases");
  CHECK_FALSE(releases.expires);
  CHECK(releases.failure.find("expired") != std::string::npos);
  CHECK(releases.status(f.repo.now, 0 * kOneDay) == ExpiryStatus::expired);
  CHECK(releases.fails(f.repo.now, 0 * kOneDay));
  // Tags targets/releases may sign are not taken from targets while it fails.
  CHECK(r.trusted_tags.empty());
  CHECK(r.items.front().role == "targets/releases");  // failures sort first
}

TEST_CASE("a delegation key that is a certificate is reported with its expiry") {
  ExpiryFixture f;
  const PrivateKey& key = f.repo.keys.at("targets/releases");
  PublicKey cert = certificate_key(
      key, create_certificate(key, "alice", f.repo.now - hours(1), f.repo.now + 3 * kOneDay));
  f.repo.releases_keys = std::vector<PublicKey>{cert};
  f.repo.releases_signers = std::vector<SigningKey>{{cert.id(), &key}};
  auto r = f.analyse();
  const auto& c = item_of(r, "certificate", "targets/releases");
  CHECK(c.key_id == cert.id());
  CHECK(c.fails(f.repo.now, 7 * kOneDay));
  CHECK_FALSE(c.fails(f.repo.now, 2 * kOneDay));
  CHECK_FALSE(c.server_managed);
}

TEST_CASE("delegations that can no longer meet their threshold") {
  ExpiryFixture f;
  SUBCASE("no keys left") {
    f.repo.releases = Releases::keyless;
    auto r = f.analyse();
    REQUIRE(r.under_threshold.size() == 1);
    CHECK(r.under_threshold[0].role == "targets/releases");
    CHECK(r.under_threshold[0].usable_keys == 0);
  }
  SUBCASE("threshold above the keys listed") {
    f.repo.releases = Releases::declared;
    f.repo.releases_threshold = 2;
    auto r = f.analyse();
    REQUIRE(r.under_threshold.size() == 1);
    CHECK(r.under_threshold[0].threshold == 2);
    CHECK(r.under_threshold[0].usable_keys == 1);
  }
  SUBCASE("control: a usable delegation is not listed") {
    CHECK(f.analyse().under_threshold.empty());
  }
}

TEST_CASE("a root certificate costs every tag only when it leaves too few valid ones") {
  ExpiryFixture f;
  PublicKey short_lived = certificate_key(
      f.repo.root_key, create_certificate(f.repo.root_key, f.repo.gun, f.repo.now - hours(1),
                                          f.repo.now + 10 * kOneDay));
  f.repo.root_keys = std::vector<PublicKey>{f.repo.root_cert, short_lived};
  auto r = f.analyse();
  auto cert_with = [&](const std::string& id) {
    return *std::find_if(r.items.begin(), r.items.end(),
                         [&](const auto& i) { return i.kind == "certificate" && i.key_id == id; });
  };
  CHECK(cert_with(short_lived.id()).tags.empty());  // the long-lived one still meets threshold 1
  CHECK(cert_with(f.repo.root_cert.id()).tags == r.trusted_tags);
}
