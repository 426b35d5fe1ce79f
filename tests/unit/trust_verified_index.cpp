// The verified index on its own: what it records for a verified targets file, that its seal
// refuses every edit and every index made under another key, and that even an index sealed
// with the right key returns nothing but the tag's own entry, or nothing.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/encoding.h"
#include "base/errors.h"
#include "base/files.h"
#include "temp_dir.h"
#include "trust/crypto/signer.h"
#include "trust/formats/canonical_json.h"
#include "trust/tuf/checks.h"
#include "trust/tuf/verified_index.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;

namespace verified_index_test {

const std::string kSealKey(32, '\x5a');

struct SignedTargets {
  PrivateKey key = PrivateKey::generate();
  nlohmann::json signed_json = {
      {"_type", "Targets"},
      {"delegations", {{"keys", nlohmann::json::object()}, {"roles", nlohmann::json::array()}}},
      {"expires", "2099-01-01T00:00:00Z"},
      {"targets", nlohmann::json::object()},
      {"version", 3}};
  std::string raw;

  void add(const std::string& tag, const std::string& manifest) {
    signed_json["targets"][tag] = test::MiniRepo::file_meta(manifest);
  }
  void sign() { raw = sign_metadata(signed_json, {{key.id(), &key}}); }
  IndexedFile facts() const {
    const std::size_t split = raw.size() / 3;
    return {"example.com/app",
            "targets",
            static_cast<long long>(raw.size()),
            to_hex(sha256(raw)),
            to_hex(sha512(raw)),
            split,
            to_hex(sha256(std::string_view(raw).substr(0, split))),
            to_hex(sha256(std::string_view(raw).substr(split))),
            {key.id()}};
  }
  std::optional<std::string> try_index(std::string_view seal_key = kSealKey) const {
    return build_verified_index(facts(), raw, canonical_json(signed_json), seal_key);
  }
  std::string index() const {
    auto out = try_index();
    REQUIRE(out);
    return *out;
  }
};

SignedTargets three_tags() {
  SignedTargets t;
  for (const char* tag : {"v1", "v2", "latest"}) t.add(tag, std::string("manifest ") + tag);
  t.sign();
  return t;
}

std::string digest_in(const Targets& t, const std::string& tag) {
  return to_hex(*t.targets.at(tag).sha256());
}

std::vector<std::string> pieces_of(std::string_view raw, const std::vector<ByteRange>& ranges) {
  std::vector<std::string> out;
  for (ByteRange r : ranges) out.emplace_back(raw.substr(r.offset, r.length));
  return out;
}

// What a lookup of `tag` through `index` reads out of `raw`.
std::optional<Targets> lookup(const std::string& index, std::string_view raw,
                              const std::string& tag) {
  auto opened = open_verified_index(index, kSealKey);
  if (!opened) return std::nullopt;
  auto ranges = indexed_ranges(*opened, tag);
  if (!ranges) return std::nullopt;
  return read_indexed_target(pieces_of(raw, *ranges), "targets", tag);
}

// `index` with `from` replaced by `to` and sealed again with the right key: what only someone
// holding the key could write.
std::string resealed(std::string index, const std::string& from, const std::string& to) {
  const std::size_t at = index.find(from);
  REQUIRE(at != std::string::npos);
  index.replace(at, from.size(), to);
  const std::size_t mac = index.rfind("mac ");
  index.resize(mac);
  return index + "mac " + to_hex(hmac_sha256(kSealKey, index)) + "\n";
}

std::string line_of(const std::string& index, const std::string& tag) {
  const std::size_t at = index.find("\n" + tag + "\t") + 1;
  return index.substr(at, index.find('\n', at) - at);
}

}  // namespace verified_index_test

using namespace verified_index_test;

