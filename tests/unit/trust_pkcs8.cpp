// PKCS#8 as notary writes it, checked byte for byte against key files the real notary and
// docker CLIs wrote (tests/data/notary-repo-*/private, tests/data/keys/files), and reading of
// standard PKCS#8.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <set>

#include "base/encoding.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/pkcs8.h"
#include "trust/crypto/pkix.h"
#include "trust/formats/pem.h"
#include "trust_data.h"
#include "trust_key_probe.h"

using namespace dct::trust;
using dct::test::data_path;
using dct::test::read_data;

namespace {

struct NotaryKeyFile {
  std::filesystem::path path;  // relative to tests/data
  std::string passphrase;
  std::string id;  // from the file name; empty when not named by ID
};

std::vector<NotaryKeyFile> notary_key_files() {
  std::vector<NotaryKeyFile> out;
  for (const char* repo : dct::test::kNotaryRepos)
    for (const auto& e : std::filesystem::directory_iterator(data_path(repo) / "private")) {
      const std::string id = e.path().stem().string();
      const bool root = read_data(std::filesystem::path(repo) / "private" / e.path().filename())
                            .find("role: root\n") != std::string::npos;
      out.push_back({std::filesystem::path(repo) / "private" / e.path().filename(),
                     root ? "root-pass" : "repo-pass", id});
    }
  for (const auto& e : std::filesystem::directory_iterator(data_path("keys/files"))) {
    const std::string name = e.path().filename().string();
    if (name.rfind("notary-", 0) != 0 && name.rfind("docker-", 0) != 0) continue;
    if (e.path().extension() == ".pub" || name == "notary-generate.pem") continue;
    std::string id;
    if (e.path().extension() == ".key") id = e.path().stem().string().substr(name.size() - 4 - 64);
    out.push_back({std::filesystem::path("keys/files") / name, "key-pass", id});
  }
  return out;
}

}  // namespace

TEST_CASE("key files notary and docker wrote: decrypted, and rewritten byte for byte") {
  const auto files = notary_key_files();
  CHECK(files.size() >= 10);
  std::set<std::string> types;
  for (const auto& f : files) {
    CAPTURE(f.path);
    const std::string text = read_data(f.path);
    const auto key = read_key_file(text, f.passphrase);
    types.insert(key.type());
    if (!f.id.empty()) CHECK(key.id() == f.id);

    // Same key, salt and IV through our writer gives notary's exact bytes, PEM included.
    auto block = pem_decode(text);
    REQUIRE(block);
    CHECK(block->type == "ENCRYPTED PRIVATE KEY");
    const auto [salt, iv] = dct::test::pbes2_salt_and_iv(block->bytes);
    CHECK(salt.size() == 8);
    CHECK(iv.size() == 16);
    const auto pkcs8 = notary_pkcs8(key);
    CHECK(encrypt_pkcs8(pkcs8.view(), f.passphrase, salt, iv) == block->bytes);
    block->bytes = encrypt_pkcs8(pkcs8.view(), f.passphrase, salt, iv);
    CHECK(pem_encode(*block) == text);

    CHECK_THROWS_AS(read_key_file(text, "wrong"), IncorrectPassphrase);
    CHECK_THROWS_AS(read_key_file(text, ""), IncorrectPassphrase);
  }
  CHECK(types == std::set<std::string>{"ecdsa", "rsa"});
}

