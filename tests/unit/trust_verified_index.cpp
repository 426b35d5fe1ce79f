// The verified index on its own: what it records for a verified targets file, and that no
// edit of it (another tag's range, a range inside an entry, garbage, a stale hash) and no
// change of the file makes a lookup return anything but the tag's own entry, or nothing.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>

#include "base/encoding.h"
#include "base/errors.h"
#include "temp_dir.h"
#include "trust/crypto/signer.h"
#include "trust/formats/canonical_json.h"
#include "trust/tuf/verified_index.h"
#include "trust_mini_repo.h"

using namespace dct;
using namespace dct::trust;

namespace verified_index_test {

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
  std::string hex() const { return to_hex(sha256(raw)); }
  std::string index() const {
    auto out = build_verified_index("targets", raw, canonical_json(signed_json), hex());
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

// The index with the line of `tag` replaced by `line`.
std::string with_line(std::string index, const std::string& tag, const std::string& line) {
  const std::size_t at = index.find("\n" + tag + "\t") + 1;
  const std::size_t end = index.find('\n', at);
  return index.replace(at, end - at, line);
}

}  // namespace verified_index_test

using namespace verified_index_test;

TEST_CASE("verified index: every tag's range reads back as that tag's entry, signatures intact") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  CHECK(index.rfind("dct verified index 1\nrole targets\nsha256 " + t.hex() + "\n", 0) == 0);
  for (const char* tag : {"v1", "v2", "latest"}) {
    auto range = index_lookup(index, "targets", t.hex(), tag);
    REQUIRE(range);
    auto got = read_indexed_target(t.raw, "targets", *range, tag);
    REQUIRE(got);
    CHECK(got->targets.size() == 1);
    CHECK(digest_in(*got, tag) == test::MiniRepo::digest_of(std::string("manifest ") + tag));
    CHECK(got->file.version == 3);
    CHECK(got->file.expires_text == "2099-01-01T00:00:00Z");
    // What the signature covers is the file's own signed bytes.
    CHECK(got->file.canonical == canonical_json(t.signed_json));
    CHECK(got->file.signatures.size() == 1);
  }
  CHECK_FALSE(index_lookup(index, "targets", t.hex(), "v3"));
}

TEST_CASE("verified index: a stale hash, another role or a damaged header finds nothing") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  CHECK_FALSE(index_lookup(index, "targets", std::string(64, '0'), "v1"));
  CHECK_FALSE(index_lookup(index, "targets/releases", t.hex(), "v1"));
  CHECK_FALSE(index_matches(index, "targets", std::string(64, '0')));
  CHECK(index_matches(index, "targets", t.hex()));
  std::string damaged = index;
  damaged[4] = 'X';
  CHECK_FALSE(index_lookup(damaged, "targets", t.hex(), "v1"));
  CHECK_FALSE(index_lookup("", "targets", t.hex(), "v1"));
}

TEST_CASE("verified index: a range pointing at another tag's entry is refused") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  auto v2 = index_lookup(index, "targets", t.hex(), "v2");
  REQUIRE(v2);
  // Asked for v1 at v2's range: that entry is v2's, not v1's.
  CHECK_FALSE(read_indexed_target(t.raw, "targets", *v2, "v1"));
  std::string edited = with_line(index, "v1", fmt::format("v1\t{}\t{}", v2->offset, v2->length));
  auto range = index_lookup(edited, "targets", t.hex(), "v1");
  REQUIRE(range);
  CHECK_FALSE(read_indexed_target(t.raw, "targets", *range, "v1"));
}

TEST_CASE("verified index: ranges off by a byte, inside an entry, or past the end are refused") {
  SignedTargets t = three_tags();
  auto v1 = index_lookup(t.index(), "targets", t.hex(), "v1");
  REQUIRE(v1);
  for (ByteRange bad :
       {ByteRange{v1->offset + 1, v1->length - 1}, ByteRange{v1->offset - 1, v1->length + 1},
        ByteRange{v1->offset, v1->length - 1}, ByteRange{v1->offset, 0}, ByteRange{t.raw.size(), 1},
        ByteRange{v1->offset, t.raw.size()}, ByteRange{0, t.raw.size()}})
    CHECK_FALSE(read_indexed_target(t.raw, "targets", bad, "v1"));
}

TEST_CASE("verified index: garbage lines find nothing") {
  SignedTargets t = three_tags();
  const std::string index = t.index();
  for (const std::string line : {"v1", "v1\t", "v1\tx\t1", "v1\t1\t", "v1\t-1\t5",
                                 "v1\t99999999999999999999999\t5", "v1 1 5"})
    CHECK_FALSE(index_lookup(with_line(index, "v1", line), "targets", t.hex(), "v1"));
  std::string cut = index.substr(0, index.find("\nv1\t") + 6);
  CHECK_FALSE(index_lookup(cut, "targets", t.hex(), "v1"));
}