TEST_CASE("verified index: records the file and reads every tag back as its own entry") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  CHECK(index.rfind("dct verified index 2\ngun example.com/app\nrole targets\n", 0) == 0);
  auto opened = open_verified_index(index, kSealKey);
  REQUIRE(opened);
  CHECK(opened->file == t.facts());
  for (const char* tag : {"v1", "v2", "latest"}) {
    auto got = lookup(index, t.raw, tag);
    REQUIRE(got);
    CHECK(got->targets.size() == 1);
    CHECK(digest_in(*got, tag) == test::MiniRepo::digest_of(std::string("manifest ") + tag));
    CHECK(got->file.version == 3);
    CHECK(got->file.expires_text == "2099-01-01T00:00:00Z");
    CHECK(got->file.signatures.size() == 1);
    CHECK(got->file.canonical.empty());
  }
  CHECK_FALSE(indexed_ranges(*opened, "v3"));
}

TEST_CASE("verified index: any edit, a cut, or another key breaks the seal") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  REQUIRE(open_verified_index(index, kSealKey));
  for (std::size_t i = 0; i < index.size(); ++i) {
    std::string edited = index;
    edited[i] = static_cast<char>(edited[i] ^ 0x01);
    CHECK_FALSE(open_verified_index(edited, kSealKey));
  }
  for (std::size_t n = 0; n < index.size(); ++n)
    CHECK_FALSE(open_verified_index(index.substr(0, n), kSealKey));
  // Made by another client (another trust dir, another machine): its key is not this one.
  CHECK_FALSE(open_verified_index(index, std::string(32, '\x5b')));
  CHECK_FALSE(open_verified_index(*t.try_index(std::string(32, '\x01')), kSealKey));
  CHECK_FALSE(open_verified_index(index + "v9\t0\t1\n", kSealKey));
  CHECK_FALSE(open_verified_index("", kSealKey));
}

TEST_CASE("verified index: even a sealed range pointing elsewhere gives no other tag's digest") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  const std::string v2 = line_of(index, "v2");
  // v1 pointed at v2's entry: that entry is v2's, not v1's.
  const std::string forged = resealed(index, line_of(index, "v1"), "v1" + v2.substr(2));
  REQUIRE(open_verified_index(forged, kSealKey));
  CHECK_FALSE(lookup(forged, t.raw, "v1"));
  // Ranges past the end of the file are refused before anything is read.
  const std::string far_text = resealed(index, v2, "v2\t99999\t5");
  auto far = open_verified_index(far_text, kSealKey);
  REQUIRE(far);
  CHECK_FALSE(indexed_ranges(*far, "v2"));
  const std::string empty_text = resealed(index, v2, "v2\t10\t0");
  auto empty = open_verified_index(empty_text, kSealKey);
  REQUIRE(empty);
  CHECK_FALSE(indexed_ranges(*empty, "v2"));
}

TEST_CASE("verified index: garbage lines find nothing") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  for (const std::string line : {"v1", "v1\t", "v1\tx\t1", "v1\t1\t", "v1\t-1\t5",
                                 "v1\t99999999999999999999999\t5", "v1 1 5"}) {
    const std::string text = resealed(index, line_of(index, "v1"), line);
    auto opened = open_verified_index(text, kSealKey);
    REQUIRE(opened);
    CHECK_FALSE(indexed_ranges(*opened, "v1"));
  }
  CHECK_FALSE(open_verified_index(resealed(index, "\nlayout ", "\nlayout x "), kSealKey));
  CHECK_FALSE(open_verified_index(resealed(index, "\nlength ", "\nlength -"), kSealKey));
}

TEST_CASE("verified index: an entry nested in another target's custom data is not a target") {
  SignedTargets t;
  t.add("v1", "manifest v1");
  t.add("a", "manifest a");
  // A target whose custom data holds something shaped like an entry for v1.
  t.signed_json["targets"]["a"]["custom"] = {{"v1", test::MiniRepo::file_meta("other")}};
  t.sign();
  const std::string index = t.index();
  const std::size_t nested = t.raw.find("\"v1\":");
  REQUIRE(nested != std::string::npos);
  CHECK(line_of(index, "v1").rfind(fmt::format("v1\t{}\t", nested), 0) == std::string::npos);
  auto got = lookup(index, t.raw, "v1");
  REQUIRE(got);
  CHECK(digest_in(*got, "v1") == test::MiniRepo::digest_of("manifest v1"));
  CHECK(index.find("\nv1\t") == index.rfind("\nv1\t"));  // one line for v1
}

