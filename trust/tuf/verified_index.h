#pragma once
// The verified index: what a full verification of a targets file learned, kept so that a warm
// resolve of an unchanged repository need not parse and verify a file of 20,000 tags again.
//
// The index of a role names the sha256 of the file it was made from and, for each target, the
// byte range of its entry in that file. It is written only after the file passed the full
// verification, and it is never trusted on its own word: a lookup uses it only when the cached
// file hashes to what the (freshly verified) snapshot lists and to what the index names; it then
// checks in one pass over the bytes that the range is the one entry of signed.targets with that
// name, parses just that entry, the delegations, expiry and version with the strict parser, and
// verifies the signatures again over the file's own signed bytes (notary writes them as
// canonical JSON; a file that is not is never indexed). An edited, truncated or stale index can
// therefore only send a lookup back to the full verification, which writes the index anew.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "trust/formats/metadata.h"
#include "trust/tuf/targets_layout.h"

namespace dct::trust {

// The index of `raw`, a targets file of `role` whose "signed" value `canonical` was verified;
// nullopt when the file cannot be read through an index (its signed bytes are not canonical
// JSON, a target name is escaped, ...). `sha256_hex` is the file's hash.
std::optional<std::string> build_verified_index(const std::string& role, std::string_view raw,
                                                const std::string& canonical,
                                                const std::string& sha256_hex);

// Whether `index` is the index of `role` made from the file with hash `sha256_hex`.
bool index_matches(std::string_view index, const std::string& role, const std::string& sha256_hex);

// The range `index` records for `tag`, when it is the index of `role` made from the file with
// hash `sha256_hex` and holds a well-formed line for the tag.
std::optional<ByteRange> index_lookup(std::string_view index, const std::string& role,
                                      const std::string& sha256_hex, const std::string& tag);

// `tag`'s entry read out of `raw` at `entry`, as a Targets holding that one target and the
// file's delegations, type, version and expiry; file.canonical is the file's own signed bytes,
// file.raw is empty. The caller verifies signatures and expiry. nullopt when `entry` is not
// exactly the single entry named `tag` in signed.targets; throws what the strict parser throws.
std::optional<Targets> read_indexed_target(std::string_view raw, const std::string& role,
                                           ByteRange entry, const std::string& tag);

// Index files below a repository's directory: <dir>/<role>.index, 0600 in 0700 directories,
// written atomically. While held, stores and removals wait for commit(), as the metadata cache
// does, so a command that fails leaves the trust dir as it was.
class VerifiedIndexStore {
 public:
  explicit VerifiedIndexStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::optional<std::string> load(const std::string& role) const;
  void store(const std::string& role, const std::string& index) const;
  void remove(const std::string& role) const;
  std::filesystem::path path_for(const std::string& role) const;

  void hold() { held_ = true; }
  void commit();

 private:
  std::filesystem::path dir_;
  bool held_ = false;
  mutable std::map<std::string, std::optional<std::string>> pending_;  // nullopt: remove
};

}  // namespace dct::trust
