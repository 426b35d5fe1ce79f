// Private keys: generation, notary's signature formats, certificates as notary makes them for
// root keys, and key files as notary writes them.
#include <doctest/doctest.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/ossl.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/keys.h"
#include "trust/crypto/private_key.h"
#include "trust/crypto/x509.h"
#include "trust/formats/canonical_json.h"
#include "trust/formats/pem.h"
#include "trust_data.h"

using namespace dct::trust;
using namespace std::chrono_literals;
using dct::test::read_data;
using dct::test::read_json;

namespace {

const std::string kMessage = R"({"_type":"Targets","delegations":{"keys":{},"roles":[]}})";

PrivateKey fixture_key(const std::string& file) {
  return read_key_file(read_data("keys/files/" + file), "key-pass");
}

using Cert = dct::trust::ossl::X509Ptr;

Cert parse_cert(const std::string& pem) {
  auto block = pem_decode(pem);
  REQUIRE(block);
  const auto* p = reinterpret_cast<const unsigned char*>(block->bytes.data());
  Cert cert(d2i_X509(nullptr, &p, static_cast<long>(block->bytes.size())));
  REQUIRE(cert);
  return cert;
}

template <typename T>
std::string der_of(T* object, int (*i2d)(const T*, unsigned char**)) {
  std::string der(static_cast<size_t>(i2d(object, nullptr)), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d(object, &out);
  return der;
}

// DER of every extension of a certificate, in order.
std::vector<std::string> extensions_of(const std::string& pem) {
  const Cert cert = parse_cert(pem);
  std::vector<std::string> out;
  for (int i = 0; i < X509_get_ext_count(cert.get()); ++i)
    out.push_back(der_of(X509_get_ext(cert.get(), i), i2d_X509_EXTENSION));
  return out;
}

std::string subject_of(const std::string& pem) {
  const Cert cert = parse_cert(pem);
  return der_of(X509_get_subject_name(cert.get()), i2d_X509_NAME);
}

}  // namespace

TEST_CASE("generated keys sign in notary's formats") {
  SUBCASE("ecdsa P-256") {
    const auto key = PrivateKey::generate();
    CHECK(key.type() == "ecdsa");
    CHECK(key.public_key().type == "ecdsa");
    CHECK(dct::base64_encode(key.public_key().public_bytes)
              .rfind("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", 0) == 0);
    for (int i = 0; i < 20; ++i) {  // short r or s values must still be padded
      const auto sig = key.sign(kMessage);
      CHECK(sig.method == "ecdsa");
      CHECK(sig.bytes.size() == 64);
      CHECK(verify_signature(key.public_key(), sig.method, kMessage, sig.bytes));
    }
    CHECK_FALSE(
        verify_signature(key.public_key(), "ecdsa", kMessage + " ", key.sign(kMessage).bytes));
  }
  SUBCASE("ed25519") {
    const auto key = PrivateKey::generate("ed25519");
    CHECK(key.public_key().public_bytes.size() == 32);
    const auto sig = key.sign(kMessage);
    CHECK(sig.method == "eddsa");
    CHECK(sig.bytes.size() == 64);
    CHECK(sig.bytes == key.sign(kMessage).bytes);  // deterministic
    CHECK(verify_signature(key.public_key(), "eddsa", kMessage, sig.bytes));
    const auto blob = key.private_der();
    CHECK(blob.size() == 96);
    CHECK(PrivateKey::from_ed25519_blob(blob.view()).id() == key.id());
    std::string bad = blob.str();
    bad[0] = static_cast<char>(bad[0] ^ 1);
    CHECK_THROWS_AS(PrivateKey::from_ed25519_blob(bad), dct::Error);
  }
  SUBCASE("imported rsa signs rsapss, imported P-384 signs 96-byte ecdsa") {
    const auto rsa = fixture_key("legacy-rsa-aes256.pem");
    const auto sig = rsa.sign(kMessage);
    CHECK(sig.method == "rsapss");
    CHECK(sig.bytes.size() == 256);
    CHECK(verify_signature(rsa.public_key(), "rsapss", kMessage, sig.bytes));
    const auto p384 = fixture_key("pkcs8-p384.pem");
    const auto ec = p384.sign(kMessage);
    CHECK(ec.bytes.size() == 96);
    CHECK(verify_signature(p384.public_key(), "ecdsa", kMessage, ec.bytes));
  }
  SUBCASE("only the types notary generates") {
    CHECK_THROWS_AS(PrivateKey::generate("rsa"), dct::Error);
  }
}

TEST_CASE("a private key signs what notary verifies: real metadata re-signed") {
  // The targets key notary made for notary-repo-ecdsa signs the same bytes; our signature
  // verifies with the key in root.json, under the ID in the signature list.
  const auto key = read_key_file(
      read_data("notary-repo-ecdsa/private/"
                "3e42063694edef04bcc854929b441b949959facb915ccefd07d090f68a4ee450.key"),
      "repo-pass");
  const auto root = read_json("notary-repo-ecdsa/root.json")["signed"];
  const auto targets = read_json("notary-repo-ecdsa/targets.json");
  CHECK(targets["signatures"][0]["keyid"] == key.id());
  const auto published = PublicKey::from_json(root["keys"][key.id()]);
  CHECK(published == key.public_key());
  const std::string canonical = canonical_json(targets["signed"]);
  CHECK(verify_signature(published, "ecdsa", canonical, key.sign(canonical).bytes));
}

TEST_CASE("root certificates as notary makes them") {
  const auto key = PrivateKey::generate();
  const auto now = std::chrono::system_clock::now();
  const std::string gun = "example.com/crypto/ecdsa";
  const auto cert_key = root_certificate_key(key, gun, now);
  CHECK(cert_key.type == "ecdsa-x509");
  CHECK(canonical_key_id(cert_key) == key.id());
  CHECK(cert_key.id() != key.id());
  const auto sig = key.sign(kMessage);
  CHECK(verify_signature(cert_key, "ecdsa", kMessage, sig.bytes));

  const auto facts = certificate_facts(cert_key.public_bytes);
  REQUIRE(facts);
  CHECK(facts->common_name == gun);
  CHECK_FALSE(facts->is_ca);
  CHECK(facts->not_after - facts->not_before == 3650 * 24h);
  CHECK(facts->spki_der == key.public_key().public_bytes);
  CHECK_FALSE(check_root_certificate(*facts, gun, now, true));

  // Same extensions, byte for byte, and the same subject encoding as notary's own root cert.
  const auto notary_root = read_json("notary-repo-ecdsa/root.json")["signed"];
  const auto notary_cert = PublicKey::from_json(
      notary_root["keys"][notary_root["roles"]["root"]["keyids"][0].get<std::string>()]);
  CHECK(extensions_of(cert_key.public_bytes) == extensions_of(notary_cert.public_bytes));
  CHECK(subject_of(cert_key.public_bytes) == subject_of(notary_cert.public_bytes));
  CHECK(cert_key.public_bytes.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);

  SUBCASE("an RSA root key gets an rsa-x509 certificate") {
    const auto rsa = fixture_key("legacy-rsa-aes256.pem");
    const auto rsa_cert = root_certificate_key(rsa, gun, now);
    CHECK(rsa_cert.type == "rsa-x509");
    CHECK(canonical_key_id(rsa_cert) == rsa.id());
    CHECK(verify_signature(rsa_cert, "rsapss", kMessage, rsa.sign(kMessage).bytes));
    CHECK(certificate_facts(rsa_cert.public_bytes)->key_bits == 2048);
  }
  SUBCASE("names Go would not write as PrintableString are UTF8String") {
    const auto cert = create_certificate(key, "docker.io/my_org/*", now, now + 24h);
    const std::string subject = subject_of(cert);
    CHECK(subject.find(std::string("\x0c\x12") + "docker.io/my_org/*") != std::string::npos);
    CHECK(certificate_facts(cert)->common_name == "docker.io/my_org/*");
  }
  SUBCASE("ed25519 keys are not certified") {
    CHECK_THROWS_AS(create_certificate(PrivateKey::generate("ed25519"), gun, now, now + 24h),
                    dct::Error);
  }
}

TEST_CASE("key files as notary writes them") {
  const auto key = PrivateKey::generate();
  const auto text = write_key_file(key, "targets", "example.com/app", "secret");
  CHECK(text.str().rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----\ngun: example.com/app\n"
                         "role: targets\n\n",
                         0) == 0);
  CHECK(text.str().size() > 300);
  for (size_t start = text.str().find("\n\n") + 2, end;
       (end = text.str().find('\n', start)) != std::string::npos; start = end + 1)
    CHECK(end - start <= 64);
  const auto info = key_file_info(text.view());
  REQUIRE(info);
  CHECK(info->pem_type == "ENCRYPTED PRIVATE KEY");
  CHECK(info->role == "targets");
  CHECK(info->gun == "example.com/app");
  CHECK(info->encrypted);
  CHECK(read_key_file(text.view(), "secret").id() == key.id());
  CHECK_THROWS_AS(read_key_file(text.view(), "Secret"), IncorrectPassphrase);

