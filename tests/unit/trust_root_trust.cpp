// usable_root_keys applies notary's root certificate rules (trust/x509.h check_root_certificate)
// to the keys of a root role: one non-CA certificate per bundle, CN == GUN or Go's wildcard rule.
#include <doctest/doctest.h>

#include "trust/formats/metadata.h"
#include "trust/tuf/root_trust.h"
#include "trust_data.h"

using namespace dct::trust;
using dct::test::read_data;

namespace {

TimePoint utc(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d};
}

// A root whose root role holds exactly the given certificate bundles (ECDSA certificates).
Root root_with(const std::vector<std::string>& bundles) {
  Root root;
  RoleKeys role;
  for (const auto& pem : bundles) {
    PublicKey key{"ecdsa-x509", pem};
    role.keyids.push_back(key.id());
    root.keys.emplace(key.id(), key);
  }
  root.roles["root"] = role;
  return root;
}

const auto kNow = utc(2026, 6, 1);

}  // namespace

TEST_CASE("root keys: a bundle with two leaf certificates is refused") {
  const std::string leaf = read_data("x509/leaf.pem");
  const std::string other_leaf = read_data("x509/no-bc.pem");  // not a CA either
  const std::string ca = read_data("x509/ca.pem");

  CHECK(usable_root_keys(root_with({leaf}), "example.com/app", kNow, true).size() == 1);
  CHECK(usable_root_keys(root_with({leaf + ca}), "example.com/app", kNow, true).size() == 1);

  std::vector<std::string> rejected;
  auto keys =
      usable_root_keys(root_with({leaf + other_leaf}), "example.com/app", kNow, true, &rejected);
  CHECK(keys.empty());
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].find("non-CA") != std::string::npos);

  // Only the bad bundle goes; a good key next to it stays usable.
  rejected.clear();
  auto mixed = usable_root_keys(root_with({leaf + other_leaf, leaf}), "example.com/app", kNow, true,
                                &rejected);
  CHECK(mixed.size() == 1);
  CHECK(rejected.size() == 1);
}

TEST_CASE("root keys: wildcard common names match by prefix") {
  const std::string wildcard = read_data("x509/wildcard.pem");  // CN example.com/*
  CHECK(usable_root_keys(root_with({wildcard}), "example.com/app", kNow, true).size() == 1);
  CHECK(usable_root_keys(root_with({wildcard}), "example.com/a/b", kNow, true).size() == 1);
  std::vector<std::string> rejected;
  CHECK(usable_root_keys(root_with({wildcard}), "example.com", kNow, true, &rejected).empty());
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].find("example.com/*") != std::string::npos);
  CHECK(usable_root_keys(root_with({wildcard}), "example.org/app", kNow, true).empty());
}

TEST_CASE("root keys: the other certificate rules still apply") {
  CHECK(usable_root_keys(root_with({read_data("x509/ca.pem")}), "Test CA", kNow, true).empty());
  CHECK(usable_root_keys(root_with({read_data("x509/sha1.pem")}), "example.com/app", kNow, false)
            .empty());
  const std::string expired = read_data("x509/expired.pem");
  CHECK(usable_root_keys(root_with({expired}), "example.com/app", kNow, true).empty());
  CHECK(usable_root_keys(root_with({expired}), "example.com/app", kNow, false).size() == 1);
  CHECK(usable_root_keys(root_with({read_data("x509/leaf.pem")}), "example.com/other", kNow, true)
            .empty());
}