TEST_CASE("verified index: a truncated or edited file is not read") {
  SignedTargets t = three_tags();
  auto v1 = index_lookup(t.index(), "targets", t.hex(), "v1");
  REQUIRE(v1);
  const std::string truncated = t.raw.substr(0, t.raw.size() - 10);
  CHECK_FALSE(read_indexed_target(truncated, "targets", *v1, "v1"));
  const std::string head = t.raw.substr(0, v1->offset + v1->length);
  CHECK_FALSE(read_indexed_target(head, "targets", *v1, "v1"));
}

TEST_CASE("verified index: an entry nested in another target's custom data is not a target") {
  SignedTargets t;
  t.add("v1", "manifest v1");
  t.add("a", "manifest a");
  // A target whose custom data holds something shaped like an entry for v1.
  t.signed_json["targets"]["a"]["custom"] = {{"v1", test::MiniRepo::file_meta("other")}};
  t.sign();
  const std::string needle = "\"v1\":";
  const std::size_t nested = t.raw.find(needle);
  REQUIRE(nested != std::string::npos);
  auto real = index_lookup(t.index(), "targets", t.hex(), "v1");
  REQUIRE(real);
  REQUIRE(nested != real->offset);  // "a" sorts first, so its custom data comes first
  const std::size_t end = t.raw.find('}', t.raw.find('}', nested) + 1) + 1;
  CHECK_FALSE(read_indexed_target(t.raw, "targets", ByteRange{nested, end - nested}, "v1"));
  auto got = read_indexed_target(t.raw, "targets", *real, "v1");
  REQUIRE(got);
  CHECK(digest_in(*got, "v1") == test::MiniRepo::digest_of("manifest v1"));
}

TEST_CASE("verified index: a file naming a tag twice, or with escaped names, is never read") {
  SignedTargets t = three_tags();
  auto v1 = index_lookup(t.index(), "targets", t.hex(), "v1");
  REQUIRE(v1);
  // The same entry again right after the first one.
  std::string twice = t.raw;
  twice.insert(v1->offset + v1->length, "," + t.raw.substr(v1->offset, v1->length));
  CHECK_FALSE(read_indexed_target(twice, "targets", *v1, "v1"));
  // A second "v1" spelled with an escape.
  std::string escaped = t.raw;
  escaped.insert(v1->offset + v1->length,
                 ",\"\\u00761\"" + t.raw.substr(v1->offset + 4, v1->length - 4));
  CHECK_FALSE(read_indexed_target(escaped, "targets", *v1, "v1"));
  // Two "expires" in signed: which one a parser takes is not for the index to guess.
  std::string two_expiries = t.raw;
  const std::string early = "\"expires\":\"2000-01-01T00:00:00Z\",";
  two_expiries.insert(two_expiries.find("\"expires\""), early);
  const ByteRange moved{v1->offset + early.size(), v1->length};
  REQUIRE(two_expiries.substr(moved.offset, moved.length) == t.raw.substr(v1->offset, v1->length));
  CHECK_FALSE(read_indexed_target(two_expiries, "targets", moved, "v1"));
}

TEST_CASE("verified index: a file whose signed bytes are not canonical is not indexed") {
  SignedTargets t = three_tags();
  std::string spaced = t.raw;
  spaced.insert(spaced.find("\"_type\""), " ");
  CHECK_FALSE(build_verified_index("targets", spaced, canonical_json(t.signed_json),
                                   to_hex(sha256(spaced))));
  CHECK_FALSE(build_verified_index("targets", "not json", "", std::string(64, '0')));
}

TEST_CASE("verified index: the expiry and version come from the file, not the index") {
  SignedTargets t = three_tags();
  t.signed_json["expires"] = "2001-02-03T04:05:06Z";
  t.signed_json["version"] = 9;
  t.sign();
  auto range = index_lookup(t.index(), "targets", t.hex(), "v2");
  REQUIRE(range);
  auto got = read_indexed_target(t.raw, "targets", *range, "v2");
  REQUIRE(got);
  CHECK(got->file.expires_text == "2001-02-03T04:05:06Z");
  CHECK(got->file.version == 9);
}

TEST_CASE("verified index: stored 0600 in a 0700 directory, delegations in subdirectories") {
  test::TempDir dir;
  VerifiedIndexStore store(dir / "dct-index");
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

TEST_CASE("verified index: while held, nothing reaches the disk before commit") {
  test::TempDir dir;
  namespace fs = std::filesystem;
  const auto file = dir / "dct-index" / "targets.index";
  {
    VerifiedIndexStore store(dir / "dct-index");
    store.hold();
    store.store("targets", "held");
    CHECK(store.load("targets") == "held");
    CHECK_FALSE(fs::exists(file));
  }  // dropped without commit, as a failed command drops it
  CHECK_FALSE(fs::exists(file));
  VerifiedIndexStore store(dir / "dct-index");
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
