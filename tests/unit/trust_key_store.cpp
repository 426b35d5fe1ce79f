// The private key store: notary 0.7's layout and permissions, older layouts read in place,
// passphrase questions and retries, and keys we store as the real notary lists them.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "error_code_of.h"
#include "temp_dir.h"
#include "tools.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/key_store.h"
#include "trust/crypto/passphrase.h"

using namespace dct::trust;
using dct::ErrorCode;
using dct::test::code_of;
namespace fs = std::filesystem;

using dct::test::TempDir;
using dct::test::write_file;

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

void write_text(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A key file as another tool wrote it, at any place below private/.
void plant(const fs::path& file, const PrivateKey& key, std::string_view role, std::string_view gun,
           std::string_view passphrase) {
  write_text(file, write_key_file(key, role, gun, passphrase).view());
}

// Answers from a list, one per question; records them.
class Scripted final : public PassphraseRetriever {
 public:
  explicit Scripted(std::vector<std::string> answers) : answers_(std::move(answers)) {}
  Secret get(const PassphraseRequest& request) override {
    requests.push_back(request);
    REQUIRE(next_ < answers_.size());
    return Secret(answers_[next_++]);
  }
  std::vector<PassphraseRequest> requests;

 private:
  std::vector<std::string> answers_;
  size_t next_ = 0;
};

}  // namespace

TEST_CASE("stored keys are encrypted files named by ID, 0600 in 0700 directories") {
  TempDir tmp;
  const fs::path trust_dir = tmp.path() / "trust";  // missing: the store makes it
  KeyStore store(trust_dir);
  CHECK(store.list().empty());
  const auto targets = PrivateKey::generate();
  const auto root = PrivateKey::generate();
  const auto releases = PrivateKey::generate();
  FixedPassphrase passphrases("correct horse");
  CHECK(store.add(targets, "targets", "example.com/app", passphrases) == targets.id());
  CHECK(store.add(root, "root", "example.com/app", passphrases) == root.id());
  CHECK(store.add(releases, "targets/releases", "example.com/app", passphrases) == releases.id());

  REQUIRE(passphrases.requests().size() == 3);
  CHECK(passphrases.requests()[0].create_new);
  CHECK(passphrases.requests()[0].key_id == targets.id());
  CHECK(passphrases.requests()[0].role == "targets");
  CHECK(passphrases.requests()[0].gun == "example.com/app");
  CHECK(passphrases.requests()[0].attempt == 0);

  CHECK(mode_of(trust_dir) == 0700);
  CHECK(mode_of(trust_dir / "private") == 0700);
  for (const auto* key : {&targets, &root, &releases}) {
    const fs::path file = trust_dir / "private" / (key->id() + ".key");
    CHECK(mode_of(file) == 0600);
    const auto info = key_file_info(read_text(file));
    REQUIRE(info);
    CHECK(info->encrypted);
    CHECK(info->pem_type == "ENCRYPTED PRIVATE KEY");
  }
  // The gun header only for targets, snapshot and timestamp keys.
  CHECK(key_file_info(read_text(trust_dir / "private" / (targets.id() + ".key")))->gun ==
        "example.com/app");
  CHECK(key_file_info(read_text(trust_dir / "private" / (root.id() + ".key")))->gun.empty());
  CHECK(key_file_info(read_text(trust_dir / "private" / (releases.id() + ".key")))->gun.empty());
  // No temporary files left behind.
  CHECK(std::distance(fs::directory_iterator(trust_dir / "private"), fs::directory_iterator()) ==
        3);

  const auto keys = store.list();
  REQUIRE(keys.size() == 3);
  for (const auto& k : keys) {
    CHECK(k.encrypted);
    CHECK(k.location_label == (trust_dir / "private").string());
    CHECK(k.path == trust_dir / "private" / (k.id + ".key"));
  }
  const auto t = store.find(targets.id());
  REQUIRE(t);
  CHECK(t->role == "targets");
  CHECK(t->gun == "example.com/app");
  CHECK(store.find(releases.id())->role == "targets/releases");
  CHECK(store.has(root.id()));
  CHECK_FALSE(store.has("0123"));
  CHECK_FALSE(store.has(""));
}

