// Key files and certificates we write, used by the real notary and docker CLIs (offline
// commands only), and their rewrites read back by us. Skipped where the CLIs are missing.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "temp_dir.h"
#include "tools.h"
#include "trust/crypto/certificate.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/pkcs8.h"
#include "trust/formats/pem.h"
#include "trust_data.h"
#include "trust_key_probe.h"

using namespace dct::trust;
namespace fs = std::filesystem;

using dct::test::programs;
using dct::test::TempDir;
using dct::test::write_file;

namespace {

struct Run {
  int status = -1;
  std::string output;
};

Run run(const std::string& command) {
  Run r;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  REQUIRE(pipe);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Case {
  const char* label;
  PrivateKey key;
  std::string role, gun, env;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  out.push_back({"ecdsa targets key", PrivateKey::generate(), "targets", "example.com/app",
                 "NOTARY_TARGETS_PASSPHRASE"});
  out.push_back(
      {"rsa delegation key",
       read_key_file(dct::test::read_data("keys/files/legacy-rsa-aes256.pem"), "key-pass"),
       "targets/releases", "", "NOTARY_DELEGATION_PASSPHRASE"});
  out.push_back({"ed25519 delegation key", PrivateKey::generate("ed25519"), "targets/ed", "",
                 "NOTARY_DELEGATION_PASSPHRASE"});
  out.push_back({"ecdsa root key", PrivateKey::generate(), "root", "", "NOTARY_ROOT_PASSPHRASE"});
  return out;
}

}  // namespace

TEST_CASE("notary opens encrypted key files we wrote, and we open its rewrites") {
  if (!programs({"notary"})) return;
  TempDir dir;
  auto all = cases();
  for (const auto& c : all)
    write_file(dir.path() / "private" / (c.key.id() + ".key"),
               write_key_file(c.key, c.role, c.gun, "pass word").view());
  const Run list = run("notary -d " + dir.str() + " key list");
  CHECK(list.status == 0);
  for (const auto& c : all) {
    CAPTURE(std::string(c.label));
    CHECK(list.output.find(c.key.id()) != std::string::npos);
    const fs::path file = dir.path() / "private" / (c.key.id() + ".key");
    const std::string ours = read_file(file);
    // `key passwd` decrypts the key and writes it again with a fresh salt and IV.
    const Run passwd =
        run("env '" + c.env + "=pass word' notary -d " + dir.str() + " key passwd " + c.key.id());
    CHECK(passwd.status == 0);
    CHECK(passwd.output.find("Successfully updated passphrase") != std::string::npos);
    const std::string theirs = read_file(file);
    CHECK(theirs != ours);
    const auto back = read_key_file(theirs, "pass word");
    CHECK(back.id() == c.key.id());
    CHECK(key_file_info(theirs)->role == c.role);
    CHECK(key_file_info(theirs)->gun == c.gun);
    // Byte for byte what we write for that key with notary's salt and IV.
    auto block = pem_decode(theirs);
    REQUIRE(block);
    CHECK(block->headers == pem_decode(ours)->headers);
    const auto [salt, iv] = dct::test::pbes2_salt_and_iv(block->bytes);
    block->bytes = encrypt_pkcs8(notary_pkcs8(c.key).view(), "pass word", salt, iv);
    CHECK(pem_encode(*block) == theirs);
  }
}

TEST_CASE("notary and docker import unencrypted key files we wrote") {
  if (!programs({"notary", "docker"})) return;
  for (auto& c : cases()) {
    CAPTURE(std::string(c.label));
    TempDir dir;
    write_file(dir.path() / "in.pem", write_key_file(c.key, c.role, c.gun, "").view());
    const std::string env =
        "env NOTARY_ROOT_PASSPHRASE=pw NOTARY_TARGETS_PASSPHRASE=pw "
        "NOTARY_DELEGATION_PASSPHRASE=pw ";
    const Run import = run(env + "notary -d " + dir.str() + " key import " + dir.str() + "/in.pem");
    CHECK(import.status == 0);
    const fs::path stored = dir.path() / "private" / (c.key.id() + ".key");
    REQUIRE(fs::exists(stored));
    CHECK(read_key_file(read_file(stored), "pw").id() == c.key.id());

    if (c.key.type() == "ed25519") continue;  // docker's key load accepts only ECDSA and RSA
    TempDir config;
    const Run load = run("env DOCKER_CONFIG=" + config.str() +
                         " DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=pw "
                         "DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE=pw docker trust key load " +
                         dir.str() + "/in.pem --name signer");
    CAPTURE(load.output);
    CHECK(load.status == 0);
    const fs::path loaded = config.path() / "trust" / "private" / (c.key.id() + ".key");
    REQUIRE(fs::exists(loaded));
    CHECK(read_key_file(read_file(loaded), "pw").id() == c.key.id());
    CHECK(key_file_info(read_file(loaded))->role == c.role);  // the header beats --name
  }
}

TEST_CASE("notary accepts our certificates as delegation keys") {
  if (!programs({"notary"})) return;
  const auto now = std::chrono::system_clock::now();
  for (const auto& key :
       {PrivateKey::generate(),
        read_key_file(dct::test::read_data("keys/files/legacy-rsa-aes256.pem"), "key-pass")}) {
    CAPTURE(key.type());
    TempDir dir;
    const auto cert = root_certificate_key(key, "example.com/app", now);
    write_file(dir.path() / "cert.pem", cert.public_bytes);
    // Offline: notary validates the certificate and stages the change, printing the key's
    // canonical ID.
    const Run add = run("notary -d " + dir.str() + " -s https://127.0.0.1:9 delegation add " +
                        "example.com/app targets/ours " + dir.str() + "/cert.pem --all-paths");
    CHECK(add.status == 0);
    CHECK(add.output.find("[" + key.id() + "]") != std::string::npos);
    CHECK(add.output.find("near expiry") == std::string::npos);
  }
}
