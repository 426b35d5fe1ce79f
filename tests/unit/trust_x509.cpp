// Certificate facts and notary's root certificate rules, on certificates made by notary
// (tests/data/notary-repo-*) and by tests/data/x509/make_vectors.py.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "trust/crypto/keys.h"
#include "trust/crypto/x509.h"
#include "trust_data.h"

using namespace dct::trust;
using namespace std::chrono_literals;
using dct::test::read_data;
using dct::test::read_json;
// Not "Clock": dct::trust::Clock is in scope when a unity batch includes trust/formats/time.h.
using WallClock = std::chrono::system_clock;

namespace {

WallClock::time_point x509_utc(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / m / d};
}

CertificateFacts facts_of(const std::string& file) {
  auto f = certificate_facts(read_data("x509/" + file));
  REQUIRE(f);
  return *f;
}

const auto kX509Now = x509_utc(2026, 6, 1);
const std::string kX509Gun = "example.com/app";

}  // namespace

TEST_CASE("root certificates notary made") {
  for (const char* repo : dct::test::kNotaryRepos) {
    CAPTURE(repo);
    const auto root = read_json(std::string(repo) + "/root.json")["signed"];
    std::string trimmed = read_data(std::string(repo) + "/gun");
    trimmed = trimmed.substr(0, trimmed.find('\n'));
    for (const auto& id : root["roles"]["root"]["keyids"]) {
      const auto key = PublicKey::from_json(root["keys"][id.get<std::string>()]);
      auto f = certificate_facts(key.public_bytes);
      REQUIRE(f);
      CHECK(f->common_name == trimmed);
      CHECK_FALSE(f->is_ca);
      CHECK_FALSE(f->sha1_signature);
      CHECK(f->chain_length == 1);
      CHECK(f->leaf_count == 1);
      // notary: valid for 10 years from creation.
      CHECK(f->not_after - f->not_before == std::chrono::hours(24 * 3650));
      if (key.type == "ecdsa-x509") {
        CHECK(f->key_type == "ecdsa");
        CHECK(f->key_bits == 256);
      } else {
        CHECK(key.type == "rsa-x509");
        CHECK(f->key_type == "rsa");
        CHECK(f->key_bits == 2048);
      }
      // The canonical ID is the ID of the certificate's key as a plain key.
      CHECK(PublicKey{key.type.substr(0, key.type.size() - 5), f->spki_der}.id() ==
            canonical_key_id(key));
      CHECK_FALSE(check_root_certificate(*f, trimmed, f->not_before + 24h, true));
      CHECK(check_root_certificate(*f, trimmed + "x", f->not_before + 24h, true));
      CHECK_FALSE(expires_within_six_months(*f, f->not_before));
    }
  }
}

