// Key export blocks as notary writes them, and re-encryption under a new passphrase.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "error_code_of.h"
#include "temp_dir.h"
#include "trust/crypto/key_backup.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_reference.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"
#include "trust/formats/pem.h"

using namespace dct::trust;
using dct::ErrorCode;
using dct::test::code_of;
namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("an export block is the key file's block with a path header, still encrypted") {
  dct::test::TempDir tmp;
  KeyStore store(tmp.path());
  FixedPassphrase pass("old-passphrase");
  const auto key = PrivateKey::generate();
  store.add(key, "targets", "example.com/app", pass);
  const KeyEntry entry = resolve_key(store, "targets");
  CHECK(key_path_label(store, entry) == key.id());
  const std::string original = file_text(entry.path);
  const std::string block = export_key_block(original, key_path_label(store, entry));
  // Go's PEM writer order: gun, path, role.
  CHECK(block.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----\ngun: example.com/app\npath: " +
                        key.id() + "\nrole: targets\n\n",
                    0) == 0);
  const auto parsed = pem_decode(block);
  REQUIRE(parsed);
  CHECK(parsed->bytes == pem_decode(original)->bytes);  // the same ciphertext
  CHECK(read_key_file(block, "old-passphrase").id() == key.id());
  CHECK(code_of([&] { read_key_file(block, "wrong"); }) == ErrorCode::passphrase_incorrect);

  SUBCASE("unencrypted files are refused") {
    const auto plain = write_key_file(key, "targets", "example.com/app", "");
    CHECK(code_of([&] { export_key_block(plain.view(), "x"); }) == ErrorCode::invalid_argument);
  }
  SUBCASE("legacy places keep their relative path") {
    KeyEntry legacy = entry;
    legacy.path = store.dir() / "tuf_keys" / "example.com" / "app" / (key.id() + ".key");
    CHECK(key_path_label(store, legacy) == "tuf_keys/example.com/app/" + key.id());
  }
}

TEST_CASE("passwd re-encrypts in place: headers kept, old passphrase refused, 0600") {
  dct::test::TempDir tmp;
  KeyStore store(tmp.path());
  FixedPassphrase old_pass("old-passphrase");
  const auto key = PrivateKey::generate();
  store.add(key, "snapshot", "example.com/app", old_pass);
  const KeyEntry entry = resolve_key(store, key.id());
  const std::string before = file_text(entry.path);
  KeyStore fresh(tmp.path());
  change_key_passphrase(fresh, entry, old_pass, "new-passphrase");
  const std::string after = file_text(entry.path);
  CHECK(after != before);
  const auto info = key_file_info(after);
  REQUIRE(info);
  CHECK(info->encrypted);
  CHECK(info->role == "snapshot");
  CHECK(info->gun == "example.com/app");
  CHECK(read_key_file(after, "new-passphrase").id() == key.id());
  CHECK(code_of([&] { read_key_file(after, "old-passphrase"); }) ==
        ErrorCode::passphrase_incorrect);
  struct stat st {};
  REQUIRE(::stat(entry.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Nothing else is left beside it.
  CHECK(std::distance(fs::directory_iterator(store.dir()), fs::directory_iterator()) == 1);

  SUBCASE("a wrong current passphrase changes nothing") {
    FixedPassphrase wrong("not-it");
    KeyStore other(tmp.path());
    CHECK(code_of([&] { change_key_passphrase(other, entry, wrong, "third"); }) ==
          ErrorCode::passphrase_incorrect);
    CHECK(file_text(entry.path) == after);
  }
  SUBCASE("an empty new passphrase is refused") {
    FixedPassphrase right("new-passphrase");
    KeyStore other(tmp.path());
    CHECK(code_of([&] { change_key_passphrase(other, entry, right, ""); }) ==
          ErrorCode::invalid_argument);
    CHECK(file_text(entry.path) == after);
  }
}
