// Public keys, key IDs and signature verification: Go's rules (tests/data/keys/go-rules.json),
// openssl-made vectors (tests/data/keys/), and metadata published by the real notary client
// (tests/data/notary-repo-*).
#include <doctest/doctest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/ossl.h"
#include "trust/crypto/keys.h"
#include "trust/formats/canonical_json.h"
#include "trust_data.h"

using namespace dct::trust;
using dct::base64_decode;
using dct::test::read_data;
using dct::test::read_json;
using nlohmann::json;

namespace {

std::string flipped(std::string s, size_t at) {
  s[at] = static_cast<char>(s[at] ^ 0x01);
  return s;
}

std::string b64d(const json& v) { return *base64_decode(v.get<std::string>()); }

// The keys a repository's files are signed with: root.json's keys plus delegation keys.
std::map<std::string, json> signing_keys(const std::filesystem::path& repo) {
  std::map<std::string, json> keys;
  auto add = [&](const json& map) {
    for (const auto& [id, key] : map.items()) keys[id] = key;
  };
  add(read_json(repo / "root.json")["signed"]["keys"]);
  if (std::filesystem::exists(dct::test::data_path(repo / "1.root.json")))
    add(read_json(repo / "1.root.json")["signed"]["keys"]);
  add(read_json(repo / "targets.json")["signed"]["delegations"]["keys"]);
  return keys;
}

}  // namespace

TEST_CASE("signature verification follows notary's Go rules") {
  const json rules = read_json("keys/go-rules.json");
  const std::string message = rules["message"];
  int valid = 0;
  for (const auto& c : rules["cases"]) {
    const json& k = rules["keys"][c["key"].get<std::string>()];
    const PublicKey key{k["keytype"], b64d(k["public"])};
    const std::string sig = b64d(rules["sigs"][c["sig"].get<size_t>()]);
    const std::string method = c["method"];
    CAPTURE(c["key"]);
    CAPTURE(method);
    CAPTURE(c["why"]);
    CHECK(verify_signature(key, method, message, sig) == c["valid"].get<bool>());
    if (c["valid"].get<bool>()) {
      ++valid;
      CHECK_FALSE(verify_signature(key, method, message + " ", sig));
      CHECK_FALSE(verify_signature(key, method, message, flipped(sig, sig.size() / 2)));
      CHECK_FALSE(verify_signature(key, method, message, ""));
    }
  }
  CHECK(valid >= 10);
}

TEST_CASE("openssl-made signatures") {
  const std::string msg = read_data("keys/message.txt");
  SUBCASE("RSA-PSS salt 32 and PKCS#1 v1.5") {
    const PublicKey rsa{"rsa", read_data("keys/rsa.pub.der")};
    const std::string pss = read_data("keys/rsa-pss.sig");
    CHECK(verify_signature(rsa, "rsapss", msg, pss));
    CHECK(verify_signature(rsa, "rsapkcs1v15", msg, read_data("keys/rsa-pkcs1.sig")));
    CHECK_FALSE(verify_signature(rsa, "rsapss", msg, flipped(pss, 0)));
  }
  SUBCASE("Ed25519") {
    const PublicKey ed{"ed25519", read_data("keys/ed25519.pub.raw")};
    CHECK(verify_signature(ed, "eddsa", msg, read_data("keys/ed25519.sig")));
    CHECK_FALSE(verify_signature(ed, "eddsa", msg, flipped(read_data("keys/ed25519.sig"), 63)));
  }
  SUBCASE("ECDSA P-256 and P-384: raw r||s verifies, openssl's DER does not") {
    for (auto [name, half] : {std::pair{"p_256", 32}, std::pair{"p_384", 48}}) {
      CAPTURE(name);
      const std::string der = read_data(std::string("keys/") + name + ".der.sig");
      const auto* p = reinterpret_cast<const unsigned char*>(der.data());
      const dct::trust::ossl::EcdsaSig sig(
          d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
      REQUIRE(sig);
      std::string raw(2 * static_cast<size_t>(half), '\0');
      auto* out = reinterpret_cast<unsigned char*>(raw.data());
      BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, half);
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + half, half);
      const PublicKey ec{"ecdsa", read_data(std::string("keys/") + name + ".pub.der")};
      const PublicKey cert{"ecdsa-x509", read_data(std::string("keys/") + name + ".crt")};
      CHECK(verify_signature(ec, "ecdsa", msg, raw));
      CHECK(verify_signature(cert, "ecdsa", msg, raw));
      CHECK_FALSE(verify_signature(ec, "ecdsa", msg, der));
      CHECK(canonical_key_id(cert) == ec.id());
    }
  }
}

