// KEYID|NAME: full IDs, unique prefixes, names (role headers, GUN/role), and ambiguity.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "error_code_of.h"
#include "temp_dir.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_reference.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"

using namespace dct::trust;
using dct::ErrorCode;
using dct::test::code_of;
namespace fs = std::filesystem;

namespace {

KeyEntry key_entry(std::string id, std::string role, std::string gun = {}) {
  KeyEntry e;
  e.id = std::move(id);
  e.role = std::move(role);
  e.gun = std::move(gun);
  return e;
}

std::string reference_error_of(const std::vector<KeyEntry>& keys, std::string_view ref) {
  try {
    resolve_key(keys, ref, "the trust dir");
  } catch (const dct::Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("key references: full ID, unique prefix, name, GUN/role") {
  const std::vector<KeyEntry> keys = {
      key_entry("aaaa1111", "root"),
      key_entry("aaaa2222", "targets", "example.com/app"),
      key_entry("bbbb3333", "targets", "example.com/other"),
      key_entry("cccc4444", "jeff"),
      key_entry("dead5555", "beef"),
  };
  CHECK(resolve_key(keys, "aaaa1111", "x").id == "aaaa1111");
  CHECK(resolve_key(keys, "aaaa1", "x").id == "aaaa1111");
  CHECK(resolve_key(keys, "cccc", "x").id == "cccc4444");
  CHECK(resolve_key(keys, "jeff", "x").id == "cccc4444");
  CHECK(resolve_key(keys, "root", "x").id == "aaaa1111");
  CHECK(resolve_key(keys, "example.com/other/targets", "x").id == "bbbb3333");
  CHECK(resolve_key(keys, "beef", "x").id == "dead5555");  // a name, and no ID starts so

  SUBCASE("too short a prefix is not a prefix") {
    CHECK(code_of([&] { resolve_key(keys, "ccc", "x"); }) == ErrorCode::key_not_found);
    CHECK(code_of([&] { resolve_key(keys, "c", "x"); }) == ErrorCode::key_not_found);
  }
  SUBCASE("nothing matches: not found, with what to run") {
    CHECK(code_of([&] { resolve_key(keys, "nobody", "x"); }) == ErrorCode::key_not_found);
    CHECK(code_of([&] { resolve_key(keys, "", "x"); }) == ErrorCode::key_not_found);
    CHECK(reference_error_of(keys, "nobody").find("\"nobody\"") != std::string::npos);
  }
  SUBCASE("ambiguity names every candidate") {
    CHECK(code_of([&] { resolve_key(keys, "aaaa", "x"); }) == ErrorCode::invalid_argument);
    const std::string m = reference_error_of(keys, "aaaa");
    CHECK(m.find("aaaa1111") != std::string::npos);
    CHECK(m.find("aaaa2222") != std::string::npos);
    CHECK(m.find("bbbb3333") == std::string::npos);
    const std::string t = reference_error_of(keys, "targets");
    CHECK(t.find("aaaa2222 (example.com/app)") != std::string::npos);
    CHECK(t.find("bbbb3333 (example.com/other)") != std::string::npos);
  }
  SUBCASE("a name that is also a prefix of another key is ambiguous") {
    std::vector<KeyEntry> more = keys;
    more.push_back(key_entry("beef6666", "user"));
    CHECK(code_of([&] { resolve_key(more, "beef", "x"); }) == ErrorCode::invalid_argument);
    CHECK(key_candidates(more, "beef").size() == 2);
  }
  SUBCASE("a full ID wins over a name equal to it") {
    std::vector<KeyEntry> more = keys;
    more.push_back(key_entry("eeee7777", "aaaa1111"));
    CHECK(resolve_key(more, "aaaa1111", "x").id == "aaaa1111");
  }
}

TEST_CASE("key references against a real store, docker trust's names included") {
  dct::test::TempDir tmp;
  KeyStore store(tmp.path());
  FixedPassphrase pass("pw-for-test");
  const auto alice = PrivateKey::generate();
  const auto root = PrivateKey::generate();
  store.add(alice, "alice", "", pass);
  store.add(root, "root", "", pass);
  CHECK(resolve_key(store, "alice").id == alice.id());
  CHECK(resolve_key(store, alice.id()).id == alice.id());
  CHECK(resolve_key(store, alice.id().substr(0, 12)).path == store.dir() / (alice.id() + ".key"));
  CHECK(resolve_key(store, "root").id == root.id());
  // A file docker 28 wrote with `docker trust key load --name bob` carries "role: bob".
  const auto bob = PrivateKey::generate();
  std::ofstream(store.dir() / (bob.id() + ".key"))
      << write_key_file(bob, "bob", "", "pw-for-test").view();
  CHECK(resolve_key(store, "bob").id == bob.id());
  CHECK(code_of([&] { resolve_key(store, "carol"); }) == ErrorCode::key_not_found);
}