TEST_CASE("verified index: a file naming a tag twice, escaped or unsorted, is not indexed") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  auto opened = open_verified_index(index, kSealKey);
  REQUIRE(opened);
  const ByteRange v1 = indexed_ranges(*opened, "v1")->front();
  // Each file offered with its own signed bytes as the canonical form, so that only the index's
  // own checks can refuse it.
  auto not_indexed = [&](const std::string& raw) {
    const std::string signed_bytes = raw.substr(10, raw.rfind(",\"signatures\"") - 10);
    return !build_verified_index(t.facts(), raw, signed_bytes, kSealKey);
  };
  REQUIRE_FALSE(not_indexed(t.raw));
  // The same entry again right after the first one.
  std::string twice = t.raw;
  twice.insert(v1.offset + v1.length, "," + t.raw.substr(v1.offset, v1.length));
  CHECK(not_indexed(twice));
  // A second "v1" spelled with an escape.
  std::string escaped = t.raw;
  escaped.insert(v1.offset + v1.length,
                 ",\"\\u00761\"" + t.raw.substr(v1.offset + 4, v1.length - 4));
  CHECK(not_indexed(escaped));
  // Two "expires" in signed: which one a parser takes is not for the index to guess.
  std::string two_expiries = t.raw;
  two_expiries.insert(two_expiries.find("\"expires\""), "\"expires\":\"2000-01-01T00:00:00Z\",");
  CHECK(not_indexed(two_expiries));
}

TEST_CASE("verified index: a file whose signed bytes are not canonical is not indexed") {
  SignedTargets t = three_tags();
  std::string spaced = t.raw;
  spaced.insert(spaced.find("\"_type\""), " ");
  CHECK_FALSE(build_verified_index(t.facts(), spaced, canonical_json(t.signed_json), kSealKey));
  CHECK_FALSE(build_verified_index(t.facts(), "not json", "", kSealKey));
}

TEST_CASE("verified index: the expiry and version are read from the file's bytes") {
  SignedTargets t = three_tags();
  t.signed_json["expires"] = "2001-02-03T04:05:06Z";
  t.signed_json["version"] = 9;
  t.sign();
  auto got = lookup(t.index(), t.raw, "v2");
  REQUIRE(got);
  CHECK(got->file.expires_text == "2001-02-03T04:05:06Z");
  CHECK(got->file.version == 9);
}

TEST_CASE("verified index: recorded signers count against the keys in force now") {
  PrivateKey a = PrivateKey::generate();
  PrivateKey b = PrivateKey::generate();
  const std::map<std::string, PublicKey> keys{{a.id(), a.public_key()}, {b.id(), b.public_key()}};
  CHECK_NOTHROW(check_verified_signers({a.id()}, keys, RoleKeys{{a.id(), b.id()}, 1}, "targets"));
  CHECK_NOTHROW(
      check_verified_signers({a.id(), b.id()}, keys, RoleKeys{{a.id(), b.id()}, 2}, "targets"));
  // The threshold was raised, or the key that signed is no longer the role's.
  CHECK_THROWS(check_verified_signers({a.id()}, keys, RoleKeys{{a.id(), b.id()}, 2}, "targets"));
  CHECK_THROWS(check_verified_signers({a.id()}, keys, RoleKeys{{b.id()}, 1}, "targets"));
  CHECK_THROWS(check_verified_signers({a.id()}, {{b.id(), b.public_key()}}, RoleKeys{{a.id()}, 1},
                                      "targets"));
  // A key listed under an ID that is not its own.
  CHECK_THROWS(check_verified_signers({a.id()}, {{a.id(), b.public_key()}}, RoleKeys{{a.id()}, 1},
                                      "targets"));
  CHECK_THROWS(check_verified_signers({}, keys, RoleKeys{{a.id()}, 1}, "targets"));
}