TEST_CASE("certificate facts") {
  const auto leaf = facts_of("leaf.pem");
  CHECK(leaf.common_name == kX509Gun);
  CHECK(leaf.not_before == x509_utc(2020, 1, 1));
  CHECK(leaf.not_after == x509_utc(2120, 1, 1));
  CHECK_FALSE(leaf.is_ca);
  CHECK(leaf.key_type == "ecdsa");
  CHECK(leaf.key_bits == 256);
  CHECK(leaf.spki_der.size() == 91);
  CHECK(leaf.chain_length == 1);
  CHECK(leaf.leaf_count == 1);

  CHECK(facts_of("ca.pem").is_ca);
  CHECK_FALSE(facts_of("no-bc.pem").is_ca);
  CHECK(facts_of("two-cns.pem").common_name == kX509Gun);  // the last CN, as Go keeps it
  CHECK(facts_of("sha1.pem").sha1_signature);
  CHECK_FALSE(facts_of("rsa2048.pem").sha1_signature);
  CHECK(facts_of("rsa1024.pem").key_bits == 1024);
  CHECK(facts_of("ed25519.pem").key_type == "ed25519");

  SUBCASE("what Go's parser refuses") {
    CHECK_FALSE(certificate_facts(read_data("x509/secp256k1.pem")));
    CHECK_FALSE(certificate_facts(read_data("x509/sigalg-mismatch.pem")));
    CHECK_FALSE(certificate_facts(read_data("x509/trailing-der.pem")));
    CHECK_FALSE(certificate_facts(""));
    CHECK_FALSE(
        certificate_facts("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
  }
  SUBCASE("bundles: every PEM block must be a certificate; text around blocks is ignored") {
    const std::string leaf_pem = read_data("x509/leaf.pem"), ca_pem = read_data("x509/ca.pem");
    auto bundle = certificate_facts("preamble\n" + leaf_pem + ca_pem + "trailer");
    REQUIRE(bundle);
    CHECK(bundle->common_name == kX509Gun);
    CHECK(bundle->chain_length == 2);
    CHECK(bundle->leaf_count == 1);
    auto ca_first = certificate_facts(ca_pem + leaf_pem);
    REQUIRE(ca_first);
    CHECK(ca_first->is_ca);
    CHECK(check_root_certificate(*ca_first, kX509Gun, kX509Now, true));
    auto two_leaves = certificate_facts(leaf_pem + read_data("x509/no-bc.pem"));
    REQUIRE(two_leaves);
    CHECK(two_leaves->leaf_count == 2);
    CHECK(check_root_certificate(*two_leaves, kX509Gun, kX509Now, true));
    CHECK_FALSE(certificate_facts(leaf_pem +
                                  "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
    // CRLF line ends and headers-free blocks read as Go reads them.
    std::string crlf;
    for (char c : leaf_pem) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(certificate_facts(crlf));
  }
}

TEST_CASE("notary's root certificate rules") {
  const auto leaf = facts_of("leaf.pem");
  CHECK_FALSE(check_root_certificate(leaf, kX509Gun, kX509Now, true));
  CHECK(check_root_certificate(leaf, "example.com/other", kX509Now, true));
  CHECK(check_root_certificate(facts_of("ca.pem"), "Test CA", kX509Now, true));
  CHECK(check_root_certificate(facts_of("sha1.pem"), kX509Gun, kX509Now, false));
  CHECK(check_root_certificate(facts_of("rsa1024.pem"), kX509Gun, kX509Now, false));
  CHECK_FALSE(check_root_certificate(facts_of("rsa2048.pem"), kX509Gun, kX509Now, true));
  CHECK_FALSE(check_root_certificate(facts_of("two-cns.pem"), kX509Gun, kX509Now, true));

  SUBCASE("expiry is checked only when asked, with one day of leeway for not-before") {
    const auto expired = facts_of("expired.pem");
    CHECK(check_root_certificate(expired, kX509Gun, kX509Now, true));
    CHECK_FALSE(check_root_certificate(expired, kX509Gun, kX509Now, false));
    const auto future = facts_of("future.pem");
    CHECK(check_root_certificate(future, kX509Gun, kX509Now, true));
    CHECK_FALSE(check_root_certificate(future, kX509Gun, kX509Now, false));
    CHECK_FALSE(check_root_certificate(future, kX509Gun, x509_utc(2089, 12, 31) + 1s, true));
    CHECK(check_root_certificate(future, kX509Gun, x509_utc(2089, 12, 31) - 1s, true));
    CHECK_FALSE(check_root_certificate(expired, kX509Gun, x509_utc(2001, 1, 1), true));
    CHECK(check_root_certificate(expired, kX509Gun, x509_utc(2001, 1, 1) + 1s, true));
  }
  SUBCASE("an inverted validity window is refused even without expiry checks") {
    auto inverted = leaf;
    std::swap(inverted.not_before, inverted.not_after);
    CHECK(check_root_certificate(inverted, kX509Gun, kX509Now, false));
  }
  SUBCASE("wildcard common names") {
    const auto wildcard = facts_of("wildcard.pem");
    CHECK_FALSE(check_root_certificate(wildcard, kX509Gun, kX509Now, true));
    CHECK_FALSE(check_root_certificate(wildcard, "example.com/", kX509Now, true));
    CHECK(check_root_certificate(wildcard, "example.com", kX509Now, true));
    CHECK(common_name_matches_gun("docker.io/*", "docker.io/library/alpine"));
    CHECK(common_name_matches_gun("docker.io/**", "docker.io/library/alpine"));  // all '*' go
    CHECK(common_name_matches_gun("*", "anything"));
    CHECK(common_name_matches_gun("a", "a"));
    CHECK_FALSE(common_name_matches_gun("a", "ab"));
    CHECK_FALSE(common_name_matches_gun("docker.io/*", "docker.io"));
    CHECK_FALSE(common_name_matches_gun("", "a"));
  }
  SUBCASE("six-month expiry warning") {
    const auto expired = facts_of("expired.pem");
    CHECK(expires_within_six_months(expired, x509_utc(2000, 7, 2)));
    CHECK(expires_within_six_months(expired, x509_utc(2000, 7, 1) + 1s));
    CHECK_FALSE(expires_within_six_months(expired, x509_utc(2000, 7, 1)));
  }
}