  SUBCASE("no gun header when it is empty, unencrypted without a passphrase") {
    const auto plain = write_key_file(key, "root", "", "");
    CHECK(plain.str().rfind("-----BEGIN PRIVATE KEY-----\nrole: root\n\n", 0) == 0);
    CHECK_FALSE(key_file_info(plain.view())->encrypted);
    CHECK(read_key_file(plain.view(), "").id() == key.id());
    CHECK(read_key_file(plain.view(), "ignored").id() == key.id());
  }
  SUBCASE("notary keeps the gun header only for targets, snapshot and timestamp keys") {
    for (const char* role : {"targets", "snapshot", "timestamp"})
      CHECK(key_file_gun(role, "g") == "g");
    for (const char* role : {"root", "targets/releases", "user", ""})
      CHECK(key_file_gun(role, "g").empty());
  }
}

TEST_CASE("public key files equal the ones notary and docker wrote") {
  const auto notary = fixture_key("notary-generate-key.pem");
  CHECK(public_key_file(notary.public_key(), "targets/ci") ==
        read_data("keys/files/notary-generate.pem"));
  for (const auto& e : std::filesystem::directory_iterator(dct::test::data_path("keys/files"))) {
    const std::string name = e.path().filename().string();
    if (name.rfind("docker-", 0) != 0 || e.path().extension() != ".key") continue;
    const auto docker = read_key_file(read_data("keys/files/" + name), "key-pass");
    CHECK(name == "docker-" + docker.id() + ".key");
    CHECK(key_file_info(read_data("keys/files/" + name))->role == "alice");
    CHECK(public_key_file(docker.public_key(), "alice") ==
          read_data("keys/files/docker-alice.pub"));
  }
}

TEST_CASE("EC keys are encoded as Go encodes them, whatever the file used") {
  // A P-256 key saved with explicit curve parameters and a compressed point.
  const auto key = PrivateKey::generate();
  ossl::PKey odd(EVP_PKEY_dup(key.evp()));
  REQUIRE(EVP_PKEY_set_utf8_string_param(odd.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                         OSSL_PKEY_EC_ENCODING_EXPLICIT) == 1);
  REQUIRE(EVP_PKEY_set_utf8_string_param(odd.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                         OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED) == 1);
  const int len = i2d_PrivateKey(odd.get(), nullptr);
  REQUIRE(len > 0);
  std::string sec1(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(sec1.data());
  REQUIRE(i2d_PrivateKey(odd.get(), &p) == len);
  CHECK(sec1.size() > key.private_der().size());  // the explicit parameters
  const auto back = read_key_file(pem_encode({"EC PRIVATE KEY", {}, sec1}), "");
  CHECK(back.public_key() == key.public_key());
  CHECK(back.private_der().str() == key.private_der().str());
}