TEST_CASE("an existing private directory keeps its place; new ones are 0700") {
  TempDir tmp;
  fs::create_directories(tmp.path() / "private");
  fs::permissions(tmp.path() / "private", fs::perms::owner_all);
  KeyStore store(tmp.path());
  FixedPassphrase passphrases("correct horse");
  const auto key = PrivateKey::generate();
  store.add(key, "targets", "a/b", passphrases);
  CHECK(mode_of(tmp.path() / "private" / (key.id() + ".key")) == 0600);
}

TEST_CASE("keys round-trip: add, then load in a new store with one question") {
  TempDir tmp;
  const auto key = PrivateKey::generate();
  {
    KeyStore store(tmp.path());
    FixedPassphrase passphrases("correct horse");
    store.add(key, "targets", "example.com/app", passphrases);
    // Keys added are held: loading them asks nothing.
    CHECK(store.load(key.id(), passphrases).id() == key.id());
    CHECK(passphrases.requests().size() == 1);
  }
  KeyStore store(tmp.path());
  FixedPassphrase passphrases("correct horse");
  const PrivateKey& loaded = store.load(key.id(), passphrases);
  CHECK(loaded.id() == key.id());
  CHECK(loaded.public_key().public_bytes == key.public_key().public_bytes);
  REQUIRE(passphrases.requests().size() == 1);
  const auto& request = passphrases.requests()[0];
  CHECK_FALSE(request.create_new);
  CHECK(request.key_id == key.id());
  CHECK(request.role == "targets");
  CHECK(request.gun == "example.com/app");
  CHECK(request.attempt == 0);
  // Cached for the store's lifetime, same object.
  CHECK(&store.load(key.id(), passphrases) == &loaded);
  CHECK(passphrases.requests().size() == 1);
  // It signs like the original.
  const auto sig = loaded.sign("hello");
  CHECK(sig.method == "ecdsa");
}