TEST_CASE("real notary metadata: signatures, key IDs and canonical IDs") {
  for (const char* name : dct::test::kNotaryRepos) {
    const std::filesystem::path repo = name;
    CAPTURE(repo);
    const auto keys = signing_keys(repo);
    // Key IDs are the hex SHA-256 of the canonical key JSON.
    for (const auto& [id, key] : keys) CHECK(PublicKey::from_json(key).id() == id);

    int signatures = 0;
    for (const char* role : {"1.root.json", "root.json", "targets.json", "snapshot.json",
                             "timestamp.json", "targets/releases.json"}) {
      if (!std::filesystem::exists(dct::test::data_path(repo / role))) continue;
      CAPTURE(std::string(role));
      const json doc = read_json(repo / role);
      const std::string canonical = canonical_json(doc["signed"]);
      REQUIRE_FALSE(doc["signatures"].empty());
      for (const auto& s : doc["signatures"]) {
        const std::string keyid = s["keyid"];
        CAPTURE(keyid);
        REQUIRE(keys.count(keyid));
        const auto key = PublicKey::from_json(keys.at(keyid));
        const std::string sig = b64d(s["sig"]);
        const std::string method = s["method"];
        CHECK(method == (key.type.rfind("rsa", 0) == 0 ? "rsapss" : "ecdsa"));
        CHECK(verify_signature(key, method, canonical, sig));
        CHECK_FALSE(verify_signature(key, method, canonical, flipped(sig, 5)));
        CHECK_FALSE(verify_signature(key, method, canonical, flipped(sig, sig.size() - 1)));
        CHECK_FALSE(verify_signature(key, method, flipped(canonical, canonical.size() / 2), sig));
        CHECK_FALSE(verify_signature(key, method, doc["signed"].dump(2), sig));  // not canonical
        ++signatures;
      }
    }
    CHECK(signatures >= 4);

    // Private key files are named by canonical ID: the certificate keys' plain-key IDs.
    std::set<std::string> files;
    for (const auto& e :
         std::filesystem::directory_iterator(dct::test::data_path(repo / "private")))
      files.insert(e.path().stem().string());
    std::set<std::string> expected;
    const json root = read_json(repo / "root.json")["signed"];
    for (const auto& [id, key_json] : keys) {
      const auto key = PublicKey::from_json(key_json);
      const auto& timestamp_ids = root["roles"]["timestamp"]["keyids"];
      if (std::find(timestamp_ids.begin(), timestamp_ids.end(), id) != timestamp_ids.end())
        continue;  // held by notary-server
      if (key.is_certificate())
        CHECK(canonical_key_id(key) != id);
      else
        CHECK(canonical_key_id(key) == id);
      expected.insert(canonical_key_id(key));
    }
    CHECK(files == expected);
  }
}

TEST_CASE("a delegation certificate file has the key ID notary gives it") {
  const PublicKey cert{"rsa-x509", read_data("notary-repo-ecdsa/releaser.crt")};
  const json roles = read_json("notary-repo-ecdsa/targets.json")["signed"]["delegations"]["roles"];
  REQUIRE(roles.size() == 1);
  CHECK(roles[0]["keyids"] == json::array({cert.id()}));
}

TEST_CASE("public key JSON") {
  const json key =
      json::parse(R"({"keytype":"ed25519","keyval":{"private":null,"public":"AAEC"}})");
  const auto k = PublicKey::from_json(key);
  CHECK(k.type == "ed25519");
  CHECK(k.public_bytes == std::string("\0\1\2", 3));
  CHECK(k.to_json() == key);
  CHECK(canonical_json(k.to_json()) == key.dump());
  CHECK(k.id() == dct::to_hex(dct::sha256(key.dump())));

  SUBCASE("private is ignored, as Go ignores it; the ID is computed with null") {
    auto with_private = key;
    with_private["keyval"]["private"] = "c2VjcmV0";
    CHECK(PublicKey::from_json(with_private).id() == k.id());
    with_private["keyval"].erase("private");
    CHECK(PublicKey::from_json(with_private).id() == k.id());
  }
  SUBCASE("base64 as Go's JSON decoder reads it") {
    auto lenient = key;
    lenient["keyval"]["public"] = "AA\nEC";  // newlines are skipped
    CHECK(PublicKey::from_json(lenient).public_bytes == k.public_bytes);
    lenient["keyval"]["public"] = "AB==";  // non-zero trailing bits are ignored
    CHECK(PublicKey::from_json(lenient).public_bytes == std::string("\0", 1));
    CHECK(PublicKey::from_json(lenient).to_json()["keyval"]["public"] == "AA==");
  }
  SUBCASE("unknown key types are kept, opaque") {
    const auto odd = PublicKey::from_json(
        json::parse(R"({"keytype":"quantum","keyval":{"private":null,"public":"AAEC"}})"));
    CHECK(odd.type == "quantum");
    CHECK(canonical_key_id(odd) == odd.id());
    CHECK_FALSE(verify_signature(odd, "quantum", "m", "s"));
  }
  SUBCASE("malformed keys") {
    for (const char* bad : {
             R"([])",
             R"({"keyval":{"public":"AAEC"}})",
             R"({"keytype":null,"keyval":{"public":"AAEC"}})",
             R"({"keytype":1,"keyval":{"public":"AAEC"}})",
             R"({"keytype":"ecdsa"})",
             R"({"keytype":"ecdsa","keyval":"AAEC"})",
             R"({"keytype":"ecdsa","keyval":{}})",
             R"({"keytype":"ecdsa","keyval":{"public":null}})",
             R"({"keytype":"ecdsa","keyval":{"public":"AAE"}})",
             R"({"keytype":"ecdsa","keyval":{"public":"AA=C"}})",
             R"({"keytype":"ecdsa","keyval":{"public":"AAEC","private":1}})",
             R"({"keytype":"ecdsa","keyval":{"public":"AAEC","private":"!"}})",
         }) {
      CAPTURE(bad);
      try {
        PublicKey::from_json(json::parse(bad));
        FAIL("accepted");
      } catch (const dct::Error& e) {
        CHECK(e.code() == dct::ErrorCode::malformed_metadata);
      }
    }
  }
}

TEST_CASE("signature methods compare as Go's strings.ToLower leaves them") {
  CHECK(normalize_signature_method("ECDSA") == "ecdsa");
  CHECK(normalize_signature_method("RsaPss") == "rsapss");
  CHECK(normalize_signature_method("PyCrypto-PKCS#1 PSS") == "pycrypto-pkcs#1 pss");
  CHECK(normalize_signature_method("rsap\xe2\x84\xaa"
                                   "cs1v15") == "rsapkcs1v15");
  CHECK(normalize_signature_method("\xc4\xb0") == "i");
}
