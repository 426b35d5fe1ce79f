#pragma once
// The verified index: what a full verification of a targets file established, kept so that a
// warm resolve of an unchanged repository need not hash and verify a file of 20,000 tags again.
//
// The index of a role records the file it was made from (its length, SHA-256 and SHA-512, and
// the key IDs whose signatures on it verified) and, for each target, the byte range of its
// entry in that file. It is written only after the file passed the full verification, and
// sealed with a MAC under this client's own key (index_seal.h). A lookup uses it only when the
// seal holds, the freshly verified snapshot lists the recorded hashes and length, and the
// cached file's SHA-256 is the recorded one (so it is the file verified then, and the newest
// this client trusted). The signatures are then counted again, from the recorded key IDs,
// against the keys and threshold in force now; expiry is checked against the clock; and the
// range is checked in one pass over the bytes to be the one entry of signed.targets with that
// name before that entry, the delegations, expiry and version are parsed with the strict
// parser. An edited, truncated, stale or foreign index can therefore only send a lookup back
// to the full verification, which writes the index anew.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust/formats/metadata.h"
#include "trust/tuf/cache.h"
#include "trust/tuf/index_seal.h"
#include "trust/tuf/targets_layout.h"

namespace dct::trust {

// What an index records about the file it was made from.
struct IndexedFile {
  std::string gun;
  std::string role;
  long long length = 0;
  std::string sha256_hex;
  std::string sha512_hex;
  // The SHA-256 of bytes [0, split) and of [split, length): a lookup checks the two halves of
  // the cached file on two cores.
  std::size_t split = 0;
  std::string first_half_sha256_hex;
  std::string second_half_sha256_hex;
  std::vector<std::string> signer_ids;  // key IDs whose signatures on these bytes verified
  bool operator==(const IndexedFile&) const = default;
};

// The sealed index of `raw`, the file `file` describes, whose "signed" value `canonical` was
// verified; nullopt when the file cannot be read through an index (its signed bytes are not
// canonical JSON, a target name is escaped, ...).
std::optional<std::string> build_verified_index(const IndexedFile& file, std::string_view raw,
                                                const std::string& canonical,
                                                std::string_view seal_key);

struct OpenedIndex {
  IndexedFile file;
  TargetsLayout layout;      // where the file's type, version, expiry, delegations, signatures are
  std::string_view entries;  // the entry lines, each "\n<tag>\t<offset>\t<length>"
};
// The index when its seal under `seal_key` holds and it is well formed; nullopt otherwise. The
// result refers to the bytes of `index`, which must outlive it.
std::optional<OpenedIndex> open_verified_index(std::string_view index, std::string_view seal_key);

// The range an opened index records for `tag`.
std::optional<ByteRange> index_lookup(const OpenedIndex& index, const std::string& tag);

// The ranges of the indexed file a lookup of `tag` reads: the tag's entry, then the file's
// type, version, expiry, delegations and signatures (empty ranges for fields it lacks);
// nullopt when the index does not name the tag or a range does not fit the file.
std::optional<std::vector<ByteRange>> indexed_ranges(const OpenedIndex& index,
                                                     const std::string& tag);

// The bytes at `ranges` of the cached file of the index's role, in one pass over the file's
// two halves (on two cores when it is large) that checks each half against the SHA-256 the
// index recorded; nullopt when the cached file is not, byte for byte, the file `index` was made
// from.
std::optional<std::vector<std::string>> read_indexed_pieces(MetadataCache& cache,
                                                            const OpenedIndex& index,
                                                            const std::vector<ByteRange>& ranges);

// `tag`'s entry as a Targets holding that one target and the file's delegations, type,
// version, expiry and signatures (file.raw and file.canonical are empty), from `pieces`, the
// bytes at indexed_ranges. The caller makes sure they were read from the indexed file, and
// checks the signers and the expiry. nullopt when the entry is not exactly one target named
// `tag`; throws what the strict parser throws.
std::optional<Targets> read_indexed_target(const std::vector<std::string>& pieces,
                                           const std::string& role, const std::string& tag);

// Index files below a repository's directory: <dir>/<role>.index, 0600 in 0700 directories,
// written atomically. While held, stores and removals wait for commit(), as the metadata cache
// does, so a command that fails leaves the trust dir as it was.
class VerifiedIndexStore {
 public:
  VerifiedIndexStore(std::filesystem::path dir, std::filesystem::path seal_key_file)
      : dir_(std::move(dir)), seal_(std::move(seal_key_file)) {}
  std::optional<std::string> load(const std::string& role) const;
  void store(const std::string& role, const std::string& index) const;
  void remove(const std::string& role) const;
  std::filesystem::path path_for(const std::string& role) const;

  const IndexSeal& seal() const { return seal_; }

  void hold() {
    held_ = true;
    seal_.hold();
  }
  void commit();

 private:
  std::filesystem::path dir_;
  IndexSeal seal_;
  bool held_ = false;
  mutable std::map<std::string, std::optional<std::string>> pending_;  // nullopt: remove
};

}  // namespace dct::trust