TEST_CASE("keys are never stored unencrypted, and a key already held is kept") {
  TempDir tmp;
  KeyStore store(tmp.path());
  const auto key = PrivateKey::generate();
  FixedPassphrase empty("");
  CHECK(code_of([&] { store.add(key, "targets", "a/b", empty); }) == ErrorCode::invalid_argument);
  try {
    store.add(key, "targets", "a/b", empty);
  } catch (const dct::Error& e) {
    CHECK(std::string(e.what()).find("empty passphrase") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(tmp.path() / "private" / (key.id() + ".key")));
  FixedPassphrase good("correct horse");
  CHECK(code_of([&] { store.add(key, "", "a/b", good); }) == ErrorCode::invalid_argument);
  CHECK(good.requests().empty());

  store.add(key, "targets", "a/b", good);
  const std::string before = read_text(tmp.path() / "private" / (key.id() + ".key"));
  FixedPassphrase other("another passphrase");
  CHECK(store.add(key, "snapshot", "c/d", other) == key.id());
  CHECK(other.requests().empty());
  CHECK(read_text(tmp.path() / "private" / (key.id() + ".key")) == before);
}

TEST_CASE("unencrypted key files load without a question") {
  TempDir tmp;
  const auto key = PrivateKey::generate("ed25519");
  plant(tmp.path() / "private" / (key.id() + ".key"), key, "targets/releases", "", "");
  KeyStore store(tmp.path());
  const auto entry = store.find(key.id());
  REQUIRE(entry);
  CHECK_FALSE(entry->encrypted);
  FixedPassphrase none(std::map<std::string, std::string>{});
  CHECK(store.load(key.id(), none).id() == key.id());
  CHECK(none.requests().empty());
}

TEST_CASE("wrong passphrases: three tries, then an error naming the role and the full key ID") {
  TempDir tmp;
  const auto key = PrivateKey::generate();
  plant(tmp.path() / "private" / (key.id() + ".key"), key, "targets", "example.com/app",
        "right passphrase");
  KeyStore store(tmp.path());

  SUBCASE("always wrong") {
    FixedPassphrase wrong("wrong passphrase");
    try {
      store.load(key.id(), wrong);
      FAIL("no error");
    } catch (const IncorrectPassphrase& e) {
      CHECK(e.code() == ErrorCode::passphrase_incorrect);
      CHECK(dct::id_of(e.code()) == "dct.auth.504");
      CHECK(std::string(e.what()) == "wrong passphrase for the targets key " + key.id());
      CHECK(std::string(e.what()).find("wrong passphrase for") != std::string::npos);
    }
    REQUIRE(wrong.requests().size() == 3);
    for (int i = 0; i < 3; ++i) {
      CHECK(wrong.requests()[static_cast<size_t>(i)].attempt == i);
      CHECK_FALSE(wrong.requests()[static_cast<size_t>(i)].create_new);
    }
  }
  SUBCASE("right on the third try") {
    Scripted answers({"nope", "", "right passphrase"});
    CHECK(store.load(key.id(), answers).id() == key.id());
    CHECK(answers.requests.size() == 3);
    CHECK(answers.requests[2].attempt == 2);
  }
  SUBCASE("the retriever's own error ends the questions") {
    FixedPassphrase nobody(std::map<std::string, std::string>{{"root", "x"}});
    CHECK(code_of([&] { store.load(key.id(), nobody); }) == ErrorCode::passphrase_required);
    CHECK(nobody.requests().size() == 1);
  }
}

TEST_CASE("missing keys and files holding another key") {
  TempDir tmp;
  KeyStore store(tmp.path());
  FixedPassphrase passphrases("correct horse");
  CHECK(code_of([&] { store.load("00ff", passphrases); }) == ErrorCode::key_not_found);
  const auto a = PrivateKey::generate();
  const auto b = PrivateKey::generate();
  plant(tmp.path() / "private" / (a.id() + ".key"), b, "targets", "x/y", "correct horse");
  CHECK(code_of([&] { store.load(a.id(), passphrases); }) == ErrorCode::key_id_mismatch);
}

TEST_CASE("older notary layouts are read where they are and never moved") {
  TempDir tmp;
  const fs::path priv = tmp.path() / "private";
  const auto root01 = PrivateKey::generate();
  const auto root03 = PrivateKey::generate();
  const auto targets01 = PrivateKey::generate();
  const auto snapshot03 = PrivateKey::generate();
  const auto deleg03 = PrivateKey::generate();
  // 0.1: role in the file name, no headers.
  plant(priv / "root_keys" / (root01.id() + "_root.key"), root01, "", "", "pw-root01");
  plant(priv / "tuf_keys" / "example.com" / "app" / (targets01.id() + "_targets.key"), targets01,
        "", "", "pw-targets01");
  // 0.3: ID names, role header.
  plant(priv / "root_keys" / (root03.id() + ".key"), root03, "root", "", "pw-root03");
  plant(priv / "tuf_keys" / "example.com" / "app" / (snapshot03.id() + ".key"), snapshot03,
        "snapshot", "", "pw-snapshot03");
  plant(priv / "tuf_keys" / (deleg03.id() + ".key"), deleg03, "targets/releases", "", "");

  KeyStore store(tmp.path());
  std::vector<std::string> warnings;
  const auto keys = store.list(&warnings);
  CHECK(warnings.empty());
  REQUIRE(keys.size() == 5);
  auto expect = [&](const PrivateKey& key, const std::string& role, const std::string& gun,
                    bool encrypted) {
    const auto entry = store.find(key.id());
    REQUIRE(entry);
    CHECK(entry->role == role);
    CHECK(entry->gun == gun);
    CHECK(entry->encrypted == encrypted);
  };
  expect(root01, "root", "", true);
  expect(targets01, "targets", "example.com/app", true);
  expect(root03, "root", "", true);
  expect(snapshot03, "snapshot", "example.com/app", true);
  expect(deleg03, "targets/releases", "", false);

  FixedPassphrase passphrases(std::map<std::string, std::string>{
      {"root", "pw-root01"}, {"targets", "pw-targets01"}, {"snapshot", "pw-snapshot03"}});
  CHECK(store.load(root01.id(), passphrases).id() == root01.id());
  CHECK(store.load(targets01.id(), passphrases).id() == targets01.id());
  CHECK(store.load(snapshot03.id(), passphrases).id() == snapshot03.id());
  CHECK(store.load(deleg03.id(), passphrases).id() == deleg03.id());
  CHECK(passphrases.requests().back().gun == "example.com/app");

  CHECK(store.find_role("root").size() == 2);
  CHECK(store.find_role("targets", "example.com/app").size() == 1);
  CHECK(store.find_role("targets", "example.com/other").empty());

  // Nothing migrated: the old files are all still there, nothing new in private/.
  CHECK(fs::exists(priv / "root_keys" / (root01.id() + "_root.key")));
  CHECK(fs::exists(priv / "tuf_keys" / "example.com" / "app" / (targets01.id() + "_targets.key")));
  CHECK_FALSE(fs::exists(priv / (root01.id() + ".key")));
  CHECK(std::distance(fs::directory_iterator(priv), fs::directory_iterator()) == 2);
}

TEST_CASE("the 0.7 file wins when one key ID has several files; remove deletes them all") {
  TempDir tmp;
  const fs::path priv = tmp.path() / "private";
  const auto key = PrivateKey::generate();
  plant(priv / "tuf_keys" / "old" / "gun" / (key.id() + "_targets.key"), key, "", "", "old pw");
  plant(priv / (key.id() + ".key"), key, "targets", "new/gun", "new pw");
  KeyStore store(tmp.path());
  CHECK(store.list().size() == 1);
  const auto entry = store.find(key.id());
  REQUIRE(entry);
  CHECK(entry->path == priv / (key.id() + ".key"));
  CHECK(entry->gun == "new/gun");
  FixedPassphrase passphrases("new pw");
  store.load(key.id(), passphrases);

  CHECK(store.remove(key.id()));
  CHECK_FALSE(store.has(key.id()));
  CHECK_FALSE(fs::exists(priv / (key.id() + ".key")));
  CHECK_FALSE(fs::exists(priv / "tuf_keys" / "old" / "gun" / (key.id() + "_targets.key")));
  CHECK_FALSE(store.remove(key.id()));
  // The in-memory copy went too.
  CHECK(code_of([&] { store.load(key.id(), passphrases); }) == ErrorCode::key_not_found);
}

TEST_CASE("garbage, links and other files are skipped with warnings") {
  TempDir tmp;
  const fs::path priv = tmp.path() / "private";
  const auto key = PrivateKey::generate();
  plant(priv / (key.id() + ".key"), key, "targets", "a/b", "pw");
  write_text(priv / "junk.key", "this is not a key\n");
  write_text(priv / "empty.key", "");
  write_text(priv / "public.key", public_key_file(key.public_key(), "targets"));
  write_text(priv / "notes.txt", "not even looked at");
  write_text(priv / "sub" / "also-junk.key", "-----BEGIN NOTHING-----\n-----END NOTHING-----\n");
  fs::create_directories(priv / "dir.key");  // a directory named like a key file
  const auto linked = PrivateKey::generate();
  plant(tmp.path() / "elsewhere" / (linked.id() + ".key"), linked, "targets", "a/b", "pw");
  fs::create_symlink(tmp.path() / "elsewhere" / (linked.id() + ".key"),
                     priv / (linked.id() + ".key"));
  fs::create_directory_symlink(tmp.path() / "elsewhere", priv / "linked-dir");
  const bool root_user = ::geteuid() == 0;
  if (!root_user) {
    write_text(priv / "locked.key", write_key_file(key, "targets", "a/b", "pw").view());
    fs::permissions(priv / "locked.key", fs::perms::none);
  }

  KeyStore store(tmp.path());
  std::vector<std::string> warnings;
  const auto keys = store.list(&warnings);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].id == key.id());
  CHECK(warnings.size() == (root_user ? 4u : 5u));
  for (const auto& w : warnings) {
    CAPTURE(w);
    CHECK(w.rfind("skipping ", 0) == 0);
    CHECK(w.find("notes.txt") == std::string::npos);
    CHECK(w.find("linked") == std::string::npos);
  }
  CHECK_FALSE(store.has(linked.id()));
  CHECK_FALSE(store.has("junk"));
}