TEST_CASE("notary's unencrypted PKCS#8 layouts") {
  SUBCASE("ecdsa: version 1, curve OID in the algorithm, SEC1 inside") {
    const auto key = PrivateKey::generate("ecdsa");
    const auto der = notary_pkcs8(key);
    CHECK(dct::to_hex(der.str().substr(0, 36)) ==
          "308193020101301306072a8648ce3d020106082a8648ce3d030107047930770201010420");
    CHECK(der.str().substr(der.size() - key.private_der().size()) == key.private_der().str());
    CHECK(parse_pkcs8(der.view()).id() == key.id());
  }
  SUBCASE("rsa: version 0, no NULL parameters, PKCS#1 inside") {
    const auto key = read_key_file(read_data("keys/files/legacy-rsa-aes256.pem"), "key-pass");
    const auto der = notary_pkcs8(key);
    CHECK(dct::to_hex(der.str().substr(4, 18)) == "020100300b06092a864886f70d0101010482");
    CHECK(der.str().find(key.private_der().str()) == der.size() - key.private_der().size());
    CHECK(parse_pkcs8(der.view()).id() == key.id());
  }
  SUBCASE("ed25519: notary's OID and 96 bytes pub || seed || pub") {
    const auto key = PrivateKey::generate("ed25519");
    const auto der = notary_pkcs8(key);
    CHECK(der.size() == 116);
    CHECK(dct::to_hex(der.str().substr(0, 20)) == "3072020100300b06092b06010401da470f010460");
    const std::string blob = der.str().substr(20);
    CHECK(blob == key.private_der().str());
    CHECK(blob.substr(0, 32) == key.public_key().public_bytes);
    CHECK(blob.substr(64) == key.public_key().public_bytes);
    const auto back = parse_pkcs8(der.view());
    CHECK(back.type() == "ed25519");
    CHECK(back.id() == key.id());
  }
}

TEST_CASE("encrypted PKCS#8 round trip and layout") {
  for (const char* type : {"ecdsa", "ed25519"}) {
    CAPTURE(type);
    const auto key = PrivateKey::generate(type);
    const auto plain = notary_pkcs8(key);
    const std::string enc = encrypt_pkcs8(plain.view(), "pässphrase");
    CHECK(is_encrypted_pkcs8(enc));
    CHECK_FALSE(is_encrypted_pkcs8(plain.view()));
    const auto [salt, iv] = dct::test::pbes2_salt_and_iv(enc);
    CHECK(encrypt_pkcs8(plain.view(), "pässphrase", salt, iv) == enc);
    CHECK(encrypt_pkcs8(plain.view(), "pässphrase") != enc);  // fresh salt and IV
    // Ciphertext = plaintext padded to the next multiple of 16 (1 to 16 bytes of padding).
    const size_t padded = (plain.size() / 16 + 1) * 16;
    CHECK(enc.substr(enc.size() - padded - 3, 3) ==
          std::string("\x04\x81") + static_cast<char>(padded));
    CHECK(decrypt_pkcs8(enc, "pässphrase").id() == key.id());
    CHECK_THROWS_AS(decrypt_pkcs8(enc, "passphrase"), IncorrectPassphrase);
    CHECK_THROWS_AS(decrypt_pkcs8(enc, ""), IncorrectPassphrase);
  }
}

TEST_CASE("standard and legacy key files from openssl") {
  const auto expected = dct::test::read_json("keys/files/expected.json");
  for (const auto& [name, want] : expected.items()) {
    CAPTURE(name);
    const std::string text = read_data("keys/files/" + name);
    const auto info = key_file_info(text);
    REQUIRE(info);
    const auto key = read_key_file(text, "key-pass");
    CHECK(key.type() == want["type"]);
    CHECK(key.id() == want["id"]);
    if (info->encrypted) CHECK_THROWS_AS(read_key_file(text, "key-pas"), IncorrectPassphrase);
  }
  // Notary cannot read PKCS#8 encrypted with a PRF other than HMAC-SHA1; we can.
  CHECK(read_key_file(read_data("keys/files/pkcs8-ec-aes128-sha512.pem"), "key-pass").type() ==
        "ecdsa");
}

TEST_CASE("what is not a private key") {
  using dct::Error;
  CHECK_THROWS_AS(parse_pkcs8("not der"), Error);
  CHECK_THROWS_AS(decrypt_pkcs8("not der", "x"), Error);
  CHECK_THROWS_AS(read_key_file("", "x"), Error);
  CHECK_THROWS_AS(read_key_file(read_data("keys/files/notary-generate.pem"), "x"), Error);
  CHECK_FALSE(key_file_info(read_data("keys/files/notary-generate.pem")));
  // secp256k1 is not a curve Go can load.
  CHECK_THROWS_AS(
      PrivateKey::from_evp(ossl::PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"))),
      Error);
  // A public key alone is no private key.
  const auto pub = parse_pkix_public_key(read_data("keys/p_256.pub.der"));
  REQUIRE(pub);
  EVP_PKEY_up_ref(pub.get());
  CHECK_THROWS_AS(PrivateKey::from_evp(ossl::PKey(pub.get())), Error);
}
