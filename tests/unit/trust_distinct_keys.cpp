// Thresholds count keys, not key IDs: one public key listed under several IDs (a bare key and
// a certificate wrapping it, two certificates for it) signs once.
#include <doctest/doctest.h>

#include "base/errors.h"
#include "error_code_of.h"
#include "trust/crypto/certificate.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/resolve.h"
#include "trust/tuf/updater.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;
using test::code_of;
using test::MiniRepo;
using namespace std::chrono_literals;

namespace {

PublicKey certificate_for(const PrivateKey& key, const std::string& cn, TimePoint now) {
  return certificate_key(key, create_certificate(key, cn, now - 1h, now + 24h));
}

std::string failure_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("key identity sees through encodings") {
  PrivateKey k = PrivateKey::generate();
  PrivateKey other = PrivateKey::generate();
  auto now = std::chrono::system_clock::now();
  PublicKey bare = k.public_key();
  PublicKey cert1 = certificate_for(k, "one", now);
  PublicKey cert2 = certificate_for(k, "two", now);
  REQUIRE(bare.id() != cert1.id());
  REQUIRE(cert1.id() != cert2.id());
  CHECK(key_identity(bare) == key_identity(cert1));
  CHECK(key_identity(cert1) == key_identity(cert2));
  CHECK(key_identity(bare) != key_identity(other.public_key()));
  CHECK_FALSE(key_identity(PublicKey{"unknown", "bytes"}));
}

TEST_CASE("one key under two IDs does not meet a threshold of 2") {
  PrivateKey k = PrivateKey::generate();
  auto now = std::chrono::system_clock::now();
  PublicKey bare = k.public_key();
  PublicKey cert = certificate_for(k, "signer", now);
  nlohmann::json s = {
      {"_type", "Targets"}, {"expires", format_rfc3339_nano(now + 24h)}, {"version", 1}};
  SignedFile file =
      SignedFile::parse(sign_metadata(s, {{bare.id(), &k}, {cert.id(), &k}}), "targets/x");
  std::map<std::string, PublicKey> keys{{bare.id(), bare}, {cert.id(), cert}};
  RoleKeys role{{bare.id(), cert.id()}, 2};
  std::string why = failure_of([&] { verify_signatures(file, keys, role, "targets/x"); });
  CHECK(why.find("signed by 1 valid key, 2 required") != std::string::npos);
  CHECK(why.find("name only 1 distinct key") != std::string::npos);
  role.threshold = 1;
  CHECK(verify_signatures(file, keys, role, "targets/x").valid == 1);
}

TEST_CASE("a delegation listing one key twice cannot sign with it alone") {
  test::FixtureServer server;
  MiniRepo repo;
  repo.releases = MiniRepo::Releases::published;
  repo.releases_tags["v1"] = "manifest";
  const PrivateKey& k = repo.keys.at("targets/releases");
  PublicKey cert = certificate_for(k, "releaser", repo.now);
  repo.releases_keys = std::vector<PublicKey>{k.public_key(), cert};
  repo.releases_threshold = 2;
  repo.releases_signers = std::vector<SigningKey>{{k.id(), &k}, {cert.id(), &k}};
  repo.publish();
  repo.serve(server);
  MemoryMetadataCache cache;
  FixedClock clock(repo.now);
  auto resolve = [&] {
    Updater u(repo.gun, server, cache, clock);
    auto r = u.update(resolve_update_options());
    return resolve_tag(u, r, "v1");
  };
  CHECK(code_of(resolve) == ErrorCode::threshold_not_met);

  // Control: two distinct keys do meet it.
  PrivateKey second = PrivateKey::generate();
  repo.releases_keys = std::vector<PublicKey>{k.public_key(), second.public_key()};
  repo.releases_signers = std::vector<SigningKey>{{k.id(), &k}, {second.id(), &second}};
  repo.publish();
  repo.serve(server);
  CHECK(resolve().role == "targets/releases");
}

TEST_CASE("a root listing one root key under two certificates cannot meet a threshold of 2") {
  test::FixtureServer server;
  MiniRepo repo;
  repo.targets_tags["v1"] = "manifest";
  repo.root_keys = std::vector<PublicKey>{
      repo.root_cert, root_certificate_key(repo.root_key, repo.gun, repo.now - 2h)};
  REQUIRE(repo.root_keys->at(0).id() != repo.root_keys->at(1).id());
  repo.root_threshold = 2;
  repo.publish();
  repo.serve(server);
  MemoryMetadataCache cache;
  FixedClock clock(repo.now);
  Updater u(repo.gun, server, cache, clock);
  std::string why = failure_of([&] { u.update(resolve_update_options()); });
  CHECK(why.find("1 valid key, 2 required") != std::string::npos);
  CHECK(cache.files.empty());
}