TEST_CASE("find_role keeps keys of other repositories out") {
  TempDir tmp;
  KeyStore store(tmp.path());
  FixedPassphrase passphrases("correct horse");
  const auto a = PrivateKey::generate();
  const auto b = PrivateKey::generate();
  const auto root = PrivateKey::generate();
  const auto deleg = PrivateKey::generate();
  store.add(a, "targets", "example.com/a", passphrases);
  store.add(b, "targets", "example.com/b", passphrases);
  store.add(root, "root", "example.com/a", passphrases);
  store.add(deleg, "targets/releases", "example.com/a", passphrases);
  const auto ta = store.find_role("targets", "example.com/a");
  REQUIRE(ta.size() == 1);
  CHECK(ta[0].id == a.id());
  CHECK(store.find_role("targets").size() == 2);
  CHECK(store.find_role("root", "example.com/b").size() == 1);
  CHECK(store.find_role("targets/releases", "example.com/b").size() == 1);
  CHECK(store.find_role("snapshot", "example.com/a").empty());
}

namespace {

std::pair<int, std::string> run_for_key_store(const std::string& command) {
  std::string output;
  FILE* pipe = popen(("(" + command + ") 2>&1").c_str(), "r");
  REQUIRE(pipe);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace

TEST_CASE("notary lists and opens the keys we store") {
  if (!dct::test::programs({"notary"})) return;
  TempDir tmp;
  KeyStore store(tmp.path());
  FixedPassphrase passphrases("pass word");
  const auto targets = PrivateKey::generate();
  const auto root = PrivateKey::generate();
  const auto deleg = PrivateKey::generate();
  store.add(targets, "targets", "example.com/app", passphrases);
  store.add(root, "root", "", passphrases);
  store.add(deleg, "targets/releases", "example.com/app", passphrases);

  const auto [status, output] = run_for_key_store("notary -d " + tmp.path().string() + " key list");
  CAPTURE(output);
  CHECK(status == 0);
  std::istringstream lines(output);
  int found = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream cells(line);
    std::vector<std::string> words;
    for (std::string w; cells >> w;) words.push_back(w);
    if (words.empty()) continue;
    if (line.find(targets.id()) != std::string::npos) {
      CHECK(words[0] == "targets");
      CHECK(words[1] == "example.com/app");
      ++found;
    } else if (line.find(root.id()) != std::string::npos) {
      CHECK(words[0] == "root");
      CHECK(words[1] == root.id());  // no GUN column value
      ++found;
    } else if (line.find(deleg.id()) != std::string::npos) {
      CHECK(words[0] == "targets/releases");
      CHECK(words[1] == deleg.id());
      ++found;
    }
  }
  CHECK(found == 3);

  // notary decrypts what we wrote (key passwd reads, then rewrites the file) and we read back.
  const auto passwd = run_for_key_store("env NOTARY_TARGETS_PASSPHRASE='pass word' notary -d " +
                          tmp.path().string() + " key passwd " + targets.id());
  CAPTURE(passwd.second);
  CHECK(passwd.first == 0);
  KeyStore again(tmp.path());
  FixedPassphrase same("pass word");
  CHECK(again.load(targets.id(), same).id() == targets.id());
  CHECK(again.find(targets.id())->gun == "example.com/app");
}