TEST_CASE("verified index: stored 0600 in a 0700 directory, delegations in subdirectories") {
  test::TempDir dir;
  VerifiedIndexStore store(dir / "dct-index", IndexSeal::key_file_in(dir.path()));
  store.store("targets/releases", "x");
  namespace fs = std::filesystem;
  const auto file = dir / "dct-index" / "targets" / "releases.index";
  REQUIRE(fs::exists(file));
  CHECK((fs::status(file).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(dir / "dct-index").permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK(store.load("targets/releases") == "x");
  CHECK_THROWS(store.store("../escape", "x"));
  store.remove("targets/releases");
  CHECK_FALSE(store.load("targets/releases"));
}

TEST_CASE(
    "verified index: the seal key is made once, 0600 in 0700, and refused when others can read "
    "it") {
  test::TempDir dir;
  namespace fs = std::filesystem;
  const auto file = IndexSeal::key_file_in(dir.path());
  CHECK(file == dir / "dct" / "index-seal.key");
  {
    IndexSeal seal(file);
    seal.hold();
    CHECK_FALSE(seal.key());
    const std::string made = seal.key_making_one();
    CHECK(made.size() == 32);
    CHECK(seal.key() == made);
    CHECK_FALSE(fs::exists(file));  // held: nothing on disk before commit
    seal.commit();
  }
  REQUIRE(fs::exists(file));
  CHECK((fs::status(file).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(file.parent_path()).permissions() & fs::perms::all) == fs::perms::owner_all);
  const std::string kept = *IndexSeal(file).key();
  CHECK(IndexSeal(file).key_making_one() == kept);
  CHECK(read_file_capped(file, 100)->find(to_hex(kept)) == 0);

  // Readable by the group: another user may know it, so it seals nothing and is replaced.
  fs::permissions(file, fs::perms::group_read, fs::perm_options::add);
  CHECK_FALSE(IndexSeal(file).key());
  const std::string fresh = IndexSeal(file).key_making_one();
  CHECK(fresh != kept);
  CHECK(IndexSeal(file).key() == fresh);
  CHECK((fs::status(file).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  // Damaged: not hex, or cut short.
  write_file_atomic(file, std::string(64, 'z') + "\n");
  CHECK_FALSE(IndexSeal(file).key());
  write_file_atomic(file, to_hex(fresh).substr(2) + "\n");
  CHECK_FALSE(IndexSeal(file).key());
  fs::remove(file);
  fs::create_symlink(dir / "elsewhere", file);
  write_file_atomic(dir / "elsewhere", to_hex(fresh) + "\n");
  CHECK_FALSE(IndexSeal(file).key());
}

TEST_CASE("verified index: while held, nothing reaches the disk before commit") {
  test::TempDir dir;
  namespace fs = std::filesystem;
  const auto file = dir / "dct-index" / "targets.index";
  {
    VerifiedIndexStore store(dir / "dct-index", IndexSeal::key_file_in(dir.path()));
    store.hold();
    store.store("targets", "held");
    CHECK(store.load("targets") == "held");
    CHECK_FALSE(fs::exists(file));
  }  // dropped without commit, as a failed command drops it
  CHECK_FALSE(fs::exists(file));
  VerifiedIndexStore store(dir / "dct-index", IndexSeal::key_file_in(dir.path()));
  store.store("targets", "old");
  store.hold();
  store.remove("targets");
  CHECK_FALSE(store.load("targets"));
  CHECK(fs::exists(file));
  store.commit();
  CHECK_FALSE(fs::exists(file));
  store.store("targets", "new");  // no longer held
  CHECK(fs::exists(file));
}
