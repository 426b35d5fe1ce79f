// Signature verification against vectors made by openssl (scripts/make_key_vectors.sh), and
// key IDs against real notary metadata (tests/data/trust).
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/ossl.h"
#include "trust/crypto/keys.h"
#include "trust/formats/canonical_json.h"
#include "trust_fixture_server.h"

using namespace dct;
using namespace dct::trust;
using test::read_all;

namespace {

std::filesystem::path vec(const std::string& name) {
  return std::filesystem::path(DCT_TEST_DATA_DIR) / "keys" / name;
}

// openssl writes ECDSA signatures in DER; notary wants raw r||s padded to the curve size.
std::string der_to_raw(const std::string& der, size_t half) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  const dct::trust::ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  REQUIRE(sig);
  std::string raw(2 * half, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), reinterpret_cast<unsigned char*>(raw.data()),
               static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), reinterpret_cast<unsigned char*>(raw.data() + half),
               static_cast<int>(half));
  return raw;
}

std::string flipped(std::string s) {
  s[s.size() / 2] = static_cast<char>(s[s.size() / 2] ^ 0x40);
  return s;
}

}  // namespace

TEST_CASE("known-answer signatures of every key type and method") {
  const std::string msg = read_all(vec("message.txt"));

  SUBCASE("rsa: rsapss and rsapkcs1v15, plain and as a certificate") {
    PublicKey rsa{"rsa", read_all(vec("rsa.pub.der"))};
    PublicKey rsa_cert{"rsa-x509", read_all(vec("rsa.crt"))};
    const std::string pss = read_all(vec("rsa-pss.sig"));
    const std::string pkcs1 = read_all(vec("rsa-pkcs1.sig"));
    for (const auto& key : {rsa, rsa_cert}) {
      CHECK(verify_signature(key, "rsapss", msg, pss));
      CHECK(verify_signature(key, "RSAPSS", msg, pss));
      CHECK(verify_signature(key, "rsapkcs1v15", msg, pkcs1));
      CHECK_FALSE(verify_signature(key, "rsapss", msg, flipped(pss)));
      CHECK_FALSE(verify_signature(key, "rsapss", msg + " ", pss));
      CHECK_FALSE(verify_signature(key, "rsapss", msg, pkcs1));  // wrong padding
      CHECK_FALSE(verify_signature(key, "ecdsa", msg, pss));     // wrong method
    }
    CHECK(canonical_key_id(rsa_cert) == rsa.id());
    CHECK(rsa_cert.id() != rsa.id());
  }

  SUBCASE("ed25519: eddsa") {
    PublicKey ed{"ed25519", read_all(vec("ed25519.pub.raw"))};
    const std::string sig = read_all(vec("ed25519.sig"));
    CHECK(verify_signature(ed, "eddsa", msg, sig));
    CHECK_FALSE(verify_signature(ed, "eddsa", msg, flipped(sig)));
    CHECK_FALSE(
        verify_signature(PublicKey{"ed25519", ed.public_bytes.substr(1)}, "eddsa", msg, sig));
  }

  SUBCASE("ecdsa: raw r||s only, for P-256 and P-384") {
    for (auto [name, half] : {std::pair{"p_256", size_t{32}}, std::pair{"p_384", size_t{48}}}) {
      CAPTURE(name);
      PublicKey ec{"ecdsa", read_all(vec(std::string(name) + ".pub.der"))};
      PublicKey ec_cert{"ecdsa-x509", read_all(vec(std::string(name) + ".crt"))};
      const std::string der = read_all(vec(std::string(name) + ".der.sig"));
      const std::string raw = der_to_raw(der, half);
      CHECK(verify_signature(ec, "ecdsa", msg, raw));
      CHECK(verify_signature(ec_cert, "ecdsa", msg, raw));
      CHECK_FALSE(verify_signature(ec, "ecdsa", msg, der));  // DER is never accepted
      CHECK_FALSE(verify_signature(ec, "ecdsa", msg, flipped(raw)));
      CHECK_FALSE(verify_signature(ec, "ecdsa", msg, raw.substr(1)));
      CHECK(canonical_key_id(ec_cert) == ec.id());
    }
  }

  SUBCASE("unknown key types and methods verify nothing") {
    PublicKey odd{"dsa", "whatever"};
    CHECK_FALSE(verify_signature(odd, "dsa", msg, "sig"));
    PublicKey ec{"ecdsa", read_all(vec("p_256.pub.der"))};
    CHECK_FALSE(verify_signature(ec, "none", msg, "sig"));
  }
}

TEST_CASE("key IDs and signatures of real notary metadata") {
  auto dir = test::trust_fixture("delegated", "state1");
  for (const char* file :
       {"root.json", "targets.json", "snapshot.json", "timestamp.json", "targets/releases.json"}) {
    CAPTURE(file);
    auto doc = nlohmann::json::parse(read_all(dir / file));
    const std::string canonical = canonical_json(doc["signed"]);
    // The file is the envelope around the canonical bytes (with Go's HTML escaping).
    CHECK(read_all(dir / file).find(escape_for_envelope(canonical)) != std::string::npos);
    nlohmann::json keys = doc["signed"].contains("keys") ? doc["signed"]["keys"]
                          : doc["signed"].contains("delegations")
                              ? doc["signed"]["delegations"]["keys"]
                              : nlohmann::json::object();
    for (auto& [id, key] : keys.items()) CHECK(PublicKey::from_json(key).id() == id);
  }
  // Every root signature verifies with its key, and canonical IDs match notary's key files.
  auto root = nlohmann::json::parse(read_all(dir / "root.json"));
  const std::string canonical = canonical_json(root["signed"]);
  int verified = 0;
  for (const auto& sig : root["signatures"]) {
    auto key = PublicKey::from_json(root["signed"]["keys"][sig["keyid"].get<std::string>()]);
    CHECK(key.is_certificate());
    CHECK(verify_signature(key, sig["method"].get<std::string>(), canonical,
                           *base64_decode(sig["sig"].get<std::string>())));
    CHECK(canonical_key_id(key) != key.id());
    ++verified;
  }
  CHECK(verified >= 1);
}

TEST_CASE("canonical JSON as docker/go writes it") {
  using nlohmann::json;
  CHECK(canonical_json(json::parse(R"({"b":1,"a":[true,false,null],"c":{"z":"y","Z":"x"}})")) ==
        R"({"a":[true,false,null],"b":1,"c":{"Z":"x","z":"y"}})");
  // Only quote and backslash are escaped; control characters and non-ASCII go out raw.
  CHECK(canonical_json(json("a\"b\\c\n\t<>&\xc3\xa9")) == "\"a\\\"b\\\\c\n\t<>&\xc3\xa9\"");
  CHECK(canonical_json(json::parse("1.0")) == "1");
  CHECK(canonical_json(json::parse("-0.0")) == "0");
  CHECK(canonical_json(json::parse("12345678901234")) == "12345678901234");
  CHECK_THROWS_AS(canonical_json(json::parse("1.5")), dct::Error);
  CHECK(canonical_json(json::parse(R"({"é":1,"z":2,"a":3})")) ==
        "{\"a\":3,\"z\":2,\"\xc3\xa9\":1}");
  CHECK(escape_for_envelope("<a&b>\xe2\x80\xa8\xe2\x80\xa9") ==
        "\\u003ca\\u0026b\\u003e\\u2028\\u2029");
  CHECK(canonical_json(
            json::parse(R"({"keytype":"ecdsa","keyval":{"public":"AA==","private":null}})")) ==
        R"({"keytype":"ecdsa","keyval":{"private":null,"public":"AA=="}})");
}
